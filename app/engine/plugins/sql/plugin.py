"""The `Sql` transform plugin: parse at submit, type at plan time, evaluate batches vectorized."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.engine.errors import JobError
from app.engine.options import ANY, STRING, Option, show
from app.engine.plugin import Transform
from app.engine.registry import register_transform
from app.engine.types import Schema


@register_transform("Sql")
class Sql(Transform):
    """`query = "select ... from <input> [lateral view ...] [where ...]"` (reference §4.1)."""

    options = (
        Option(
            "query",
            STRING,
            required=True,
            description="One SELECT ... FROM <input> [LATERAL VIEW EXPLODE ...] [WHERE ...] (SeaTunnel's Zeta SQL).",
        ),
        Option(
            "engine", STRING, default="ZETA", choices=("ZETA",), description="SQL engine: ZETA."
        ),
        Option(
            "table_transform",
            ANY,
            description="Per-table queries of multi-table Sql; not supported here (400).",
        ),
        Option(
            "table_match_regex",
            STRING,
            description="Tables a multi-table Sql applies to; not supported here (400).",
        ),
    )

    def configure(self) -> None:
        """Parse the query now, so a bad one is rejected at submit (sqlglot and Arrow load only here)."""
        from app.engine.plugins.sql.compile import SqlError
        from app.engine.plugins.sql.query import parse_query

        for option in ("table_transform", "table_match_regex"):
            if self.values[option] is not None:
                raise self.error(option, "is not supported (multi-table Sql is not implemented)")
        try:
            self.query: Any = parse_query(self.values["query"])
        except SqlError as exc:
            raise self.error("query", exc.message) from None
        except RecursionError:
            raise self.error("query", "is nested too deeply") from None

    def _program(self, schema: Schema) -> Any:
        from app.engine.plugins.sql.compile import SqlError
        from app.engine.plugins.sql.program import Program

        try:
            return Program(self.query, schema)
        except SqlError as exc:
            raise self.error("query", exc.message) from None
        except RecursionError:
            raise self.error("query", "is nested too deeply") from None

    def output_schema(self, schema: Schema) -> Schema:
        """Names, types and nullability of the select list (plus LATERAL VIEW aliases)."""
        return self._program(schema).schema

    def processor(self, schema: Schema) -> Callable[[Any], Any]:
        """Batch -> Batch; a row that cannot be evaluated fails the job naming the expression and value."""
        from app.engine.plugins.sql.nodes import EvalError

        program = self._program(schema)
        name, where = self.plugin_name, self.where

        def process(batch: Any) -> Any:
            try:
                return program.run(batch)
            except EvalError as exc:
                value = "" if exc.value is None else f" for value {show(exc.value)}"
                raise JobError(
                    f"{name} ({where}): cannot evaluate `{exc.text}`{value}: {exc.reason}"
                ) from None

        return process
