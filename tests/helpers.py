"""Helpers shared by the API and end-to-end tests."""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from app.models import Base


def wait_for_status(client, job_id: str, statuses: tuple[str, ...], timeout: float = 30.0) -> dict:
    """Poll job-info until the job reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = client.get(f"/job-info/{job_id}").get_json()
        if body.get("jobStatus") in statuses:
            return body
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not reach {statuses}: {body}")


def sample_config(rows: int = 5, **source_options) -> dict:
    """The seed document's FakeSource -> Console batch job."""
    return {
        "env": {"job.mode": "batch"},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": rows,
                "schema": {"fields": {"name": "string", "age": "int", "card": "int"}},
                **source_options,
            }
        ],
        "transform": [],
        "sink": [{"plugin_name": "Console", "plugin_input": ["fake"]}],
    }


def truncate_all(url: str) -> None:
    """Empty every table (tests never see each other's jobs); status counts go back to zero."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "job_counts":
                conn.execute(table.update().values(count=0))
            else:
                conn.execute(table.delete())
    engine.dispose()


def streaming_config(out_dir: Path | None = None, interval_ms: int = 200, seed: int = 11) -> dict:
    """A deterministic streaming FakeSource; into LocalFile (json) when `out_dir` is given."""
    sink = (
        {
            "plugin_name": "LocalFile",
            "path": str(out_dir),
            "tmp_path": str(out_dir.parent / "tmp"),
            "file_format_type": "json",
        }
        if out_dir is not None
        else {"plugin_name": "Console", "log.print.data": False}
    )
    return {
        "env": {"job.mode": "STREAMING", "checkpoint.interval": interval_ms},
        "source": [
            {
                "plugin_name": "FakeSource",
                "plugin_output": "fake",
                "row.num": 20,
                "split.num": 2,
                "split.read-interval": 50,
                "endless": True,  # ours: a new round of every split, forever
                "seed": seed,
                "schema": {"fields": {"id": "bigint", "name": "string"}},
            }
        ],
        "sink": [sink],
    }


def delivered_rows(out_dir: Path) -> list[dict]:
    """Every row committed to a LocalFile (json) sink directory, file by file."""
    rows = []
    for path in sorted(out_dir.glob("*")):
        if path.is_file():
            rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows


def uninterrupted_rows(config: dict, count: int) -> list[dict]:
    """The first `count` rows one uninterrupted run of the same deterministic source delivers."""
    from app.engine import build_plan

    out = Path(config["sink"][0]["path"]).parent / "reference"
    reference = json.loads(json.dumps(config))
    reference["sink"][0]["path"] = str(out)
    reference["sink"][0]["tmp_path"] = str(out.parent / "reference-tmp")
    reference["env"]["checkpoint.interval"] = 50
    plan = build_plan(reference)

    def enough() -> str | None:
        # checkpoints fall between batches, so the three runs delivered whole batches too
        return "stop" if int(runner.metrics.to_rest()["SourceReceivedCount"]) >= count else None

    runner = plan.runner(log=lambda _line: None, control=enough)
    runner.run()
    # control() is polled every 50 ms, so the run may go past `count`: keep the first rows,
    # files in transaction order (T_<job>_<uuid>_<subtask>_<checkpoint>_<part>.json)
    files = sorted(out.glob("*"), key=lambda p: [int(x) for x in p.stem.split("_")[-2:]])
    rows = [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]
    return rows[:count]
