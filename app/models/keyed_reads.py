"""Primary-key reads of many threads of one process, answered by one query (PostgreSQL).

job-info is polled by every client that watches a job. On PostgreSQL each lookup is a round
trip whose server side costs about as much CPU as the rest of the request, and the database
server shares the node's cores. Lookups that arrive while another is in flight are queued, and
the next thread to lead fetches all of them with one `WHERE key = ANY(...)` (models.batching).
A lookup's query always starts after the lookup arrived, so it never answers from before a
change that had committed when the request came in.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from app.models.batching import LeaderBatches, Waiter


class _Lookup(Waiter):
    __slots__ = ("key", "row", "error")

    def __init__(self, key: Hashable) -> None:
        super().__init__()
        self.key = key
        self.row: Any = None
        self.error: BaseException | None = None


class KeyedReads:
    """`get(key)`: the row whose first column is `key`, or None; concurrent gets share a query
    (`fetch_many(keys)` returns the rows of those keys that exist, in any order)."""

    def __init__(self, fetch_many: Callable[[list], Sequence[tuple]]) -> None:
        self._fetch_many = fetch_many
        self._batches: LeaderBatches[_Lookup] = LeaderBatches(self._fetch)

    def get(self, key: Hashable) -> tuple | None:
        """The row of `key`, None if there is none; the fetch's error if it failed."""
        lookup = _Lookup(key)
        self._batches.join(lookup)
        if lookup.error is not None:
            raise lookup.error
        return lookup.row

    def _fetch(self, batch: list[_Lookup]) -> None:
        try:
            rows = self._fetch_many(list({lookup.key: None for lookup in batch}))
        except BaseException as exc:  # every lookup of the batch meets it (never a silent miss)
            for lookup in batch:
                lookup.error = exc
            return
        found = {row[0]: row for row in rows}
        for lookup in batch:
            lookup.row = found.get(lookup.key)
