"""Benchmark: FakeSource -> Sql -> Console(no print) through the engine, beside two baselines.

The query is issue 9's: `select id, upper(name) as name, amount * 1.1 as amount,
concat(name, '_', cast(id as string)) as tag from t where amount > 0.5`.

Measured in the same run, on the same Arrow batches (FakeSource's own reader, same seed):
* a plain-Python per-row evaluation of the query: an interpreter that walks the parsed query
  for every row, the way Zeta's ZetaSQLEngine does (rows converted to Python first), and for
  reference a hand-coded per-row Python function of the same query;
* the same query run by DuckDB over the Arrow batches (pyarrow.compute if DuckDB is absent).

The engine figure is submit (build_plan) to FINISHED (runner.run() returns). The output row
count must equal the number of rows with amount > 0.5, counted independently.

    python -m bench.sql [--rows 10000000] [--python-rows 200000] [--batch-size 65536]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `app` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS = 10_000_000
PY_ROWS = 200_000
QUERY = (
    "select id, upper(name) as name, amount * 1.1 as amount, "
    "concat(name, '_', cast(id as string)) as tag from t where amount > 0.5"
)


def source_block(rows: int, batch_size: int) -> dict:
    """FakeSource with int, string and double columns; amount uniform in [0, 1)."""
    return {
        "plugin_name": "FakeSource",
        "plugin_output": "t",
        "row.num": rows,
        "batch.size": batch_size,
        "seed": 7,
        "double.min": 0.0,
        "double.max": 1.0,
        "schema": {"fields": {"id": "int", "name": "string", "amount": "double"}},
    }


def engine_config(rows: int, batch_size: int) -> dict:
    """The benchmarked job."""
    return {
        "env": {"job.mode": "BATCH"},
        "source": [source_block(rows, batch_size)],
        "transform": [
            {"plugin_name": "Sql", "plugin_input": "t", "plugin_output": "q", "query": QUERY}
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": "q", "log.print.data": False}],
    }


def run_engine(rows: int, batch_size: int) -> tuple[float, dict]:
    """Rows/s from build_plan (submit) to the end of runner.run() (FINISHED), and the metrics."""
    from app.engine import build_plan

    started = time.perf_counter()
    plan = build_plan(engine_config(rows, batch_size))
    runner = plan.runner(log=lambda line: None)
    runner.run()
    elapsed = time.perf_counter() - started
    return rows / elapsed, runner.metrics.to_rest()


def source_batches(rows: int, batch_size: int) -> list[Any]:
    """The very Arrow batches the engine's FakeSource produces (same reader, same seed)."""
    from app.engine import build_plan
    from app.engine.plugin import RunContext

    config = engine_config(rows, batch_size)
    config["transform"] = []
    config["sink"] = [{"plugin_name": "Console", "plugin_input": "t", "log.print.data": False}]
    plan = build_plan(config)
    source = plan.vertices[0].plugin
    ctx = RunContext("BATCH", 1, lambda line: None)
    enumerator = source.enumerator(ctx)  # type: ignore[attr-defined]
    reader = source.reader(ctx)  # type: ignore[attr-defined]
    enumerator.open()
    reader.open()
    batches = []
    while (split := enumerator.next_split(0)) is not None:
        if isinstance(split, float):
            continue
        for item in reader.read(split, None):
            item = item[0] if isinstance(item, tuple) else item  # (batch, position)
            if not isinstance(item, float):
                batches.append(item.data)
    return batches


def expected_count(batches: list[Any]) -> int:
    """Rows with amount > 0.5, counted with one comparison kernel."""
    import pyarrow.compute as pc

    return sum(pc.sum(pc.greater(b.column(2), 0.5)).as_py() or 0 for b in batches)


# ---- plain-Python per-row evaluation ------------------------------------------------------------


def _interpreter() -> tuple[Any, list[tuple[str, Any]]]:
    """The parsed query (sqlglot) as a per-row tree-walking evaluator."""
    import sqlglot
    from sqlglot import exp

    from app.engine.plugins.sql.dialect import SeaTunnelSql

    tree = sqlglot.parse_one(QUERY, read=SeaTunnelSql)

    def ev(node: Any, row: dict) -> Any:
        if isinstance(node, exp.Column):
            return row[node.name]
        if isinstance(node, exp.Literal):
            return node.this if node.is_string else float(node.this)
        if isinstance(node, exp.Alias):
            return ev(node.this, row)
        if isinstance(node, exp.Mul):
            a, b = ev(node.this, row), ev(node.expression, row)
            return None if a is None or b is None else a * b
        if isinstance(node, exp.GT):
            a, b = ev(node.this, row), ev(node.expression, row)
            return a is not None and b is not None and a > b
        if isinstance(node, exp.Cast):
            a = ev(node.this, row)
            return None if a is None else str(a)
        if isinstance(node, exp.Anonymous):
            args = [ev(a, row) for a in node.expressions]
            name = node.name.upper()
            if name == "UPPER":
                return None if args[0] is None else args[0].upper()
            if name == "CONCAT":
                return "".join(str(a) for a in args if a is not None)
        raise ValueError(f"unsupported {node!r}")

    where = tree.args["where"].this
    items = [(e.alias_or_name, e) for e in tree.expressions]
    return (lambda row: ev(where, row), ev), items


def run_python_interpreter(batches: list[Any], rows: int) -> tuple[float, int]:
    """Rows/s of per-row interpretation of the parsed query over rows converted from Arrow."""
    (keep, ev), items = _interpreter()
    taken, kept = 0, 0
    started = time.perf_counter()
    for batch in batches:
        for row in batch.slice(0, rows - taken).to_pylist():
            if keep(row):
                out = {name: ev(node, row) for name, node in items}
                kept += len(out) > 0
        taken += min(batch.num_rows, rows - taken)
        if taken >= rows:
            break
    return taken / (time.perf_counter() - started), kept


def run_python_hand_coded(batches: list[Any], rows: int) -> float:
    """Rows/s of one hand-written Python function per row (the fastest per-row form)."""
    taken, kept = 0, 0
    started = time.perf_counter()
    for batch in batches:
        for row in batch.slice(0, rows - taken).to_pylist():
            amount = row["amount"]
            if amount is not None and amount > 0.5:
                name, ident = row["name"], row["id"]
                out = (
                    ident,
                    None if name is None else name.upper(),
                    amount * 1.1,
                    (name or "") + "_" + ("" if ident is None else str(ident)),
                )
                kept += len(out) > 0
        taken += min(batch.num_rows, rows - taken)
        if taken >= rows:
            break
    return taken / (time.perf_counter() - started)


def run_duckdb(batches: list[Any]) -> tuple[str, float, int]:
    """Rows/s of the same query in DuckDB over the Arrow batches (or pyarrow.compute)."""
    import pyarrow as pa

    table = pa.Table.from_batches(batches)
    try:
        import duckdb
    except ImportError:
        return _run_pyarrow(table)
    con = duckdb.connect()
    con.register("t", table)
    query = QUERY.replace("as string", "as varchar")
    started = time.perf_counter()
    relation = con.sql(query)
    result = relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()
    elapsed = time.perf_counter() - started
    return "DuckDB " + duckdb.__version__, table.num_rows / elapsed, result.num_rows


def _run_pyarrow(table: Any) -> tuple[str, float, int]:
    import pyarrow.compute as pc

    started = time.perf_counter()
    kept = table.filter(pc.greater(table.column("amount"), 0.5))
    name = kept.column("name")
    tag = pc.binary_join_element_wise(name, "_", kept.column("id").cast("string"), "")
    out = [kept.column("id"), pc.utf8_upper(name), pc.multiply(kept.column("amount"), 1.1), tag]
    elapsed = time.perf_counter() - started
    return "pyarrow.compute", table.num_rows / elapsed, len(out[0])


def main(argv: list[str] | None = None) -> int:
    """Run the measurements, print rates and ratios; exit 1 if the row count is not exact."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--python-rows", type=int, default=PY_ROWS)
    parser.add_argument("--batch-size", type=int, default=65536)
    args = parser.parse_args(argv)

    run_engine(10_000, args.batch_size)  # warm-up: imports, first allocations
    batches = source_batches(args.rows, args.batch_size)
    expected = expected_count(batches)
    interp_rate, _ = run_python_interpreter(batches, args.python_rows)
    hand_rate = run_python_hand_coded(batches, args.python_rows)
    other, other_rate, other_rows = run_duckdb(batches)
    del batches
    engine_rate, metrics = run_engine(args.rows, args.batch_size)

    written = int(metrics["SinkWriteCount"])
    exact = written == expected == other_rows and metrics["SourceReceivedCount"] == str(args.rows)
    print(f"rows: {args.rows:,} (per-row Python measured on {args.python_rows:,} rows)")
    print(f"per-row Python, query interpreter : {interp_rate / 1e6:8.3f} M rows/s")
    print(f"per-row Python, hand-coded        : {hand_rate / 1e6:8.3f} M rows/s")
    print(f"{other + ' (outside the server)':34}: {other_rate / 1e6:8.2f} M rows/s")
    print(f"engine, submit -> FINISHED        : {engine_rate / 1e6:8.2f} M rows/s")
    print(f"engine / per-row interpreter      : {engine_rate / interp_rate:8.1f}x")
    print(f"engine / per-row hand-coded       : {engine_rate / hand_rate:8.1f}x")
    print(f"engine / {other:25}: {engine_rate / other_rate:8.2f}x")
    print(
        f"rows out: engine {written:,}, expected (amount > 0.5) {expected:,}, "
        f"{other} {other_rows:,}; exact={exact}"
    )
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
