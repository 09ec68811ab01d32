"""The Sql transform: SeaTunnel Zeta SQL (reference-connectors §4.1) over Arrow batches.

dialect (sqlglot front end) -> query (statement shape) -> compile (typed nodes, Zeta type rules)
-> program (output schema, filter/project/explode per batch) with nodes/functions/dates evaluating
whole columns through pyarrow.compute.
"""

from __future__ import annotations

from app.engine.plugins.sql import plugin  # noqa: F401 - registers the Sql transform
