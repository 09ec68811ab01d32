"""The receiving process's threads, for SeaTunnel's /running-threads (2.3.10)."""

from __future__ import annotations

import threading


def running_threads() -> list[dict[str, str]]:
    """`[{threadName, classLoader}]` sorted by name, as RunningThreadService answers.

    Python has no class loaders; `classLoader` names the module of the code the thread runs
    (its target), or "null" as Java prints a thread without a context class loader.
    """
    entries = []
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        module = getattr(target, "__module__", None) if target is not None else None
        if module is None and type(thread) is not threading.Thread:
            module = type(thread).__module__
        entries.append({"threadName": thread.name, "classLoader": module or "null"})
    return sorted(entries, key=lambda entry: entry["threadName"])
