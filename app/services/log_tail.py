"""The end of a log file, bounded (SeaTunnel 3.1's `log-response-max-size-mb`): a streaming job's
log grows without limit, and its tail is what one reads when something went wrong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 20


def tail_start(path: Path, max_bytes: int | None) -> int:
    """Where to start serving `path`: 0, or the first line that begins in its last `max_bytes`."""
    size = path.stat().st_size
    if max_bytes is None or size <= max_bytes:
        return 0
    start = size - max_bytes
    with path.open("rb") as handle:
        handle.seek(start - 1)
        if handle.read(1) == b"\n":
            return start  # the cut falls on a line boundary already
        while True:
            block = handle.read(64 * 1024)
            if not block:
                return size
            newline = block.find(b"\n")
            if newline >= 0:
                return handle.tell() - len(block) + newline + 1
            # a very long line: keep looking, the response stays within max_bytes


def read_from(path: Path, start: int) -> Iterator[bytes]:
    """The bytes of `path` from `start` to its current end, a chunk at a time."""
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(CHUNK):
            yield chunk
