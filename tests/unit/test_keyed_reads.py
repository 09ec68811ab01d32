"""Keyed reads: concurrent lookups share one fetch, each gets its own row, and no lookup is
answered by a fetch that began before it arrived."""

from __future__ import annotations

import threading
import time

import pytest

from app.models.keyed_reads import KeyedReads

ROWS = {key: (key, f"row {key}") for key in range(0, 100, 2)}  # odd keys have no row


def test_concurrent_lookups_share_fetches_and_get_their_own_rows() -> None:
    fetches: list[list[int]] = []

    def fetch_many(keys: list[int]) -> list[tuple]:
        fetches.append(keys)
        time.sleep(0.002)  # a round trip: others queue meanwhile
        return [ROWS[key] for key in keys if key in ROWS]

    reads = KeyedReads(fetch_many)
    start = threading.Barrier(16)
    wrong: list[tuple] = []

    def poll(first: int) -> None:
        start.wait()
        for key in range(first, 100, 16):
            row = reads.get(key)
            if row != ROWS.get(key):
                wrong.append((key, row))

    threads = [threading.Thread(target=poll, args=(first,)) for first in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert len(fetches) < 100  # 100 lookups, fewer round trips
    assert all(len(keys) == len(set(keys)) for keys in fetches)


def test_a_lookup_is_never_answered_by_a_fetch_begun_before_it() -> None:
    version = [0]
    fetched: list[int] = []
    in_flight = threading.Event()
    release = threading.Event()

    def fetch_many(keys: list[int]) -> list[tuple]:
        seen = version[0]
        fetched.append(seen)
        in_flight.set()
        release.wait(5)
        return [(key, seen) for key in keys]

    reads = KeyedReads(fetch_many)
    first: list = []
    leader = threading.Thread(target=lambda: first.append(reads.get(1)))
    leader.start()
    in_flight.wait(5)
    version[0] = 1  # a change commits while the first fetch is in flight
    second: list = []
    follower = threading.Thread(target=lambda: second.append(reads.get(1)))
    follower.start()
    deadline = time.monotonic() + 5
    while not reads._batches._queued and time.monotonic() < deadline:
        time.sleep(0.001)  # until the follower waits behind the fetch in flight
    assert reads._batches._queued
    release.set()
    leader.join(5)
    follower.join(5)
    assert first == [(1, 0)]
    assert second == [(1, 1)]  # queued behind the first fetch, answered by a second one
    assert fetched == [0, 1]


def test_a_failed_fetch_fails_its_lookups_and_the_next_one_runs() -> None:
    calls = [0]

    def fetch_many(keys: list[int]) -> list[tuple]:
        calls[0] += 1
        if calls[0] == 1:
            raise ConnectionError("server gone")
        return [(key, "ok") for key in keys]

    reads = KeyedReads(fetch_many)
    with pytest.raises(ConnectionError):
        reads.get(4)
    assert reads.get(4) == (4, "ok")


def test_an_error_that_is_not_an_exception_still_fails_the_lookups_it_holds() -> None:
    class Stop(BaseException):
        pass

    def fetch_many(keys: list[int]) -> list[tuple]:
        raise Stop

    reads = KeyedReads(fetch_many)
    with pytest.raises(Stop):
        reads.get(1)  # never a silent "no such job"
