"""The on-disk spool: records not yet acknowledged by the server, kept in append-only files.

Opt-in with ``spool_dir``. The caller's thread appends each record to a segment file with a
single ``os.write`` of a pre-framed record; the worker reads the segments back, sends them,
and records how far the server acknowledged them. A record whose logging call returned is in
the operating system's page cache, which survives the death of the process (``kill -9``,
an OOM kill); the fsync policy decides what also survives a power loss.

Layout of ``spool_dir`` (shared by any number of processes and clients)::

    <owner>.lock                 held with flock(LOCK_EX) while the owner is alive
    <owner>.<n:08d>.seg          append-only segments, written by that owner only
    <owner>.<n:08d>.ack          how far the segment is resolved (sent or dropped)

``owner`` is ``p<pid>-<16 hex digits>``: one per client and process, never reused. A forked
child starts an owner of its own. A lock file that can be locked belongs to a dead owner:
the first live spool to lock it adopts its segments, delivers them and deletes them.

Frame: ``MARK (2 bytes) | length (u32 LE) | crc32 of payload (u32 LE) | payload``. The
payload is JSON: an array for a record, an object for a change of the client's static
context (which then applies to the records after it). A frame whose checksum does not match,
or a frame cut short at the end of a segment (a torn write), is skipped and counted; the
reader resynchronises on the next mark. The segment starts with :data:`MAGIC`.

Record ids: a record given an explicit id (``batch_log``) keeps it. Any other record's id is
derived from what is written with it: a UUIDv7 from its capture time whose random bits are
the owner's nonce combined with the segment number and the frame's offset. Every replay of
a record therefore carries the same id, and the server stores it once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import struct
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import orjson

from neurallog._encoding import _strict, clean, json_default, message_text
from neurallog._ids import VARIANT, VERSION_BITS

__all__ = [
    "DEFAULT_MAX_SPOOL_BYTES",
    "FAILED",
    "FSYNC_POLICIES",
    "FULL",
    "MAGIC",
    "WRITTEN",
    "SpoolBatch",
    "SpoolStats",
    "SpoolWriter",
    "derive_id",
    "encode_record",
]

FsyncPolicy = Literal["interval", "always", "never"]
FSYNC_POLICIES: Final = ("interval", "always", "never")
DEFAULT_MAX_SPOOL_BYTES: Final = 256 * 1024 * 1024
DEFAULT_SEGMENT_BYTES: Final = 8 * 1024 * 1024
FSYNC_INTERVAL: Final = 1.0  # seconds between fsyncs under spool_fsync="interval"

MAGIC: Final = b"NLSPOOL1"
_MARK: Final = b"\xa5\x4e"
_HEADER: Final = struct.Struct("<2sII")
_HEADER_SIZE: Final = _HEADER.size
_MAX_FRAME: Final = 64 * 1024 * 1024  # a larger length can only be damage
_READ_CHUNK: Final = 1024 * 1024
_ACK: Final = struct.Struct("<QI")
_RAND_B: Final = (1 << 61) - 1

_NO_FIELDS: Final[dict[str, Any]] = {}
_STATIC: Final = 9  # a record's static context (neurallog._queue.STATIC)
_ROOM: Final = 4096  # bytes: room enough for a typical record

#: What :meth:`SpoolWriter.append` answers.
WRITTEN: Final = 0
FULL: Final = 1
FAILED: Final = 2

_pack = _HEADER.pack
_crc32 = zlib.crc32
_dumps = orjson.dumps
_write = os.write
_monotonic = time.monotonic


def encode_record(
    time_ns: int,
    level: int,
    message: object,
    metadata: dict[str, Any] | None,
    source: str | None,
    tags: tuple[str, ...] | list[str] | None,
    timestamp: str | None,
    context: Any,
    trace: tuple[int, int] | None,
    entry_id: str | None,
) -> bytes:
    """The payload of one record frame (JSON, never raises for what a caller may log)."""
    if type(message) is not str:
        message = message_text(message)
    trace_hex = None if trace is None else (f"{trace[0]:032x}", f"{trace[1]:016x}")
    row = [time_ns, level, message, metadata, source, tags, timestamp, context or None]
    if trace_hex is not None or entry_id is not None:
        row.append(trace_hex)
        row.append(entry_id)
    try:
        return _dumps(row, default=json_default)
    except Exception:
        # Cycles, integers beyond 64 bits, non-string keys, lone surrogates: the careful walk.
        row[3] = clean(metadata, None) if metadata else None
        row[7] = clean(dict(context), None) if context else None
        try:
            return _dumps(row, default=json_default)
        except Exception:
            # A lone surrogate or a default() result orjson cannot encode: the strict walk.
            return _dumps(_strict(row, 0, set()))


def frame(payload: bytes) -> bytes:
    """A payload with its header (mark, length, checksum)."""
    return _pack(_MARK, len(payload), _crc32(payload)) + payload


def derive_id(time_ns: int, salt: int) -> str:
    """The UUIDv7 of a spooled record: its capture time, and ``salt`` as the random bits."""
    millis, sub = divmod(time_ns, 1_000_000)
    hi = ((millis & 0xFFFF_FFFF_FFFF) << 16) | VERSION_BITS | (sub * 4096 // 1_000_000)
    lo = VARIANT | (salt & _RAND_B)
    high = f"{hi:016x}"
    low = f"{lo:016x}"
    return f"{high[:8]}-{high[8:12]}-{high[12:]}-{low[:4]}-{low[4:]}"


@dataclass(frozen=True, slots=True)
class SpoolStats:
    """Disk use and damage seen by one spool."""

    bytes: int
    """Bytes of segments this spool holds (its own and those it adopted)."""
    segments: int
    """Segment files this spool holds."""
    recovered: int
    """Records read back from segments of earlier or dead processes."""
    corrupt: int
    """Damaged or torn frames skipped (each may have held one or more records)."""


@dataclass(slots=True)
class SpoolBatch:
    """Records read from one segment, to be acknowledged with :meth:`SpoolWriter.ack`."""

    records: list[tuple[Any, ...]]
    """The records, in the queue's shape (:data:`neurallog._queue.Record`: sequence number
    0, then time_ns, level, message, metadata, source, tags, timestamp, context, static,
    trace, id), each id already derived."""
    segment: _Segment
    end: int
    recovered: bool
    static: Any = None
    """The segment's static context before this batch (restored by a rewind)."""
    offsets: list[int] = field(default_factory=list)
    """Where each record's frame starts in the segment (for a partial rewind)."""


class _Segment:
    __slots__ = (
        "acked",
        "chunk",
        "chunk_at",
        "closed",
        "cursor",
        "ids",
        "n",
        "owner",
        "path",
        "read_fd",
        "size",
        "static",
    )

    def __init__(self, owner: _Owner, n: int, size: int, closed: bool) -> None:
        self.owner = owner
        self.n = n
        self.path = os.path.join(owner.directory, f"{owner.name}.{n:08d}.seg")
        self.size = size  # bytes written (the committed end)
        self.closed = closed  # no more appends
        self.acked = len(MAGIC)
        self.cursor = len(MAGIC)
        self.read_fd = -1
        self.chunk = b""  # the reader's last read, from offset chunk_at
        self.chunk_at = 0
        self.static: Any = _NO_FIELDS  # the reader's: static context of the next record
        self.ids = _IdMaker(owner.nonce ^ (n << 32))


class _IdMaker:
    """:func:`derive_id` for the records of one segment, with what they share computed once.

    The salt is ``base ^ offset`` with an offset below 2**32: the high half of the id's low
    64 bits is the same for the whole segment, and records of one millisecond share the
    first 15 characters.
    """

    __slots__ = ("_base", "_low_prefix")

    def __init__(self, base: int) -> None:
        self._base = base & 0xFFFF_FFFF
        high = f"{(VARIANT | (base & _RAND_B)) >> 32:08x}"
        self._low_prefix = f"{high[:4]}-{high[4:]}"

    def make(self, time_ns: int, offset: int) -> str:
        return self.many([time_ns], [offset])[0]

    def many(self, times_ns: list[int], offsets: list[int]) -> list[str]:
        """The ids of the records captured at ``times_ns`` and framed at ``offsets``."""
        base = self._base
        low_prefix = self._low_prefix
        rand_a = _RAND_A
        ids: list[str] = []
        append = ids.append
        since = -1_000_000  # the current millisecond, in nanoseconds
        prefix = ""
        for time_ns, offset in zip(times_ns, offsets, strict=True):
            sub = time_ns - since
            if not 0 <= sub < 1_000_000:
                millis = time_ns // 1_000_000
                since = millis * 1_000_000
                sub = time_ns - since
                text = f"{millis & 0xFFFF_FFFF_FFFF:012x}"
                prefix = f"{text[:8]}-{text[8:]}-7"
            # (f-strings without format specs, and to_bytes().hex(): half the cost of
            # formatting each part with ":03x"/":08x", for the same text.)
            salt = (base ^ offset).to_bytes(4, "big").hex()
            append(f"{prefix}{rand_a[sub * 4096 // 1_000_000]}{low_prefix}{salt}")
        return ids


_RAND_A: Final = [f"{n:03x}-" for n in range(4096)]


class _Owner:
    __slots__ = ("directory", "lock_fd", "name", "nonce", "segments")

    def __init__(self, directory: str, name: str, lock_fd: int) -> None:
        self.directory = directory
        self.name = name
        self.lock_fd = lock_fd
        try:
            self.nonce = int(name.rsplit("-", 1)[1], 16)
        except (IndexError, ValueError):
            self.nonce = zlib.crc32(name.encode()) << 29
        self.segments: list[_Segment] = []


OnError = Callable[[str, BaseException], None]


class SpoolWriter:
    """One client's spool in one process: its own segments and those it adopted.

    :meth:`append` is the hot path (any thread); :meth:`read`, :meth:`ack`, :meth:`adopt`
    and :meth:`sync` are the worker's. Nothing here raises for a disk problem: the hot path
    answers False (the caller counts the record as lost) and the error goes to ``on_error``.
    """

    def __init__(
        self,
        directory: str,
        *,
        fsync: FsyncPolicy = "interval",
        max_bytes: int = DEFAULT_MAX_SPOOL_BYTES,
        segment_bytes: int | None = None,
        on_error: OnError | None = None,
    ) -> None:
        self.directory = os.path.abspath(directory)
        self.max_bytes = max_bytes
        # Disk is freed a segment at a time: at least 8 per bound, so that delivered
        # segments are deleted well before the bound is reached.
        if segment_bytes is None:
            segment_bytes = min(DEFAULT_SEGMENT_BYTES, max(4096, max_bytes // 8))
        self.segment_bytes = segment_bytes
        self._always = fsync == "always"
        self._interval = fsync == "interval"
        self._on_error = on_error
        self._lock = threading.Lock()
        self._init_state()
        _writers.add(self)

    def _init_state(self) -> None:
        self._owner: _Owner | None = None
        self._fd = -1  # the active segment, opened for appending
        self._active: _Segment | None = None
        self._static: object = None  # the static context last written to the segment
        self._adopted: list[_Owner] = []
        self._bytes = 0
        self._corrupt = 0
        self._recovered = 0
        self._dirty = False
        self._synced_at = _monotonic()
        self._broken = False  # the directory cannot be used: every append answers False

    # -- the hot path --------------------------------------------------------------------

    def append(self, payload: bytes, static: object = None) -> int:
        """Write one record's payload: :data:`WRITTEN`, :data:`FULL` (``max_bytes`` reached)
        or :data:`FAILED` (a disk error, reported to ``on_error``).

        ``static`` is the client's static context (a mapping compared by identity): a
        change is written as its own frame before the record.
        """
        data = _pack(_MARK, len(payload), _crc32(payload)) + payload
        with self._lock:
            segment = self._active
            if segment is None or segment.size + len(data) > self.segment_bytes:
                segment = self._rotate()
                if segment is None:
                    return FAILED
            if static is not self._static:
                data = self._static_frame(static) + data
            if self._bytes + len(data) > self.max_bytes:
                return FULL
            try:
                written = _write(self._fd, data)
            except OSError as exc:
                self._write_failed(segment, exc)
                return FAILED
            if written != len(data):
                self._write_failed(segment, OSError(errno.ENOSPC, "short write to the spool"))
                return FAILED
            self._static = static
            segment.size += written
            self._bytes += written
            self._dirty = True
            if self._always:
                try:
                    os.fdatasync(self._fd)
                except OSError as exc:
                    self._report("fsync", exc)
        return WRITTEN

    def has_room(self) -> bool:
        """Whether a typical record fits under ``max_bytes`` (for ``overflow="block"``)."""
        return self._bytes + _ROOM < self.max_bytes

    def holds_adopted(self) -> bool:
        """Whether segments of earlier or dead processes are still held."""
        return bool(self._adopted)

    def _static_frame(self, static: object) -> bytes:
        fields = clean(dict(static), None) if isinstance(static, Mapping) and static else {}
        return frame(_dumps({"static": fields}, default=json_default))

    def _write_failed(self, segment: _Segment, exc: BaseException) -> None:
        """A failed or short write (lock held): cut the segment back to its last frame."""
        try:
            os.ftruncate(self._fd, segment.size)
        except OSError:
            # Cannot cut it back: what follows would sit after a torn frame. Start anew.
            segment.closed = True
            self._close_fd()
            self._active = None
        self._report("write", exc)

    def _rotate(self) -> _Segment | None:
        """Close the active segment and open the next one (lock held); None on failure."""
        if self._broken:
            return None
        try:
            owner = self._owner or self._new_owner()
            old = self._active
            n = old.n + 1 if old is not None else 1
            segment = _Segment(owner, n, len(MAGIC), closed=False)
            fd = os.open(
                segment.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
            )
            try:
                if _write(fd, MAGIC) != len(MAGIC):
                    raise OSError(errno.ENOSPC, "short write to the spool")
            except OSError:
                os.close(fd)
                _unlink(segment.path)
                raise
        except OSError as exc:
            self._report("open", exc)
            return None
        if old is not None:
            old.closed = True
            self._close_fd()
        self._fd = fd
        self._active = segment
        self._static = None
        owner.segments.append(segment)
        self._bytes += len(MAGIC)
        if self._always or self._interval:
            _sync_directory(self.directory)
        return segment

    def _new_owner(self) -> _Owner:
        os.makedirs(self.directory, exist_ok=True)
        name = f"p{os.getpid()}-{os.urandom(8).hex()}"
        path = os.path.join(self.directory, name + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self._owner = _Owner(self.directory, name, fd)
        return self._owner

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, -1
        if fd < 0:
            return
        if self._dirty and (self._always or self._interval):
            try:
                os.fdatasync(fd)
            except OSError as exc:
                self._report("fsync", exc)
        self._dirty = False
        os.close(fd)

    # -- the worker's side ---------------------------------------------------------------

    def pending(self) -> bool:
        """Whether any segment holds bytes not yet read."""
        with self._lock:
            return any(s.cursor < s.size for o in self._owners() for s in o.segments)

    def _owners(self) -> list[_Owner]:
        owners = list(self._adopted)
        if self._owner is not None:
            owners.append(self._owner)
        return owners

    def read(self, limit: int) -> SpoolBatch | None:
        """Up to ``limit`` records from the oldest segment with unread frames; None when
        there is nothing to read. Adopted segments come first.

        One batch at a time: :meth:`ack` or :meth:`rewind` it before reading again.
        """
        while True:
            if self._broken:
                return None  # closed
            self._sweep()
            with self._lock:
                segment = self._next_segment()
                if segment is None:
                    return None
                start, end = segment.cursor, segment.size
                recovered = segment.owner is not self._owner
                static = segment.static
            records, offsets, stop, damaged = self._parse(segment, start, end, limit)
            with self._lock:
                self._corrupt += damaged
                segment.cursor = stop
            if records:
                return SpoolBatch(records, segment, stop, recovered, static, offsets)
            if stop == start:
                return None
            if segment.closed and stop >= segment.size:
                self.ack(SpoolBatch([], segment, stop, recovered))

    def _sweep(self) -> None:
        """Delete finished segments: closed, and resolved to their end."""
        with self._lock:
            done = [
                s
                for o in self._owners()
                for s in o.segments
                if s.closed and s.acked >= s.size and s.cursor >= s.size
            ]
            for segment in done:
                self._forget(segment)
        for segment in done:
            _unlink(segment.path)
            _unlink(segment.path[:-4] + ".ack")
            self._release_if_empty(segment.owner)

    def _next_segment(self) -> _Segment | None:
        for owner in self._owners():
            for segment in owner.segments:
                if segment.cursor < segment.size:
                    return segment
                if not segment.closed:
                    break  # the owner's active segment: nothing written past it yet
        return None

    def _parse(
        self, segment: _Segment, start: int, end: int, limit: int
    ) -> tuple[list[tuple[Any, ...]], list[int], int, int]:
        """Frames in [start, end): (records, where their frames start, where reading
        stopped, damaged regions).

        The segment is read in chunks of :data:`_READ_CHUNK`, kept with the segment: one
        read serves several batches, and each frame's checksum is computed on a slice of it.
        """
        if segment.read_fd < 0:
            try:
                segment.read_fd = os.open(segment.path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError as exc:
                self._report("read", exc)
                return [], [], end, 1
        base, data = segment.chunk_at, segment.chunk  # data holds [base, base + len(data))
        if not base <= start < base + len(data):
            base, data = start, b""
        pos = start - base
        size = len(data)
        payloads: list[bytes] = []
        offsets: list[int] = []
        damaged = 0
        in_damage = False  # consecutive bad bytes are one damaged region
        unpack = _HEADER.unpack_from
        keep = payloads.append
        mark_at = offsets.append
        count = 0
        need = 0  # > 0: read a new chunk of at least this many bytes from base + pos
        while count < limit:
            if size - pos >= _HEADER_SIZE:
                mark, length, crc = unpack(data, pos)
                body_end = pos + _HEADER_SIZE + length
                if mark == _MARK and body_end <= size:
                    # The usual frame: whole in the chunk.
                    payload = data[pos + _HEADER_SIZE : body_end]
                    if _crc32(payload) == crc:
                        keep(payload)
                        mark_at(base + pos)
                        count += 1
                        pos = body_end
                        in_damage = False
                        continue
                elif mark == _MARK and length <= _MAX_FRAME and base + body_end <= end:
                    need = body_end - pos  # the frame goes on past the chunk
            elif base + size < end:
                need = _HEADER_SIZE  # a header cut by the end of the chunk
            if need:
                at = base + pos
                base, data, pos = at, self._read_chunk(segment, at, end, need), 0
                size = len(data)
                if size < need:  # a read error, or a torn tail shorter than its header
                    damaged += not in_damage
                    pos = size = end - base
                    break
                need = 0
                continue
            if base + pos >= end:
                break
            # Damage, or a frame cut short at the end (a torn write): resynchronise.
            if not in_damage:
                damaged += 1
                in_damage = True
            pos = _resync(data, pos + 1)
        segment.chunk_at, segment.chunk = base, data
        records: list[tuple[Any, ...]] = []
        if payloads:
            damaged += self._decode(segment, payloads, offsets, records)
        return records, offsets, base + pos, damaged

    def _read_chunk(self, segment: _Segment, at: int, end: int, need: int) -> bytes:
        """Bytes of the segment from ``at``: a chunk, or ``need`` if more (b"" on error)."""
        try:
            return os.pread(segment.read_fd, min(end - at, max(need, _READ_CHUNK)), at)
        except OSError as exc:
            self._report("read", exc)
            return b""

    def _decode(
        self,
        segment: _Segment,
        payloads: list[bytes],
        offsets: list[int],
        records: list[tuple[Any, ...]],
    ) -> int:
        """Decode checked payloads into ``records``; the number of undecodable ones.

        ``offsets`` (where each payload's frame starts) is left with the records' only.
        """
        try:
            # One call for the whole batch: several times cheaper than one per record.
            rows = orjson.loads(b"[" + b",".join(payloads) + b"]")
        except orjson.JSONDecodeError:
            rows = [_loads_or_none(payload) for payload in payloads]
        damaged = 0
        static = segment.static
        append = records.append
        ids = segment.ids.many(
            [
                row[0] if type(row) is list and len(row) >= 8 and type(row[0]) is int else 0
                for row in rows
            ],
            offsets,
        )
        for row, derived in zip(rows, ids, strict=True):
            if type(row) is list and len(row) == 8:  # the usual record
                time_ns, level, message, metadata, source, tags, timestamp, context = row
                append(
                    (
                        0,
                        time_ns,
                        level,
                        message,
                        metadata,
                        source,
                        tags,
                        timestamp,
                        context or _NO_FIELDS,
                        static,
                        None,
                        derived,
                    )
                )
            elif type(row) is list and len(row) >= 8:
                entry_id = row[9] if len(row) > 9 else None
                trace = _trace(row[8]) if row[8] else None
                append((0, *row[:7], row[7] or _NO_FIELDS, static, trace, entry_id or derived))
            elif type(row) is dict:
                static = segment.static = row.get("static") or _NO_FIELDS
            else:
                damaged += 1
        if len(records) != len(rows):  # context frames or damage among them
            offsets[:] = [o for o, row in zip(offsets, rows, strict=True) if _is_record(row)]
        return damaged

    def ack(self, batch: SpoolBatch) -> None:
        """The records of ``batch`` are resolved: remember it, delete a finished segment."""
        segment = batch.segment
        if self._broken:
            return  # closed: the files may belong to another process by now
        with self._lock:
            if batch.recovered:
                self._recovered += len(batch.records)
            if batch.end > segment.acked:
                segment.acked = batch.end
            done = segment.closed and segment.acked >= segment.size
            if done:
                self._forget(segment)
        if done:
            _unlink(segment.path)
            _unlink(segment.path[:-4] + ".ack")
            self._release_if_empty(segment.owner)
        else:
            self._write_ack(segment)

    def rewind(self, batch: SpoolBatch, resolved: int = 0) -> None:
        """The records of ``batch`` were not resolved (an outage): read them again later.

        The first ``resolved`` of them (fewer than all) were: a request the server stored
        before the outage. Those are acknowledged, and reading starts again after them.
        """
        segment = batch.segment
        if resolved:
            ends_at = batch.offsets[resolved]
            self.ack(SpoolBatch(batch.records[:resolved], segment, ends_at, batch.recovered))
            static = batch.records[resolved][_STATIC]
        else:
            static = batch.static if batch.static is not None else _NO_FIELDS
        with self._lock:
            segment.cursor = min(segment.cursor, max(segment.acked, len(MAGIC)))
            segment.static = static

    def _forget(self, segment: _Segment) -> None:
        owner = segment.owner
        if segment in owner.segments:
            owner.segments.remove(segment)
            self._bytes -= segment.size
        if segment.read_fd >= 0:
            os.close(segment.read_fd)
            segment.read_fd = -1

    def _write_ack(self, segment: _Segment) -> None:
        try:
            fd = os.open(segment.path[:-4] + ".ack", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                offset = segment.acked
                os.pwrite(fd, _ACK.pack(offset, zlib.crc32(offset.to_bytes(8, "little"))), 0)
            finally:
                os.close(fd)
        except OSError as exc:
            self._report("ack", exc)

    def _release_if_empty(self, owner: _Owner) -> None:
        """An adopted owner with nothing left: delete its lock file and let it go."""
        with self._lock:
            if owner is self._owner or owner.segments or owner not in self._adopted:
                return
            self._adopted.remove(owner)
        _unlink(os.path.join(owner.directory, owner.name + ".lock"))
        os.close(owner.lock_fd)

    def adopt(self) -> int:
        """Take over the segments of owners no process holds any more; the count adopted."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return 0
        except OSError as exc:
            self._report("adopt", exc)
            return 0
        with self._lock:
            held = {o.name for o in self._owners()}
        owners: dict[str, list[int]] = {}
        for name in names:
            if name.endswith(".seg"):
                stem, _, number = name[:-4].rpartition(".")
                if stem and number.isdigit() and stem not in held:
                    owners.setdefault(stem, []).append(int(number))
        adopted = 0
        for name in sorted(owners):
            owner = self._lock_owner(name)
            if owner is None:
                continue
            # Listed again under the lock: an earlier adopter may have finished meanwhile.
            numbers = sorted(_segment_numbers(self.directory, name))
            for n in numbers:
                path = os.path.join(self.directory, f"{name}.{n:08d}.seg")
                try:
                    size = os.stat(path).st_size
                except OSError:
                    continue
                segment = _Segment(owner, n, size, closed=True)
                segment.acked = segment.cursor = max(len(MAGIC), _read_ack(path[:-4] + ".ack"))
                if not _has_magic(path):
                    segment.cursor = segment.acked = size
                    self._corrupt += 1
                elif segment.acked > len(MAGIC):
                    segment.static = _static_before(path, segment.acked)
                owner.segments.append(segment)
                adopted += 1
            with self._lock:
                self._adopted.append(owner)
                self._bytes += sum(s.size for s in owner.segments)
            if not owner.segments:
                self._release_if_empty(owner)
        return adopted

    def _lock_owner(self, name: str) -> _Owner | None:
        """Lock a dead owner's lock file (creating it if it is missing); None if alive."""
        path = os.path.join(self.directory, name + ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # The file may have been deleted and recreated since it was opened.
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                raise OSError(errno.ESTALE, "lock file replaced")
        except OSError:
            os.close(fd)
            return None
        return _Owner(self.directory, name, fd)

    def sync(self, force: bool = False) -> None:
        """Under ``spool_fsync="interval"``: fsync the active segment once a second at most."""
        if not self._interval or not self._dirty:
            return
        now = _monotonic()
        if not force and now - self._synced_at < FSYNC_INTERVAL:
            return
        with self._lock:
            fd = self._fd
            self._dirty = False
            self._synced_at = now
            if fd >= 0:
                try:
                    os.fdatasync(fd)
                except OSError as exc:
                    self._report("fsync", exc)

    @property
    def stats(self) -> SpoolStats:
        with self._lock:
            return SpoolStats(
                bytes=self._bytes,
                segments=sum(len(o.segments) for o in self._owners()),
                recovered=self._recovered,
                corrupt=self._corrupt,
            )

    def close(self) -> None:
        """Stop writing; delete what is resolved, and leave the rest for the next start."""
        with self._lock:
            active = self._active
            if active is not None:
                active.closed = True
            self._close_fd()
            self._active = None
            owners = self._owners()
            self._owner = None
            self._adopted = []
            self._broken = True
        for owner in owners:
            for segment in list(owner.segments):
                if segment.read_fd >= 0:
                    os.close(segment.read_fd)
                    segment.read_fd = -1
                if segment.acked >= segment.size:
                    _unlink(segment.path)
                    _unlink(segment.path[:-4] + ".ack")
                    owner.segments.remove(segment)
                else:
                    self._write_ack(segment)
            if not owner.segments:
                _unlink(os.path.join(owner.directory, owner.name + ".lock"))
            os.close(owner.lock_fd)  # releases the lock: the next start adopts the rest

    def after_fork_in_child(self) -> None:
        """In a forked child: drop the parent's files (its locks stay the parent's)."""
        for owner in self._owners():
            for segment in owner.segments:
                if segment.read_fd >= 0:
                    _close_quietly(segment.read_fd)
            _close_quietly(owner.lock_fd)
        if self._fd >= 0:
            _close_quietly(self._fd)
        closed = self._broken
        self._lock = threading.Lock()
        self._init_state()
        self._broken = closed

    def _report(self, what: str, exc: BaseException) -> None:
        if self._on_error is not None:
            with contextlib.suppress(Exception):  # reporting must not break the caller
                self._on_error(what, exc)


_writers: weakref.WeakSet[SpoolWriter] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for writer in list(_writers):
        writer.after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _is_record(row: Any) -> bool:
    return type(row) is list and len(row) >= 8


def _loads_or_none(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None


def _trace(ids: Any) -> tuple[int, int] | None:
    try:
        return (int(ids[0], 16), int(ids[1], 16))
    except (TypeError, ValueError, IndexError):
        return None


def _resync(data: bytes, start: int) -> int:
    """The offset of the next frame mark at or after ``start`` (the end if none)."""
    found = data.find(_MARK, start)
    return len(data) if found < 0 else found


def _segment_numbers(directory: str, owner: str) -> list[int]:
    prefix = owner + "."
    numbers = []
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    for name in names:
        if name.startswith(prefix) and name.endswith(".seg"):
            number = name[len(prefix) : -4]
            if number.isdigit():
                numbers.append(int(number))
    return numbers


def _read_ack(path: str) -> int:
    try:
        with open(path, "rb") as file:
            data = file.read(_ACK.size)
    except OSError:
        return 0
    if len(data) != _ACK.size:
        return 0
    offset, crc = _ACK.unpack(data)
    return offset if zlib.crc32(offset.to_bytes(8, "little")) == crc else 0


def _static_before(path: str, end: int) -> Any:
    """The static context in force at ``end``: the last intact context frame before it.

    Replaying a segment from its acknowledged offset skips the frames before it, and a
    context change among them still applies to the records after it.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(end)
    except OSError:
        return _NO_FIELDS
    found = b""
    pos = len(MAGIC)
    unpack = _HEADER.unpack_from
    while pos + _HEADER_SIZE <= len(data):
        mark, length, crc = unpack(data, pos)
        body_end = pos + _HEADER_SIZE + length
        if mark != _MARK or body_end > len(data):
            pos = _resync(data, pos + 1)
            continue
        # A context frame is a JSON object, a record an array: only objects are checked.
        if data[pos + _HEADER_SIZE : pos + _HEADER_SIZE + 1] == b"{":
            payload = data[pos + _HEADER_SIZE : body_end]
            if _crc32(payload) == crc:
                found = payload
        pos = body_end
    row = _loads_or_none(found) if found else None
    return (row.get("static") or _NO_FIELDS) if type(row) is dict else _NO_FIELDS


def _has_magic(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _sync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
