"""Reused threads for the runner's job and subtask threads.

Every job runs on a job thread and one thread per subtask. Starting an OS thread costs about
0.1 ms of CPU and a hand-over (`Thread.start` waits until the new thread runs), which under
load is a large part of a small job. A `PooledThread` has the part of `threading.Thread`'s
interface the runner uses (start, join, is_alive, name) and runs on a thread that went idle
after an earlier task. A thread a force cancel abandons comes back only if the plugin call it
is stuck in ever returns; meanwhile the pool starts others. Idle threads end after IDLE_SECONDS.
`/running-threads` names the module of the task's code, as for a plain thread.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

IDLE_SECONDS = 60.0
IDLE_NAME = "runner-idle"


class PooledThread:
    """`target(*args)` on a pooled daemon thread, named `name` while it runs."""

    __slots__ = ("target", "args", "name", "_done", "_started")

    def __init__(self, target: Callable[..., Any], args: tuple = (), name: str = "runner") -> None:
        self.target = target
        self.args = args
        self.name = name
        self._done = threading.Event()
        self._started = False

    def start(self) -> None:
        """Hand the task to an idle pooled thread (or a new one)."""
        if self._started:
            raise RuntimeError("threads can only be started once")
        _POOL.run(self)  # may raise (no thread could be started): then it never ran
        self._started = True

    def is_alive(self) -> bool:
        """Started and not yet returned (False before start, as for a Thread)."""
        return self._started and not self._done.is_set()

    def join(self, timeout: float | None = None) -> None:
        """Wait until the task returned, at most `timeout` seconds."""
        if not self._started:
            raise RuntimeError("cannot join thread before it is started")
        self._done.wait(timeout)

    def _run(self) -> None:
        current = threading.current_thread()
        current.name = self.name
        idle_target = getattr(current, "_target", None)
        current._target = self.target  # what /running-threads reports the thread runs
        try:
            self.target(*self.args)
        except BaseException:  # the runner's targets hand their errors on; never lose a thread
            log.exception("runner thread %s failed", self.name)
        finally:
            current.name = IDLE_NAME
            current._target = idle_target
            self._done.set()


class _Worker:
    """One pooled thread: waits on its own signal for the next task."""

    __slots__ = ("signal", "task")

    def __init__(self) -> None:
        self.signal = threading.Lock()
        self.signal.acquire()  # released once per task handed over
        self.task: PooledThread | None = None


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []

    def run(self, task: PooledThread) -> None:
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker()
            worker.task = task
            threading.Thread(target=self._loop, args=(worker,), name=task.name, daemon=True).start()
            return
        worker.task = task
        worker.signal.release()

    def _loop(self, worker: _Worker) -> None:
        while True:
            task, worker.task = worker.task, None
            if task is not None:
                task._run()
                task = None  # an idle thread must not keep the last job alive
            with self._lock:
                self._idle.append(worker)
            if worker.signal.acquire(timeout=IDLE_SECONDS):
                continue
            with self._lock:
                if worker in self._idle:  # nobody took it meanwhile: end this thread
                    self._idle.remove(worker)
                    return
            worker.signal.acquire()  # taken just now: its task is on the way

    def reset(self) -> None:
        """In a forked child: the parent's idle threads do not exist here."""
        self._lock = threading.Lock()
        self._idle = []


_POOL = _Pool()
os.register_at_fork(after_in_child=_POOL.reset)
