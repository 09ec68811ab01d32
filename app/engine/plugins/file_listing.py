"""The files a file source reads: recursive listing with SeaTunnel's skip rules and filters, and
the `k=v` partition values in a file's path (reference-connectors §2.1).

Listing happens once, when the job is planned, as in SeaTunnel; each file becomes one split.
"""

from __future__ import annotations

import os
from collections.abc import Callable


class ListingError(ValueError):
    """The path cannot be listed (missing, unreadable, too many files, a file outside the roots)."""


def list_files(
    root: str,
    name_pattern: str | None = None,
    extension: str | None = None,
    max_files: int = 100_000,
    allowed: Callable[[str], bool] | None = None,
) -> list[str]:
    """Every readable file at or under `root`, sorted by path.

    Skipped as SeaTunnel does: empty files, `_SUCCESS`, names starting with `.` (and directories
    starting with `.`). `name_pattern` must match the whole file name (the last path segment);
    `extension` must end the path. `allowed(real_path)` rejects files that resolve (through a
    symlink) outside the allowed roots. Symlinked directories are not followed.
    """
    if os.path.isfile(root):
        candidates = [root]
    elif os.path.isdir(root):
        candidates = []
        for directory, subdirs, names in os.walk(root, onerror=_raise):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in names:
                candidates.append(os.path.join(directory, name))
                if len(candidates) > max_files * 4:
                    raise ListingError(f"holds more than {max_files} files")
    else:
        raise ListingError("does not exist")
    if name_pattern:
        keep = full_matches(name_pattern, [os.path.basename(p) for p in candidates])
        candidates = [p for p, ok in zip(candidates, keep, strict=True) if ok]
    files = []
    for path in candidates:
        name = os.path.basename(path)
        if name.startswith(".") or name == "_SUCCESS":
            continue
        if extension and not path.endswith(extension):
            continue
        real = os.path.realpath(path)
        if allowed is not None and not allowed(real):
            raise ListingError(f"holds {path}, which resolves outside the allowed paths")
        if not os.path.isfile(real) or os.path.getsize(real) == 0:
            continue
        files.append(path)
        if len(files) > max_files:
            raise ListingError(f"holds more than {max_files} files")
    return sorted(files)


def full_matches(pattern: str, names: list[str]) -> list[bool]:
    """Whether each name fully matches `pattern`, with RE2 (pyarrow): linear time whatever the
    user's regex, all names at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        found = pc.match_substring_regex(pa.array(names, pa.string()), f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ListingError(f"cannot be filtered: {' '.join(str(exc).split())[:200]}") from None
    return found.to_pylist()


def _raise(error: OSError) -> None:
    raise ListingError(f"cannot be listed: {error.strerror}")


def partition_values(path: str) -> list[tuple[str, str]]:
    """(key, value) for every `key=value` segment of `path`, in order (a later key wins)."""
    found: dict[str, str] = {}
    for segment in path.split("/"):
        if "=" in segment:
            parts = segment.split("=")  # Java split: "a=b=c" gives key a, value b
            found[parts[0]] = parts[1]
    return list(found.items())
