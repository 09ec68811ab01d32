"""Fields that parse the way SeaTunnel's servlets do (Java Long, Java Boolean), with its messages."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields

JAVA_LONG_MIN, JAVA_LONG_MAX = -(2**63), 2**63 - 1


def parse_java_long(value: Any) -> int:
    """Long.parseLong semantics: optional sign and digits only; Java's message otherwise."""
    if isinstance(value, bool):
        raise ValidationError(f'For input string: "{str(value).lower()}"')
    if isinstance(value, int):
        number = value
    else:
        text = str(value)
        body = text[1:] if text[:1] in ("-", "+") else text
        if not body or not body.isascii() or not body.isdigit():
            raise ValidationError(f'For input string: "{_clip(text)}"')
        if len(body.lstrip("0")) > 19:  # beyond any Long; int() would refuse > 4,300 digits
            raise ValidationError(f'For input string: "{_clip(text)}"')
        digits = body.lstrip("0") or "0"
        number = -int(digits) if text[:1] == "-" else int(digits)
    if not JAVA_LONG_MIN <= number <= JAVA_LONG_MAX:
        raise ValidationError(f'For input string: "{_clip(str(value))}"')
    return number


def _clip(text: str, limit: int = 64) -> str:
    """An echoed input, shortened so an error never repeats a huge value."""
    return text if len(text) <= limit else f"{text[:limit]}..."


def parse_java_int(value: Any) -> int:
    """Integer.parseInt semantics, for paging parameters."""
    number = parse_java_long(value)
    if not -(2**31) <= number < 2**31:
        raise ValidationError(f'For input string: "{value}"')
    return number


class JavaLong(fields.Field):
    """A 64-bit integer given as a number or a numeric string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        return parse_java_long(value)


class JavaInt(fields.Field):
    """A 32-bit integer given as a number or a numeric string."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        return parse_java_int(value)


class JavaBoolean(fields.Field):
    """Boolean.parseBoolean: only a case-insensitive "true" (or JSON true) is true."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().lower() == "true"
