"""Group commit: the small write transactions of many threads of one process, committed as one.

Under load every job costs a few tiny writes (stored, claimed, ended) from request threads and job
slots at the same time. Each used to be its own transaction, and on SQLite each queued for the
one write lock, sleeping in SQLite's busy handler (1 ms, 2 ms, 5 ms ... steps) rather than waking
when the lock came free. Here a thread queues its unit of work and the thread whose turn it is
runs everything queued in one transaction; if a unit fails, each unit of that batch runs again
in a transaction of its own, so one unit's error is that unit's alone. A caller returns only
after the transaction that holds its work has committed: nothing is acknowledged before it is
durable.

Row counters that every unit touches (job_counts) are summed over the batch and written once, in
a fixed order, at the end (`defer_increment`): fewer writes, and no lock-order deadlock between
two processes' batches on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.batching import LeaderBatches, Waiter
from app.models.driver_sql import DriverStatement

T = TypeVar("T")

_DEFERRED = "deferred_increments"


class _Unit(Waiter):
    """One thread's unit of work and, once run, its result or error."""

    __slots__ = ("work", "result", "error")

    def __init__(self, work: Callable[[Session], Any]) -> None:
        super().__init__()
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None


def _shared_failure(exc: BaseException) -> bool:
    """A failure of the database rather than of one unit's work: every unit would meet it."""
    if isinstance(exc, sa.exc.OperationalError):  # lock timeout, server gone, disk full
        return True
    return isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated


def defer_increment(session: Session, column: sa.Column, key: Any, delta: int) -> None:
    """Add `delta` to `column` of the row whose primary key is `key`, at the end of the
    transaction (summed with the other units' increments of the same row)."""
    pending: dict = session.info.setdefault(_DEFERRED, {})
    slot = (column.table.name, column.name, key)
    pending[slot] = (column, pending.get(slot, (column, 0))[1] + delta)


def apply_increments(session: Session) -> None:
    """Write the summed increments, one UPDATE per row, in a fixed order, after every other
    change of the transaction (pending ORM changes are flushed first): the counter rows are
    always the last rows a transaction locks."""
    session.flush()
    pending: dict = session.info.pop(_DEFERRED, {})
    for slot in sorted(pending, key=repr):
        column, delta = pending[slot]
        if delta:
            _increment(column).execute(session.connection(), {"key": slot[2], "delta": delta})


_INCREMENTS: dict[sa.Column, DriverStatement] = {}


def _increment(column: sa.Column) -> DriverStatement:
    """`UPDATE <table> SET <column> = <column> + :delta WHERE <primary key> = :key`, built
    once per column (one statement object: its compiled form is cached, not rebuilt per batch)."""
    found = _INCREMENTS.get(column)
    if found is None:
        key_column = next(iter(column.table.primary_key.columns))
        found = _INCREMENTS[column] = DriverStatement(
            sa.update(column.table)
            .where(key_column == sa.bindparam("key"))
            .values({column: column + sa.bindparam("delta")})
        )
    return found


class GroupCommit:
    """Runs units of write work of this process's threads, batched into shared transactions
    (one thread at a time leads a batch: models.batching)."""

    def __init__(self, open_session: Callable[[], Session]) -> None:
        self._open_session = open_session
        self._batches: LeaderBatches[_Unit] = LeaderBatches(self._commit)

    def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` in a transaction (perhaps shared) and return once it committed."""
        unit = _Unit(work)
        self._batches.join(unit)
        if unit.error is not None:
            raise unit.error
        return unit.result

    def _commit(self, batch: list[_Unit]) -> None:
        """All units in one transaction. If one unit's own work fails, the transaction is rolled
        back and each unit runs again in a transaction of its own, so only the failing one
        fails; a failure of the database itself (a lock timeout, a lost connection, the commit)
        is every unit's, and is not waited for again unit by unit.

        No SAVEPOINT per unit: units fail rarely (an id collision, a job taken over), and two
        statements more for every unit would cost more than the rare second pass.
        """
        if len(batch) > 1:
            unit_failed = False
            try:
                with self._open_session() as session:
                    results = []
                    for unit in batch:
                        try:
                            results.append(unit.work(session))
                        except BaseException as exc:
                            unit_failed = not _shared_failure(exc)
                            raise
                    apply_increments(session)
                    session.commit()
            except BaseException as exc:  # handed to the units' threads
                if unit_failed:
                    for unit in batch:
                        self._commit_alone(unit)
                    return
                for unit in batch:
                    unit.error = exc
                return
            for unit, result in zip(batch, results, strict=True):
                unit.result = result
            return
        self._commit_alone(batch[0])

    def _commit_alone(self, unit: _Unit) -> None:
        try:
            with self._open_session() as session:
                unit.result = unit.work(session)
                apply_increments(session)
                session.commit()
        except BaseException as exc:  # handed to the unit's own thread
            unit.error = exc
