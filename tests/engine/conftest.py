"""Engine test helpers: a collecting sink (registered like a third-party plugin) and a run helper."""

from __future__ import annotations

from typing import Any

import pytest

from app.engine import REGISTRIES, Sink, SinkWriter, build_plan, register_sink

COLLECTED: list[Any] = []


class _CollectWriter(SinkWriter):
    def write(self, batch: Any) -> None:
        COLLECTED.append(batch)


if REGISTRIES["sink"].get("Collect") is None:

    @register_sink("Collect")
    class Collect(Sink):
        """Keeps every batch it receives in COLLECTED."""

        def writer(self, tables, ctx):
            return _CollectWriter()


@pytest.fixture(autouse=True)
def _clear_collected() -> None:
    COLLECTED.clear()


def fake(**options: Any) -> dict:
    """A FakeSource block with the seed document's schema unless given."""
    block = {
        "plugin_name": "FakeSource",
        "plugin_output": "fake",
        "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
    }
    block.update(options)
    return block


def job(
    source: list | dict,
    transform: list | None = None,
    sink: list | None = None,
    env: dict | None = None,
) -> dict:
    """A config dict; the sink defaults to Collect."""
    return {
        "env": env if env is not None else {"job.mode": "BATCH"},
        "source": source if isinstance(source, list) else [source],
        "transform": transform or [],
        "sink": sink or [{"plugin_name": "Collect"}],
    }


def run(config: dict, should_stop: Any = lambda: False) -> tuple[list[str], Any]:
    """Run a config, stopping gracefully once `should_stop()`; returns (log lines, runner).

    The lines are what sinks and transforms log; the FakeSource enumerator's split lines are
    left out (test_joblog.py checks them)."""
    from app.engine.plugins.fake_source import ENUMERATOR_LOGGER

    lines: list[str] = []

    def log(message: str, logger: str | None = None) -> None:
        if logger != ENUMERATOR_LOGGER:
            lines.append(message)

    runner = build_plan(config).runner(log, lambda: "stop" if should_stop() else None)
    runner.outcome = runner.run()
    return lines, runner


def collected_table() -> Any:
    """Everything the Collect sink received, as one pyarrow Table."""
    import pyarrow as pa

    return pa.Table.from_batches([b.data for b in COLLECTED])
