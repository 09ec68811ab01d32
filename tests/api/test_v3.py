"""SeaTunnel 2.3.13 / 3.x endpoints: pending-jobs, running-jobs summary, checkpoints, loggers,
resource/workers."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import orjson

from app import create_app
from app.services import runs
from app.services.cluster import register_node
from tests.helpers import sample_config, streaming_config, wait_for_status


def _submit(client, config, query: str = "") -> str:
    response = client.post(f"/submit-job{query}", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _close(application) -> None:
    state = application.extensions["seatunnel"]
    if state.executor is not None:
        state.executor.stop()
    state.db.dispose()


def _queue_only_app(settings, slots: int = 2):
    """An app whose process runs no executor: jobs stay PENDING; one fake live worker of `slots`."""
    application = create_app(settings.with_overrides(start_executor=False))
    state = application.extensions["seatunnel"]
    register_node(state.db, state.node_id, "localhost", 18080, {"zone": "a"})
    runs.register_worker(state.db, "w1", state.node_id, slots)
    return application


def test_pending_jobs_say_why_each_job_waits(settings) -> None:
    application = _queue_only_app(settings)
    try:
        client = application.test_client()
        plain = _submit(client, sample_config())
        tagged = sample_config()
        tagged["env"]["tag_filter"] = {"zone": "b"}
        elsewhere = _submit(client, tagged)
        body = client.get("/pending-jobs").get_json()
        assert list(body) == ["queueSummary", "clusterSnapshot", "pendingJobs"]
        summary = body["queueSummary"]
        assert summary["size"] == 2 and summary["scheduleStrategy"] == "WAIT"
        assert summary["lackingTaskGroups"] == 2
        assert 0 < summary["oldestEnqueueTimestamp"] <= summary["newestEnqueueTimestamp"]
        snapshot = body["clusterSnapshot"]
        assert (snapshot["totalSlots"], snapshot["freeSlots"], snapshot["assignedSlots"]) == (
            2,
            2,
            0,
        )
        assert snapshot["workerCount"] == 1
        assert snapshot["workers"][0]["address"] == "[localhost]:18080"
        assert snapshot["workers"][0]["tags"] == {"zone": "a"}
        first, second = body["pendingJobs"]
        assert list(first) == [
            "jobId",
            "jobName",
            "pendingSourceState",
            "jobStatus",
            "enqueueTimestamp",
            "checkTime",
            "waitDurationMs",
            "checkCount",
            "totalTaskGroups",
            "allocatedTaskGroups",
            "lackingTaskGroups",
            "failureReason",
            "failureMessage",
            "tagFilter",
            "blockingJobIds",
            "pipelines",
            "lackingTaskGroupDiagnostics",
        ]
        assert first["jobId"] == int(plain) and first["jobStatus"] == "PENDING"
        assert first["pendingSourceState"] == "NORMAL"
        assert first["failureReason"] == "WAITING_SLOT_ASSIGNMENT"
        assert first["waitDurationMs"] == first["checkTime"] - first["enqueueTimestamp"]
        assert second["jobId"] == int(elsewhere) and second["tagFilter"] == {"zone": "b"}
        assert second["failureReason"] == "RESOURCE_NOT_ENOUGH"
        assert second["failureMessage"] == 'No live node matches tag_filter {"zone":"b"}'
        assert second["lackingTaskGroupDiagnostics"][0]["allocated"] is False
        # filters: one job, a limit, a worker tag filter
        assert [
            j["jobId"]
            for j in client.get(f"/pending-jobs?jobId={elsewhere}").get_json()["pendingJobs"]
        ] == [int(elsewhere)]
        limited = client.get("/pending-jobs?limit=1").get_json()
        assert len(limited["pendingJobs"]) == 1 and limited["queueSummary"]["size"] == 2
        assert client.get("/pending-jobs?zone=x").get_json()["clusterSnapshot"]["totalSlots"] == 0
        pretty = client.get("/pending-jobs?pretty=true")
        assert b'\n  "queueSummary"' in pretty.data
        assert isinstance(pretty.get_json()["pendingJobs"][0]["enqueueTimestamp"], str)
        response = client.get("/pending-jobs?jobId=abc")
        assert response.status_code == 400
        assert response.get_json() == {"status": "fail", "message": "Invalid jobId"}
        assert client.get("/overview").get_json()["pendingJobs"] == "2"
    finally:
        _close(application)


def test_pending_job_blocked_by_busy_slots(settings) -> None:
    application = _queue_only_app(settings, slots=1)
    try:
        client = application.test_client()
        running = _submit(client, sample_config())
        waiting = _submit(client, sample_config())
        state = application.extensions["seatunnel"]
        assert runs.claim_next(state.db, "w1", {"zone": "a"}).id == int(running)
        (job,) = client.get("/pending-jobs").get_json()["pendingJobs"]
        assert job["jobId"] == int(waiting)
        assert job["failureReason"] == "RESOURCE_NOT_ENOUGH"
        assert job["failureMessage"] == "All 1 slots of the matching nodes are busy"
        assert job["blockingJobIds"] == [int(running)]
        workers = client.get("/resource/workers").get_json()
        assert workers["available"] is True and isinstance(workers["collectedAt"], int)
        (worker,) = workers["workers"]
        assert worker["usedSlots"] == 1 and worker["freeSlots"] == 0
        assert worker["runningJobIds"] == [int(running)]
    finally:
        _close(application)


def test_resource_workers_of_a_live_node(client) -> None:
    body = client.get("/resource/workers").get_json()
    assert list(body) == ["available", "collectedAt", "workers"]
    (worker,) = body["workers"]
    assert list(worker) == [
        "address",
        "tags",
        "totalSlots",
        "freeSlots",
        "usedSlots",
        "dynamicSlot",
        "totalCpuCores",
        "availableCpuCores",
        "totalHeapMemoryBytes",
        "availableHeapMemoryBytes",
        "cpuUsage",
        "memUsage",
        "runningJobIds",
    ]
    assert worker["address"] == "[localhost]:18080" and worker["totalSlots"] == 2
    assert worker["dynamicSlot"] is False and worker["runningJobIds"] == []
    assert worker["totalCpuCores"] >= 1 and worker["totalHeapMemoryBytes"] > 0
    assert client.get("/hazelcast/rest/maps/resource/workers").status_code == 200


def test_running_jobs_summary(settings) -> None:
    application = _queue_only_app(settings)
    try:
        client = application.test_client()
        ids = [_submit(client, sample_config(), f"?jobName=job{i}") for i in range(3)]
        response = client.get("/running-jobs/summary")
        assert response.headers["X-Dispatch-Delay-Ms"] == "-1"
        assert int(response.headers["X-Handler-Cost-Ms"]) >= 0
        items = response.get_json()
        assert [list(i) for i in items] == [["jobId", "jobName", "jobStatus", "createTime"]] * 3
        assert [i["jobId"] for i in items] == ids
        assert items[0] == {
            "jobId": ids[0],
            "jobName": "job0",
            "jobStatus": "PENDING",
            "createTime": items[0]["createTime"],
        }
        assert client.get("/running-jobs/summary?page=2&rows=2").get_json() == {
            "data": [items[2]],
            "total": 3,
        }
        full = client.get("/running-jobs/summary?full=true").get_json()
        assert full == client.get("/running-jobs").get_json()
        assert client.get("/running-jobs/summary?page=0").status_code == 400
    finally:
        _close(application)


def test_checkpoint_overview_and_history(client, tmp_path: Path) -> None:
    job_id = _submit(client, streaming_config(tmp_path / "out", interval_ms=100))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = client.get(f"/job-info/{job_id}").get_json()
        if int(info.get("latestCheckpoint", {}).get("checkpointId", 0)) >= 2:
            break
        time.sleep(0.05)
    client.post("/stop-job", data=orjson.dumps({"jobId": job_id, "isStopWithSavePoint": True}))
    wait_for_status(client, job_id, ("SAVEPOINT_DONE",))
    body = client.get(f"/jobs/checkpoints/{job_id}").get_json()
    assert list(body) == ["jobId", "updatedAt", "pipelines"]
    assert body["jobId"] == job_id
    (pipeline,) = body["pipelines"]
    assert list(pipeline) == [
        "pipelineId",
        "counts",
        "latestCompleted",
        "latestFailed",
        "latestSavepoint",
        "inProgress",
        "history",
    ]
    counts = pipeline["counts"]
    latest = pipeline["latestCompleted"]
    assert counts["completed"] == latest["checkpointId"] >= 3
    assert counts["failed"] == counts["inProgress"] == counts["restored"] == 0
    assert latest["checkpointType"] == "savepoint" and latest["status"] == "COMPLETED"
    assert latest["stateSize"] > 0 and latest["completedTimestamp"] == body["updatedAt"]
    assert pipeline["latestSavepoint"] == latest and pipeline["latestFailed"] == {}
    history = client.get(f"/jobs/checkpoints/history/{job_id}").get_json()
    assert history == pipeline["history"]
    # the runner says when each checkpoint began: its duration is known for every one
    for item in [latest, *(h["checkpoint"] for h in history)]:
        assert item["durationMillis"] >= 0
        assert item["triggerTimestamp"] + item["durationMillis"] == item["completedTimestamp"]
    assert [h["checkpoint"]["checkpointId"] for h in history] == sorted(
        (h["checkpoint"]["checkpointId"] for h in history), reverse=True
    )
    assert {h["pipelineId"] for h in history} == {1}
    assert len(client.get(f"/jobs/checkpoints/history/{job_id}?limit=1").get_json()) == 1
    assert client.get(f"/jobs/checkpoints/history/{job_id}?pipelineId=2").get_json() == []
    assert client.get(f"/jobs/checkpoints/history/{job_id}?status=failed").get_json() == []
    response = client.get(f"/jobs/checkpoints/history/{job_id}?status=nope")
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "No enum constant org.apache.seatunnel.engine.core.checkpoint.CheckpointStatus.NOPE"
    )
    assert client.get("/jobs/checkpoints/123").get_json() == {"jobId": "123"}
    assert client.get("/jobs/checkpoints/history/123").get_json() == []
    assert client.get("/jobs/checkpoints/abc").get_json() == {
        "status": "fail",
        "message": 'For input string: "abc"',
    }
    assert client.get("/jobs/checkpoints").get_json()["message"] == "The jobId must not be empty."


WRITER = "org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter"


def test_loggers_node_scope(client, settings) -> None:
    try:
        body = client.get("/loggers").get_json()
        assert body["node"] == "localhost:18080"
        names = [entry["name"] for entry in body["loggers"]]
        assert names[0] == "root" and "org.apache.seatunnel" in names
        base = next(e for e in body["loggers"] if e["name"] == "org.apache.seatunnel")
        assert base == {"name": "org.apache.seatunnel", "level": "INFO", "origin": "file"}
        assert client.get(f"/loggers/{WRITER}").get_json() == {
            "name": WRITER,
            "level": "INFO",
            "origin": "file",
            "node": "localhost:18080",
        }
        changed = client.post(f"/loggers/{WRITER}?level=warn").get_json()
        assert changed == {
            "name": WRITER,
            "level": "WARN",
            "origin": "runtime-override",
            "node": "localhost:18080",
            "previousLevel": "INFO",
            "status": "SUCCESS",
        }
        assert logging.getLogger(WRITER).level == logging.WARNING
        # a job's Console rows stop at once
        job_id = _submit(client, sample_config())
        wait_for_status(client, job_id, ("FINISHED",))
        text = (Path(settings.log_dir) / f"job-{job_id}.log").read_text()
        assert "output rowType" not in text and "Init JobMaster" in text
        # the body form, and the listing shows the override
        again = client.post(f"/loggers/{WRITER}", data=b'{"level": "ERROR"}').get_json()
        assert again["level"] == "ERROR" and again["previousLevel"] == "WARN"
        listed = next(
            e for e in client.get("/loggers").get_json()["loggers"] if e["name"] == WRITER
        )
        assert listed == {"name": WRITER, "level": "ERROR", "origin": "runtime-override"}
        reverted = client.delete(f"/loggers/{WRITER}").get_json()
        assert reverted["status"] == "SUCCESS" and reverted["previousLevel"] == "ERROR"
        assert reverted["level"] == "INFO" and reverted["origin"] == "file"
        assert client.delete(f"/loggers/{WRITER}").get_json()["status"] == "NO_OVERRIDE"
        for method, path, message in (
            (
                "post",
                f"/loggers/{WRITER}",
                'The level is required, send it as ?level=DEBUG or as {"level":"DEBUG"}.',
            ),
            (
                "post",
                f"/loggers/{WRITER}?level=loud",
                "Unknown logger level 'loud', valid levels are: "
                "OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL",
            ),
            (
                "post",
                "/loggers?level=INFO",
                "The logger name must not be empty, use /loggers/{name}.",
            ),
            (
                "get",
                "/loggers?scope=galaxy",
                "Unknown scope 'galaxy', valid scopes are: node, cluster",
            ),
            ("post", "/loggers/bad name?level=INFO", "Invalid logger name: 'bad name'"),
        ):
            response = getattr(client, method)(path)
            assert response.status_code == 400, path
            assert response.get_json() == {"status": "fail", "message": message}
    finally:
        logging.getLogger(WRITER).setLevel(logging.NOTSET)


def test_logger_overrides_reach_every_process_of_the_node(client) -> None:
    """Another process of the node applies the stored override at its next sync."""
    from app.services import loggers

    state = client.application.extensions["seatunnel"]
    try:
        client.post("/loggers/app.example?level=DEBUG")
        # what a fresh process does: forget its own state, then sync from the database
        logging.getLogger("app.example").setLevel(logging.NOTSET)
        loggers._file_levels.clear()  # simulating a process that never applied it
        loggers.sync(state.db, state.node_id)
        assert logging.getLogger("app.example").level == logging.DEBUG
        client.delete("/loggers/app.example")
        loggers.sync(state.db, state.node_id)
        assert logging.getLogger("app.example").level == logging.NOTSET
    finally:
        logging.getLogger("app.example").setLevel(logging.NOTSET)


def test_loggers_cluster_scope(client) -> None:
    try:
        body = client.post(f"/loggers/{WRITER}?level=DEBUG&scope=cluster").get_json()
        assert list(body) == ["scope", "status", "name", "level", "nodes"]
        assert body["scope"] == "cluster" and body["status"] == "SUCCESS"
        assert body["level"] == "DEBUG"
        (node,) = body["nodes"]
        assert node["node"] == "localhost:18080" and node["level"] == "DEBUG"
        listing = client.get("/loggers?scope=cluster").get_json()
        assert listing["status"] == "SUCCESS" and listing["nodes"][0]["node"] == "localhost:18080"
        assert (
            client.delete(f"/loggers/{WRITER}?scope=cluster").get_json()["nodes"][0]["status"]
            == "SUCCESS"
        )
    finally:
        logging.getLogger(WRITER).setLevel(logging.NOTSET)


def test_cluster_scope_reports_unreachable_nodes(client) -> None:
    state = client.application.extensions["seatunnel"]
    register_node(state.db, "127.0.0.1:9", "127.0.0.1", 9, {})
    runs.register_worker(state.db, "ghost", "127.0.0.1:9", 1)
    body = client.get("/loggers?scope=cluster").get_json()
    assert body["status"] == "PARTIAL_FAILURE"
    failed = next(n for n in body["nodes"] if n["node"] == "127.0.0.1:9")
    assert failed["status"] == "FAILURE" and failed["error"].startswith("URLError")
