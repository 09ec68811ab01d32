"""End to end: two nodes sharing one database form one cluster; dynamic ports; context path."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import free_port, start_server, write_config
from tests.helpers import sample_config, truncate_all

pytestmark = pytest.mark.e2e


def _node(directory: Path, database_url: str, port: int, **overrides):
    directory.mkdir()
    return start_server(
        write_config(directory, database_url, port, **overrides),
        base_path=overrides.get("http", {}).get("context-path", ""),
    )


def _streaming() -> dict:
    config = sample_config()
    config["env"] = {"job.mode": "STREAMING"}
    config["source"][0].update({"split.read-interval": 100})
    return config


def test_two_nodes_are_one_cluster(database_url: str, tmp_path: Path) -> None:
    truncate_all(database_url)
    first = _node(tmp_path / "a", database_url, free_port())
    second = _node(tmp_path / "b", database_url, free_port())
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            overview = requests.get(f"{first.url}/overview", timeout=5).json()
            # every worker process of both nodes has registered its slots
            if overview["workers"] == "2" and overview["totalSlot"] == "16":
                break
            time.sleep(0.2)
        assert overview["workers"] == overview["works"] == "2"
        assert overview["totalSlot"] == "16"  # 2 nodes x 2 processes x 4 slots
        monitoring = requests.get(f"{second.url}/system-monitoring-information", timeout=5).json()
        assert sorted(e["isMaster"] for e in monitoring) == ["false", "true"]

        job_id = requests.post(f"{first.url}/submit-job", json=_streaming(), timeout=10).json()[
            "jobId"
        ]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            info = requests.get(f"{second.url}/job-info/{job_id}", timeout=5).json()
            if info.get("jobStatus") == "RUNNING":
                break
            time.sleep(0.1)
        assert info["jobStatus"] == "RUNNING"
        stop = requests.post(f"{second.url}/stop-job", json={"jobId": job_id}, timeout=10)
        assert stop.status_code == 200
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            info = requests.get(f"{first.url}/job-info/{job_id}", timeout=5).json()
            if info["jobStatus"] == "CANCELED":
                break
            time.sleep(0.1)
        assert info["jobStatus"] == "CANCELED"
        # logs of every node, gathered by either node: the job ran on one of them, both list it
        # and both serve its content
        for node in (first, second):
            entries = requests.get(f"{node.url}/logs?format=json", timeout=10).json()
            assert f"job-{job_id}.log" in {e["logName"] for e in entries}
            links = re.findall(
                r'href="([^"]+)"', requests.get(f"{node.url}/logs/{job_id}", timeout=10).text
            )
            assert [link.rsplit("/", 1)[1] for link in links] == [f"job-{job_id}.log"]
            text = requests.get(links[0], timeout=10).text  # served by the node that ran it
            assert f"Init JobMaster for Job SeaTunnel_Job ({job_id})" in text
    finally:
        first.stop()
        second.stop()


def test_dynamic_ports_and_context_path(database_url: str, tmp_path: Path) -> None:
    truncate_all(database_url)
    port = free_port()
    dynamic = {
        "port": port,
        "host": "127.0.0.1",
        "enable-dynamic-port": True,
        "port-range": 20,
        "context-path": "/seatunnel",
    }
    first = _node(tmp_path / "a", database_url, port, http=dynamic)
    second = _node(tmp_path / "b", database_url, port, http=dynamic)
    try:
        assert first.url != second.url
        assert first.url.endswith(f":{port}/seatunnel")
        for server in (first, second):
            assert requests.get(f"{server.url}/overview", timeout=5).status_code == 200
            assert (
                requests.get(
                    server.url.rsplit("/seatunnel", 1)[0] + "/overview", timeout=5
                ).status_code
                == 404
            )
            v1 = requests.get(f"{server.url}/hazelcast/rest/maps/overview", timeout=5)
            assert v1.status_code == 200 and "workers" in v1.json()
    finally:
        first.stop()
        second.stop()


def test_request_metrics_add_up_across_worker_processes(database_url: str, tmp_path: Path) -> None:
    truncate_all(database_url)
    server = _node(
        tmp_path / "a", database_url, free_port(), telemetry={"metric": {"enabled": True}}
    )
    try:
        # one label order whatever the number of workers: the declaration order, as Java's client
        pattern = 'seatunnel_http_requests_total{method="GET",endpoint="/overview",status="200",}'

        def scraped() -> float:
            text = requests.get(f"{server.url}/metrics", timeout=5).text
            line = next((ln for ln in text.splitlines() if ln.startswith(pattern)), None)
            return float(line.split()[-1]) if line else 0.0

        seen = []
        with requests.Session() as http:  # keep-alive and fresh connections reach both workers
            for i in range(40):
                (http if i % 2 else requests).get(f"{server.url}/overview", timeout=5)
                if i % 10 == 9:
                    seen.append(scraped())
        # the other worker's counts reach a scrape within its flush interval (0.5 s)
        deadline = time.monotonic() + 10
        while seen[-1] < 40 and time.monotonic() < deadline:
            time.sleep(0.1)
            seen.append(scraped())
        assert seen == sorted(seen)  # never jumps back, whichever worker answers the scrape
        assert seen[-1] >= 40  # the requests the readiness probe made count too
        text = requests.get(f"{server.url}/openmetrics", timeout=5).text
        assert 'job_count{cluster="seatunnel",type="running"}' in text
    finally:
        server.stop()
