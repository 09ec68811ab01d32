"""Reading lzop files: SeaTunnel's `compress_codec = lzo` for text, csv and json files uses the
lzop container (Hadoop/airlift LzopCodec). The blocks are LZO1X, decompressed by lzallright.

A streaming reader: one block (at most a few hundred KB) in memory at a time.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any, BinaryIO

MAGIC = b"\x89LZO\x00\r\n\x1a\n"
_F_ADLER32_D = 0x1
_F_ADLER32_C = 0x2
_F_EXTRA_FIELD = 0x40
_F_CRC32_D = 0x100
_F_CRC32_C = 0x200
_F_H_FILTER = 0x800
MAX_BLOCK = 64 << 20  # lzop itself writes 256 KB blocks; anything huge is a corrupt file


class LzopError(ValueError):
    """Not an lzop file, or a corrupt one."""


class LzopReader(io.RawIOBase):
    """A readable binary stream of the decompressed content of an lzop stream."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        from lzallright import LZOCompressor

        self._raw = raw
        self._decompress = LZOCompressor.decompress
        self._flags = self._header()
        self._buffer = b""
        self._done = False

    def _read_exact(self, size: int) -> bytes:
        data = self._raw.read(size)
        if len(data) != size:
            raise LzopError("truncated lzop file")
        return data

    def _u32(self) -> int:
        return struct.unpack(">I", self._read_exact(4))[0]

    def _header(self) -> int:
        if self._raw.read(len(MAGIC)) != MAGIC:
            raise LzopError("not an lzop file")
        version, _lib = struct.unpack(">HH", self._read_exact(4))
        if version >= 0x0940:
            self._read_exact(2)  # version needed to extract
        method = self._read_exact(1)[0]
        if method not in (1, 2, 3):
            raise LzopError(f"unsupported lzop method {method}")
        if version >= 0x0940:
            self._read_exact(1)  # level
        flags = self._u32()
        if flags & _F_H_FILTER:
            self._u32()
        self._read_exact(8 if version < 0x0940 else 12)  # mode, mtime (low, high)
        name_length = self._read_exact(1)[0]
        self._read_exact(name_length)
        self._u32()  # header checksum
        if flags & _F_EXTRA_FIELD:
            self._read_exact(self._u32())
            self._u32()
        return flags

    def _next_block(self) -> bytes | None:
        size = self._u32()
        if size == 0:
            return None
        compressed_size = self._u32()
        if size > MAX_BLOCK or compressed_size > MAX_BLOCK:
            raise LzopError("lzop block too large")
        checksum = None
        if self._flags & _F_ADLER32_D:
            checksum = ("adler32", self._u32())
        if self._flags & _F_CRC32_D:
            checksum = ("crc32", self._u32())
        if compressed_size < size:
            if self._flags & _F_ADLER32_C:
                self._u32()
            if self._flags & _F_CRC32_C:
                self._u32()
        data = self._read_exact(compressed_size)
        if compressed_size < size:
            try:
                data = self._decompress(data, output_size_hint=size)
            except Exception as exc:  # lzallright's LZOError and friends
                raise LzopError(f"corrupt lzop block ({exc})") from None
        if len(data) != size:
            raise LzopError("corrupt lzop block (wrong size)")
        if checksum is not None:
            kind, expected = checksum
            actual = zlib.adler32(data) if kind == "adler32" else zlib.crc32(data)
            if actual & 0xFFFFFFFF != expected:
                raise LzopError("corrupt lzop block (checksum)")
        return data

    def readable(self) -> bool:
        """Always."""
        return True

    def readinto(self, target: Any) -> int:
        """Fill `target` from the decompressed blocks; 0 at the end."""
        while not self._buffer and not self._done:
            block = self._next_block()
            if block is None:
                self._done = True
            else:
                self._buffer = block
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def close(self) -> None:
        """Close the underlying file too."""
        try:
            self._raw.close()
        finally:
            super().close()


def write_lzop(data: bytes, block: int = 256 << 10) -> bytes:
    """`data` as an lzop file (lzop 1.04 layout, adler32 of the data): for tests and tools."""
    from lzallright import LZOCompressor

    compressor = LZOCompressor()
    out = bytearray(MAGIC)
    header = struct.pack(">HHHBBI", 0x1040, 0x20A0, 0x0940, 1, 5, _F_ADLER32_D)
    header += struct.pack(">III", 0o100644, 0, 0) + b"\x00"
    out += header + struct.pack(">I", zlib.adler32(header))
    for start in range(0, len(data), block):
        chunk = data[start : start + block]
        packed = compressor.compress(chunk)
        if len(packed) >= len(chunk):
            packed = chunk
        out += struct.pack(">III", len(chunk), len(packed), zlib.adler32(chunk))
        out += packed
    out += struct.pack(">I", 0)
    return bytes(out)
