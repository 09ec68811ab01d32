"""Request counters: exact under many threads, summed across worker files, never going back."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest
from prometheus_client import CollectorRegistry

from app.services import request_metrics
from app.services.request_metrics import RequestCollector, RequestMetrics


def test_counts_from_many_threads_are_exact() -> None:
    metrics = RequestMetrics()
    start = threading.Barrier(8)

    def hammer() -> None:
        start.wait()
        for n in range(5000):
            metrics.observe("GET", "/job-info/<id>", 200, 0.003 if n % 2 else 0.2)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals = metrics.totals()
    assert totals["requests"] == {"GET\x1f/job-info/<id>\x1f200": 40_000}
    latency = totals["latency"]["GET\x1f/job-info/<id>"]
    assert sum(latency[:-1]) == 40_000
    assert latency[request_metrics.BUCKETS.index(0.005)] == 20_000  # 3 ms: the 5 ms bucket
    assert latency[-1] == pytest.approx(20_000 * 0.003 + 20_000 * 0.2)


def test_invented_methods_and_statuses_share_one_series() -> None:
    metrics = RequestMetrics()
    metrics.observe("BREW", "unmatched", 999, 0.001)
    metrics.observe("FOO", "unmatched", 1000, 0.001)
    assert metrics.totals()["requests"] == {"other\x1funmatched\x1fother": 2}


def test_a_scrape_sums_every_worker_file_and_never_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(request_metrics.DIRECTORY_ENV, str(tmp_path))
    monkeypatch.setattr(request_metrics, "REQUEST_METRICS", RequestMetrics())
    other = tmp_path / "requests-999999.json"  # another worker, or one that has exited

    def write_other(count: int) -> None:
        totals = {"requests": {"GET\x1f/overview\x1f200": count}, "latency": {}}
        other.write_bytes(orjson.dumps(totals))

    def scrape() -> float:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(RequestCollector())
        labels = {"method": "GET", "endpoint": "/overview", "status": "200"}
        return registry.get_sample_value("seatunnel_http_requests_total", labels) or 0.0

    write_other(5)
    for _ in range(3):
        request_metrics.REQUEST_METRICS.observe("GET", "/overview", 200, 0.001)
    seen = [scrape()]  # this process's file is written by the scrape itself
    write_other(9)
    request_metrics.REQUEST_METRICS.observe("GET", "/overview", 200, 0.001)
    seen.append(scrape())
    assert seen == [8.0, 13.0]
