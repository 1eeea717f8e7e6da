"""Percentile statistics of raw values per period, as the LocalStack plugin answers GetMetricData's
pNN statistics (percentiles.py, pure)."""

import random

import pytest

from vividart_localstack.percentiles import nearest_rank, percent_of, percentile_series


@pytest.mark.parametrize("stat, percent", [("p50", 50.0), ("p90", 90.0), ("p99.9", 99.9), ("p0", 0.0),
                                           ("p100", 100.0), ("p9.99", 9.99)])
def test_percentile_statistics_are_recognised(stat, percent):
    assert percent_of(stat) == percent


@pytest.mark.parametrize("stat", ["Average", "Sum", "p101", "p", "P90", "tm90", "p90.", "p-1", None, 90])
def test_other_statistics_are_left_alone(stat):
    assert percent_of(stat) is None


def test_nearest_rank_answers_an_observed_value():
    values = [float(v) for v in range(1, 11)]
    assert nearest_rank(values, 90) == 9 and nearest_rank(values, 50) == 5
    assert nearest_rank(values, 0) == 1 and nearest_rank(values, 100) == 10
    assert nearest_rank(values, 91) == 10  # above the 9th of 10 values: the 10th
    assert nearest_rank([42.0], 99) == 42


def test_at_least_p_percent_of_values_are_at_or_below_it_and_it_is_the_smallest_such():
    rng = random.Random(7)
    for _ in range(200):
        values = sorted(rng.uniform(0, 1000) for _ in range(rng.randint(1, 60)))
        percent = rng.choice([50, 90, 99, 12.5])
        answer = nearest_rank(values, percent)
        at_or_below = sum(v <= answer for v in values)
        assert at_or_below >= percent / 100 * len(values)
        assert sum(v < answer for v in values) < percent / 100 * len(values) or answer == values[0]


def test_rows_become_one_percentile_per_period_newest_first_within_the_window():
    start, period = 1_000_000, 60
    rows = [(start + 5, 10.0), (start + 59, 30.0), (start + 30, 20.0),  # first period: 10, 20, 30
            (start + 125, 7.0),  # third period; the second has nothing
            (start - 1, 999.0), (start + 180, 999.0), (start + 10, None)]  # outside, or no value
    times, values = percentile_series(rows, start, start + 180, period, 50)
    assert times == [start + 120, start] and values == [7.0, 20.0]
    times, values = percentile_series(rows, start, start + 180, period, 90, newest_first=False)
    assert times == [start, start + 120] and values == [30.0, 7.0]
    assert percentile_series([], start, start + 180, period, 90) == ([], [])
