"""Benchmark: FakeSource -> FieldMapper -> Filter -> Console(no print) through the engine, beside two baselines.

Baselines measured in the same run: a plain-Python loop that generates and maps the same rows
(measured on fewer rows and reported as a rate), and a bare pyarrow loop that generates, renames
and projects the same columns with no engine around it.

    python -m bench.engine_pipeline [--rows 10000000] [--batch-size 65536]
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `app` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROWS = 10_000_000
PY_ROWS = 300_000


def engine_config(rows: int, batch_size: int) -> dict:
    """The benchmarked job."""
    return {
        "env": {"job.mode": "BATCH"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": rows,
                "batch.size": batch_size,
                "seed": 7,
                "schema": {"fields": {"id": "int", "name": "string", "score": "double"}},
            }
        ],
        "transform": [
            {
                "plugin_name": "FieldMapper",
                "plugin_input": "fake",
                "plugin_output": "mapped",
                "field_mapper": {"id": "user_id", "name": "user_name", "score": "user_score"},
            },
            {
                "plugin_name": "Filter",
                "plugin_input": "mapped",
                "plugin_output": "filtered",
                "include_fields": ["user_id", "user_name"],
            },
        ],
        "sink": [{"plugin_name": "Console", "plugin_input": "filtered", "log.print.data": False}],
    }


def run_engine(rows: int, batch_size: int) -> tuple[float, dict]:
    """Rows/s through build_plan(...).runner(...).run(), and the final metrics."""
    from app.engine import build_plan

    plan = build_plan(engine_config(rows, batch_size))
    runner = plan.runner(log=lambda line: None)
    started = time.perf_counter()
    runner.run()
    elapsed = time.perf_counter() - started
    return rows / elapsed, runner.metrics.to_rest()


def run_python(rows: int) -> float:
    """Rows/s of a plain-Python loop generating and mapping the same rows as dicts."""
    rng = random.Random(7)
    letters = string.ascii_letters
    sink = 0
    started = time.perf_counter()
    for _ in range(rows):
        row = {
            "id": rng.randint(0, 2**31 - 1),
            "name": "".join(rng.choices(letters, k=5)),
            "score": rng.uniform(0.0, 1.7976931348623157e308),
        }
        mapped = {"user_id": row["id"], "user_name": row["name"], "user_score": row["score"]}
        kept = {"user_id": mapped["user_id"], "user_name": mapped["user_name"]}
        sink += len(kept)
    return rows / (time.perf_counter() - started)


def run_bare_arrow(rows: int, batch_size: int) -> float:
    """Rows/s of a bare pyarrow/numpy loop: generate the columns, rename, project; no engine."""
    import numpy as np
    import pyarrow as pa

    lut = np.resize(np.frombuffer(string.ascii_letters.encode(), np.uint8), 256)
    names = ["user_id", "user_name", "user_score"]
    kept_schema = pa.schema([("user_id", pa.int32()), ("user_name", pa.string())])
    total = 0
    started = time.perf_counter()
    for chunk, start in enumerate(range(0, rows, batch_size)):
        n = min(batch_size, rows - start)
        rng = np.random.default_rng([7, 0, 0, chunk])
        ids = rng.integers(0, 2**63, (n + 1) // 2, dtype=np.int64).view(np.uint32)[:n] >> 1
        raw = rng.integers(0, 2**63, (n * 5 + 7) // 8, dtype=np.int64).view(np.uint8)[: n * 5]
        offsets = np.arange(0, (n + 1) * 5, 5, dtype=np.int32)
        text = pa.Array.from_buffers(
            pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(lut[raw])]
        )
        unit = rng.random(n)
        scores = pa.array(1.7976931348623157e308 * unit)
        batch = pa.RecordBatch.from_arrays(
            [pa.array(ids.view(np.int32)), text, scores], names=names
        )
        kept = pa.RecordBatch.from_arrays([batch.column(0), batch.column(1)], schema=kept_schema)
        total += kept.num_rows
    assert total == rows
    return rows / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print rates and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--python-rows", type=int, default=PY_ROWS)
    parser.add_argument("--batch-size", type=int, default=65536)
    args = parser.parse_args(argv)

    run_engine(10_000, args.batch_size)  # warm-up: imports, first allocations
    python_rate = run_python(args.python_rows)
    arrow_rate = run_bare_arrow(args.rows, args.batch_size)
    engine_rate, metrics = run_engine(args.rows, args.batch_size)

    exact = metrics["SinkWriteCount"] == metrics["SourceReceivedCount"] == str(args.rows)
    print(f"rows: {args.rows:,} (plain Python measured on {args.python_rows:,} rows)")
    print(f"plain Python loop : {python_rate / 1e6:8.2f} M rows/s")
    print(f"bare pyarrow loop : {arrow_rate / 1e6:8.2f} M rows/s")
    print(f"engine            : {engine_rate / 1e6:8.2f} M rows/s")
    print(f"engine / Python   : {engine_rate / python_rate:8.1f}x")
    print(f"engine / pyarrow  : {engine_rate / arrow_rate:8.2f}x")
    print(
        f"metrics: SourceReceivedCount={metrics['SourceReceivedCount']} "
        f"SinkWriteCount={metrics['SinkWriteCount']} SinkWriteBytes={metrics['SinkWriteBytes']} "
        f"exact={exact}"
    )
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
