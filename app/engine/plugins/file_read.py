"""Run-time only: read one file of a file source into Arrow record batches of the table's schema.

One function per format, all vectorized: text lines are split with pyarrow.compute, csv goes
through pyarrow.csv, json lines through pyarrow.json, parquet and orc through their readers.
Every string field is then typed by text_values (SeaTunnel's text parsing); partition columns
parsed from the path are appended as strings (reference-connectors §2.1-2.2).
"""

from __future__ import annotations

import base64
import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from app.engine.arrow_types import arrow_type
from app.engine.plugins.file_listing import partition_values
from app.engine.plugins.text_values import ValueParseError, parse_column
from app.engine.types import Field, Schema, SeaType

BLOCK_BYTES = 8 << 20  # bytes of a text file decoded and split at once
_LINE_BREAK = r"\r\n|\r|\n"
_REGEX_META = set(".$|()[]{}^?*+\\")


@dataclass
class ReadSpec:
    """How to read every file of one source: format, the declared (or file) schema and options."""

    format: str  # text, csv, json, parquet, orc
    schema: Schema  # data columns, as declared in `schema` or read from the first file
    declared: bool  # whether `schema` was configured (text/csv split fields only then)
    delimiter: str = "\x01"
    skip_header: int = 0
    compression: str | None = None  # text formats: a pyarrow codec (gzip, ...) or "lzo"
    archive: str | None = None  # zip, tar or tar_gz: each file is an archive of members
    encoding: str = "utf-8"
    null_format: str | None = None
    read_columns: list[str] | None = None
    partition_keys: list[str] = field(default_factory=list)
    batch_rows: int = 65536

    def output_schema(self) -> Schema:
        """The table the source produces: projected data columns, then partition columns."""
        fields = list(self.schema.fields)
        if self.read_columns:
            by_name = {f.name: f for f in fields}
            fields = [by_name[name] for name in self.read_columns]
        fields += [Field(key, SeaType("string")) for key in self.partition_keys]
        return Schema(tuple(fields))


def read_batches(spec: ReadSpec, path: str, skip_rows: int = 0) -> Iterator[pa.RecordBatch]:
    """The rows of file `path` as batches of the output schema, after the first `skip_rows`."""
    target = pa.schema([pa.field(f.name, arrow_type(f.type)) for f in spec.output_schema().fields])
    partitions = dict(partition_values(path)) if spec.partition_keys else {}
    for table in _read_data(spec, path):
        if skip_rows:
            if skip_rows >= table.num_rows:
                skip_rows -= table.num_rows
                continue
            table = table.slice(skip_rows)
            skip_rows = 0
        if spec.read_columns:
            table = table.select(spec.read_columns)
        for key in spec.partition_keys:
            value = partitions.get(key)
            table = table.append_column(key, pa.array([value] * table.num_rows, pa.string()))
        table = _conform(table, target, path)
        for batch in table.to_batches(max_chunksize=spec.batch_rows):
            if batch.num_rows:
                yield batch


def _conform(table: pa.Table, target: pa.Schema, path: str) -> pa.Table:
    if table.schema.equals(target) and str(table.schema) == str(target):
        return table  # (equals() ignores list item names: parquet's "element" must become "item")
    try:
        return table.rename_columns(target.names).cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
        raise ValueParseError(f"file {path} does not match the table schema: {exc}") from None


def _read_data(spec: ReadSpec, path: str) -> Iterator[pa.Table]:
    """Tables of the data columns (before projection and partitions)."""
    if spec.archive:
        from app.engine.plugins.file_archive import members

        for member in members(path, spec.archive, spec.format):
            yield from _read_one(spec, member)
        return
    yield from _read_one(spec, path)


def _read_one(spec: ReadSpec, path: Any) -> Iterator[pa.Table]:
    """One file, or one archive member (`path` then has an open() method)."""
    if spec.format == "parquet":
        yield from _parquet(spec, path)
    elif spec.format == "orc":
        yield from _orc(spec, path)
    elif spec.format == "json":
        yield from _json(spec, path)
    elif spec.format == "csv" and spec.declared:
        yield from _csv(spec, path)
    else:
        yield from _text(spec, path)


# -- text --------------------------------------------------------------------------------------
def _open(spec: ReadSpec, path: Any) -> Any:
    if not isinstance(path, str):
        return path.open()  # an archive member
    if spec.compression == "lzo":
        from app.engine.plugins.lzop import LzopReader

        return io.BufferedReader(LzopReader(open(path, "rb")), BLOCK_BYTES)
    return pa.input_stream(path, compression=spec.compression)


def _lines(spec: ReadSpec, path: Any) -> Iterator[pa.Array]:
    """The file's non-empty lines, a block at a time, after skip_header_row_number lines."""
    decoder = codecs.getincrementaldecoder(spec.encoding)(errors="replace")
    to_skip = spec.skip_header
    rest = ""
    with _open(spec, path) as stream:
        while True:
            raw = stream.read(BLOCK_BYTES)
            final = not raw
            text = rest + decoder.decode(raw, final=final)
            if not final:
                cut = text.rfind("\n")
                if cut < 0:  # a \r at the very end may be the first half of a \r\n
                    cut = text.rfind("\r", 0, len(text) - 1)
                if cut < 0:
                    rest = text
                    continue
                text, rest = text[: cut + 1], text[cut + 1 :]
            if text:
                whole = pa.array([text], pa.large_string())
                if "\r" in text:
                    lines = pc.split_pattern_regex(whole, _LINE_BREAK)
                else:
                    lines = pc.split_pattern(whole, "\n")
                values = lines.values
                if text.endswith(("\n", "\r")):
                    values = values.slice(0, len(values) - 1)  # the empty tail after the break
                if to_skip:
                    skipped = min(to_skip, len(values))
                    values, to_skip = values.slice(skipped), to_skip - skipped
                values = pc.cast(values, pa.string())
                values = values.filter(pc.not_equal(values, ""))
                if len(values):
                    yield values
            if final:
                return


def _text(spec: ReadSpec, path: Any) -> Iterator[pa.Table]:
    if not spec.declared:
        for lines in _lines(spec, path):
            yield pa.table({"content": lines})
        return
    delimiter = spec.delimiter
    if len(delimiter) == 1 and delimiter not in _REGEX_META and delimiter not in "\r\n":
        # one literal character: pyarrow's csv parser without quoting is the fast path
        yield from _delimited(spec, path, delimiter, quoted=False)
        return
    yield from _text_split(spec, path, 0)


def _text_split(spec: ReadSpec, path: Any, done: int) -> Iterator[pa.Table]:
    """Text lines split on the delimiter (a literal or a regex) after the `done` rows already
    read; missing trailing fields are null, extra ones dropped (SeaTunnel's split(-1))."""
    literal = not (_REGEX_META & set(spec.delimiter))
    width = len(spec.schema.fields)
    for lines in _lines(spec, path):
        if done >= len(lines):
            done -= len(lines)
            continue
        lines, done = lines.slice(done), 0
        if literal:
            parts = pc.split_pattern(lines, spec.delimiter)
        else:
            parts = pc.split_pattern_regex(lines, spec.delimiter)
        padded = pc.list_slice(parts, 0, width, return_fixed_size_list=True)
        columns = [pc.list_element(padded, i) for i in range(width)]
        yield _typed(spec, columns)


def _typed(spec: ReadSpec, columns: list[pa.Array]) -> pa.Table:
    arrays = []
    for sea_field, column in zip(spec.schema.fields, columns, strict=True):
        if spec.null_format is not None:
            column = pc.if_else(
                pc.equal(column, spec.null_format), pa.scalar(None, pa.string()), column
            )
        arrays.append(parse_column(column, sea_field.type, sea_field.name))
    return pa.table(arrays, names=spec.schema.names)


# -- csv ---------------------------------------------------------------------------------------
def _csv(spec: ReadSpec, path: Any) -> Iterator[pa.Table]:
    yield from _delimited(spec, path, ",", quoted=True)


def _delimited(spec: ReadSpec, path: Any, delimiter: str, quoted: bool) -> Iterator[pa.Table]:
    """csv (quoted) or single-character text through pyarrow.csv, streaming; a file with rows
    of another length goes on through the slow path (which pads and drops as SeaTunnel)."""
    import pyarrow.csv as pcsv

    width = len(spec.schema.fields)
    names = [f"f{i}" for i in range(width)]
    ragged: list[int] = []

    def on_invalid(row: Any) -> str:
        ragged.append(row.number)
        return "skip"

    read = pcsv.ReadOptions(
        column_names=names,
        skip_rows=spec.skip_header,
        encoding=spec.encoding,
        block_size=BLOCK_BYTES,
    )
    parse = pcsv.ParseOptions(
        delimiter=delimiter,
        quote_char='"' if quoted else False,
        double_quote=quoted,
        invalid_row_handler=on_invalid,
    )
    convert = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    done = 0
    with _open(spec, path) as stream:
        reader = pcsv.open_csv(
            stream, read_options=read, parse_options=parse, convert_options=convert
        )
        for batch in reader:
            if ragged:
                break
            done += batch.num_rows
            yield _typed(spec, batch.columns)
    if ragged:
        yield from (_csv_ragged if quoted else _text_split)(spec, path, done)


def _csv_ragged(spec: ReadSpec, path: Any, done: int) -> Iterator[pa.Table]:
    """The slow path for csv files whose rows differ in length: Python's csv module per line,
    after the `done` rows already read (one row per non-empty line: no newlines in values)."""
    width = len(spec.schema.fields)
    for lines in _lines(spec, path):
        if done >= len(lines):
            done -= len(lines)
            continue
        lines, done = lines.slice(done), 0
        columns: list[list[str | None]] = [[] for _ in range(width)]
        for row in csv.reader(io.StringIO("\n".join(lines.to_pylist()))):
            for i in range(width):
                columns[i].append(row[i] if i < len(row) else None)
        yield _typed(spec, [pa.array(c, pa.string()) for c in columns])


# -- json --------------------------------------------------------------------------------------
def _json_type(sea: SeaType) -> pa.DataType:
    """What pyarrow.json reads a field as before conversion: natural JSON types, else string."""
    if sea.name in ("tinyint", "smallint", "int", "bigint"):
        return pa.int64()
    if sea.name in ("float", "double"):
        return pa.float64()
    if sea.name == "boolean":
        return pa.bool_()
    if sea.name == "decimal":
        return arrow_type(sea)  # pyarrow.json reads decimals from numbers and strings alike
    if sea.name == "array" and sea.element is not None and sea.element.name not in ("map", "array"):
        return pa.list_(_json_type(sea.element))
    return pa.string()


def _json(spec: ReadSpec, path: Any) -> Iterator[pa.Table]:
    import pyarrow.json as pj

    fields = spec.schema.fields
    explicit = pa.schema([pa.field(f.name, _json_type(f.type)) for f in fields])
    read = pj.ReadOptions(block_size=BLOCK_BYTES)
    parse = pj.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="ignore")
    needs_python = any(_nested(f.type) for f in fields) or spec.encoding.lower() not in (
        "utf-8",
        "utf8",
    )
    done = 0
    if not needs_python:
        try:
            with _open(spec, path) as stream:
                for batch in pj.open_json(stream, read_options=read, parse_options=parse):
                    columns = [batch.column(f.name) for f in fields]
                    typed = _json_typed(spec, columns)
                    done += batch.num_rows
                    yield typed
                return
        except pa.ArrowInvalid:
            pass  # values of mixed JSON types: the per-line path below converts them
    yield from _json_python(spec, path, done)


def _nested(sea: SeaType) -> bool:
    """Maps and rows (at any depth) are read by the per-line path."""
    if sea.name in ("map", "row"):
        return True
    return sea.element is not None and _nested(sea.element)


def _json_typed(spec: ReadSpec, columns: list[pa.Array]) -> pa.Table:
    arrays = []
    for sea_field, column in zip(spec.schema.fields, columns, strict=True):
        target = arrow_type(sea_field.type)
        if sea_field.type.name == "bytes":
            arrays.append(_base64(column, sea_field.name))
            continue
        if pa.types.is_string(column.type) and sea_field.type.name != "string":
            arrays.append(parse_column(column, sea_field.type, sea_field.name))
            continue
        try:
            arrays.append(pc.cast(column, target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise ValueParseError(
                f"field '{sea_field.name}' cannot be read as {sea_field.type.display()}"
            ) from None
    return pa.table(arrays, names=spec.schema.names)


def _base64(column: pa.Array, name: str) -> pa.Array:
    """JSON bytes are base64 text (Jackson's binaryValue); decoded one value at a time."""
    values = []
    for text in column.to_pylist():
        try:
            values.append(None if text is None else base64.b64decode(text, validate=True))
        except ValueError:
            raise ValueParseError(f"field '{name}': {str(text)[:80]} is not base64") from None
    return pa.array(values, pa.binary())


def _json_python(spec: ReadSpec, path: Any, done: int = 0) -> Iterator[pa.Table]:
    """Lines whose JSON types vary (a number here, a string there), maps and rows: json per line,
    after the `done` rows already read (one object per non-empty line)."""
    fields = spec.schema.fields
    for lines in _lines(ReadSpec(**{**spec.__dict__, "skip_header": 0}), path):
        if done >= len(lines):
            done -= len(lines)
            continue
        lines, done = lines.slice(done), 0
        columns: list[list[Any]] = [[] for _ in fields]
        for line in lines.to_pylist():
            try:  # decimals keep every digit: numbers with a fraction stay text
                row = json.loads(line, parse_float=str)
            except ValueError:
                raise ValueParseError(f"line is not JSON: {line[:80]}") from None
            if not isinstance(row, dict):
                raise ValueParseError(f"line is not a JSON object: {line[:80]}")
            for i, sea_field in enumerate(fields):
                columns[i].append(_json_value(row.get(sea_field.name), sea_field.type))
        arrays = []
        for sea_field, values in zip(fields, columns, strict=True):
            arrays.append(_json_array(values, sea_field))
        yield pa.table(arrays, names=spec.schema.names)


def _json_value(value: Any, sea: SeaType) -> Any:
    """A JSON value as the text SeaTunnel's JsonToRowConverters would parse, or a container."""
    if value is None:
        return None
    if sea.name == "map":
        if not isinstance(value, dict):
            raise ValueParseError(f"expected a JSON object for {sea.display()}, got {value!r:.80}")
        return [(str(k), _json_value(v, sea.value)) for k, v in value.items()]  # type: ignore[arg-type]
    if sea.name == "array":
        if not isinstance(value, list):
            raise ValueParseError(f"expected a JSON array for {sea.display()}, got {value!r:.80}")
        return [_json_value(v, sea.element) for v in value]  # type: ignore[arg-type]
    if sea.name == "row":  # an object by field name, or an array by position
        if isinstance(value, list):
            value = {f.name: value[i] for i, f in enumerate(sea.fields) if i < len(value)}
        if not isinstance(value, dict):
            raise ValueParseError(f"expected a JSON object for {sea.display()}, got {value!r:.80}")
        return {f.name: _json_value(value.get(f.name), f.type) for f in sea.fields}
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_array(values: list[Any], sea_field: Field) -> pa.Array:
    sea = sea_field.type
    if sea.name == "string":
        return pa.array(values, pa.string())  # an empty JSON string stays empty
    if sea.name == "bytes":
        return _base64(pa.array(values, pa.string()), sea_field.name)
    if sea.name not in ("array", "map", "row"):
        return parse_column(pa.array(values, pa.string()), sea, sea_field.name)
    inner = _nested_strings(sea)
    return _nested_parse(pa.array(values, inner), sea, sea_field.name)


def _nested_strings(sea: SeaType) -> pa.DataType:
    if sea.name == "array":
        return pa.list_(_nested_strings(sea.element))  # type: ignore[arg-type]
    if sea.name == "map":
        return pa.map_(pa.string(), _nested_strings(sea.value))  # type: ignore[arg-type]
    if sea.name == "row":
        return pa.struct([pa.field(f.name, _nested_strings(f.type)) for f in sea.fields])
    return pa.string()


def _nested_parse(array: pa.Array, sea: SeaType, name: str) -> pa.Array:
    if sea.name == "array":
        values = _nested_parse(array.values, sea.element, name)  # type: ignore[arg-type]
        return pa.ListArray.from_arrays(
            array.offsets, values, type=arrow_type(sea), mask=array.is_null()
        )
    if sea.name == "map":
        keys = parse_column(array.keys, sea.key, name)  # type: ignore[arg-type]
        items = _nested_parse(array.items, sea.value, name)  # type: ignore[arg-type]
        return pa.MapArray.from_arrays(
            array.offsets, keys, items, type=arrow_type(sea), mask=array.is_null()
        )
    if sea.name == "row":
        children = [
            _nested_parse(array.field(i), f.type, f"{name}.{f.name}")
            for i, f in enumerate(sea.fields)
        ]
        return pa.StructArray.from_arrays(
            children, fields=list(arrow_type(sea)), mask=array.is_null()
        )
    if sea.name == "string":
        return array
    return parse_column(array, sea, name)


# -- columnar formats --------------------------------------------------------------------------
def _seekable(path: Any) -> Any:
    """A path, or an archive member read into memory (columnar readers seek)."""
    if isinstance(path, str):
        return path
    with path.open() as stream:
        return pa.BufferReader(stream.read())


def _parquet(spec: ReadSpec, path: Any) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    names = spec.schema.names
    with pq.ParquetFile(_seekable(path)) as handle:
        for batch in handle.iter_batches(batch_size=spec.batch_rows, columns=names):
            yield pa.Table.from_batches([batch])


def _orc(spec: ReadSpec, path: Any) -> Iterator[pa.Table]:
    import pyarrow.orc as orc

    handle = orc.ORCFile(_seekable(path))
    names = spec.schema.names
    for stripe in range(handle.nstripes):
        yield pa.Table.from_batches([handle.read_stripe(stripe, columns=names)])


def check_delimiter(delimiter: str) -> str | None:
    """Why `delimiter` cannot split text fields (Java regex semantics), or None when it can."""
    if not delimiter:
        return "must not be empty"
    if not (_REGEX_META & set(delimiter)):
        return None
    try:
        compiled = re.compile(delimiter)
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    if compiled.fullmatch(""):  # an empty match would split between every character
        return "must not match the empty string"
    return None
