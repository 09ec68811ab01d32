"""JsonPath transform: extract JSONPath values from a field into new typed columns.

Error rules as in SeaTunnel's JsonPathTransform: a path that cannot be read (missing key, bad
JSON) uses the column's `column_error_handle_way` (SKIP -> null, SKIP_ROW -> drop the row, FAIL),
or when that is unset the transform's `row_error_handle_way` (SKIP -> drop the row, FAIL).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.engine.options import ANY, STRING, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Field, Schema, SeaType, TypeSyntaxError, parse_type

_WAYS = ("FAIL", "SKIP", "SKIP_ROW")
_COLUMN_KEYS = ("src_field", "path", "dest_field", "dest_type", "column_error_handle_way")
_SOURCE_TYPES = ("string", "bytes", "array", "map")


@dataclass(frozen=True)
class Column:
    """One `columns` entry."""

    src_field: str
    path: str
    dest_field: str
    dest_type: SeaType
    way: str | None
    compiled: Any


class SkipRow(Exception):
    """The row is to be dropped."""


@register_transform("JsonPath")
class JsonPath(Transform):
    """`columns = [{src_field, path, dest_field, dest_type, column_error_handle_way}]`, `row_error_handle_way`."""

    options = (
        Option(
            "columns",
            ANY,
            required=True,
            description="[{src_field, path, dest_field, dest_type, column_error_handle_way}] to extract.",
        ),
        Option(
            "row_error_handle_way",
            STRING,
            default="FAIL",
            choices=("FAIL", "SKIP"),
            description="On a row that cannot be read: FAIL the job or SKIP the row.",
        ),
    )

    def configure(self) -> None:
        """Validate every column entry and compile its path."""
        entries = self.values["columns"]
        if not isinstance(entries, list) or not entries:
            raise self.error("columns", f"must be a non-empty list of objects, got {show(entries)}")
        self.columns = [self._column(i, e) for i, e in enumerate(entries)]
        names = [c.dest_field for c in self.columns]
        if len(set(names)) != len(names):
            raise self.error("columns", f"names a dest_field twice: {show(names)}")
        self.row_way: str = self.values["row_error_handle_way"]

    def _column(self, index: int, entry: Any) -> Column:
        where = f"columns[{index}]"
        if not isinstance(entry, dict):
            raise self.error("columns", f"{where} must be an object, got {show(entry)}")
        unknown = sorted(set(entry) - set(_COLUMN_KEYS))
        if unknown:
            raise self.error("columns", f"{where} has unknown key {show(unknown[0])}")
        for key in ("path", "src_field", "dest_field"):
            value = entry.get(key)
            if not isinstance(value, str) or not value.strip():
                raise self.error("columns", f"{where}.{key} must not be empty")
        try:
            dest_type = parse_type(str(entry.get("dest_type", "string")))
        except TypeSyntaxError as exc:
            raise self.error(
                "columns", f"{where}.dest_type {show(entry.get('dest_type'))} is not a type: {exc}"
            ) from None
        way = entry.get("column_error_handle_way")
        if way is not None and (not isinstance(way, str) or way.upper() not in _WAYS):
            raise self.error(
                "columns",
                f"{where}.column_error_handle_way must be one of {', '.join(_WAYS)}, got {show(way)}",
            )
        compiled = _compile(entry["path"])
        if compiled is None:
            raise self.error("columns", f"{where}.path {show(entry['path'])} is not a JSONPath")
        return Column(
            entry["src_field"], entry["path"], entry["dest_field"], dest_type,
            way.upper() if way else None, compiled,
        )  # fmt: skip

    def output_schema(self, schema: Schema) -> Schema:
        """The input fields followed by the dest fields."""
        for column in self.columns:
            if column.src_field not in schema.names:
                raise self.unknown_field("columns", column.src_field, schema)
            source = schema.field(column.src_field).type
            if source.name not in _SOURCE_TYPES:
                raise self.error(
                    "columns",
                    f"src_field {show(column.src_field)} is {source.display()}; "
                    "expected STRING, BYTES, ARRAY or MAP",
                )
            if column.dest_field in schema.names:
                raise self.error(
                    "columns", f"would add field {show(column.dest_field)}, which already exists"
                )
        added = tuple(Field(c.dest_field, c.dest_type) for c in self.columns)
        return Schema(schema.fields + added)

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Per row: parse the JSON once per source field, read each path, convert to dest_type."""
        from app.engine.errors import JobError

        columns, row_way, name, where = self.columns, self.row_way, self.plugin_name, self.where
        indexes = [schema.index(c.src_field) for c in columns]

        def process(batch: Any) -> Any:
            import pyarrow as pa

            from app.engine.arrow_types import arrow_type

            data = batch.data
            sources = {i: data.column(i).to_pylist() for i in set(indexes)}
            out: list[list[Any]] = [[] for _ in columns]
            keep: list[bool] = []
            for row in range(data.num_rows):
                parsed: dict[int, Any] = {}
                values = []
                try:
                    for column, index in zip(columns, indexes, strict=True):
                        values.append(_read(column, index, sources[index][row], parsed, row_way))
                except SkipRow:
                    keep.append(False)
                    continue
                except ValueError as exc:
                    raise JobError(f"{name} ({where}): {exc}") from None
                keep.append(True)
                for i, value in enumerate(values):
                    out[i].append(value)
            arrays = [
                pa.array(v, arrow_type(c.dest_type)) for v, c in zip(out, columns, strict=True)
            ]
            if not all(keep):
                mask = pa.array(keep)
                data = data.filter(mask)
                kinds = batch.kinds.filter(mask) if batch.kinds is not None else None
            else:
                kinds = batch.kinds
            if data.num_rows == 0:
                return None
            names = [*data.schema.names, *(c.dest_field for c in columns)]
            result = pa.RecordBatch.from_arrays([*data.columns, *arrays], names=names)
            return type(batch)(batch.table, result, kinds)

        return process


def _compile(path: str) -> Any:
    from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
    from jsonpath_ng.ext import parse

    try:
        return parse(path)
    except (JsonPathLexerError, JsonPathParserError, Exception):  # any parse failure
        return None


def _definite(path: str) -> bool:
    """Jayway returns a list for indefinite paths (wildcards, deep scan, filters, unions, slices)."""
    return not any(token in path for token in ("*", "..", "?(", ",", ":"))


def _read(column: Column, index: int, value: Any, parsed: dict[int, Any], row_way: str) -> Any:
    if value is None:
        return None
    try:
        if index not in parsed:
            if isinstance(value, (bytes, bytearray)):
                value = value.decode("utf-8")
            parsed[index] = json.loads(value) if isinstance(value, str) else _plain(value)
        matches = [m.value for m in column.compiled.find(parsed[index])]
        if _definite(column.path):
            if not matches:
                raise LookupError(f"No results for path: {column.path}")
            found = matches[0]
        else:
            found = matches
    except (LookupError, ValueError, TypeError) as exc:
        way = column.way
        if way == "SKIP":
            return None
        if way == "SKIP_ROW" or (way is None and row_way == "SKIP"):
            raise SkipRow from None
        text = value if isinstance(value, str) else json.dumps(_plain(value), default=str)
        raise ValueError(
            f"JsonPath transform error, path {column.path!r} of field {column.src_field!r}, "
            f"value {text[:200]!r}: {exc}"
        ) from None
    try:
        return _convert(found, column.dest_type)
    except (ValueError, TypeError, ArithmeticError):
        raise ValueError(
            f"cannot convert {found!r} read by path {column.path!r} of field "
            f"{column.src_field!r} to {column.dest_type.display()}"
        ) from None


def _plain(value: Any) -> Any:
    """Arrow's Python values (maps as lists of pairs) as JSON-like data."""
    if (
        isinstance(value, list)
        and value
        and all(isinstance(p, tuple) and len(p) == 2 for p in value)
    ):
        return {str(k): _plain(v) for k, v in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _convert(value: Any, sea: SeaType) -> Any:
    """A JSON value as `sea` (strings of non-text JSON keep their JSON text)."""
    if value is None:
        return None
    name = sea.name
    if name == "string":
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if name in ("tinyint", "smallint", "int", "bigint"):
        return int(value)
    if name in ("float", "double"):
        return float(value)
    if name == "boolean":
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)
    if name == "decimal":
        from decimal import Decimal

        return Decimal(str(value))
    if name == "array":
        items = value if isinstance(value, list) else [value]
        return [_convert(v, sea.element) for v in items]  # type: ignore[arg-type]
    if name == "map":
        return [(_convert(k, sea.key), _convert(v, sea.value)) for k, v in dict(value).items()]  # type: ignore[arg-type]
    if name in ("date", "time", "timestamp"):
        import datetime as dt

        text = str(value).replace("T", " ")
        if name == "date":
            return dt.date.fromisoformat(text[:10])
        if name == "time":
            return dt.time.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    if name == "bytes":
        return value.encode("utf-8") if isinstance(value, str) else json.dumps(value).encode()
    return value
