"""Java's Double.toString, which SeaTunnel's metrics and Console output use."""

from __future__ import annotations

import math


def java_double(value: float) -> str:
    """Format like Java's Double.toString: 0.0, 12.3456, 1.2E7, 1.0E-4, NaN, Infinity."""
    value = float(value)
    if 1e-3 <= value < 1e7 or -1e7 < value <= -1e-3:
        # Python's repr is positional here too, with the same shortest digits (and "12.0"
        # for a whole number): the common case (rates, Console values) skips the rebuild
        return repr(value)
    return _rebuilt(value)


def _rebuilt(value: float) -> str:
    """java_double from the shortest digits and the exponent, for any value."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest(abs(value))
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        point = exponent + 1  # digits before the decimal point
        if point <= 0:
            text = "0." + "0" * (-point) + digits
        elif point >= len(digits):
            text = digits + "0" * (point - len(digits)) + ".0"
        else:
            text = digits[:point] + "." + digits[point:]
        return sign + text
    fraction = digits[1:] or "0"
    return f"{sign}{digits[0]}.{fraction}E{exponent}"


def java_float(value: float) -> str:
    """Format a 32-bit float like Java's Float.toString (shortest digits that round-trip as float32)."""
    import struct

    value = float(value)
    if math.isnan(value) or math.isinf(value) or value == 0:
        return java_double(value)
    target = struct.unpack("f", struct.pack("f", value))[0]
    for precision in range(1, 10):
        candidate = float(f"{target:.{precision}g}")
        if struct.unpack("f", struct.pack("f", candidate))[0] == target:
            return java_double(candidate)
    return java_double(target)


def _shortest(value: float) -> tuple[str, int]:
    """Shortest round-trip significant digits of a positive float and its decimal exponent."""
    text = repr(value)
    if "e" in text or "E" in text:
        mant, exp = text.lower().split("e")
        exponent = int(exp)
    else:
        mant, exponent = text, 0
    whole, _, frac = mant.partition(".")
    digits = (whole + frac).lstrip("0")
    # position of the first significant digit relative to the decimal point
    if whole.strip("0"):
        exponent += len(whole.lstrip("0")) - 1
    else:
        exponent -= len(frac) - len(frac.lstrip("0")) + 1
    digits = digits.rstrip("0") or "0"
    return digits, exponent
