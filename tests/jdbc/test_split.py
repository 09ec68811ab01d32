"""Split rules of reference §3.2 on the real databases: every row read exactly once."""

from __future__ import annotations

import pytest

from tests.jdbc.databases import Db
from tests.jdbc.test_catalog_read import _read_all


def _fill(db: Db, rows: int, key: str = "INT") -> None:
    db.execute(f"CREATE TABLE t (id {key} PRIMARY KEY, v INT, name VARCHAR(20))")
    if db.dialect == "postgresql":
        db.execute(f"INSERT INTO t SELECT i, i % 7, 'n' || i FROM generate_series(1, {rows}) i")
    elif db.dialect == "mysql":
        db.execute(f"INSERT INTO t SELECT seq, seq % 7, CONCAT('n', seq) FROM seq_1_to_{rows}")
    else:
        db.execute(
            f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {rows}) "
            "INSERT INTO t SELECT i, i % 7, 'n' || i FROM s"
        )


def test_dynamic_evenly_sized_chunks(db: Db) -> None:
    _fill(db, 1000)
    splits, table = _read_all(db, "t", split_size=100)
    # MariaDB's row count is InnoDB's estimate: chunk widths follow it
    assert 9 <= len(splits) <= 12
    assert splits[0]["id"].endswith("t-0") and splits[0]["ordered"]
    if db.dialect != "mysql":
        assert "< 101" in splits[0]["sql"] and ">= 901" in splits[-1]["sql"]
    assert sorted(table.column("id").to_pylist()) == list(range(1, 1001))


def test_small_table_is_one_split(db: Db) -> None:
    _fill(db, 50)
    splits, table = _read_all(db, "t")
    assert len(splits) == 1
    assert table.num_rows == 50


def test_sparse_keys_use_boundary_queries(db: Db) -> None:
    db.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, v INT)")
    values = ", ".join(f"({i * i * 1000}, {i})" for i in range(1, 301))
    db.execute(f"INSERT INTO t VALUES {values}")
    splits, table = _read_all(db, "t", split_size=50)
    assert 5 <= len(splits) <= 7
    assert sorted(table.column("v").to_pylist()) == list(range(1, 301))


def test_string_key(db: Db) -> None:
    _fill(db, 300, key="VARCHAR(20)")
    splits, table = _read_all(db, "t", split_size=40)
    assert len(splits) > 5
    assert table.num_rows == 300 and len(set(table.column("id").to_pylist())) == 300


def test_fixed_splitter_query_and_partition_column(db: Db) -> None:
    _fill(db, 1000)
    splits, table = _read_all(
        db, "t", query="SELECT * FROM t", partition_column="v", partition_num=3
    )
    assert len(splits) == 3
    assert ">= 0 AND" in splits[0]["sql"] and "<= 6" in splits[-1]["sql"]
    assert not splits[0]["ordered"]  # v is not unique
    assert sorted(table.column("id").to_pylist()) == list(range(1, 1001))


def test_fixed_splitter_string_column_hash_buckets(db: Db) -> None:
    _fill(db, 200)
    splits, table = _read_all(
        db, "t", query="SELECT * FROM t", partition_column="name", partition_num=4
    )
    assert len(splits) == 4
    assert sorted(table.column("id").to_pylist()) == list(range(1, 201))


def test_fixed_splitter_explicit_bounds(db: Db) -> None:
    _fill(db, 100)
    splits, table = _read_all(
        db, "t", query="SELECT * FROM t", partition_column="id", partition_num=2,
        lower_bound=11, upper_bound=20,
    )  # fmt: skip
    assert len(splits) == 2
    assert sorted(table.column("id").to_pylist()) == list(range(11, 21))


def test_where_condition(db: Db) -> None:
    _fill(db, 1000)
    splits, table = _read_all(db, "t", split_size=100, where_condition="where v = 3")
    assert 9 <= len(splits) <= 12
    assert table.num_rows == len([i for i in range(1, 1001) if i % 7 == 3])


def test_resume_after_key(db: Db) -> None:
    from app.engine.plugins.jdbc.split import resume_sql
    from tests.jdbc.test_catalog_read import _meta

    _fill(db, 30)
    splits, _ = _read_all(db, "t")
    target, dialect, meta = _meta(db, "t")
    sql = resume_sql(dialect, splits[0], meta.columns, 25)
    assert [r[0] for r in db.rows(sql)] == [26, 27, 28, 29, 30]


@pytest.mark.parametrize("partition_column", ["nope"])
def test_unknown_partition_column(db: Db, partition_column: str) -> None:
    from app.engine.plugins.jdbc.split import SplitError

    _fill(db, 5)
    with pytest.raises(SplitError) as info:
        _read_all(db, "t", partition_column=partition_column)
    assert str(info.value) == "names unknown column 'nope'; columns: id, v, name"
