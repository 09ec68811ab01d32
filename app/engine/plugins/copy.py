"""Copy transform: append copies of fields under new names (`fields`, or legacy src_field + dest_field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine.options import MAP, STRING, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Field, Schema


@register_transform("Copy")
class Copy(Transform):
    """`fields = {new_field = source_field, ...}`; appended in map order with the source's type."""

    options = (
        Option("fields", MAP, description="New field -> source field; copies are appended."),
        Option("src_field", STRING, description="Legacy form: the field to copy."),
        Option("dest_field", STRING, description="Legacy form: the copy's name."),
    )

    exclusive_options = (("fields", "src_field"),)
    bundled_options = (("src_field", "dest_field"),)

    def configure(self) -> None:
        """Accept either form, not neither."""
        fields = self.values["fields"]
        src, dest = self.values["src_field"], self.values["dest_field"]
        if fields is None:
            if src is None or dest is None:
                missing = "src_field" if src is None else "dest_field"
                raise self.error(
                    "fields" if src is None and dest is None else missing,
                    "is required"
                    if src is None and dest is None
                    else "is required with the legacy src_field/dest_field form",
                )
            fields = {dest: src}
        for target, source in fields.items():
            if not isinstance(source, str) or not source:
                raise self.error(
                    "fields", f"maps {show(target)} to {show(source)}, not a field name"
                )
        if not fields:
            raise self.error("fields", "must name at least one field to copy")
        self.copies: dict[str, str] = {str(k): v for k, v in fields.items()}

    def output_schema(self, schema: Schema) -> Schema:
        """The input fields followed by the copies."""
        option = "fields" if self.values["fields"] is not None else "src_field"
        added: list[Field] = []
        for target, source in self.copies.items():
            if not schema.has(source):
                raise self.unknown_field(option, source, schema)
            if schema.has(target):  # copies are dict keys: unique among themselves
                raise self.error(
                    option if option == "fields" else "dest_field",
                    f"would add field {show(target)}, which already exists",
                )
            added.append(Field(target, schema.field(source).type))
        return Schema(schema.fields + tuple(added))

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Append the same column arrays under new names: zero-copy."""
        from app.engine.plugins.projection import projector

        indexes = list(range(len(schema.fields))) + [schema.index(s) for s in self.copies.values()]
        return projector(indexes, schema.names + list(self.copies))
