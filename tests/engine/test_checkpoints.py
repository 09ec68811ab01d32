"""Checkpoints in the runner and the LocalFile sink's two-phase commit: what is stored, what is
committed when, what a restore commits and discards, and every stop outcome."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from app.engine import ConfigError, InjectedCrash, build_plan, crash_at
from tests.engine.conftest import fake, job

ROWS = [{"kind": "INSERT", "fields": [f"n{i}", i, i * 10]} for i in range(3)]


class Store:
    """An in-memory checkpoint store that records what the runner saved, in order."""

    def __init__(self) -> None:
        self.saved: list[tuple[int, str, dict]] = []
        self.triggers: list[int | None] = []

    def save(
        self, checkpoint_id: int, kind: str, state: dict, trigger_ms: int | None = None
    ) -> None:
        self.saved.append((checkpoint_id, kind, json.loads(json.dumps(state))))
        self.triggers.append(trigger_ms)


def local_file(out: Path, fmt: str = "json", **options: object) -> list[dict]:
    return [
        {
            "plugin_name": "LocalFile",
            "path": str(out / "out"),
            "tmp_path": str(out / "tmp"),
            "file_format_type": fmt,
            **options,
        }
    ]


def committed(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "out").glob("*")) if (out / "out").exists() else []


def streaming(**source: object) -> dict:
    options = {"row.num": 4, "split.num": 2, "split.read-interval": 0, "seed": 5, **source}
    return fake(**options)


def test_batch_files_appear_only_at_the_end_in_every_format(tmp_path: Path) -> None:
    expected = {
        "json": ['{"name":"n0","age":0,"card":0}', '{"name":"n1","age":1,"card":10}'],
        "csv": ["n0,0,0", "n1,1,10"],
        "text": ["n0\x010\x010", "n1\x011\x0110"],
    }
    for fmt, first_rows in expected.items():
        out = tmp_path / fmt
        plan = build_plan(job(fake(rows=ROWS), sink=local_file(out, fmt)))
        seen_at_store: list[list[str]] = []

        class Watch(Store):
            def save(
                self,
                checkpoint_id: int,
                kind: str,
                state: dict,
                trigger_ms: int | None = None,
                out: Path = out,
                seen=seen_at_store,
            ) -> None:
                seen.append(committed(out))
                super().save(checkpoint_id, kind, state, trigger_ms)

        store = Watch()
        assert plan.runner(lambda _: None, None, store, job_id="42").run() == "FINISHED"
        # one final checkpoint, stored while nothing was visible yet
        assert [(c, k) for c, k, _ in store.saved] == [(1, "checkpoint")]
        assert seen_at_store == [[]]
        (name,) = committed(out)
        assert name.startswith("T_42_") and name.endswith(
            f"_0_1_0.{'txt' if fmt == 'text' else fmt}"
        )
        text = (out / "out" / name).read_text()
        assert text.split("\n")[:2] == first_rows and not text.endswith("\n")
        assert list((out / "tmp" / "seatunnel" / "42").glob("*/*")) == []  # transaction dirs gone


def test_csv_quotes_like_commons_csv_and_writes_a_header(tmp_path: Path) -> None:
    rows = [{"fields": ["a,b", 1, 2]}, {"fields": ["", 3, 4]}, {"fields": [None, 5, 6]}]
    sink = local_file(tmp_path, "csv", enable_header_write=True, sink_columns=["card", "name"])
    build_plan(job(fake(rows=rows), sink=sink)).runner(lambda _: None).run()
    (name,) = committed(tmp_path)
    assert (tmp_path / "out" / name).read_text() == 'card,name\n2,"a,b"\n4,""\n6,'


def test_parquet_and_part_rollover(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    sink = local_file(tmp_path, "parquet", batch_size=4)
    build_plan(job(fake(**{"row.num": 10, "seed": 1}), sink=sink)).runner(lambda _: None).run()
    names = committed(tmp_path)
    assert [n.rsplit("_", 1)[1] for n in names] == ["0.parquet", "1.parquet", "2.parquet"]
    assert sum(pq.read_table(tmp_path / "out" / n).num_rows for n in names) == 10


def test_streaming_checkpoints_are_stored_before_their_commit(tmp_path: Path) -> None:
    store = Store()
    polls = {"n": 0}
    out = tmp_path
    deadline = time.monotonic() + 20  # a slow machine: stop after 3 checkpoints

    def control() -> str | None:
        polls["n"] += 1
        # every file committed so far belongs to a checkpoint that was already stored
        stored = {cid for cid, _, _ in store.saved}
        for name in committed(out):
            assert int(name.split("_")[4]) in stored
        done = len(store.saved) >= 3 or time.monotonic() > deadline
        return "savepoint" if done else None

    config = job(
        streaming(endless=True, **{"split.read-interval": 2}),
        sink=local_file(tmp_path),
        env={"job.mode": "STREAMING", "checkpoint.interval": 10},
    )
    runner = build_plan(config).runner(lambda _: None, control, store, job_id="7")
    assert runner.run() == "SAVEPOINT_DONE"
    kinds = [kind for _, kind, _ in store.saved]
    assert kinds[-1] == "savepoint" and set(kinds[:-1]) == {"checkpoint"} and len(kinds) >= 2
    ids = [cid for cid, _, _ in store.saved]
    assert ids == list(range(1, len(ids) + 1))
    # every checkpoint and the savepoint say when they began: increasing, not in the future
    assert None not in store.triggers and store.triggers == sorted(store.triggers)
    assert store.triggers[-1] <= time.time() * 1000
    last = store.saved[-1][2]
    assert last["metrics"]["source"]["fake"][0] == int(runner.metrics.to_rest()["SinkWriteCount"])
    assert set(last) == {"checkpoint_id", "sources", "sinks", "metrics"}
    delivered = sum(
        len((tmp_path / "out" / n).read_text().splitlines()) for n in committed(tmp_path)
    )
    assert delivered == int(runner.metrics.to_rest()["SinkWriteCount"])


@pytest.mark.parametrize(("command", "outcome"), [("stop", "CANCELED"), ("release", "RELEASED")])
def test_graceful_stops_checkpoint_and_commit(tmp_path: Path, command: str, outcome: str) -> None:
    store = Store()
    polls = {"n": 0}

    def control() -> str | None:
        polls["n"] += 1
        return command if polls["n"] > 5 else None

    config = job(streaming(), sink=local_file(tmp_path), env={"job.mode": "STREAMING"})
    runner = build_plan(config).runner(lambda _: None, control, store)
    assert runner.run() == outcome
    assert [kind for _, kind, _ in store.saved] == ["checkpoint"]
    assert store.triggers[0] is not None  # a final checkpoint is timed too
    assert committed(tmp_path)


def test_force_cancel_stores_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    store = Store()
    polls = {"n": 0}

    def control() -> str | None:
        polls["n"] += 1
        return "cancel" if polls["n"] > 5 else None

    config = job(streaming(), sink=local_file(tmp_path), env={"job.mode": "STREAMING"})
    runner = build_plan(config).runner(lambda _: None, control, store, job_id="9")
    assert runner.run() == "CANCELED"
    assert store.saved == [] and committed(tmp_path) == []
    assert int(runner.metrics.to_rest()["SinkWriteCount"]) > 0
    assert list((tmp_path / "tmp" / "seatunnel" / "9").glob("*/*")) == []


def rows_at(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for n in committed(out)
        for line in (out / "out" / n).read_text().splitlines()
    ]


def stop_after(polls: int):
    count = {"n": 0}

    def control() -> str | None:
        count["n"] += 1
        return "stop" if count["n"] > polls else None

    return control


@pytest.mark.parametrize("point", ["after_prepare", "after_store", "after_commit"])
def test_restore_after_a_crash_neither_loses_nor_repeats_rows(tmp_path: Path, point: str) -> None:
    """A streaming run dies at `point` of checkpoint 2 (rows written after it, even prepared):
    the restored run commits what the stored checkpoint prepared, discards the rest, and
    replays from its positions, so the sink holds every emitted row exactly once."""
    store = Store()
    config = job(
        streaming(endless=True, **{"split.read-interval": 5}),
        sink=local_file(tmp_path),
        env={"job.mode": "STREAMING", "checkpoint.interval": 20},
    )
    plan = build_plan(config)
    first = plan.runner(lambda _: None, None, store, job_id="5", fault=crash_at(point, 2))
    with pytest.raises(InjectedCrash):
        first.run()
    stored = [cid for cid, _, _ in store.saved]
    assert stored == ([1] if point == "after_prepare" else [1, 2])
    state = store.saved[-1][2]
    second = plan.runner(lambda _: None, stop_after(8), store, restore=state, job_id="5")
    assert second.run() == "CANCELED"
    rows = rows_at(tmp_path)
    assert (
        len(rows)
        == int(second.metrics.to_rest()["SinkWriteCount"])
        > state["metrics"]["sink"]["fake"][0]
    )
    assert len({json.dumps(r) for r in rows}) == len(rows)
    assert sorted(p.name for p in (tmp_path / "tmp" / "seatunnel" / "5").glob("*/*")) == []


def test_batch_final_checkpoint_is_stored_before_its_commit(tmp_path: Path) -> None:
    """A 40-row BATCH job crashing right after its last commit, then restored: exactly 40 rows."""
    store = Store()
    config = job(fake(**{"row.num": 40, "seed": 3}), sink=local_file(tmp_path))
    plan = build_plan(config)
    first = plan.runner(lambda _: None, None, store, job_id="8", fault=crash_at("after_commit", 1))
    with pytest.raises(InjectedCrash):
        first.run()
    assert [(cid, kind) for cid, kind, _ in store.saved] == [(1, "checkpoint")]
    assert len(rows_at(tmp_path)) == 40
    second = plan.runner(lambda _: None, None, store, restore=store.saved[-1][2], job_id="8")
    assert second.run() == "FINISHED"
    assert len(rows_at(tmp_path)) == 40
    assert second.metrics.to_rest()["SinkWriteCount"] == "40"


def test_local_file_option_errors_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="option 'file_format_type' must be one of"):
        build_plan(job(fake(), sink=local_file(tmp_path, "xls")))
    with pytest.raises(ConfigError, match="option 'path' is required"):
        build_plan(job(fake(), sink=[{"plugin_name": "LocalFile"}]))
    with pytest.raises(ConfigError, match="option 'file_name_expression' must contain"):
        build_plan(job(fake(), sink=local_file(tmp_path, file_name_expression="x")))
    with pytest.raises(ConfigError, match="option 'sink_columns' names unknown field"):
        build_plan(job(fake(), sink=local_file(tmp_path, sink_columns=["nope"])))


def test_committed_metrics_trail_written_rows_until_the_commit(tmp_path: Path) -> None:
    """SinkCommitted* count what commits made visible: nothing before checkpoint 1 is
    committed, everything once the job has ended."""
    store = Store()
    seen: list[tuple[str, str]] = []
    config = job(fake(**{"row.num": 40, "seed": 3}), sink=local_file(tmp_path))
    plan = build_plan(config)
    runner = None

    class Watch(Store):
        def save(
            self, checkpoint_id: int, kind: str, state: dict, trigger_ms: int | None = None
        ) -> None:
            rest = runner.metrics.to_rest()
            seen.append((rest["SinkWriteCount"], rest["SinkCommittedCount"]))
            super().save(checkpoint_id, kind, state, trigger_ms)

    store = Watch()
    runner = plan.runner(lambda _: None, None, store, job_id="4")
    assert runner.run() == "FINISHED"
    assert seen == [("40", "0")]  # written, stored, not yet committed
    rest = runner.metrics.to_rest()
    assert rest["SinkCommittedCount"] == "40"
    assert rest["TableSinkCommittedBytes"] == rest["TableSinkWriteBytes"]
