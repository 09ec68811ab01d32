"""Members of zip and tar archives as readable streams: SeaTunnel's `archive_compress_codec`
(zip, tar, tar_gz) reads every member whose name ends with the file format's suffix."""

from __future__ import annotations

import io
import tarfile
import zipfile
from dataclasses import dataclass
from typing import Any, BinaryIO

SUFFIXES = {"text": ".txt", "csv": ".csv", "json": ".json", "parquet": ".parquet", "orc": ".orc"}
MAX_MEMBERS = 100_000


class ArchiveError(ValueError):
    """An archive that cannot be read."""


@dataclass(frozen=True)
class Member:
    """One member of an archive; open() streams its (decompressed) content."""

    archive: str
    name: str
    kind: str  # zip, tar, tar_gz

    def open(self) -> BinaryIO:
        """A fresh binary stream of the member (closing it closes the archive too)."""
        try:
            if self.kind == "zip":
                owner: Any = zipfile.ZipFile(self.archive)  # closed by _Owned
                inner = owner.open(self.name)
            else:
                mode = "r:gz" if self.kind == "tar_gz" else "r:"
                owner = tarfile.open(self.archive, mode)  # noqa: SIM115 - closed by _Owned
                inner = owner.extractfile(self.name)
                if inner is None:
                    raise ArchiveError(f"{self.name} is not a file")
        except (OSError, zipfile.BadZipFile, tarfile.TarError, KeyError) as exc:
            raise ArchiveError(f"cannot read {self.name} in {self.archive}: {exc}") from None
        return io.BufferedReader(_Owned(inner, owner), 1 << 20)

    def __str__(self) -> str:
        return f"{self.archive}!{self.name}"


class _Owned(io.RawIOBase):
    """A member stream that closes its archive with itself."""

    def __init__(self, inner: Any, owner: Any) -> None:
        super().__init__()
        self._inner = inner
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        data = self._inner.read(len(target))
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._inner.close()
            self._owner.close()
        finally:
            super().close()


def members(path: str, kind: str, fmt: str) -> list[Member]:
    """The members of archive `path` to read: regular files ending with the format's suffix."""
    suffix = SUFFIXES[fmt]
    try:
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                names = [i.filename for i in archive.infolist() if not i.is_dir()]
        else:
            with tarfile.open(path, "r:gz" if kind == "tar_gz" else "r:") as archive:
                names = [m.name for m in archive.getmembers() if m.isfile()]
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise ArchiveError(f"is not a readable {kind} archive ({exc})") from None
    chosen = [Member(path, name, kind) for name in names if name.endswith(suffix)]
    if len(chosen) > MAX_MEMBERS:
        raise ArchiveError(f"holds more than {MAX_MEMBERS} members")
    return chosen
