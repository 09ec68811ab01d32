"""Job statuses, as SeaTunnel names them."""

from __future__ import annotations

from enum import Enum


class JobStatus(str, Enum):
    """SeaTunnel's JobStatus names (reference §4)."""

    CREATED = "CREATED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DOING_SAVEPOINT = "DOING_SAVEPOINT"
    CANCELING = "CANCELING"
    FAILING = "FAILING"
    FINISHED = "FINISHED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"
    SAVEPOINT_DONE = "SAVEPOINT_DONE"
    UNKNOWABLE = "UNKNOWABLE"


FINAL_STATUSES: tuple[str, ...] = ("FINISHED", "CANCELED", "FAILED", "SAVEPOINT_DONE", "UNKNOWABLE")
RUNNING_STATUSES: tuple[str, ...] = (
    "CREATED",
    "PENDING",
    "RUNNING",
    "DOING_SAVEPOINT",
    "CANCELING",
    "FAILING",
)
