"""FilterRowKind transform: keep (include_kinds) or drop (exclude_kinds) rows by row kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine.batch import ROW_KINDS
from app.engine.options import STRING_LIST, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Schema

_EXCLUSIVE = (
    "These options(include_kinds,exclude_kinds) are mutually exclusive, "
    "allowing only one set of options to be configured."
)


@register_transform("FilterRowKind")
class FilterRowKind(Transform):
    """Exactly one of include_kinds / exclude_kinds, each a list of INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE."""

    options = (
        Option(
            "include_kinds",
            STRING_LIST,
            description="Row kinds to keep (INSERT, UPDATE_BEFORE, UPDATE_AFTER, DELETE).",
        ),
        Option(
            "exclude_kinds",
            STRING_LIST,
            description="Row kinds to drop (exclusive with include_kinds).",
        ),
    )

    def configure(self) -> None:
        """Validate the kinds; exactly one non-empty list."""
        include = self._kinds("include_kinds")
        exclude = self._kinds("exclude_kinds")
        if include is not None:
            exclude = None  # SeaTunnel reads exclude_kinds only when include_kinds is absent
        if bool(include) == bool(exclude):
            raise self.error("include_kinds", _EXCLUSIVE)
        self.keep = {ROW_KINDS.index(k) for k in include} if include else None
        self.drop = {ROW_KINDS.index(k) for k in exclude} if exclude else None

    def _kinds(self, option: str) -> list[str] | None:
        kinds = self.values[option]
        if kinds is None:
            return None
        for kind in kinds:
            if kind not in ROW_KINDS:
                raise self.error(
                    option, f"names unknown row kind {show(kind)}; expected {', '.join(ROW_KINDS)}"
                )
        return kinds

    def output_schema(self, schema: Schema) -> Schema:
        """Unchanged."""
        return schema

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Filter the batch by its kinds array (absent = all INSERT)."""
        import numpy as np

        keep, drop = self.keep, self.drop

        def process(batch: Any) -> Any:
            kinds = batch.kinds
            if kinds is None:
                inserted = (keep is not None and 0 in keep) or (drop is not None and 0 not in drop)
                return batch if inserted else None
            codes = kinds.to_numpy(zero_copy_only=False)
            wanted = np.isin(codes, list(keep if keep is not None else drop))  # type: ignore[arg-type]
            mask = wanted if keep is not None else ~wanted
            if mask.all():
                return batch
            if not mask.any():
                return None
            import pyarrow as pa

            arrow_mask = pa.array(mask)
            return type(batch)(batch.table, batch.data.filter(arrow_mask), kinds.filter(arrow_mask))

        return process
