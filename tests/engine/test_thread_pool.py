"""Pooled runner threads: Thread's start/join/is_alive semantics, reuse, and a stuck task that
never holds up the others."""

from __future__ import annotations

import threading

import pytest

from app.engine.thread_pool import IDLE_NAME, PooledThread


def test_runs_the_target_under_its_name_and_reports_its_end() -> None:
    seen: list[str] = []
    release = threading.Event()

    def target(tag: str) -> None:
        seen.append(f"{tag} {threading.current_thread().name}")
        release.wait(5)

    thread = PooledThread(target, ("a",), name="job-7-p0-0")
    assert not thread.is_alive()  # before start, as a Thread
    with pytest.raises(RuntimeError):
        thread.join()
    thread.start()
    thread.join(0.05)
    assert thread.is_alive()
    release.set()
    thread.join(5)
    assert not thread.is_alive()
    assert seen == ["a job-7-p0-0"]
    with pytest.raises(RuntimeError):
        thread.start()


def test_an_idle_thread_is_reused_and_renamed() -> None:
    idents: list[int] = []
    for _ in range(5):
        thread = PooledThread(lambda: idents.append(threading.get_ident()), name="reused")
        thread.start()
        thread.join(5)
    assert len(set(idents)) < 5  # started one after the other: the same idle thread serves
    names = {t.name for t in threading.enumerate()}
    assert "reused" not in names or IDLE_NAME in names


def test_a_stuck_task_does_not_hold_up_the_next_one() -> None:
    stuck = threading.Event()
    blocker = PooledThread(lambda: stuck.wait(10), name="stuck")
    blocker.start()
    done: list[bool] = []
    other = PooledThread(lambda: done.append(True), name="other")
    other.start()
    other.join(5)
    assert done == [True] and blocker.is_alive()
    stuck.set()
    blocker.join(5)
    assert not blocker.is_alive()


def test_an_exception_in_a_target_ends_only_that_task() -> None:
    def boom() -> None:
        raise ValueError("plugin bug")

    failing = PooledThread(boom, name="failing")
    failing.start()
    failing.join(5)
    assert not failing.is_alive()
    ran: list[int] = []
    after = PooledThread(lambda: ran.append(1), name="after")
    after.start()
    after.join(5)
    assert ran == [1]


def test_running_threads_names_the_task_s_module() -> None:
    from app.services.threads import running_threads

    seen: list[dict] = []
    release = threading.Event()

    def target() -> None:
        seen.extend(e for e in running_threads() if e["threadName"] == "job-9-p0-0")
        release.wait(5)

    thread = PooledThread(target, name="job-9-p0-0")
    thread.start()
    thread.join(0.2)
    release.set()
    thread.join(5)
    assert seen == [{"threadName": "job-9-p0-0", "classLoader": __name__}]
