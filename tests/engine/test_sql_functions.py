"""Every Zeta function of reference §4.1: its result type, a value, and a null input."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest

from app.engine import build_plan
from tests.engine.conftest import COLLECTED, collected_table, job, run

FIELDS = {
    "s": "string",
    "i": "int",
    "b": "bigint",
    "d": "double",
    "dec": "decimal(10, 2)",
    "day": "date",
    "ts": "timestamp",
    "tm": "time",
    "arr": "array<int>",
    "hex": "string",
}
VALUES = [
    "Hello",
    4,
    10,
    2.5,
    "1.25",
    "2024-03-15",
    "2024-03-15 10:20:30",
    "10:20:30",
    [3, 1, 2],
    "00410042",
]
ROWS = [{"fields": VALUES}, {"fields": [None] * len(VALUES)}]

# (expression, result type, value for the first row, value for the all-null row)
CASES: list[tuple[str, str, Any, Any]] = [
    ("ascii(s)", "INT", 72, None),
    ("bit_length(s)", "BIGINT", 40, None),
    ("char_length(s)", "BIGINT", 5, None),
    ("length(s)", "BIGINT", 5, None),
    ("octet_length(s)", "BIGINT", 5, None),
    ("char(i + 61)", "STRING", "A", None),
    ("chr(i + 61)", "STRING", "A", None),
    ("concat(s, i)", "STRING", "Hello4", ""),
    ("concat_ws('-', s, i)", "STRING", "Hello-4", ""),
    ("hextoraw(hex)", "STRING", "AB", None),
    ("rawtohex(s)", "STRING", "00480065006c006c006f", None),
    ("insert(s, 2, 3, 'XY')", "STRING", "HXYo", None),
    ("lower(s)", "STRING", "hello", None),
    ("lcase(s)", "STRING", "hello", None),
    ("upper(s)", "STRING", "HELLO", None),
    ("ucase(s)", "STRING", "HELLO", None),
    ("left(s, 2)", "STRING", "He", None),
    ("right(s, 2)", "STRING", "lo", None),
    ("lpad(s, 7, '*')", "STRING", "**Hello", None),
    ("rpad(s, 7, 'ab')", "STRING", "Helloab", None),
    ("lpad(s, 3)", "STRING", "Hel", None),
    ("ltrim(concat('  ', s))", "STRING", "Hello", "") ,
    ("rtrim(concat(s, '  '))", "STRING", "Hello", ""),
    ("trim(concat(' ', s, ' '))", "STRING", "Hello", ""),
    ("trim(both 'H' from s)", "STRING", "ello", None),
    ("regexp_replace(s, 'l+', 'L')", "STRING", "HeLo", None),
    ("regexp_replace(s, '(H)(e)', '$2$1')", "STRING", "eHllo", None),
    ("regexp_substr(s, 'l+o')", "STRING", "llo", None),
    ("repeat(s, 2)", "STRING", "HelloHello", None),
    ("replace(s, 'l', 'L')", "STRING", "HeLLo", None),
    ("replace(s, 'l')", "STRING", "Heo", None),
    ("soundex(s)", "STRING", "H400", None),
    ("space(i)", "STRING", "    ", None),
    ("substring(s, 2, 2)", "STRING", "el", None),
    ("substr(s, -3)", "STRING", "llo", None),
    ("to_char(i)", "STRING", "4", None),
    ("to_char(ts, 'yyyy/MM/dd')", "STRING", "2024/03/15", None),
    ("translate(s, 'el', 'ip')", "STRING", "Hippo", None),
    ("dayname(day)", "STRING", "Friday", None),
    ("monthname(day)", "STRING", "March", None),
    ("formatdatetime(ts, 'yyyy-MM-dd HH:mm')", "STRING", "2024-03-15 10:20", None),
    ("from_unixtime(b, 'yyyy', 'UTC')", "STRING", "1970", None),
    ("locate('l', s)", "INT", 3, None),
    ("locate('l', s, 4)", "INT", 4, None),
    ("instr(s, 'lo')", "INT", 4, None),
    ("position('o', s)", "INT", 5, None),
    ("position('o' in s)", "INT", 5, None),
    ("regexp_like(s, '^H')", "BOOLEAN", True, None),
    ("split(s, 'l')", "ARRAY<STRING>", ["He", "", "o"], None),
    ("acos(d / 5)", "DOUBLE", math.acos(0.5), None),
    ("asin(d / 5)", "DOUBLE", math.asin(0.5), None),
    ("atan(d)", "DOUBLE", math.atan(2.5), None),
    ("atan2(d, i)", "DOUBLE", math.atan2(2.5, 4), None),
    ("cos(d)", "DOUBLE", math.cos(2.5), None),
    ("cosh(d)", "DOUBLE", math.cosh(2.5), None),
    ("cot(d)", "DOUBLE", 1 / math.tan(2.5), None),
    ("sin(d)", "DOUBLE", math.sin(2.5), None),
    ("sinh(d)", "DOUBLE", math.sinh(2.5), None),
    ("tan(d)", "DOUBLE", math.tan(2.5), None),
    ("tanh(d)", "DOUBLE", math.tanh(2.5), None),
    ("exp(d)", "DOUBLE", math.exp(2.5), None),
    ("ln(d)", "DOUBLE", math.log(2.5), None),
    ("log(2, i)", "DOUBLE", 2.0, None),
    ("log10(b)", "DOUBLE", 1.0, None),
    ("radians(b)", "DOUBLE", math.radians(10), None),
    ("sqrt(i)", "DOUBLE", 2.0, None),
    ("power(i, 2)", "DOUBLE", 16.0, None),
    ("trunc(d)", "DOUBLE", 2.0, None),
    ("truncate(dec, 1)", "DOUBLE", 1.2, None),
    ("ceil(d)", "INT", 3, None),
    ("ceiling(d)", "INT", 3, None),
    ("floor(d)", "INT", 2, None),
    ("sign(0 - d)", "INT", -1, None),
    ("abs(0 - i)", "INT", 4, None),
    ("abs(dec)", "DECIMAL(10, 2)", Decimal("1.25"), None),
    ("round(d)", "DOUBLE", 3.0, None),
    ("round(dec, 1)", "DECIMAL(10, 2)", Decimal("1.30"), None),
    ("mod(b, i)", "INT", 2, None),
    ("mod(d, 2)", "INT", 0, None),
    ("array_max(arr)", "INT", 3, None),
    ("array_min(arr)", "INT", 1, None),
    ("date_trunc('month', ts)", "TIMESTAMP", dt.datetime(2024, 3, 1), None),
    ("dateadd(day, i, 'DAY')", "DATE", dt.date(2024, 3, 19), None),
    ("dateadd(ts, 1, 'MONTH')", "TIMESTAMP", dt.datetime(2024, 4, 15, 10, 20, 30), None),
    ("timestampadd(ts, 2, 'HOUR')", "TIMESTAMP", dt.datetime(2024, 3, 15, 12, 20, 30), None),
    ("datediff(day, ts)", "BIGINT", 0, None),
    ("datediff(day, dateadd(day, 40, 'DAY'), 'MONTH')", "BIGINT", 1, None),
    ("datediff(ts, dateadd(ts, 90, 'MINUTE'), 'HOUR')", "BIGINT", 1, None),
    ("day_of_month(day)", "INT", 15, None),
    ("day_of_week(day)", "INT", 5, None),
    ("day_of_year(day)", "INT", 75, None),
    ("hour(ts)", "INT", 10, None),
    ("minute(ts)", "INT", 20, None),
    ("month(day)", "INT", 3, None),
    ("quarter(day)", "INT", 1, None),
    ("second(ts)", "INT", 30, None),
    ("week(day)", "INT", 12, None),
    ("year(ts)", "INT", 2024, None),
    ("extract(year from day)", "INT", 2024, None),
    ("is_date(concat(s, ''), 'yyyy-MM-dd')", "BOOLEAN", False, False),
    ("is_date(to_char(day), 'yyyy-MM-dd')", "BOOLEAN", True, None),
    ("parsedatetime(to_char(day), 'yyyy-MM-dd')", "DATE", dt.date(2024, 3, 15), None),
    ("to_date(formatdatetime(ts, 'yyyy-MM-dd HH:mm'), 'yyyy-MM-dd HH:mm')", "TIMESTAMP",
     dt.datetime(2024, 3, 15, 10, 20), None),
    ("coalesce(s, 'x')", "STRING", "Hello", "x"),
    ("ifnull(i, 7)", "INT", 4, 7),
    ("nullif(i, 4)", "INT", None, None),
    ("array(i, b)", "ARRAY<BIGINT>", [4, 10], [None, None]),
    ("cast(i as double)", "DOUBLE", 4.0, None),
    ("case when i > 1 then 'big' end", "STRING", "big", None),
]  # fmt: skip


def _run(expressions: list[str]) -> tuple[list[str], dict]:
    query = "select " + ", ".join(f"{e} as r{n}" for n, e in enumerate(expressions)) + " from t"
    config = job(
        {
            "plugin_name": "FakeSource",
            "plugin_output": "t",
            "schema": {"fields": FIELDS},
            "rows": ROWS,
        },
        transform=[{"plugin_name": "Sql", "query": query}],
    )
    plan = build_plan(config)
    types = [f.type.display() for f in plan.vertices[1].tables_out[0].schema.fields]
    COLLECTED.clear()
    run(config)
    return types, collected_table().to_pydict()


@pytest.fixture(scope="module")
def results() -> tuple[list[str], dict]:
    return _run([case[0] for case in CASES])


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-12)
    return got == want


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[c[0] for c in CASES])
def test_function(results: tuple[list[str], dict], index: int, case: tuple) -> None:
    expression, result_type, value, null_value = case
    types, columns = results
    assert types[index] == result_type
    got = columns[f"r{index}"]
    assert _same(got[0], value), (expression, got[0])
    assert _same(got[1], null_value), (expression, got[1])


def test_time_functions_have_their_types() -> None:
    types, columns = _run(
        ["now()", "current_timestamp", "current_date", "current_time", "uuid()", "rand()", "pi()"]
    )
    assert types == ["TIMESTAMP", "TIMESTAMP", "DATE", "TIME", "STRING", "DOUBLE", "DOUBLE"]
    assert columns["r2"][0] == dt.date.today() or columns["r2"][0] is not None
    assert len(columns["r4"][0]) == 36 and columns["r4"][0] != columns["r4"][1]
    assert 0.0 <= columns["r5"][0] < 1.0
    assert columns["r6"][0] == math.pi
