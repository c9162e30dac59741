"""Decoding gzip request bodies, bounded in size."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from .errors import ApiError, bad_request

_MAGIC = b"\x1f\x8b"


def gunzip(raw: bytes, limit: int, too_large: Callable[[int], ApiError]) -> bytes:
    """``raw`` decoded as gzip: every member of a multi-member body (RFC 1952 allows
    several, one after the other), at most ``limit`` bytes in all (else ``too_large``).

    Bytes after the last member that do not start another member are a 400: a body is
    never taken with a part of it silently left out.
    """
    out: list[bytes] = []
    size = 0
    rest = raw
    while True:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = decoder.decompress(rest, limit - size + 1)
        except zlib.error as exc:
            where = "" if not out else f" (member {len(out) + 1})"
            raise bad_request(f"the gzip body cannot be decoded{where}: {exc}") from None
        size += len(chunk)
        if size > limit or decoder.unconsumed_tail:
            raise too_large(limit)
        if not decoder.eof:
            raise bad_request("the gzip body is truncated")
        out.append(chunk)
        rest = decoder.unused_data
        if not rest:
            return b"".join(out)
        if not rest.startswith(_MAGIC):
            raise bad_request(
                f"{len(rest)} byte(s) follow the gzip data; send the gzip stream alone"
            )
