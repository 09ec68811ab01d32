"""LocalFile source read rate per format, engine only (LocalFile -> Console without printing).

    python -m bench.files [--rows N] [--files F]

Writes N rows (bigint, string, double, timestamp) in F files of each of text, csv, json and
parquet with the LocalFile sink, then reads each back through the engine with parallelism 1 and
F, beside two baselines in the same run:
bare pyarrow reading the same file (the library's limit), and Python's csv module / json lines
loop (what a Python user writes).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

FIELDS = {"id": "bigint", "name": "string", "score": "double", "seen": "timestamp"}


def _config(source: dict, sink: dict, parallelism: int = 1) -> dict:
    env = {"job.mode": "BATCH", "parallelism": parallelism}
    return {"env": env, "source": [source], "sink": [sink]}


def _run(config: dict, roots: tuple[str, ...]) -> float:
    from app.engine import build_plan
    from app.engine.limits import Limits

    started = time.perf_counter()
    build_plan(config, Limits(allowed_paths=roots)).runner(lambda line: None).run()
    return time.perf_counter() - started


def _write(tmp: Path, fmt: str, rows: int, files: int) -> Path:
    out = tmp / fmt
    source = {
        "plugin_name": "FakeSource",
        "row.num": rows // files,  # per subtask: one file each
        "seed": 7,
        "string.length": 12,
        "schema": {"fields": FIELDS},
    }
    sink = {"plugin_name": "LocalFile", "path": str(out), "tmp_path": str(tmp / "tmp")}
    sink["file_format_type"] = fmt
    _run(_config(source, sink, files), (str(tmp),))
    return out


def _python_baseline(fmt: str, path: Path) -> float:
    started = time.perf_counter()
    count = 0
    for file in sorted(path.iterdir()):
        with open(file, encoding="utf-8") as handle:
            if fmt == "csv":
                for row in csv.reader(handle):
                    int(row[0]), float(row[2])
                    count += 1
            elif fmt == "json":
                for line in handle:
                    json.loads(line)
                    count += 1
            else:
                for line in handle:
                    parts = line.rstrip("\n").split("\x01")
                    int(parts[0]), float(parts[2])
                    count += 1
    return time.perf_counter() - started


def _arrow_baseline(fmt: str, path: Path) -> float:
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    started = time.perf_counter()
    for file in sorted(path.iterdir()):
        if fmt == "parquet":
            pq.read_table(file)
        elif fmt == "json":
            pj.read_json(file)
        else:
            delimiter = "," if fmt == "csv" else "\x01"
            pcsv.read_csv(
                file,
                read_options=pcsv.ReadOptions(column_names=list(FIELDS)),
                parse_options=pcsv.ParseOptions(delimiter=delimiter),
                convert_options=pcsv.ConvertOptions(
                    column_types={"seen": pa.timestamp("us"), "id": pa.int64()}
                ),
            )
    return time.perf_counter() - started


def main() -> None:
    """Print rows/s per format: engine, bare pyarrow, plain Python."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=4, help="files, and reader parallelism")
    args = parser.parse_args()
    rows, files = args.rows, args.files
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        print(f"{rows:,} rows (bigint, string(12), double, timestamp) in {files} files; rows/s")
        header = f"{'format':8} {'engine p=1':>11} {f'engine p={files}':>11}"
        print(f"{header} {'pyarrow':>10} {'python':>10}")
        for fmt in ("text", "csv", "json", "parquet"):
            path = _write(tmp, fmt, rows, files)
            source = {"plugin_name": "LocalFile", "path": str(path), "file_format_type": fmt}
            if fmt != "parquet":
                source["schema"] = {"fields": FIELDS}
            sink = {"plugin_name": "Console", "log.print.data": False}
            one = _run(_config(source, sink, 1), (str(tmp),))
            many = _run(_config(source, sink, files), (str(tmp),))
            arrow = _arrow_baseline(fmt, path)
            python = _python_baseline(fmt, path) if fmt != "parquet" else float("nan")
            print(
                f"{fmt:8} {rows / one / 1e6:10.2f}M {rows / many / 1e6:10.2f}M "
                f"{rows / arrow / 1e6:9.2f}M {rows / python / 1e6:9.2f}M"
            )


if __name__ == "__main__":
    main()
