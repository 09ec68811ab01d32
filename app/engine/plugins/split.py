"""Split transform: split a field by a (Java) regex into new STRING fields, limit = number of outputs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.engine.options import STRING, STRING_LIST, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Field, Schema, SeaType


@register_transform("Split")
class Split(Transform):
    """`separator` (regex), `split_field`, `output_fields`: the last output keeps the remainder."""

    options = (
        Option(
            "separator",
            STRING,
            required=True,
            description="Java regular expression the field is split on.",
        ),
        Option("split_field", STRING, required=True, description="The string field to split."),
        Option(
            "output_fields",
            STRING_LIST,
            required=True,
            description="Names of the new fields (their count is the split limit).",
        ),
    )

    def configure(self) -> None:
        """The separator must compile; outputs must be non-empty and distinct."""
        self.separator: str = self.values["separator"]
        try:
            re.compile(self.separator)
        except re.error as exc:
            raise self.error("separator", f"is not a valid regex: {exc}") from None
        outputs: list[str] = self.values["output_fields"]
        if not outputs:
            raise self.error("output_fields", "must name at least one field")
        if len(set(outputs)) != len(outputs):
            raise self.error("output_fields", f"names a field twice: {show(outputs)}")
        self.outputs = outputs
        self.field: str = self.values["split_field"]

    def output_schema(self, schema: Schema) -> Schema:
        """The input fields, then one STRING per output field."""
        if self.field not in schema.names:
            raise self.unknown_field("split_field", self.field, schema)
        for name in self.outputs:
            if name in schema.names:
                raise self.error(
                    "output_fields", f"would add field {show(name)}, which already exists"
                )
        added = tuple(Field(name, SeaType("string")) for name in self.outputs)
        return Schema(schema.fields + added)

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Vectorized regex split (RE2), per-row Java-like split only for patterns RE2 cannot run."""
        index = schema.index(self.field)
        source_type = schema.fields[index].type
        separator, count, names = self.separator, len(self.outputs), self.outputs

        def process(batch: Any) -> Any:
            import pyarrow as pa

            from app.engine.plugins.sql.values import to_string

            text = to_string(batch.data.column(index), source_type)
            parts = _split_columns(text, separator, count)
            data = batch.data
            out = pa.RecordBatch.from_arrays(
                [*data.columns, *parts], names=[*data.schema.names, *names]
            )
            return batch.with_data(out)

        return process


def _split_columns(text: Any, separator: str, count: int) -> list[Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        lists = pc.split_pattern_regex(text, separator, max_splits=count - 1)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        compiled = re.compile(separator)
        lists = pa.array(
            [
                None if s is None else compiled.split(s, maxsplit=count - 1)
                for s in text.to_pylist()
            ],
            pa.list_(pa.string()),
        )
    flat = pc.list_flatten(lists)
    offsets = lists.offsets.to_numpy()[:-1]
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    columns = []
    for i in range(count):
        present = lengths > i
        positions = pa.array(offsets + i, mask=~present)
        columns.append(pc.take(flat, positions) if len(flat) else pa.nulls(len(lists), pa.string()))
    return columns
