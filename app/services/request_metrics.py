"""Request counters of a node: counted in memory on the request path, shared through files.

prometheus_client's multiprocess mode writes every observation into a memory-mapped file under
a lock (a counter and 15 histogram values per request). Here a request only adds to plain
integers of its own thread (no lock, no file); a background thread of each process writes the
process's totals to `<dir>/requests-<pid>.json` twice a second (write, then rename: a reader
never sees half a file). A scrape first writes its own process's file, then adds up every file:
the other workers' figures are at most one flush old, and since each file only grows, no scrape
ever shows less than an earlier one, whichever worker answers it. Counters never go back: the
file of a worker that exited stays in the sum (`serve` clears the directory at start).
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

DIRECTORY_ENV = "SEATUNNEL_REQUEST_METRICS_DIR"
FLUSH_SECONDS = 0.5
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

# Label values come from a fixed set, whatever the client sends: an invented method or status
# must not create a new series (each one costs memory and a line of every scrape, forever).
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})


def method_label(method: str) -> str:
    """The method, or "other" for anything outside the standard set."""
    return method if method in KNOWN_METHODS else "other"


def status_label(status: int) -> str:
    """The status code, or "other" for codes outside the standard range."""
    return str(status) if 100 <= status <= 599 else "other"


class _ThreadTable:
    """One thread's counts: only its own thread writes them."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, str], int] = {}
        # (method, endpoint) -> [count per bucket ..., count above the last, sum of seconds]
        self.latency: dict[tuple[str, str], list] = {}


class RequestMetrics:
    """The request counters of this process."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._tables: list[_ThreadTable] = []
        self._tables_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._pid = 0
        self._flush_lock = threading.Lock()  # the flusher, a scrape and the exit hook
        self._file_name = ""

    def observe(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency; `endpoint` is a route rule (bounded)."""
        table = getattr(self._local, "table", None)
        if table is None:
            table = self._new_table()
        method = method_label(method)
        key = (method, endpoint, status_label(status))
        table.requests[key] = table.requests.get(key, 0) + 1
        latency = table.latency.get((method, endpoint))
        if latency is None:
            latency = table.latency[(method, endpoint)] = [0] * (len(BUCKETS) + 1) + [0.0]
        latency[bisect.bisect_left(BUCKETS, seconds)] += 1
        latency[-1] += seconds

    def _new_table(self) -> _ThreadTable:
        table = _ThreadTable()
        self._local.table = table
        with self._tables_lock:
            self._tables.append(table)
            if self._pid != os.getpid():  # first request of this process (after the fork)
                self._pid = os.getpid()
                self._start_flusher()
        return table

    def totals(self) -> dict:
        """This process's totals, as written to its file."""
        requests: dict[str, int] = {}
        latency: dict[str, list] = {}
        with self._tables_lock:
            tables = list(self._tables)
        for table in tables:
            for key, count in list(table.requests.items()):  # a copy: its thread goes on
                name = "\x1f".join(key)
                requests[name] = requests.get(name, 0) + count
            for key, values in list(table.latency.items()):
                name = "\x1f".join(key)
                into = latency.setdefault(name, [0] * (len(BUCKETS) + 1) + [0.0])
                for index, value in enumerate(list(values)):
                    into[index] += value
        return {"requests": requests, "latency": latency}

    def _start_flusher(self) -> None:
        directory = os.environ.get(DIRECTORY_ENV)
        if not directory:
            return  # the node's only process: scrapes read its memory
        self._flusher = threading.Thread(
            target=self._flush_loop, args=(Path(directory),), name="request-metrics", daemon=True
        )
        self._flusher.start()

    def _flush_loop(self, directory: Path) -> None:
        written = None
        while True:
            threading.Event().wait(FLUSH_SECONDS)
            try:
                written = self.flush(directory, written)
            except OSError:  # a full disk must not stop the counting; the next flush retries
                continue

    def flush(self, directory: Path, previous: bytes | None = None) -> bytes:
        """Write this process's totals to its file if they changed since `previous` (one writer
        at a time, so a file never goes back to older totals or is renamed half-written)."""
        with self._flush_lock:
            data = orjson.dumps(self.totals())
            if data != previous:
                path = directory / self._own_file_name()
                temporary = path.with_suffix(".tmp")
                temporary.write_bytes(data)
                os.replace(temporary, path)
            return data

    def _own_file_name(self) -> str:
        """requests-<pid>-<start>.json: a later process that reuses the pid gets its own file
        (starting from zero in the old one's would make the node's totals go back)."""
        if not self._file_name or not self._file_name.startswith(f"requests-{os.getpid()}-"):
            self._file_name = f"requests-{os.getpid()}-{time.time_ns()}.json"
        return self._file_name


REQUEST_METRICS = RequestMetrics()


class RequestCollector(Collector):
    """seatunnel_http_requests_total and seatunnel_http_request_duration_seconds of the node."""

    def collect(self) -> Iterator:
        requests: dict[str, int] = {}
        latency: dict[str, list] = {}
        for totals in _node_totals():
            for name, count in totals.get("requests", {}).items():
                requests[name] = requests.get(name, 0) + count
            for name, values in totals.get("latency", {}).items():
                into = latency.setdefault(name, [0] * (len(BUCKETS) + 1) + [0.0])
                for index, value in enumerate(values):
                    into[index] += value
        counter = CounterMetricFamily(
            "seatunnel_http_requests",
            "HTTP requests answered by this node",
            labels=["method", "endpoint", "status"],  # declaration order, as Java's client
        )
        for name in sorted(requests):
            counter.add_metric(name.split("\x1f"), float(requests[name]))
        yield counter
        histogram = HistogramMetricFamily(
            "seatunnel_http_request_duration_seconds",
            "HTTP request latency on this node",
            labels=["method", "endpoint"],
        )
        for name in sorted(latency):
            values = latency[name]
            cumulative, buckets = 0, []
            for bound, count in zip(BUCKETS, values, strict=False):
                cumulative += count
                buckets.append((_bound_text(bound), float(cumulative)))
            buckets.append(("+Inf", float(cumulative + values[len(BUCKETS)])))
            histogram.add_metric(name.split("\x1f"), buckets, sum_value=float(values[-1]))
        yield histogram


def _bound_text(bound: float) -> str:
    """A bucket bound as Prometheus clients print it (1 -> "1.0")."""
    return repr(float(bound))


def _node_totals() -> Iterator[dict]:
    """Every process's totals from their files (this one's written first), or this process's
    own when it is the node's only one."""
    directory = os.environ.get(DIRECTORY_ENV)
    if not directory:
        yield REQUEST_METRICS.totals()
        return
    REQUEST_METRICS.flush(Path(directory))
    for path in sorted(Path(directory).glob("requests-*.json")):
        yield orjson.loads(path.read_bytes())  # whole: files are replaced by rename
