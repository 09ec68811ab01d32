"""Jdbc benchmark: PostgreSQL -> PostgreSQL through `seatunnel-rest serve` (parallelism 1 and 4),
rows/s from submit to FINISHED, beside the database's own limit (`psql COPY | psql COPY`) and what a
Python user writes (pandas read_sql -> to_sql, chunked, method="multi"), all in the same run; then
MariaDB -> PostgreSQL and PostgreSQL -> LocalFile parquet. Each copy is checked by row count and a
checksum against the source.

    python -m bench.jdbc [--rows 1000000] [--pandas-rows 200000]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and MariaDB on 127.0.0.1:3306 (root).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pymysql
import requests

from bench.common import start_serve, wait_final

COLUMNS = "id int PRIMARY KEY, b bigint, s text, d double precision, ts timestamp, n numeric(12,2)"
MY_COLUMNS = "id int PRIMARY KEY, b bigint, s text, d double, ts datetime(6), n decimal(12,2)"
CHECKSUM = "SELECT count(*), sum(id::bigint), sum(b), sum(length(s)), round(sum(d)::numeric, 2), sum(n), max(ts) FROM {}"


def _pg(db: str) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", user="postgres", dbname=db, autocommit=True)


def prepare(db: str, rows: int) -> None:
    """The source table t (and MariaDB's copy of it)."""
    with _pg("postgres") as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    with _pg(db) as conn:
        conn.execute(f"CREATE TABLE t ({COLUMNS})")
        conn.execute(
            "INSERT INTO t SELECT i, i * 10, 'name-' || i, i * 0.5, "
            "timestamp '2020-01-01' + i * interval '1 second', (i % 100000) / 100.0 "
            f"FROM generate_series(1, {rows}) i"
        )
        conn.execute("ANALYZE t")
    my = pymysql.connect(
        host="127.0.0.1", user="root", password="", autocommit=True, local_infile=True
    )
    cur = my.cursor()
    cur.execute(f"CREATE DATABASE `{db}`")
    cur.execute(f"CREATE TABLE `{db}`.t ({MY_COLUMNS})")
    dump = Path(tempfile.mkdtemp()) / "t.tsv"
    with _pg(db) as conn, dump.open("wb") as out, conn.cursor().copy("COPY t TO STDOUT") as copy:
        for chunk in copy:
            out.write(chunk)
    cur.execute(f"LOAD DATA LOCAL INFILE '{dump}' INTO TABLE `{db}`.t")
    cur.execute(f"ANALYZE TABLE `{db}`.t")
    my.close()
    shutil.rmtree(dump.parent)


def checksum(db: str, table: str) -> tuple:
    """Row count and column sums of a table."""
    with _pg(db) as conn:
        return tuple(conn.execute(CHECKSUM.format(table)).fetchone())


def fresh_target(db: str, table: str) -> None:
    """An empty target table like t."""
    with _pg(db) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} ({COLUMNS})")


def run_copy_pipe(db: str, rows: int) -> float:
    """`psql -c "COPY t TO STDOUT" | psql -c "COPY t2 FROM STDIN"`: the database's own limit."""
    fresh_target(db, "t_copy")
    started = time.perf_counter()
    subprocess.run(
        f'psql -h 127.0.0.1 -U postgres -d {db} -c "COPY t TO STDOUT" | '
        f'psql -h 127.0.0.1 -U postgres -d {db} -c "COPY t_copy FROM STDIN"',
        shell=True, check=True, capture_output=True,
    )  # fmt: skip
    return rows / (time.perf_counter() - started)


def run_pandas(db: str, rows: int) -> float:
    """pandas read_sql (chunked) -> to_sql(method="multi") over SQLAlchemy, the first `rows` rows."""
    import pandas as pd
    import sqlalchemy as sa

    fresh_target(db, "t_pandas")
    engine = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1/{db}")
    started = time.perf_counter()
    with engine.connect() as source, engine.begin() as target:
        for frame in pd.read_sql(
            sa.text(f"SELECT * FROM t WHERE id <= {rows}"), source, chunksize=10_000
        ):
            frame.to_sql(
                "t_pandas", target, if_exists="append", index=False, method="multi", chunksize=1000
            )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return rows / elapsed


def jdbc(url: str, driver: str, user: str, **options: object) -> dict:
    """Jdbc connection options."""
    return {"url": url, "driver": driver, "user": user, "password": "", **options}


def run_served(server_url: str, config: dict, rows: int) -> float:
    """Rows/s from submit to FINISHED."""
    http = requests.Session()
    started = time.perf_counter()
    job_id = http.post(f"{server_url}/submit-job", json=config).json()["jobId"]
    info = wait_final(http, server_url, job_id, timeout=1800)
    elapsed = time.perf_counter() - started
    assert info["jobStatus"] == "FINISHED", info
    return rows / elapsed


def pg_to_pg(db: str, parallelism: int, target: str) -> dict:
    """A Jdbc -> Jdbc job copying t into `target`."""
    url = f"jdbc:postgresql://127.0.0.1:5432/{db}"
    return {
        "env": {"job.mode": "BATCH", "parallelism": parallelism},
        "source": [{"plugin_name": "Jdbc", **jdbc(url, "org.postgresql.Driver", "postgres"),
                    "table_path": f"{db}.public.t", "split.size": 50_000}],
        "sink": [{"plugin_name": "Jdbc", **jdbc(url, "org.postgresql.Driver", "postgres"),
                  "generate_sink_sql": True, "database": db, "table": f"public.{target}",
                  "batch_size": 50_000}],
    }  # fmt: skip


def main() -> None:
    """Measure and print rows/s with the ratios the issue asks for."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pandas-rows", type=int, default=200_000)
    args = parser.parse_args()
    rows = args.rows
    db = "st_bench_" + uuid.uuid4().hex[:8]
    out_dir = Path(tempfile.mkdtemp(prefix="st-bench-parquet-"))
    server = None
    try:
        prepare(db, rows)
        server = start_serve(processes=1, slots=2)
        reference = checksum(db, "t")
        copy_rate = run_copy_pipe(db, rows)
        assert checksum(db, "t_copy") == reference
        pandas_rate = run_pandas(db, args.pandas_rows)
        served = {}
        for parallelism in (1, 4):
            table = f"t_p{parallelism}"
            served[parallelism] = run_served(server.url, pg_to_pg(db, parallelism, table), rows)
            assert checksum(db, table) == reference, (checksum(db, table), reference)
        my_url = f"jdbc:mariadb://127.0.0.1:3306/{db}"
        maria_config = pg_to_pg(db, 4, "t_maria")
        maria_config["source"][0] = {"plugin_name": "Jdbc", **jdbc(my_url, "org.mariadb.jdbc.Driver", "root"),
                                     "table_path": f"{db}.t", "split.size": 50_000}  # fmt: skip
        maria_rate = run_served(server.url, maria_config, rows)
        assert checksum(db, "t_maria") == reference
        parquet_config = pg_to_pg(db, 4, "unused")
        parquet_config["sink"] = [{"plugin_name": "LocalFile", "path": str(out_dir), "file_format_type": "parquet",
                                   "tmp_path": str(out_dir / "tmp")}]  # fmt: skip
        parquet_rate = run_served(server.url, parquet_config, rows)
        import pyarrow.parquet as pq

        written = sum(pq.ParquetFile(p).metadata.num_rows for p in out_dir.glob("*.parquet"))
        assert written == rows, written
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(out_dir, ignore_errors=True)
        with _pg("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        my = pymysql.connect(host="127.0.0.1", user="root", password="", autocommit=True)
        my.cursor().execute(f"DROP DATABASE IF EXISTS `{db}`")
        my.close()
    print(f"rows: {rows:,} (pandas measured on {args.pandas_rows:,} rows)")
    print(f"psql COPY | psql COPY            : {copy_rate / 1e6:6.3f} M rows/s")
    print(f"pandas read_sql -> to_sql(multi) : {pandas_rate / 1e6:6.3f} M rows/s")
    for parallelism, rate in served.items():
        print(
            f"serve PG -> PG, parallelism {parallelism}  : {rate / 1e6:6.3f} M rows/s "
            f"= {rate / copy_rate:.2f}x COPY pipe (target >= 0.5), {rate / pandas_rate:.1f}x pandas (target >= 10)"
        )
    print(f"serve MariaDB -> PG, par. 4      : {maria_rate / 1e6:6.3f} M rows/s")
    print(f"serve PG -> LocalFile parquet, 4 : {parquet_rate / 1e6:6.3f} M rows/s")
    print("target tables: row count and checksum equal to the source: ok")


if __name__ == "__main__":
    main()
