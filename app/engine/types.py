"""SeaTunnel column types (parsed from "int", "decimal(10,2)", "map<string, array<int>>") and table schemas."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SIMPLE = (
    "string",
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "float",
    "double",
    "bytes",
    "date",
    "time",
    "timestamp",
    "null",
)
_ALIASES = {
    "integer": "int",
    "long": "bigint",
    "bool": "boolean",
    "short": "smallint",
    "byte": "tinyint",
}


@dataclass(frozen=True)
class SeaType:
    """A column type: `name` is one of SIMPLE, "decimal", "array", "map" or "row"; parameters as
    needed (`fields` for a row: a nested `schema { fields { c = { a = int } } }` block)."""

    name: str
    precision: int = 0
    scale: int = 0
    element: SeaType | None = None
    key: SeaType | None = None
    value: SeaType | None = None
    fields: tuple[Field, ...] = ()

    def display(self) -> str:
        """SeaTunnel's type name as Console prints it: STRING, DECIMAL(10, 2), ARRAY<INT>, MAP<STRING, INT>."""
        if self.name == "decimal":
            return f"DECIMAL({self.precision}, {self.scale})"
        if self.name == "array":
            return f"ARRAY<{self.element.display()}>"  # type: ignore[union-attr]
        if self.name == "map":
            return f"MAP<{self.key.display()}, {self.value.display()}>"  # type: ignore[union-attr]
        if self.name == "row":  # SeaTunnelRowType.toString
            return "ROW<" + ",".join(f"{f.name} {f.type.display()}" for f in self.fields) + ">"
        return self.name.upper()


@dataclass(frozen=True)
class Field:
    """A named column; `nullable` is False only where a source or pass-through says so."""

    name: str
    type: SeaType
    nullable: bool = True


@dataclass(frozen=True)
class Schema:
    """An ordered list of fields."""

    fields: tuple[Field, ...]

    @property
    def names(self) -> list[str]:
        """Field names in order (a fresh list; use `has` / `index` for lookups)."""
        return list(self._names)

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def _positions(self) -> dict[str, int]:
        # first occurrence wins, as list.index did: lookups stay O(1) for wide schemas
        positions: dict[str, int] = {}
        for i, name in enumerate(self._names):
            positions.setdefault(name, i)
        return positions

    def has(self, name: str) -> bool:
        """Whether a field is called `name`."""
        return name in self._positions

    def index(self, name: str) -> int:
        """Position of field `name` (ValueError when absent)."""
        try:
            return self._positions[name]
        except (KeyError, TypeError):
            raise ValueError(f"no field {name!r}") from None

    def field(self, name: str) -> Field:
        """The field called `name` (ValueError when absent)."""
        return self.fields[self.index(name)]

    def row_type(self) -> str:
        """Console's `name<STRING>, age<INT>` rendering."""
        return ", ".join(f"{f.name}<{f.type.display()}>" for f in self.fields)


class TypeSyntaxError(ValueError):
    """A type string that is not a SeaTunnel type."""


class TypeTooDeep(TypeSyntaxError):
    """A type nested deeper than allowed (array<array<...>> bombs)."""


def parse_type(text: str, max_depth: int = 16) -> SeaType:
    """Parse a SeaTunnel type string (case-insensitive); raises TypeSyntaxError (TypeTooDeep
    when array/map nesting exceeds `max_depth`)."""
    if not isinstance(text, str):
        raise TypeSyntaxError("not a string")
    parsed, rest = _parse(text.strip(), 0, max_depth)
    if rest != len(text.strip()):
        raise TypeSyntaxError("unexpected text")
    return parsed


def type_depth(sea: SeaType) -> int:
    """Nesting of array/map in `sea` (0 for a simple type)."""
    children = [c for c in (sea.element, sea.key, sea.value) if c is not None]
    children += [f.type for f in sea.fields]
    return 1 + max(type_depth(c) for c in children) if children else 0


def row_width(sea: SeaType, sizes: dict[str, int]) -> int:
    """Estimated bytes of one generated value of `sea`; `sizes` has string.length, bytes.length,
    array.size and map.size."""
    if sea.name == "string":
        return 4 + sizes["string.length"]  # generated strings are ASCII letters
    if sea.name == "bytes":
        return 4 + sizes["bytes.length"]
    if sea.name == "array":
        return 4 + sizes["array.size"] * row_width(sea.element, sizes)  # type: ignore[arg-type]
    if sea.name == "map":
        pair = row_width(sea.key, sizes) + row_width(sea.value, sizes)  # type: ignore[arg-type]
        return 4 + sizes["map.size"] * pair
    if sea.name == "row":
        return sum(row_width(f.type, sizes) for f in sea.fields)
    return _FIXED_WIDTH.get(sea.name, 8)


_FIXED_WIDTH = {
    "boolean": 1,
    "tinyint": 1,
    "smallint": 2,
    "int": 4,
    "bigint": 8,
    "float": 4,
    "double": 8,
    "decimal": 16,
    "date": 4,
    "time": 8,
    "timestamp": 8,
    "null": 0,
}


def _parse(text: str, pos: int, depth: int = 16) -> tuple[SeaType, int]:
    start = pos
    while pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
        pos += 1
    word = text[start:pos].lower()
    word = _ALIASES.get(word, word)
    pos = _skip(text, pos)
    if word in SIMPLE:
        return SeaType(word), pos
    if word == "decimal":
        if pos < len(text) and text[pos] == "(":
            close = text.find(")", pos)
            if close < 0:
                raise TypeSyntaxError("unclosed decimal(")
            parts = [p.strip() for p in text[pos + 1 : close].split(",")]
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise TypeSyntaxError("decimal needs (precision, scale)")
            precision, scale = int(parts[0]), int(parts[1])
            if not 1 <= precision <= 38 or scale > precision:
                raise TypeSyntaxError("decimal precision must be 1..38 and scale <= precision")
            return SeaType("decimal", precision, scale), _skip(text, close + 1)
        return SeaType("decimal", 38, 18), pos
    if word in ("array", "map"):
        if depth <= 0:
            raise TypeTooDeep("nested too deeply")
        if pos >= len(text) or text[pos] != "<":
            raise TypeSyntaxError(f"{word} needs <...>")
        first, pos = _parse(text, _skip(text, pos + 1), depth - 1)
        if word == "map":
            if pos >= len(text) or text[pos] != ",":
                raise TypeSyntaxError("map needs <key, value>")
            second, pos = _parse(text, _skip(text, pos + 1), depth - 1)
        if pos >= len(text) or text[pos] != ">":
            raise TypeSyntaxError(f"unclosed {word}<")
        pos = _skip(text, pos + 1)
        if word == "array":
            return SeaType("array", element=first), pos
        return SeaType("map", key=first, value=second), pos
    raise TypeSyntaxError("unknown type")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos
