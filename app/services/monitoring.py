"""Measure this node (its gunicorn master and workers) for /system-monitoring-information."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import traceback

import psutil

from app.config import MASTER_PID_ENV

_PEAK_THREADS = 0
_GC_TIME_MS = [0.0, 0.0, 0.0]  # per generation
_gc_started: float | None = None


def _gc_timer(phase: str, info: dict) -> None:
    global _gc_started
    if phase == "start":
        _gc_started = time.perf_counter()
    elif _gc_started is not None:
        _GC_TIME_MS[min(info.get("generation", 0), 2)] += (time.perf_counter() - _gc_started) * 1000
        _gc_started = None


def install_gc_timer() -> None:
    """Time garbage collections in this process (minor = generations 0-1, major = 2)."""
    if _gc_timer not in gc.callbacks:
        gc.callbacks.append(_gc_timer)


def human_bytes(value: float) -> str:
    """SeaTunnel's memory units: "16.0G", "135.7M", "0"."""
    if value <= 0:
        return "0"
    for unit, size in (("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return str(int(value))


_PROCESSES: dict[int, psutil.Process] = {}  # kept so cpu_percent() measures since the last call


def _process(pid: int) -> psutil.Process:
    proc = _PROCESSES.get(pid)
    if proc is None or not proc.is_running():
        proc = _PROCESSES[pid] = psutil.Process(pid)
    return proc


def node_processes() -> list[psutil.Process]:
    """The node's processes: the `serve` master and its workers, or just this process."""
    root_pid = int(os.environ.get(MASTER_PID_ENV) or os.getpid())
    try:
        root = _process(root_pid)
        return [root, *(_process(child.pid) for child in root.children(recursive=True))]
    except psutil.Error:
        return [_process(os.getpid())]


def measure() -> dict[str, str]:
    """The health figures SeaTunnel reports, measured for real on this node."""
    global _PEAK_THREADS
    processes = node_processes()
    rss = vms = threads = 0
    cpu = 0.0
    connections = 0
    for proc in processes:
        try:
            with proc.oneshot():
                info = proc.memory_info()
                rss += info.rss
                vms += info.vms
                threads += proc.num_threads()
                cpu += proc.cpu_percent(interval=None)
                connections += len(proc.net_connections(kind="tcp"))
        except psutil.Error:
            continue
    _PEAK_THREADS = max(_PEAK_THREADS, threads)
    memory = psutil.virtual_memory()
    swap = psutil.swap_memory()
    stats = gc.get_stats()
    minor = sum(s["collections"] for s in stats[:2])
    major = stats[2]["collections"] if len(stats) > 2 else 0
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    cpus = psutil.cpu_count() or 1
    heap_max = memory.total
    return {
        "processors": str(cpus),
        "physical.memory.total": human_bytes(memory.total),
        "physical.memory.free": human_bytes(memory.available),
        "swap.space.total": human_bytes(swap.total),
        "swap.space.free": human_bytes(swap.free),
        "heap.memory.used": human_bytes(rss),
        "heap.memory.free": human_bytes(max(vms - rss, 0)),
        "heap.memory.total": human_bytes(vms),
        "heap.memory.max": human_bytes(heap_max),
        "heap.memory.used/total": f"{100 * rss / vms:.2f}%" if vms else "0.00%",
        "heap.memory.used/max": f"{100 * rss / heap_max:.2f}%" if heap_max else "0.00%",
        "minor.gc.count": str(minor),
        "minor.gc.time": f"{_GC_TIME_MS[0] + _GC_TIME_MS[1]:.0f}ms",
        "major.gc.count": str(major),
        "major.gc.time": f"{_GC_TIME_MS[2]:.0f}ms",
        "load.process": f"{cpu / cpus:.2f}%",
        "load.system": f"{psutil.cpu_percent(interval=None):.2f}%",
        "load.systemAverage": f"{load1:.2f}",
        "thread.count": str(threads),
        "thread.peakCount": str(_PEAK_THREADS),
        "cluster.timeDiff": "0",
        "event.q.size": "0",
        "process.count": str(len(processes)),
        "connection.active.count": str(connections),
        "connection.count": str(connections),
        "measured.at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def thread_dump() -> list[dict]:
    """This process's threads with their stacks (SeaTunnel's /thread-dump shape)."""
    frames = sys._current_frames()  # the documented way to read other threads' stacks
    dump = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
        dump.append(
            {
                "threadName": thread.name,
                "threadId": thread.ident,
                "threadState": "RUNNABLE" if thread.is_alive() else "TERMINATED",
                "stackTrace": stack,
            }
        )
    return dump
