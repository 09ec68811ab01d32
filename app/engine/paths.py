"""File-touching options must resolve under `security.allowed-paths` (DESIGN §4 and §6).

Every plugin option naming a file or directory goes through resolve_allowed at submit time: the
path is made absolute against the first allowed root (never the working directory), symlinks and
`..` are resolved, and the result must lie under one of the roots. Plugins then use the returned
real path, so what runs is what was checked.
"""

from __future__ import annotations

import os
import re

from app.engine.errors import ConfigError
from app.engine.limits import Limits
from app.engine.options import show

_NAME_BAD = re.compile(r"[/\\\x00]")


def allowed_roots(limits: Limits) -> list[str]:
    """The real absolute paths of the allowed roots, in configured order."""
    return [os.path.realpath(root) for root in limits.allowed_paths if os.path.isabs(root)]


def resolve_allowed(option: str, value: str, limits: Limits, where: str = "") -> str:
    """The real absolute path of `value` if it lies under an allowed root, else ConfigError.

    `where` prefixes the message (e.g. "Plugin 'LocalFile' (sink[0]): "); the message names
    `option` and the allowed roots.
    """
    roots = allowed_roots(limits)
    listed = ", ".join(roots) or "none configured"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}option '{option}' must be a non-empty path")
    if "\x00" in value:
        raise ConfigError(f"{where}option '{option}' must not contain a NUL character")
    if not roots:
        raise ConfigError(
            f"{where}option '{option}' names a path, but security.allowed-paths is empty"
        )
    path = value.strip()
    real = os.path.realpath(path if os.path.isabs(path) else os.path.join(roots[0], path))
    for root in roots:
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return real
    raise ConfigError(
        f"{where}option '{option}' must resolve under an allowed path "
        f"(security.allowed-paths: {listed}), got {show(path)}"
    )


def check_file_name(option: str, value: str, where: str = "") -> None:
    """A file name (or name expression) that stays in its directory: no separator, no `..`."""
    if not value or _NAME_BAD.search(value) or ".." in value:
        raise ConfigError(
            f"{where}option '{option}' must be a file name without path separators or '..'"
        )
