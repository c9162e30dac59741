"""``sample_rate`` / ``sample_rates``: keep a share of each level's records, at the call.

A record is kept with its level's probability (``random.random() < rate``), decided before
anything is captured; one left out counts as ``filtered`` in ``stats``. Rates are per
level; ERROR and FATAL are kept unless ``sample_rates`` names them (see
:func:`neurallog._config.resolve_logging_options`).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from neurallog._methods import PutRecord

__all__ = ["sampled"]


def sampled(
    put: PutRecord, rates: Mapping[int, float], on_sampled_out: Callable[[], None]
) -> PutRecord:
    """``put`` that keeps a record with probability ``rates[level]`` (levels absent: all)."""
    keep_rate = dict(rates).get
    draw = random.random  # the module's generator: reseeded in a forked child

    def put_sampled(level: int, *record: Any) -> None:
        rate = keep_rate(level)
        if rate is not None and draw() >= rate:
            on_sampled_out()
            return
        put(level, *record)

    return put_sampled
