"""Assert sink: fails the job when the rows reaching it break the configured rules
(SeaTunnel's connector-assert; how SeaTunnel's own e2e tests check a job's output).

Field rules are checked on every batch as it is written; the first row breaking one fails the
job at once. Row rules (MIN_ROW / MAX_ROW) and `table-names` are checked when the writers close
at the end of the job (AssertSinkWriter.close), over the rows of all subtasks, unless the run
was aborted (failed or force-cancelled).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from app.engine.errors import JobError
from app.engine.javafmt import java_double
from app.engine.options import MAP, Option
from app.engine.plugin import RunContext, Sink, SinkWriter, TableInfo
from app.engine.plugins.assert_rules import RuleError, Rules, TableRules, parse_rules
from app.engine.registry import register_sink

ERROR_PREFIX = "ErrorCode:[ASSERT-01], ErrorDescription:[Rule validate failed] - "


@register_sink("Assert")
class Assert(Sink):
    """SeaTunnel's Assert sink."""

    options = (
        Option(
            "rules",
            MAP,
            required=True,
            description="row_rules, field_rules, tables_configs and table-names (see the docs).",
        ),
    )

    def configure(self) -> None:
        """Parse the rules (any mistake is a 400 naming it)."""
        try:
            self.rules: Rules = parse_rules(self.values["rules"])
        except RuleError as exc:
            raise self.error("rules", str(exc)) from None
        self._runs: weakref.WeakKeyDictionary[Any, _Tally] = weakref.WeakKeyDictionary()
        self._runs_lock = threading.Lock()

    def check_tables(self, tables: list[TableInfo]) -> None:
        """Every field rule must name a field of the table it applies to, with a fitting equals_to."""
        from app.engine.plugins.assert_check import compile_rules

        for table in tables:
            _, rules = self.rules.for_table(table.path)
            if rules is None:
                continue
            try:
                compile_rules(rules.field_rules, table.schema)
            except RuleError as exc:
                raise self.error("rules", f"table {table.path}: {exc}") from None

    def writer(self, tables: list[TableInfo], ctx: RunContext) -> SinkWriter:
        """A writer checking field rules per batch; the last one to close checks row rules.

        Writers of one run (all subtasks, all pipelines feeding this sink) share a tally; a
        run is told apart by its cancel event, which all its contexts share.
        """
        with self._runs_lock:
            tally = self._runs.get(ctx.cancel_event)
            if tally is None:
                tally = self._runs[ctx.cancel_event] = _Tally()
        return AssertWriter(self.rules, tables, tally.join())


class _Tally:
    """Rows per rules key over all writers of one run, and which tables arrived."""

    # (writers are all opened before any subtask runs, so `open` reaches 0 only at the end)

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.aborted = False
        self.rows: dict[str | None, int] = {}
        self.tables: set[str] = set()

    def join(self) -> _Tally:
        """A writer of this run opens."""
        with self.lock:
            self.open += 1
        return self

    def add(self, key: str | None, table: str, rows: int) -> None:
        """Count `rows` of `table` under rules key `key`."""
        with self.lock:
            self.rows[key] = self.rows.get(key, 0) + rows
            self.tables.add(table)

    def leave(self) -> bool:
        """A writer closes; True for the last one of a run that was not aborted."""
        with self.lock:
            self.open -= 1
            return self.open == 0 and not self.aborted


class AssertWriter(SinkWriter):
    """Checks each batch against the field rules of its table; counts rows for the row rules."""

    def __init__(self, rules: Rules, tables: list[TableInfo], tally: _Tally) -> None:
        from app.engine.plugins.assert_check import compile_rules

        self.rules = rules
        self.tally = tally
        self.compiled: dict[str, tuple[str | None, list[Any]]] = {}
        for table in tables:
            key, table_rules = rules.for_table(table.path)
            compiled = compile_rules(table_rules.field_rules, table.schema) if table_rules else []
            self.compiled[table.path] = (key if table_rules else table.path, compiled)
        self._closed = False

    def write(self, batch: Any) -> None:
        """Fail on the first row of `batch` breaking a field rule; count the rows."""
        from app.engine.plugins.assert_check import first_failure

        key, compiled = self.compiled.get(batch.table, (batch.table, []))
        self.tally.add(key, batch.table, batch.num_rows)
        if compiled:
            message = first_failure(batch, compiled)
            if message is not None:
                raise JobError(f"Assert: {message}")

    def abort(self) -> None:
        """The run failed or was force-cancelled: row rules are not checked."""
        self.tally.aborted = True

    def close(self) -> None:
        """The last writer to close checks the row rules and table-names."""
        if self._closed:
            return
        self._closed = True
        if not self.tally.leave():
            return
        for key, table_rules in self.rules.tables.items():
            _check_rows(key, table_rules, self.tally.rows)
        expected = self.rules.table_names
        if expected and set(expected) != self.tally.tables:
            seen = ", ".join(sorted(self.tally.tables))
            raise JobError(
                f"Assert: {ERROR_PREFIX}table names: [{seen}] is not equal to [{', '.join(expected)}]"
            )


def _check_rows(key: str | None, rules: TableRules, rows: dict[str | None, int]) -> None:
    count = rows.get(key, 0)
    if key is None and rows:
        count = sum(rows.values())  # one rule set for every table that arrived
    for rule in rules.row_rules:
        limit = rule.rule_value if rule.rule_value is not None else 0.0
        broken = count > limit if rule.rule_type == "MAX_ROW" else count < limit
        if broken:
            table = "" if key is None else f" of table {key}"
            raise JobError(
                f"Assert: {ERROR_PREFIX}row num :{count} fail rule: {rule.java()} "
                f"(rows{table}: {count}, {rule.rule_type} {java_double(limit)})"
            )
