"""A small CBOR (RFC 8949) decoder: enough for cargo-criterion's history files.

cargo-criterion writes its measurements with `serde_cbor`: maps with text keys, arrays
of floats, integers, text, null and booleans. This decoder reads every well-formed
CBOR data item of major types 0-7 (tags are read and dropped, keeping their content),
so vmbench needs no extra dependency for an optional import. Malformed or truncated
input raises `CborError` (a ValueError) with the byte offset.
"""

from __future__ import annotations

import struct
from typing import Any

_MAX_DEPTH = 64  # nesting deeper than this is not a cargo-criterion file


class CborError(ValueError):
    """The bytes are not well-formed CBOR."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise CborError(f"truncated at byte {self.pos} (wanted {n} more)")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def argument(self, info: int) -> int | None:
        """The argument of an initial byte; None for indefinite length (info 31)."""
        if info < 24:
            return info
        if info in (24, 25, 26, 27):
            size = 1 << (info - 24)
            return int.from_bytes(self.take(size), "big")
        if info == 31:
            return None
        raise CborError(f"reserved additional information {info} at byte {self.pos - 1}")

    def item(self, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise CborError(f"nested more than {_MAX_DEPTH} levels at byte {self.pos}")
        start = self.take(1)[0]
        major, info = start >> 5, start & 0x1F
        if major == 7:
            return self._simple(info)
        arg = self.argument(info)
        if major == 0:
            return _definite(arg, self.pos)
        if major == 1:
            return -1 - _definite(arg, self.pos)
        if major in (2, 3):
            return self._string(major, arg, depth)
        if major == 4:
            if arg is None:
                return list(self._until_break(depth))
            return [self.item(depth + 1) for _ in range(arg)]
        if major == 5:
            keys_values = (
                list(self._until_break(depth))
                if arg is None
                else [self.item(depth + 1) for _ in range(2 * arg)]
            )
            if len(keys_values) % 2:
                raise CborError(f"map with a key and no value before byte {self.pos}")
            try:
                return dict(zip(keys_values[::2], keys_values[1::2], strict=True))
            except TypeError as exc:  # a list or map used as a key
                raise CborError(f"unhashable map key before byte {self.pos}") from exc
        # major 6: a tag; its content is what matters here (e.g. a date string)
        _definite(arg, self.pos)
        return self.item(depth + 1)

    def _string(self, major: int, arg: int | None, depth: int) -> bytes | str:
        if arg is None:
            parts = list(self._until_break(depth))
            if not all(isinstance(p, bytes if major == 2 else str) for p in parts):
                raise CborError(f"mixed chunks in an indefinite string before byte {self.pos}")
            return b"".join(parts) if major == 2 else "".join(parts)
        raw = self.take(arg)
        if major == 2:
            return raw
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CborError(f"invalid UTF-8 text before byte {self.pos}") from exc

    def _until_break(self, depth: int) -> Any:
        while True:
            if self.pos >= len(self.data):
                raise CborError(f"missing break at byte {self.pos}")
            if self.data[self.pos] == 0xFF:
                self.pos += 1
                return
            yield self.item(depth + 1)

    def _simple(self, info: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None  # null and undefined
        if info == 25:
            return struct.unpack(">e", self.take(2))[0]
        if info == 26:
            return struct.unpack(">f", self.take(4))[0]
        if info == 27:
            return struct.unpack(">d", self.take(8))[0]
        if info < 24:
            return info  # unassigned simple value: its number
        if info == 24:
            return self.take(1)[0]
        raise CborError(f"unexpected break or reserved simple value at byte {self.pos - 1}")


def _definite(arg: int | None, pos: int) -> int:
    if arg is None:
        raise CborError(f"indefinite length where a number belongs at byte {pos - 1}")
    return arg


def loads(data: bytes) -> Any:
    """Decode one CBOR data item; trailing bytes are an error."""
    reader = _Reader(data)
    value = reader.item()
    if reader.pos != len(data):
        raise CborError(f"{len(data) - reader.pos} bytes after the data item")
    return value
