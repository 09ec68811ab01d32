"""FieldMapper transform: keep only the mapped fields, renamed, in map order (a projection)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine.options import MAP, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Field, Schema


@register_transform("FieldMapper")
class FieldMapper(Transform):
    """`field_mapper = {input_field = output_field, ...}`."""

    options = (
        Option(
            "field_mapper",
            MAP,
            required=True,
            description="Input field -> output name; only mapped fields are kept, in this order.",
        ),
    )

    def configure(self) -> None:
        """Every output name must be a non-empty string, and unique."""
        mapping = self.values["field_mapper"]
        seen: set[str] = set()
        for source, target in mapping.items():
            if not isinstance(target, str) or not target:
                raise self.error(
                    "field_mapper", f"maps {show(source)} to {show(target)}, not a field name"
                )
            if target in seen:
                raise self.error("field_mapper", f"maps two fields to {show(target)}")
            seen.add(target)
        self.mapping: dict[str, str] = {str(k): v for k, v in mapping.items()}

    def output_schema(self, schema: Schema) -> Schema:
        """The mapped fields, renamed, in map order."""
        fields = []
        for source, target in self.mapping.items():
            if not schema.has(source):
                raise self.unknown_field("field_mapper", source, schema)
            fields.append(Field(target, schema.field(source).type))
        return Schema(tuple(fields))

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Select and rename columns: zero-copy."""
        from app.engine.plugins.projection import projector

        return projector([schema.index(s) for s in self.mapping], list(self.mapping.values()))
