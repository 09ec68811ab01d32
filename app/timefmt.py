"""Time helpers: epoch milliseconds in the database, SeaTunnel's `yyyy-MM-dd HH:mm:ss` on the wire."""

from __future__ import annotations

import time


def now_ms() -> int:
    """Wall-clock time in epoch milliseconds."""
    return int(time.time() * 1000)


def format_ms(ms: int | None) -> str | None:
    """`yyyy-MM-dd HH:mm:ss` in the server's time zone, as SeaTunnel prints times."""
    if ms is None:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))
