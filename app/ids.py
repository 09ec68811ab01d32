"""64-bit, time-ordered job ids, unique across processes and nodes (a flake id, like SeaTunnel's)."""

from __future__ import annotations

import os
import random
import threading
import time

# 2020-01-01T00:00:00Z: ids come out around 9.3e17 today, in the range SeaTunnel's ids have.
EPOCH_MS = 1577836800000
NODE_BITS = 10
SEQ_BITS = 12


class IdGenerator:
    """timestamp (41 bits) | generator bits (10) | sequence (12).

    Generator bits are random per process; the rare collision between two processes is caught by
    the jobs primary key, and the submitter retries with a fresh id.
    """

    def __init__(self, node_bits: int | None = None) -> None:
        self.node = (node_bits if node_bits is not None else random.getrandbits(NODE_BITS)) & (
            (1 << NODE_BITS) - 1
        )
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._last_ms = 0
        self._seq = 0

    def next_id(self) -> int:
        """A new id, strictly increasing within this generator."""
        with self._lock:
            if os.getpid() != self.pid:  # forked: take new bits so parent and child never collide
                self.__init__()
            now = int(time.time() * 1000) - EPOCH_MS
            if now <= self._last_ms:
                now = self._last_ms
                self._seq = (self._seq + 1) & ((1 << SEQ_BITS) - 1)
                if self._seq == 0:
                    now += 1
            else:
                self._seq = 0
            self._last_ms = now
            return (now << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | self._seq
