"""JobRunner: failures become JobError, jobs obey control(), the import stays light."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from app.engine import REGISTRIES, JobError, Transform, build_plan, register_transform
from tests.engine.conftest import COLLECTED, fake, job, run


def test_failing_plugin_raises_job_error() -> None:
    @register_transform("Explode")
    class Explode(Transform):
        def processor(self, schema):
            def boom(batch):
                raise ValueError("bad\nvalue")

            return boom

    try:
        with pytest.raises(JobError) as info:
            run(job(fake(), transform=[{"plugin_name": "explode"}]))
        assert str(info.value) == "Explode: bad value"
    finally:
        REGISTRIES["transform"].remove("Explode")


def test_registry_refuses_duplicates_and_is_case_insensitive() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_transform("filter")(type("Again", (Transform,), {}))
    assert REGISTRIES["transform"].get("FILTER").plugin_name == "Filter"


def test_streaming_emits_each_split_once_then_idles_until_stopped() -> None:
    """SeaTunnel's FakeSourceReader: STREAMING reads every split once, then the job idles."""
    stop = threading.Event()
    config = job(
        fake(seed=3, **{"row.num": 10, "split.num": 2, "split.read-interval": 1}),
        env={"job.mode": "STREAMING", "parallelism": 2},
    )
    runner = build_plan(config).runner(lambda line: None, lambda: "stop" if stop.is_set() else None)
    thread = threading.Thread(target=runner.run)
    thread.start()
    time.sleep(0.5)
    assert runner.metrics.to_rest()["SourceReceivedCount"] == "20" and thread.is_alive()
    stop.set()
    thread.join(2)
    assert not thread.is_alive()
    assert runner.metrics.to_rest()["SinkWriteCount"] == "20"


def test_streaming_endless_runs_rounds_until_should_stop() -> None:
    stop = threading.Event()
    config = job(
        fake(seed=3, endless=True, **{"row.num": 2, "split.read-interval": 5}),
        env={"job.mode": "STREAMING"},
    )
    runner = build_plan(config).runner(lambda line: None, lambda: "stop" if stop.is_set() else None)
    thread = threading.Thread(target=runner.run)
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    live = int(runner.metrics.to_rest()["SourceReceivedCount"])
    assert live >= 4 and thread.is_alive()
    stop.set()
    thread.join(2)
    assert not thread.is_alive() and time.monotonic() - started < 2
    rounds = [b.data.to_pylist() for b in COLLECTED]
    assert rounds[0] != rounds[1]  # a new round is new data


def test_streaming_stop_while_idle_is_quick() -> None:
    config = job(
        fake(**{"row.num": 1, "split.read-interval": 60000}), env={"job.mode": "STREAMING"}
    )
    deadline = time.monotonic() + 0.2
    started = time.monotonic()
    run(config, should_stop=lambda: time.monotonic() > deadline)
    assert time.monotonic() - started < 0.5
    assert len(COLLECTED) == 1


def test_batch_runs_to_finished_and_obeys_a_stop() -> None:
    _, runner = run(job(fake(**{"row.num": 50})))
    assert runner.outcome == "FINISHED"
    assert runner.metrics.to_rest()["SinkWriteCount"] == "50"
    _, stopped = run(job(fake(**{"row.num": 50})), should_stop=lambda: True)
    assert stopped.outcome == "CANCELED"
    assert stopped.metrics.to_rest()["SinkWriteCount"] == "0"


def test_importing_the_engine_loads_no_arrow_or_numpy() -> None:
    code = (
        "import sys, app.engine as e\n"
        'e.build_plan(e.parse_config(\'{"env":{},"source":[{"plugin_name":"FakeSource",'
        '"schema":{"fields":{"a":"int"}}}],"sink":[{"plugin_name":"Console"}]}\')).dag(\'1\')\n'
        "print(sorted(m for m in ('pyarrow', 'numpy', 'pyhocon') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
