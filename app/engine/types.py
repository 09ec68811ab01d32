"""SeaTunnel column types (parsed from "int", "decimal(10,2)", "map<string, array<int>>") and table schemas."""

from __future__ import annotations

from dataclasses import dataclass

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
    """A column type: `name` is one of SIMPLE, "decimal", "array" or "map"; parameters as needed."""

    name: str
    precision: int = 0
    scale: int = 0
    element: SeaType | None = None
    key: SeaType | None = None
    value: SeaType | None = None

    def display(self) -> str:
        """SeaTunnel's type name as Console prints it: STRING, DECIMAL(10, 2), ARRAY<INT>, MAP<STRING, INT>."""
        if self.name == "decimal":
            return f"DECIMAL({self.precision}, {self.scale})"
        if self.name == "array":
            return f"ARRAY<{self.element.display()}>"  # type: ignore[union-attr]
        if self.name == "map":
            return f"MAP<{self.key.display()}, {self.value.display()}>"  # type: ignore[union-attr]
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
        """Field names in order."""
        return [f.name for f in self.fields]

    def index(self, name: str) -> int:
        """Position of field `name` (ValueError when absent)."""
        return self.names.index(name)

    def field(self, name: str) -> Field:
        """The field called `name` (ValueError when absent)."""
        return self.fields[self.index(name)]

    def row_type(self) -> str:
        """Console's `name<STRING>, age<INT>` rendering."""
        return ", ".join(f"{f.name}<{f.type.display()}>" for f in self.fields)


class TypeSyntaxError(ValueError):
    """A type string that is not a SeaTunnel type."""


def parse_type(text: str) -> SeaType:
    """Parse a SeaTunnel type string (case-insensitive); raises TypeSyntaxError."""
    if not isinstance(text, str):
        raise TypeSyntaxError("not a string")
    parsed, rest = _parse(text.strip(), 0)
    if rest != len(text.strip()):
        raise TypeSyntaxError("unexpected text")
    return parsed


def _parse(text: str, pos: int) -> tuple[SeaType, int]:
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
        if pos >= len(text) or text[pos] != "<":
            raise TypeSyntaxError(f"{word} needs <...>")
        first, pos = _parse(text, _skip(text, pos + 1))
        if word == "map":
            if pos >= len(text) or text[pos] != ",":
                raise TypeSyntaxError("map needs <key, value>")
            second, pos = _parse(text, _skip(text, pos + 1))
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
