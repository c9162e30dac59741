"""The spool's files: framing, reading back, acknowledgement, rotation, damage and adoption."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from neurallog._queue import CTX, ID, METADATA, STATIC, TIME, TRACE
from neurallog._spool import FULL, MAGIC, WRITTEN, SpoolBatch, SpoolWriter, encode_record

HANG_GUARD = 60  # seconds: a guard against a hung child, never a performance assertion


def _payload(i: int, **extra: Any) -> bytes:
    fields: dict[str, Any] = {
        "time_ns": time.time_ns(),
        "level": 20,
        "message": f"record {i}",
        "metadata": {"i": i},
        "source": None,
        "tags": None,
        "timestamp": None,
        "context": None,
        "trace": None,
        "entry_id": None,
    }
    fields.update(extra)
    return encode_record(**fields)


def _fill(spool: SpoolWriter, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        assert spool.append(_payload(i)) == WRITTEN


def _drain(spool: SpoolWriter, limit: int = 1000) -> list[tuple[Any, ...]]:
    """Everything readable, acknowledged batch by batch."""
    out: list[tuple[Any, ...]] = []
    for _ in range(10_000):
        batch = spool.read(limit)
        if batch is None:
            return out
        out.extend(batch.records)
        spool.ack(batch)
    raise AssertionError("the spool never ran dry")


def _numbers(records: list[tuple[Any, ...]]) -> list[int]:
    return [record[METADATA]["i"] for record in records]


def _segments(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


def test_records_come_back_with_their_fields_in_order(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path))
    spool.append(
        encode_record(
            1_700_000_000_123_456_789,
            40,
            "boom",
            {"user": "u1", "when": time.gmtime(0)[:3]},
            "svc",
            ("a", "b"),
            "2026-01-02T03:04:05Z",
            {"request_id": "r1"},
            (0xABC, 0xDEF),
            None,
        ),
        {"host": "h1"},
    )
    _fill(spool, 5, start=1)
    records = _drain(spool)
    first = records[0]
    assert first[TIME : CTX + 1] == (
        1_700_000_000_123_456_789,
        40,
        "boom",
        {"user": "u1", "when": [1970, 1, 1]},
        "svc",
        ["a", "b"],
        "2026-01-02T03:04:05Z",
        {"request_id": "r1"},
    )
    assert first[STATIC] == {"host": "h1"}  # the static context written before it
    assert first[TRACE] == (0xABC, 0xDEF)
    assert _numbers(records[1:]) == [1, 2, 3, 4, 5]
    ids = [record[ID] for record in records]
    assert len(set(ids)) == 6
    assert all(len(i) == 36 and i[14] == "7" for i in ids)  # UUIDv7


def test_an_explicit_id_is_kept(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path))
    spool.append(_payload(0, entry_id="0190e3c2-0000-7000-8000-000000000001"))
    assert _drain(spool)[0][ID] == "0190e3c2-0000-7000-8000-000000000001"


def test_a_rewound_batch_comes_back_with_the_same_ids(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path))
    _fill(spool, 10)
    batch = spool.read(4)
    assert batch is not None
    spool.rewind(batch)  # the server was down
    again = spool.read(4)
    assert again is not None
    assert [r[ID] for r in again.records] == [r[ID] for r in batch.records]
    spool.ack(again)
    assert _numbers(_drain(spool)) == [4, 5, 6, 7, 8, 9]


def test_a_rewind_after_part_of_a_batch_was_stored_resends_only_the_rest(tmp_path: Path) -> None:
    first = SpoolWriter(str(tmp_path))
    one, two = {"host": "h1"}, {"host": "h2"}
    for i in range(6):  # a context frame inside the batch, before record 2
        assert first.append(_payload(i), one if i < 2 else two) == WRITTEN
    batch = first.read(1000)
    assert batch is not None
    first.rewind(batch, 2)  # records 0 and 1 were stored before the outage
    again = first.read(1000)
    assert again is not None
    assert _numbers(again.records) == [2, 3, 4, 5]
    assert [r[ID] for r in again.records] == [r[ID] for r in batch.records[2:]]
    assert [r[STATIC] for r in again.records] == [{"host": "h2"}] * 4
    first.close()  # the rest is not acknowledged: the next start replays it, not 0 and 1

    second = SpoolWriter(str(tmp_path))
    second.adopt()
    replayed = _drain(second)
    assert _numbers(replayed) == [2, 3, 4, 5]
    assert [r[STATIC] for r in replayed] == [{"host": "h2"}] * 4


def test_a_later_process_replays_the_unacknowledged_rest_with_the_same_ids(
    tmp_path: Path,
) -> None:
    first = SpoolWriter(str(tmp_path))
    _fill(first, 10)
    batch = first.read(3)
    assert batch is not None
    first.ack(batch)
    unacked = first.read(3)  # read and sent, but the answer never came
    assert unacked is not None
    first.close()

    second = SpoolWriter(str(tmp_path))
    assert second.adopt() == 1
    replayed = _drain(second)
    assert _numbers(replayed) == [3, 4, 5, 6, 7, 8, 9]
    assert [r[ID] for r in replayed[:3]] == [r[ID] for r in unacked.records]
    assert second.stats.recovered == 7
    second.close()
    assert list(tmp_path.iterdir()) == []


def test_segments_rotate_and_are_deleted_once_acknowledged(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path), segment_bytes=1024)
    _fill(spool, 100)
    assert len(_segments(tmp_path)) > 3
    assert spool.stats.bytes == sum(p.stat().st_size for p in _segments(tmp_path))
    assert _numbers(_drain(spool)) == list(range(100))
    # Only the active segment is left, read to its end.
    assert len(_segments(tmp_path)) == 1
    assert spool.stats.segments == 1
    spool.close()
    assert list(tmp_path.iterdir()) == []


def test_the_bound_refuses_records_beyond_max_bytes(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path), max_bytes=4096, segment_bytes=1024)
    answers = [spool.append(_payload(i)) for i in range(200)]
    accepted = answers.count(WRITTEN)
    assert 0 < accepted < 200
    assert answers[accepted:] == [FULL] * (200 - accepted)
    assert spool.stats.bytes <= 4096
    _drain(spool)
    assert spool.append(_payload(1000)) == WRITTEN  # room again once delivered


def _closed_spool_with(tmp_path: Path, count: int) -> Path:
    spool = SpoolWriter(str(tmp_path))
    _fill(spool, count)
    spool.close()
    (segment,) = _segments(tmp_path)
    return segment


def test_a_torn_tail_is_skipped_and_counted(tmp_path: Path) -> None:
    segment = _closed_spool_with(tmp_path, 20)
    with segment.open("r+b") as file:
        file.truncate(segment.stat().st_size - 7)  # the last write was cut short
    spool = SpoolWriter(str(tmp_path))
    spool.adopt()
    assert _numbers(_drain(spool)) == list(range(19))
    assert spool.stats.corrupt == 1
    spool.close()
    assert list(tmp_path.iterdir()) == []


def test_flipped_bytes_lose_only_the_damaged_record(tmp_path: Path) -> None:
    segment = _closed_spool_with(tmp_path, 20)
    data = bytearray(segment.read_bytes())
    middle = data.index(b'"record 10"')
    data[middle + 3] ^= 0xFF  # inside the payload: the checksum no longer matches
    header = data.index(b'"record 15"')
    at = data.rindex(b"\xa5\x4e", 0, header)
    data[at + 2 : at + 6] = b"\xff\xff\xff\x7f"  # a length that runs past the end
    segment.write_bytes(bytes(data))
    spool = SpoolWriter(str(tmp_path))
    spool.adopt()
    assert _numbers(_drain(spool)) == [*range(10), *range(11, 15), *range(16, 20)]
    assert spool.stats.corrupt == 2


def _damaged_spool(tmp_path: Path) -> Path:
    """A closed segment of 60 records of varied sizes: one flipped byte, a torn tail."""
    spool = SpoolWriter(str(tmp_path))
    for i in range(60):
        assert spool.append(_payload(i, message="x" * (i * 37 % 300))) == WRITTEN
    spool.close()
    (segment,) = _segments(tmp_path)
    data = bytearray(segment.read_bytes())
    at = [n for n in range(len(data)) if data[n : n + 2] == b"\xa5\x4e"][20]
    data[at + 12] ^= 0xFF  # inside record 20's payload
    segment.write_bytes(bytes(data[:-5]))  # and record 59 cut short
    return segment


@pytest.mark.parametrize("chunk", [9, 10, 64, 257, 4096])
@pytest.mark.parametrize("limit", [1, 7, 1000])
def test_reading_in_small_chunks_gives_every_frame_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, limit: int
) -> None:
    # Frames straddle the reads (a header cut in two, a frame longer than a read).
    _damaged_spool(tmp_path)
    monkeypatch.setattr("neurallog._spool._READ_CHUNK", chunk)
    spool = SpoolWriter(str(tmp_path))
    spool.adopt()
    records = _drain(spool, limit)
    assert _numbers(records) == [*range(20), *range(21, 59)]
    assert len({r[ID] for r in records}) == 58
    assert spool.stats.corrupt == 2
    spool.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"garbage that is not a spool", MAGIC, MAGIC[:3]])
def test_a_damaged_or_empty_segment_never_stops_start_up(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "p1-00000000000000aa.00000001.seg").write_bytes(content)
    good = _closed_spool_with(tmp_path / "good", 3)
    os.rename(good, tmp_path / good.name)
    spool = SpoolWriter(str(tmp_path))
    spool.adopt()
    assert _numbers(_drain(spool)) == [0, 1, 2]
    spool.close()
    assert not _segments(tmp_path)


def test_a_live_owner_is_not_adopted(tmp_path: Path) -> None:
    alive = SpoolWriter(str(tmp_path))
    _fill(alive, 5)
    other = SpoolWriter(str(tmp_path))
    assert other.adopt() == 0
    assert other.read(10) is None
    assert _numbers(_drain(alive)) == [0, 1, 2, 3, 4]


def test_an_acknowledgement_survives_a_restart(tmp_path: Path) -> None:
    first = SpoolWriter(str(tmp_path))
    _fill(first, 6)
    batch = first.read(4)
    assert isinstance(batch, SpoolBatch)
    first.ack(batch)
    # No close(): the process dies here, leaving the lock to be released by the OS.
    os.close(first._owner.lock_fd)  # type: ignore[union-attr]
    second = SpoolWriter(str(tmp_path))
    second.adopt()
    assert _numbers(_drain(second)) == [4, 5]


def test_a_static_context_change_applies_to_the_records_after_it(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path))
    one, two = {"v": 1}, {"v": 2}
    spool.append(_payload(0), one)
    spool.append(_payload(1), one)
    spool.append(_payload(2), two)
    assert [r[STATIC] for r in _drain(spool)] == [one, one, two]


def test_the_static_context_of_an_acknowledged_part_applies_to_the_records_replayed_later(
    tmp_path: Path,
) -> None:
    first = SpoolWriter(str(tmp_path))
    one, two = {"host": "h1"}, {"host": "h2"}
    for i in range(6):
        assert first.append(_payload(i), one if i < 2 else two) == WRITTEN
    batch = first.read(5)  # five frames: a context, 0, 1, the other context, 2
    assert batch is not None
    assert _numbers(batch.records) == [0, 1, 2]
    first.ack(batch)
    first.close()  # the rest (3-5) waits for the next start

    second = SpoolWriter(str(tmp_path))
    second.adopt()
    replayed = _drain(second)
    assert _numbers(replayed) == [3, 4, 5]
    assert [r[STATIC] for r in replayed] == [two, two, two]


# -- several processes --------------------------------------------------------------------


def _child_writes(directory: str, count: int, start: int, die: bool) -> None:
    spool = SpoolWriter(directory)
    _fill(spool, count, start)
    if die:
        os.kill(os.getpid(), signal.SIGKILL)
    spool.close()


@pytest.mark.slow
def test_the_segments_of_a_killed_process_are_adopted_once(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_child_writes, args=(str(tmp_path), 300, 1000 * k, True))
        for k in range(3)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(HANG_GUARD)
        assert child.exitcode == -signal.SIGKILL
    first, second = SpoolWriter(str(tmp_path)), SpoolWriter(str(tmp_path))
    got = first.adopt() + second.adopt()
    assert got == 3  # each dead owner's segment went to exactly one of them
    numbers = _numbers(_drain(first)) + _numbers(_drain(second))
    assert sorted(numbers) == sorted(i + 1000 * k for k in range(3) for i in range(300))
    first.close()
    second.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_forked_child_writes_segments_of_its_own(tmp_path: Path) -> None:
    spool = SpoolWriter(str(tmp_path))
    _fill(spool, 5)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            _fill(spool, 5, start=100)
            spool.close()
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    _fill(spool, 5, start=10)
    assert _numbers(_drain(spool)) == [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]
    assert spool.adopt() == 1  # the child closed with its records unsent: adopted now
    assert _numbers(_drain(spool)) == [100, 101, 102, 103, 104]


def _child_with_file_size_limit(directory: str, queue: Any) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
    spool = SpoolWriter(directory, segment_bytes=1 << 20)
    errors: list[str] = []
    spool._on_error = lambda what, exc: errors.append(f"{what}: {exc}")
    accepted = sum(spool.append(_payload(i)) == WRITTEN for i in range(500))
    queue.put((accepted, len(errors), _numbers(_drain(spool))))


@pytest.mark.slow
def test_a_full_disk_refuses_records_without_raising(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_child_with_file_size_limit, args=(str(tmp_path), queue))
    child.start()
    accepted, errors, readable = queue.get(timeout=HANG_GUARD)
    child.join(HANG_GUARD)
    assert child.exitcode == 0
    assert 0 < accepted < 500
    assert errors == 500 - accepted
    assert readable == list(range(accepted))  # no torn frame left behind by a short write


def test_derived_ids_are_the_uuidv7_of_the_capture_time_and_position() -> None:
    from neurallog._spool import _IdMaker, derive_id

    base = 0x1234_5678_9ABC_DEF0 ^ (7 << 32)
    maker = _IdMaker(base)
    moments = [1_700_000_000_123_456_789, 1_700_000_000_123_999_999, 1_700_000_001_000_000_000]
    for moment in moments:
        for offset in (8, 1000, 0xFFFF_FFF0):
            assert maker.make(moment, offset) == derive_id(moment, base ^ offset)


def test_a_batch_of_ids_matches_one_by_one_across_milliseconds_and_clock_steps() -> None:
    from neurallog._spool import _IdMaker, derive_id

    base = 0x0FED_CBA9_8765_4321 ^ (3 << 32)
    start = 1_764_778_217_123_456_789
    # Same millisecond, the next ones, a step back, the next second.
    times = [start, start + 1, start + 999_000, start + 2_000_001, start - 7, start + 10**9]
    offsets = [8, 190, 372, 554, 736, 0xFFFF_FFF0]
    assert _IdMaker(base).many(times, offsets) == [
        derive_id(t, base ^ o) for t, o in zip(times, offsets, strict=True)
    ]
    # Ids are written nowhere: a record read again by another version must get the same id.
    assert derive_id(start, 0x1234_5678_9ABC_DEF0 ^ 4096) == "019ae4fa-8ea3-774f-9234-56789abccef0"
