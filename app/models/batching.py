"""Leader/follower batching: threads queue units; one thread at a time runs all that is queued.

Used for the small writes of the job lifecycle (models.group_commit) and for the hot
primary-key reads on PostgreSQL (models.keyed_reads): work that many threads of one process
do at once, where one round trip for all of them costs far less than one each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar


class Waiter:
    """A queued unit: released once, when it was run or when its thread is to lead."""

    __slots__ = ("lead", "signal")

    def __init__(self) -> None:
        self.lead = False  # woken to run the queue itself rather than because it was run
        self.signal = threading.Lock()
        self.signal.acquire()


W = TypeVar("W", bound=Waiter)


class LeaderBatches(Generic[W]):
    """`join(unit)` returns once `run_batch` ran a batch holding `unit`.

    One thread at a time leads: it takes every queued unit, runs them as one batch and wakes
    their threads; if more were queued meanwhile, it wakes the first of them to lead the next
    batch. A waiting thread is woken exactly once, by its own signal, so a batch costs no chain
    of lock hand-offs (each of which may wait for the GIL). A unit is only ever run in a batch
    taken after it was queued. `run_batch` must not raise: it records each unit's outcome on it.
    """

    def __init__(self, run_batch: Callable[[list[W]], None]) -> None:
        self._run_batch = run_batch
        self._queued: list[W] = []
        self._queue_lock = threading.Lock()
        self._leading = False

    def join(self, unit: W) -> None:
        """Queue `unit` and wait until a batch holding it has run (perhaps led by this thread)."""
        with self._queue_lock:
            self._queued.append(unit)
            lead = not self._leading
            self._leading = True
        if not lead:
            unit.signal.acquire()
            lead = unit.lead
        if lead:
            self._lead()

    def _lead(self) -> None:
        with self._queue_lock:
            batch, self._queued = self._queued, []
        try:
            self._run_batch(batch)
        finally:
            with self._queue_lock:
                if self._queued:
                    successor = self._queued[0]
                    successor.lead = True
                    successor.signal.release()
                else:
                    self._leading = False
            for unit in batch:
                if not unit.lead:
                    unit.signal.release()
