"""Filter transform: keep `include_fields` (fallback `fields`) or drop `exclude_fields` (a projection)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine.options import STRING_LIST, Option
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Schema


@register_transform("Filter")
class Filter(Transform):
    """Exactly one of include_fields / fields / exclude_fields."""

    options = (
        Option(
            "include_fields",
            STRING_LIST,
            fallback_keys=("fields",),
            description="Fields to keep, in this order (exclusive with exclude_fields).",
        ),
        Option(
            "exclude_fields",
            STRING_LIST,
            description="Fields to drop (exclusive with include_fields).",
        ),
    )

    exclusive_options = (("include_fields", "exclude_fields"),)

    def configure(self) -> None:
        """Require exactly one of the two lists."""
        include, exclude = self.values["include_fields"], self.values["exclude_fields"]
        if (include is None) == (exclude is None):
            detail = "both were given" if include is not None else "neither was given"
            raise self.error(
                "include_fields", f"or 'exclude_fields' must be set, exactly one of them ({detail})"
            )
        self.include: list[str] | None = include
        self.exclude: list[str] | None = exclude

    def _kept(self, schema: Schema) -> list[str]:
        option = "include_fields" if self.include is not None else "exclude_fields"
        for name in self.include if self.include is not None else self.exclude:  # type: ignore[union-attr]
            if not schema.has(name):
                raise self.unknown_field(option, name, schema)
        if self.include is not None:
            return list(self.include)
        excluded = set(self.exclude or ())
        return [n for n in schema.names if n not in excluded]

    def output_schema(self, schema: Schema) -> Schema:
        """The kept fields (include order, or input order minus the excluded ones)."""
        return Schema(tuple(schema.field(n) for n in self._kept(schema)))

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Select columns: zero-copy."""
        from app.engine.plugins.projection import projector

        kept = self._kept(schema)
        return projector([schema.index(n) for n in kept], kept)
