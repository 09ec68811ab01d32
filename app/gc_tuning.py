"""Garbage-collector settings for a serving worker process.

Every request and every job allocates thousands of short-lived containers; with Python's
defaults the young generation is collected every 700 of them, and each collection walks what
survived. A serving worker freezes what it built at start (the app, the plugins, the imported
modules: never garbage, now never scanned again) and collects the young generation every 20,000
allocations. Measured with `bench.api`'s submissions (PostgreSQL, telemetry on): 7 % less CPU
per job, 13 % more accepted jobs/s; memory stays flat (`bench.api`'s RSS check).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # net container allocations between collections of generation 0
OLDER_THRESHOLD = 20  # collections of one generation between collections of the next


def tune_for_serving() -> None:
    """Freeze the objects built so far and collect the young generation less often (call once
    per worker process, after the app is built: frozen objects are never collected)."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_THRESHOLD, OLDER_THRESHOLD)
