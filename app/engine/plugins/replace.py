"""Replace transform: literal or regex replacement in one string field (pyarrow.compute, no per-row Python)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.engine.options import BOOL, STRING, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Schema


@register_transform("Replace")
class Replace(Transform):
    """`replace_field`, `pattern`, `replacement`, `is_regex` (false), `replace_first` (false)."""

    options = (
        Option("replace_field", STRING, required=True, description="The string field to change."),
        Option("pattern", STRING, required=True, description="Text (or regex) to replace."),
        Option(
            "replacement", STRING, required=True, description="Replacement; $1 refers to groups."
        ),
        Option("is_regex", BOOL, False, description="Whether pattern is a regular expression."),
        Option(
            "replace_first",
            BOOL,
            False,
            description="With is_regex, replace only the first match.",
        ),
    )

    def configure(self) -> None:
        """Check the regex compiles (RE2 and Python agree on the common subset)."""
        if self.values["is_regex"]:
            try:
                re.compile(self.values["pattern"])
            except re.error as exc:
                raise self.error("pattern", f"is not a valid regular expression: {exc}") from None

    def output_schema(self, schema: Schema) -> Schema:
        """Unchanged; the field must exist and be a string."""
        name = self.values["replace_field"]
        if not schema.has(name):
            raise self.unknown_field("replace_field", name, schema)
        kind = schema.field(name).type
        if kind.name != "string":
            raise self.error(
                "replace_field",
                f"names field {show(name)} of type {kind.display()}; it must be STRING",
            )
        return schema

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Replace in one column with pyarrow.compute; nulls stay null."""
        import pyarrow as pa
        import pyarrow.compute as pc

        index = schema.index(self.values["replace_field"])
        pattern, replacement = self.values["pattern"], self.values["replacement"]
        first = self.values["is_regex"] and self.values["replace_first"]
        if self.values["is_regex"]:
            replacement = _java_to_re2_replacement(replacement)
            function = pc.replace_substring_regex
        else:
            function = pc.replace_substring
        limit = 1 if first else None

        def replace(batch: Any) -> Any:
            data = batch.data
            column = function(
                data.column(index), pattern=pattern, replacement=replacement, max_replacements=limit
            )
            columns = list(data.columns)
            columns[index] = column
            return batch.with_data(pa.RecordBatch.from_arrays(columns, schema=data.schema))

        return replace


def _java_to_re2_replacement(text: str) -> str:
    r"""Java's `$1` group references become RE2's `\1`; a literal backslash is escaped."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
            continue
        if char == "$" and i + 1 < len(text) and text[i + 1].isdigit():
            out.append("\\" + text[i + 1])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
