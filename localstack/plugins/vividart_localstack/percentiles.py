"""Percentile statistics (p50, p90, p99.9 ...) of raw metric values, per period. Pure: no LocalStack.

CloudWatch answers a percentile with a value that was observed (it keeps values, not a model of
them), so this uses the nearest-rank definition: the smallest value with at least p% of the
values at or below it. For 1..10, p90 is 9 and p50 is 5.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

_PERCENTILE = re.compile(r"^p(100(\.0+)?|\d{1,2}(\.\d{1,10})?)$")


def percent_of(stat: str | None) -> float | None:
    """The percentage a statistic names ("p90" -> 90.0), or None for any other statistic."""
    if not isinstance(stat, str) or not _PERCENTILE.match(stat):
        return None
    return float(stat[1:])


def nearest_rank(sorted_values: list[float], percent: float) -> float:
    """The nearest-rank percentile of values already sorted ascending (at least one)."""
    rank = max(1, math.ceil(percent / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def percentile_series(rows: Iterable[tuple[float, float]], start: int, end: int, period: int, percent: float,
                      newest_first: bool = True) -> tuple[list[int], list[float]]:
    """(timestamp, value) rows as one percentile per period from start: the periods' start times
    (epoch seconds) and their percentiles, for periods that hold values, in CloudWatch's order
    (newest first unless asked otherwise)."""
    buckets: dict[int, list[float]] = {}
    for timestamp, value in rows:
        if start <= timestamp < end and value is not None:
            buckets.setdefault(start + int((timestamp - start) // period) * period, []).append(float(value))
    times = sorted(buckets, reverse=newest_first)
    return times, [nearest_rank(sorted(buckets[t]), percent) for t in times]
