"""The database's clock in epoch milliseconds, as a SQL expression.

Liveness (heartbeats, lease expiry) is stamped and compared with this one clock, never with each
node's wall clock: two nodes whose clocks disagree by seconds still agree on who is alive.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class db_now_ms(FunctionElement):  # reads like the SQL function it stands for
    """`now()` of the database in epoch milliseconds (BIGINT)."""

    type = sa.BigInteger()
    inherit_cache = True
    name = "db_now_ms"


@compiles(db_now_ms, "sqlite")
def _sqlite_now(_element, _compiler, **_kw) -> str:
    # julianday('now') has millisecond precision; 2440587.5 is the Julian day of the Unix epoch
    return "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)"


@compiles(db_now_ms)
def _standard_now(_element, _compiler, **_kw) -> str:
    # clock_timestamp(), not now(): a long transaction must not stamp its start time
    return "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)"
