"""Runtime log levels (SeaTunnel 3.0 `/loggers`), per node or across the cluster.

SeaTunnel's levels are log4j's; ours are Python logging levels under the same names (TRACE = 5,
OFF = above CRITICAL). The loggers are Python's: our own (`app...`) and the SeaTunnel class names
job logs are written under (`org.apache.seatunnel...`, see app/worker/joblog.py), so raising
`org.apache.seatunnel.connectors.seatunnel.console.sink.ConsoleSinkWriter` to WARN stops the
Console rows in job logs at once.

A node is several gunicorn processes: an override is a row of `logger_levels` for the node, and
every process of the node applies the rows (`sync`, each second from the executor's housekeeping
and before every /loggers answer). The process that takes the request applies it at once. The
cluster scope asks each live node over HTTP, as SeaTunnel does (and as /logs gathers files).
"""

from __future__ import annotations

import base64
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import orjson
import sqlalchemy as sa

from app.errors import BadRequest
from app.models import LoggerLevel
from app.models.db import Database
from app.timefmt import now_ms

ROOT = "root"
LEVELS: dict[str, int] = {
    "OFF": logging.CRITICAL + 50,
    "FATAL": logging.CRITICAL,
    "ERROR": logging.ERROR,
    "WARN": logging.WARNING,
    "INFO": logging.INFO,
    "DEBUG": logging.DEBUG,
    "TRACE": 5,
    "ALL": 1,
}
VALID_NAMES = ", ".join(LEVELS)  # most severe first, as log4j's validNames()
FETCH_TIMEOUT_S = 5.0
_NAME = re.compile(r"^[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,254}$")
SCOPE_NODE, SCOPE_CLUSTER = "node", "cluster"

_lock = threading.Lock()
_file_levels: dict[str, int] = {}  # logger -> its level before this process first overrode it


def level_name(number: int) -> str:
    """The log4j name of a Python level number (the nearest defined one at or above it)."""
    for name, value in sorted(LEVELS.items(), key=lambda item: item[1]):
        if number <= value:
            return name
    return "OFF"


def parse_level(name: str | None) -> int | None:
    """A level name in any case, or None when it is none of OFF..ALL."""
    if name is None:
        return None
    return LEVELS.get(name.strip().upper())


def check_name(name: str) -> str:
    """A logger name we accept (a dotted identifier, at most 255 characters)."""
    name = name.strip()
    if name != ROOT and not _NAME.match(name):
        raise BadRequest(f"Invalid logger name: {name!r}")
    return name


def check_scope(scope: str | None) -> str:
    """`node` (default) or `cluster`, any case; anything else is SeaTunnel's 400."""
    if scope is None or scope.lower() == SCOPE_NODE:
        return SCOPE_NODE
    if scope.lower() == SCOPE_CLUSTER:
        return SCOPE_CLUSTER
    raise BadRequest(f"Unknown scope '{scope}', valid scopes are: node, cluster")


def _logger(name: str) -> logging.Logger:
    return logging.getLogger() if name == ROOT else logging.getLogger(name)


def _existing(name: str) -> logging.Logger | None:
    if name == ROOT:
        return logging.getLogger()
    found = logging.Logger.manager.loggerDict.get(name)
    return found if isinstance(found, logging.Logger) else None


def effective_level(name: str) -> int:
    """The level a logger works at, without creating it (nearest ancestor with a level)."""
    probe = name
    while probe and probe != ROOT:
        logger = _existing(probe)
        if logger is not None and logger.level != logging.NOTSET:
            return logger.level
        probe = probe.rpartition(".")[0]
    return logging.getLogger().level


def _apply(name: str, level: int) -> None:
    with _lock:
        logger = _logger(name)
        _file_levels.setdefault(name, logger.level)
        logger.setLevel(level)


def _revert(name: str) -> None:
    with _lock:
        if name in _file_levels:
            _logger(name).setLevel(_file_levels.pop(name))


def sync(db: Database, node_id: str) -> None:
    """Make this process's levels the node's stored overrides (and undo removed ones)."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(LoggerLevel.name, LoggerLevel.level).where(LoggerLevel.node_id == node_id)
        ).all()
    wanted = {name: LEVELS[level] for name, level in rows if level in LEVELS}
    with _lock:
        stale = [n for n in _file_levels if n not in wanted]
    for name in stale:
        _revert(name)
    for name, level in wanted.items():
        if _logger(name).level != level or name not in _file_levels:
            _apply(name, level)


def _logger_json(name: str, node_id: str | None = None) -> dict:
    body: dict = {"name": name, "level": level_name(effective_level(name))}
    with _lock:
        file_level = _file_levels.get(name)
    body["origin"] = "runtime-override" if file_level is not None else "file"
    if file_level is not None and file_level != logging.NOTSET:
        body["fileLevel"] = level_name(file_level)
    if node_id is not None:
        body["node"] = node_id
    return body


def node_loggers(db: Database, node_id: str) -> dict:
    """`{node, loggers[...]}`: the root, every logger with a level of its own, and overrides."""
    sync(db, node_id)
    names = {ROOT}
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
            names.add(name)
    with _lock:
        names.update(_file_levels)
    ordered = [ROOT, *sorted(n for n in names if n != ROOT)]
    return {"node": node_id, "loggers": [_logger_json(n) for n in ordered]}


def node_logger(db: Database, node_id: str, name: str) -> dict:
    """`{name, level, origin, fileLevel?, node}` of one logger of this node."""
    sync(db, node_id)
    return _logger_json(check_name(name), node_id)


def set_level(db: Database, node_id: str, name: str, level: str) -> dict:
    """Override one logger's level on this node (every process of it)."""
    name = check_name(name)
    number = parse_level(level)
    if number is None:
        raise BadRequest(f"Unknown logger level '{level}', valid levels are: {VALID_NAMES}")
    sync(db, node_id)
    previous = level_name(effective_level(name))
    canonical = level_name(number)
    with db.write() as session:
        row = session.get(LoggerLevel, (node_id, name))
        if row is None:
            session.add(
                LoggerLevel(node_id=node_id, name=name, level=canonical, updated_ms=now_ms())
            )
        else:
            row.level, row.updated_ms = canonical, now_ms()
    _apply(name, number)
    logging.getLogger(__name__).info(
        "Logger level changed: logger=%s, %s -> %s, scope=node", name, previous, canonical
    )
    return {**_logger_json(name, node_id), "previousLevel": previous, "status": "SUCCESS"}


def reset_level(db: Database, node_id: str, name: str) -> dict:
    """Drop one logger's override on this node: back to its configured level."""
    name = check_name(name)
    sync(db, node_id)
    with db.write() as session:
        row = session.get(LoggerLevel, (node_id, name))
        stored = row.level if row is not None else None
        if row is not None:
            session.delete(row)
    if stored is None:
        return {**_logger_json(name, node_id), "previousLevel": None, "status": "NO_OVERRIDE"}
    _revert(name)
    return {**_logger_json(name, node_id), "previousLevel": stored, "status": "SUCCESS"}


def fan_out(
    nodes: list[str],
    self_node: str,
    local,  # Callable[[], dict]: this node's answer, computed in-process
    method: str,
    path: str,
    auth: tuple[str, str] | None,
    name: str | None = None,
    level: str | None = None,
) -> dict:
    """SeaTunnel's cluster answer: every live node's own answer, and an overall status."""
    answers = []
    reached = failed = 0
    for node in nodes:
        try:
            if node == self_node:
                answers.append(local())
            else:
                answers.append(_request(node, method, path, auth, level))
            reached += 1
        except (OSError, ValueError, BadRequest) as exc:
            failed += 1
            answers.append({"node": node, "status": "FAILURE", "error": _error(exc)})
    status = "SUCCESS" if failed == 0 else ("FAILURE" if reached == 0 else "PARTIAL_FAILURE")
    body: dict = {"scope": SCOPE_CLUSTER, "status": status}
    if name is not None:
        body["name"] = name
    if level is not None:
        body["level"] = level_name(LEVELS[level.strip().upper()])
    body["nodes"] = answers
    return body


def _error(exc: BaseException) -> str:
    if isinstance(exc, BadRequest):
        return f"BadRequest: {exc.message}"
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    return f"{type(exc).__name__}: {exc}"


def _request(node: str, method: str, path: str, auth: tuple[str, str] | None, level: str | None):
    url = f"http://{node}{path}"
    if level is not None:
        url += "?" + urllib.parse.urlencode({"level": level})
    request = urllib.request.Request(url, method=method)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # our own nodes
        body = orjson.loads(response.read())
    if not isinstance(body, dict):
        raise ValueError("not a JSON object")
    return body
