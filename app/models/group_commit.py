"""Group commit: the small write transactions of many threads of one process, committed as one.

Under load every job costs a few tiny writes (stored, claimed, ended) from request threads and job
slots at the same time. Each used to be its own transaction, and on SQLite each queued for the
one write lock, sleeping in SQLite's busy handler (1 ms, 2 ms, 5 ms ... steps) rather than waking
when the lock came free. Here a thread queues its unit of work and whoever holds the process's
commit turn runs everything queued in one transaction, each unit in its own SAVEPOINT so that
one unit's error rolls back that unit alone. A caller returns only after the transaction that
holds its work has committed: nothing is acknowledged before it is durable.

Row counters that every unit touches (job_counts) are summed over the batch and written once, in
a fixed order, at the end (`defer_increment`): fewer writes, and no lock-order deadlock between
two processes' batches on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")

_DEFERRED = "deferred_increments"


class _Unit:
    """One thread's unit of work and, once run, its result or error."""

    __slots__ = ("work", "done", "result", "error")

    def __init__(self, work: Callable[[Session], Any]) -> None:
        self.work = work
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


def defer_increment(session: Session, column: sa.Column, key: Any, delta: int) -> None:
    """Add `delta` to `column` of the row whose primary key is `key`, at the end of the
    transaction (summed with the other units' increments of the same row)."""
    pending: dict = session.info.setdefault(_DEFERRED, {})
    slot = (column.table.name, column.name, key)
    pending[slot] = (column, pending.get(slot, (column, 0))[1] + delta)


def apply_increments(session: Session) -> None:
    """Write the summed increments, one UPDATE per row, in a fixed order."""
    pending: dict = session.info.pop(_DEFERRED, {})
    for slot in sorted(pending, key=repr):
        column, delta = pending[slot]
        if delta:
            table = column.table
            key_column = next(iter(table.primary_key.columns))
            session.execute(
                sa.update(table).where(key_column == slot[2]).values({column: column + delta})
            )


class GroupCommit:
    """Runs units of write work of this process's threads, batched into shared transactions."""

    def __init__(self, open_session: Callable[[], Session]) -> None:
        self._open_session = open_session
        self._queued: list[_Unit] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()  # one transaction of this process at a time

    def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a transaction (perhaps shared) and return once it committed."""
        unit = _Unit(work)
        with self._queue_lock:
            self._queued.append(unit)
        with self._turn:
            # either an earlier turn ran our unit, or it is still queued and this turn runs it
            if not unit.done:
                with self._queue_lock:
                    batch, self._queued = self._queued, []
                self._commit(batch)
        if unit.error is not None:
            raise unit.error
        return unit.result

    def _commit(self, batch: list[_Unit]) -> None:
        try:
            with self._open_session() as session:
                for unit in batch:
                    self._run_unit(session, unit, alone=len(batch) == 1)
                apply_increments(session)
                session.commit()
        except BaseException as exc:  # the commit failed: nothing of the batch is stored
            for unit in batch:
                if unit.error is None:
                    unit.error = exc
        finally:
            for unit in batch:
                unit.done = True

    @staticmethod
    def _run_unit(session: Session, unit: _Unit, alone: bool) -> None:
        """Run one unit; a failing unit is rolled back to its savepoint (its increments too)."""
        if alone:  # no other unit to protect: no savepoint, and its error ends the transaction
            unit.result = unit.work(session)
            return
        outer = session.info.pop(_DEFERRED, None)
        try:
            with session.begin_nested():
                unit.result = unit.work(session)
        except Exception as exc:  # noqa: BLE001 - handed to the unit's own thread
            unit.error = exc
            session.info.pop(_DEFERRED, None)  # its increments are rolled back with it
        mine = session.info.pop(_DEFERRED, {})
        if outer is not None or mine:
            merged = outer or {}
            for slot, (column, delta) in mine.items():
                merged[slot] = (column, merged.get(slot, (column, 0))[1] + delta)
            session.info[_DEFERRED] = merged
