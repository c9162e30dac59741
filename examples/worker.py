"""A batch job: process items, log each one, and make sure every record is delivered.

export NEURALLOG_ENDPOINT=... NEURALLOG_API_KEY=...   # printed by `neurallog local`
python examples/worker.py --items 25
"""

from __future__ import annotations

import argparse
import sys

from neurallog import NeuralLog


def process(item: int) -> int:
    if item % 10 == 7:
        raise ValueError(f"item {item} is malformed")
    return item * item


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=25, help="how many items to process")
    args = parser.parse_args(argv)

    with NeuralLog(source="nightly-import") as neurallog:
        log = neurallog.bind(job="nightly-import")
        failed = 0
        # One batch: the records are handed over together when the block ends.
        with neurallog.batch() as batch:
            for item in range(args.items):
                try:
                    result = process(item)
                except ValueError:
                    failed += 1
                    batch.exception("Item failed", item=item)
                else:
                    batch.info("Item processed", item=item, result=result)
        log.info("Job finished", processed=args.items - failed, failed=failed)
        # A job exits right after its work: wait until everything is delivered.
        delivered = neurallog.flush(timeout=30)
        stats = neurallog.stats
        print(f"{args.items} items, {failed} failed; {stats.sent} records delivered")
        if not delivered:
            print(f"some records were not delivered: {stats.dropped}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
