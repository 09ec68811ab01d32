"""SeaTunnel e2e differences (issue 11, points 2, 4, 6, 7): v1 PUT, probes and Hazelcast paths,
/running-threads, /overview/<anything>, rows=0, monitoring keys, telemetry families."""

from __future__ import annotations

import re

import orjson

from app import create_app
from tests.helpers import sample_config, wait_for_status


def _submit(client, config, query: str = "") -> str:
    response = client.post(f"/submit-job{query}", data=orjson.dumps(config))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobId"]


def _close(application) -> None:
    state = application.extensions["seatunnel"]
    if state.executor is not None:
        state.executor.stop()
    state.db.dispose()


def test_v1_paths_take_put_wherever_they_take_post(client) -> None:
    # RestApiIT: PUT /hazelcast/rest/maps/update-tags
    response = client.put("/hazelcast/rest/maps/update-tags", data=b'{"tag1": "dev_1"}')
    assert response.status_code == 200
    assert response.get_json() == {"status": "success", "message": "update node tags done."}
    assert client.get("/overview?tag1=dev_1").get_json()["workers"] == "1"
    job_id = client.put(
        "/hazelcast/rest/maps/submit-job", data=orjson.dumps(sample_config())
    ).get_json()["jobId"]
    assert wait_for_status(client, job_id, ("FINISHED",))["jobStatus"] == "FINISHED"
    response = client.put("/hazelcast/rest/maps/stop-job", data=orjson.dumps({"jobId": job_id}))
    assert response.get_json() == {"jobId": job_id}
    # v2 servlets stay POST-only, GET-only v1 paths stay GET-only
    assert client.put("/update-tags", data=b"{}").status_code == 405
    response = client.put("/hazelcast/rest/maps/overview")
    assert response.status_code == 405
    assert response.get_json() == {
        "status": "fail",
        "message": "HTTP method PUT is not supported by this URL",
    }


def test_health_liveness_and_readiness(client) -> None:
    assert client.get("/health").get_json() == {"status": "UP"}
    assert client.get("/health/live").get_json() == {"status": "UP"}
    ready = {"status": "UP", "checks": {"database": "UP", "executor": "UP"}}
    assert client.get("/health/ready").get_json() == ready
    assert client.get("/health?ready").get_json() == ready


def test_readiness_fails_without_database(settings, tmp_path) -> None:
    # a database that cannot be opened: a directory in place of the SQLite file
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "x.db").mkdir()
    application = create_app(
        settings.with_overrides(
            database_url=f"sqlite:///{tmp_path / 'db' / 'x.db'}", start_executor=False
        )
    )
    try:
        client = application.test_client()
        assert client.get("/health").status_code == 200
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "DOWN" and body["checks"]["database"].startswith("DOWN: ")
        assert client.get("/hazelcast/health/ready").status_code == 503
    finally:
        _close(application)


def test_hazelcast_health_paths(client) -> None:
    response = client.get("/hazelcast/health/ready")
    assert response.status_code == 200 and response.data == b""
    response = client.get("/hazelcast/health/node-state")
    assert response.status_code == 200 and response.data == b'"ACTIVE"'
    assert client.get("/hazelcast/health/cluster-size").get_json() == 1
    assert client.get("/hazelcast/health").get_json() == {
        "nodeState": "ACTIVE",
        "clusterState": "ACTIVE",
        "clusterSafe": True,
        "migrationQueueSize": 0,
        "clusterSize": 1,
    }
    assert client.get("/hazelcast/health/nothing").status_code == 404


def test_hazelcast_cluster_members(client) -> None:
    body = client.get("/hazelcast/rest/cluster").get_json()
    assert list(body) == ["members", "connectionCount", "allConnectionCount"]
    (member,) = body["members"]
    assert list(member) == ["address", "liteMember", "localMember", "uuid", "memberVersion"]
    assert member["address"] == "[localhost]:18080"
    assert member["liteMember"] is False and member["localMember"] is True
    assert re.fullmatch(r"[0-9a-f-]{36}", member["uuid"])
    assert isinstance(body["connectionCount"], int)


def test_probes_under_context_path_and_without_credentials(settings) -> None:
    application = create_app(
        settings.with_overrides(
            context_path="/seatunnel", enable_basic_auth=True, basic_auth_password="s3cret"
        )
    )
    try:
        client = application.test_client()
        for path in ("/health", "/seatunnel/health/ready", "/hazelcast/health/ready"):
            assert client.get(path).status_code == 200, path
        # the cluster view names addresses: credentials needed
        assert client.get("/hazelcast/rest/cluster").status_code == 401
    finally:
        _close(application)


def test_running_threads(client) -> None:
    threads = client.get("/running-threads").get_json()
    names = [t["threadName"] for t in threads]
    assert names == sorted(names)
    assert all(set(t) == {"threadName", "classLoader"} and t["classLoader"] for t in threads)
    slots = [t for t in threads if t["threadName"].startswith("job-slot-")]
    assert len(slots) == 2 and slots[0]["classLoader"] == "app.worker.executor"
    assert client.get("/hazelcast/rest/maps/running-threads").get_json()[0]["threadName"]


def test_overview_subpaths_and_pending_jobs(client) -> None:
    body = client.get("/overview").get_json()
    assert client.get("/overview/anything/else").get_json() == body
    assert client.get("/overview/x?tag=none").get_json()["workers"] == "0"
    assert list(body) == [
        "projectVersion",
        "gitCommitAbbrev",
        "totalSlot",
        "unassignedSlot",
        "runningJobs",
        "pendingJobs",
        "finishedJobs",
        "failedJobs",
        "cancelledJobs",
        "workers",
        "works",
    ]
    assert body["pendingJobs"] == "0"


def test_rows_zero_is_an_empty_page(client) -> None:
    job_id = _submit(client, sample_config())
    wait_for_status(client, job_id, ("FINISHED",))
    assert client.get("/finished-jobs?page=1&rows=0").get_json() == {"data": [], "total": 1}
    assert client.get("/running-jobs?page=1&rows=0").get_json() == {"data": [], "total": 0}
    response = client.get("/finished-jobs?page=1&rows=-1")
    assert response.status_code == 400
    assert response.get_json() == {"status": "fail", "message": "Rows must not be negative"}


def test_system_monitoring_carries_hazelcast_keys(client) -> None:
    job_id = _submit(client, sample_config())
    wait_for_status(client, job_id, ("FINISHED",))
    state = client.application.extensions["seatunnel"]
    from app.services import runs

    runs.heartbeat_worker(state.db, state.executor.worker_id, state.executor.pool_stats())
    (entry,) = client.get("/system-monitoring-information").get_json()
    keys = list(entry)
    for key in (
        "executor.q.async.size",
        "executor.q.client.size",
        "executor.q.operations.size",
        "operations.completed.count",
        "operations.running.count",
        "operations.pending.invocations.percentage",
        "operations.pending.invocations.count",
        "proxy.count",
        "clientEndpoint.count",
        "connection.active.count",
        "client.connection.count",
        "connection.count",
    ):
        assert key in entry and isinstance(entry[key], str), key
    # HealthMonitor's order: event queue, executor queues, operations, proxies, connections
    assert keys.index("event.q.size") < keys.index("executor.q.async.size")
    assert keys.index("executor.q.async.size") < keys.index("operations.completed.count")
    assert keys.index("proxy.count") < keys.index("client.connection.count")
    assert entry["operations.completed.count"] == "1"
    assert entry["operations.running.count"] == "0"
    assert entry["executor.q.operations.size"] == "0"
    assert entry["proxy.count"] == "0" and entry["clientEndpoint.count"] == "0"


def test_telemetry_families_at_v1_paths(settings) -> None:
    application = create_app(settings.with_overrides(telemetry_enabled=True))
    try:
        client = application.test_client()
        job_id = _submit(client, sample_config())
        wait_for_status(client, job_id, ("FINISHED",))
        state = application.extensions["seatunnel"]
        from app.services import runs

        runs.heartbeat_worker(state.db, state.executor.worker_id, state.executor.pool_stats())
        text = client.get("/hazelcast/rest/instance/metrics").data.decode()
        same = client.get("/metrics").data.decode()
        assert _families(text) == _families(same)
        # MasterWorkerClusterSeaTunnelWithTelemetryIT's checks, as far as we have the figures
        assert re.match(r"(?s)^.*# HELP.*# TYPE.*$", text)
        assert 'cluster_info{cluster="seatunnel",hazelcastVersion="' in text
        assert 'master="localhost:18080",} 1.0' in text
        assert 'cluster_time{cluster="seatunnel"' in text
        assert 'node_state{cluster="seatunnel",address="localhost:18080",} 1.0' in text
        node = 'cluster="seatunnel",address="localhost:18080",'
        assert f"job_thread_pool_activeCount{{{node}}} 0.0" in text
        assert f"job_thread_pool_completedTask_total{{{node}}} 1.0" in text
        assert f"job_thread_pool_corePoolSize{{{node}}} 2.0" in text
        assert f"job_thread_pool_maximumPoolSize{{{node}}} 2.0" in text
        assert f"job_thread_pool_poolSize{{{node}}} 2.0" in text
        assert f"job_thread_pool_task_total{{{node}}} 1.0" in text
        assert f"job_thread_pool_queueTaskCount{{{node}}} 0.0" in text
        assert f"job_thread_pool_rejection_total{{{node}}} 0.0" in text
        assert 'job_count{cluster="seatunnel",type="finished",} 1.0' in text
        assert "# TYPE job_thread_pool_completedTask_total counter" in text
        assert "process_start_time_seconds" in text
        open_text = client.get("/hazelcast/rest/instance/openmetrics").data.decode()
        assert open_text.rstrip().endswith("# EOF")
        assert 'node_state{address="localhost:18080",cluster="seatunnel"} 1.0' in open_text
    finally:
        _close(application)


def _families(text: str) -> list[str]:
    return re.findall(r"^# TYPE (\S+)", text, re.M)


def test_queue_figures_follow_pending_jobs(settings) -> None:
    # no executor: submitted jobs stay PENDING, which the pool's queue figure shows
    application = create_app(settings.with_overrides(telemetry_enabled=True, start_executor=False))
    try:
        client = application.test_client()
        from app.services.cluster import register_node

        state = application.extensions["seatunnel"]
        register_node(state.db, state.node_id, "localhost", 18080, {})
        from app.services import runs

        runs.register_worker(state.db, "w1", state.node_id, 3)
        for _ in range(2):
            _submit(client, sample_config())
        tagged = sample_config()
        tagged["env"]["tag_filter"] = {"zone": "elsewhere"}
        _submit(client, tagged)
        text = client.get("/metrics").data.decode()
        node = 'cluster="seatunnel",address="localhost:18080",'
        assert f"job_thread_pool_queueTaskCount{{{node}}} 2.0" in text
        assert f"job_thread_pool_corePoolSize{{{node}}} 3.0" in text
        assert 'job_count{cluster="seatunnel",type="scheduled",} 3.0' in text
        assert client.get("/overview").get_json()["pendingJobs"] == "3"
        (entry,) = client.get("/system-monitoring-information").get_json()
        assert entry["executor.q.operations.size"] == "2"
        assert entry["operations.pending.invocations.percentage"] == "66.67%"
    finally:
        _close(application)
