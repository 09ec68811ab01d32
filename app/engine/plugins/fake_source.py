"""FakeSource: generated test data (reference-seatunnel-v2 §6, reference-connectors §1.7); options and schema."""

from __future__ import annotations

from typing import Any

from app.engine.batch import ROW_KINDS
from app.engine.options import ANY, FLOAT, INT, MAP, STRING, Option, show
from app.engine.plugin import RunContext, Source, SourceReader, TableInfo
from app.engine.plugins.fake_rows import ValueProblem, convert
from app.engine.registry import register_source
from app.engine.types import Field, Schema, TypeSyntaxError, parse_type

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
FLOAT32_MAX = 3.4028234663852886e38
FLOAT64_MAX = 1.7976931348623157e308
ENUMERATOR_LOGGER = (
    "org.apache.seatunnel.connectors.seatunnel.fake.source.FakeSourceSplitEnumerator"
)
MAX_SPLITS = 100_000  # splits over all subtasks: the layout is a Python list

# (type, min option default, max option default, lowest allowed, highest allowed)
RANGES = {
    "tinyint": (0, 127, -(2**7), 2**7 - 1),
    "smallint": (0, 32767, -(2**15), 2**15 - 1),
    "int": (0, INT32_MAX, -(2**31), INT32_MAX),
    "bigint": (0, INT64_MAX, -(2**63), INT64_MAX),
    "float": (0.0, FLOAT32_MAX, -FLOAT32_MAX, FLOAT32_MAX),
    "double": (0.0, FLOAT64_MAX, -FLOAT64_MAX, FLOAT64_MAX),
}


def _range_options() -> tuple[Option, ...]:
    options = []
    for name, (low, high, lowest, highest) in RANGES.items():
        kind = FLOAT if name in ("float", "double") else INT
        options.append(Option(f"{name}.min", kind, low, min=lowest, max=highest))
        options.append(Option(f"{name}.max", kind, high, min=lowest, max=highest))
    return tuple(options)


@register_source("FakeSource")
class FakeSource(Source):
    """Generates rows of a declared schema: random (or seeded) columns, or the literal `rows`."""

    options = (
        Option("schema", MAP, required=True),
        Option("schema.fields", MAP, required=True),
        Option("schema.table", STRING),
        Option("row.num", INT, 5, min=0, max=INT64_MAX),
        Option("split.num", INT, 1, min=1, max=MAX_SPLITS),
        Option("split.read-interval", INT, 1, min=0, max=86_400_000),
        Option("string.length", INT, 5, min=0, max=1 << 20),
        Option("bytes.length", INT, 5, min=0, max=1 << 20),
        Option("array.size", INT, 5, min=0, max=1 << 16),
        Option("map.size", INT, 5, min=0, max=1 << 16),
        Option("rows", ANY),
        Option("seed", INT, min=0, max=INT64_MAX),
        Option("batch.size", INT, 65536, min=1, max=1 << 24),
        *_range_options(),
    )

    def configure(self) -> None:
        """Parse the schema, check ranges and convert literal rows."""
        self.schema = self._schema()
        for name in RANGES:
            if self.values[f"{name}.min"] > self.values[f"{name}.max"]:
                raise self.error(
                    f"{name}.min",
                    f"must be <= {name}.max ({self.values[f'{name}.max']}), "
                    f"got {self.values[f'{name}.min']}",
                )
        self.rows = self._rows()
        table = self.values["schema.table"] or self.values["plugin_output"]
        self.table_path = table or "default.default.default"
        if self.parallelism * self.values["split.num"] > MAX_SPLITS:
            raise self.error(
                "split.num",
                f"times parallelism must be <= {MAX_SPLITS}, got "
                f"{self.values['split.num']} x {self.parallelism}",
            )

    def _schema(self) -> Schema:
        fields = []
        for name, text in self.values["schema.fields"].items():
            if isinstance(text, dict):
                raise self.error(
                    "schema.fields", f"field {show(name)}: nested row types are not supported"
                )
            try:
                sea = parse_type(text)
            except TypeSyntaxError:
                raise self.error(
                    "schema.fields", f"field {show(name)} has unknown type {show(text)}"
                ) from None
            fields.append(Field(str(name), sea))
        if not fields:
            raise self.error("schema.fields", "must declare at least one field")
        return Schema(tuple(fields))

    def _rows(self) -> list[tuple[int, list[Any]]] | None:
        raw = self.values["rows"]
        if raw is None:
            return None
        if not isinstance(raw, list):
            raise self.error("rows", f"must be a list of {{kind, fields}} objects, got {show(raw)}")
        rows = []
        for i, row in enumerate(raw):
            if not isinstance(row, dict) or not isinstance(row.get("fields"), list):
                raise self.error(
                    "rows", f"row {i} must be an object with a 'fields' list, got {show(row)}"
                )
            kind = row.get("kind", "INSERT")
            if not isinstance(kind, str) or kind.upper() not in ROW_KINDS:
                raise self.error(
                    "rows", f"row {i} kind must be one of {', '.join(ROW_KINDS)}, got {show(kind)}"
                )
            values = row["fields"]
            if len(values) != len(self.schema.fields):
                raise self.error(
                    "rows",
                    f"row {i} has {len(values)} fields, the schema has {len(self.schema.fields)}",
                )
            converted = []
            for field, value in zip(self.schema.fields, values, strict=True):
                try:
                    converted.append(convert(field.type, value))
                except ValueProblem as problem:
                    raise self.error(
                        "rows", f"row {i} field {show(field.name)}: {problem}, got {show(value)}"
                    ) from None
            rows.append((ROW_KINDS.index(kind.upper()), converted))
        return rows

    def split_layout(self) -> list[tuple[int, int]]:
        """(split id, rows) for every split of every subtask, ordered by split id."""
        readers, per_reader = self.parallelism, self.values["split.num"]
        row_num = self.values["row.num"]
        chunk = -(-row_num // per_reader)
        splits = []
        for reader in range(readers):
            for k in range(per_reader):
                rows = (
                    len(self.rows)
                    if self.rows is not None
                    else max(0, min(chunk, row_num - k * chunk))
                )
                splits.append((reader + k * readers, rows))
        return sorted(splits)

    def tables(self) -> list[TableInfo]:
        """The single table this source produces."""
        return [TableInfo(self.table_path, self.schema)]

    def reader(self, ctx: RunContext) -> SourceReader:
        """A reader over all splits of all subtasks (imports numpy and pyarrow)."""
        from app.engine.plugins.fake_data import FakeReader

        ctx.log("Starting to calculate splits.", logger=ENUMERATOR_LOGGER)
        splits = self.parallelism * self.values["split.num"]
        ctx.log(
            f"Calculated splits for table {self.table_path} successfully, "
            f"the size of splits is {splits}.",
            logger=ENUMERATOR_LOGGER,
        )
        return FakeReader(self, ctx)
