"""Job log files: list this node's, gather every live node's (over HTTP), read one safely."""

from __future__ import annotations

import base64
import html
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import orjson

from app.errors import BadRequest, NotFound

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
FETCH_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class LogEntry:
    """One log file on one node."""

    node: str
    link: str
    name: str

    def to_json(self) -> dict[str, str]:
        """SeaTunnel's {node, logLink, logName}."""
        return {"node": self.node, "logLink": self.link, "logName": self.name}


def local_log_names(log_dir: str) -> list[str]:
    """The log files in this node's log-dir, by name."""
    directory = Path(log_dir)
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if p.is_file() and p.name.endswith(".log"))


def log_file(log_dir: str, name: str) -> Path:
    """The path of log file `name` in log-dir; 400 for names that could leave it, 404 if absent."""
    if not _SAFE_NAME.match(name) or not name.endswith(".log"):
        raise BadRequest(f"Invalid log file name: {name!r}")
    directory = Path(log_dir).resolve()
    path = (directory / name).resolve()
    if path.parent != directory:
        raise BadRequest(f"Invalid log file name: {name!r}")
    if not path.is_file():
        raise NotFound(f"Log file {name} not found on this node.")
    return path


def _fetch_names(node: str, context_path: str, auth: tuple[str, str] | None) -> list[str]:
    request = urllib.request.Request(f"http://{node}{context_path}/get-all-log-name")
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # our own nodes
        names = orjson.loads(response.read())
    return [n for n in names if isinstance(n, str) and _SAFE_NAME.match(n)]


def cluster_logs(
    nodes: list[str],
    self_node: str,
    log_dir: str,
    context_path: str,
    auth: tuple[str, str] | None,
    job_id: str | None = None,
) -> list[LogEntry]:
    """Every live node's log files (a node that does not answer is left out), optionally one job's."""
    entries: list[LogEntry] = []
    for node in nodes:
        if node == self_node:
            names = local_log_names(log_dir)
        else:
            try:
                names = _fetch_names(node, context_path, auth)
            except (OSError, ValueError):
                continue
        for name in names:
            if job_id is None or job_id in name:
                entries.append(LogEntry(node, f"http://{node}{context_path}/logs/{name}", name))
    return entries


def html_list(entries: list[tuple[str, str]], title: str = "Seatunnel log") -> str:
    """SeaTunnel's HTML list page: (link, name) pairs."""
    items = "".join(
        f'<li><a href="{html.escape(link, quote=True)}">{html.escape(name)}</a></li>\n'
        for link, name in entries
    )
    return f"<html><head><title>{title}</title></head><body><h2>{title}</h2><ul>\n{items}</ul></body></html>"
