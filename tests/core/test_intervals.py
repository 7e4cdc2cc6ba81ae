"""Interval algebra: merge, intersect, subtract, clip on aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.intervals import Interval, clip, intersect, merge, subtract


def iv(*pairs: tuple[int, int]) -> list[Interval]:
    """Intervals from (start hour, end hour) pairs on one fixed UTC day."""
    return [
        Interval(datetime(2026, 1, 5, a, tzinfo=UTC), datetime(2026, 1, 5, b, tzinfo=UTC))
        for a, b in pairs
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param([], [], id="empty"),
        pytest.param([(1, 2)], [(1, 2)], id="single"),
        pytest.param([(3, 4), (1, 2)], [(1, 2), (3, 4)], id="unsorted-disjoint"),
        pytest.param([(1, 3), (2, 4)], [(1, 4)], id="overlapping"),
        pytest.param([(1, 2), (2, 3)], [(1, 3)], id="touching-coalesce"),
        pytest.param([(1, 5), (2, 3)], [(1, 5)], id="contained"),
        pytest.param([(2, 2), (3, 1)], [], id="empty-intervals-dropped"),
        pytest.param([(5, 6), (1, 2), (1, 3), (4, 5)], [(1, 3), (4, 6)], id="mixed"),
    ],
)
def test_merge(given: list[tuple[int, int]], expected: list[tuple[int, int]]) -> None:
    assert merge(iv(*given)) == iv(*expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param([], [(1, 2)], [], id="empty-left"),
        pytest.param([(1, 5)], [(2, 3)], [(2, 3)], id="contained"),
        pytest.param([(1, 3)], [(2, 5)], [(2, 3)], id="overlap"),
        pytest.param([(1, 2)], [(2, 3)], [], id="touching-is-empty"),
        pytest.param([(1, 4), (6, 9)], [(3, 7), (8, 10)], [(3, 4), (6, 7), (8, 9)], id="zigzag"),
        pytest.param([(0, 23)], [(1, 2), (3, 4)], [(1, 2), (3, 4)], id="wide-left"),
    ],
)
def test_intersect(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    assert intersect(iv(*a), iv(*b)) == iv(*expected)
    assert intersect(iv(*b), iv(*a)) == iv(*expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param([(1, 5)], [], [(1, 5)], id="nothing-removed"),
        pytest.param([(1, 5)], [(2, 3)], [(1, 2), (3, 5)], id="hole"),
        pytest.param([(1, 5)], [(0, 2)], [(2, 5)], id="cut-start"),
        pytest.param([(1, 5)], [(4, 6)], [(1, 4)], id="cut-end"),
        pytest.param([(1, 5)], [(0, 6)], [], id="all-removed"),
        pytest.param([(1, 5)], [(5, 6), (0, 1)], [(1, 5)], id="touching-keeps"),
        pytest.param([(1, 3), (4, 8)], [(2, 5), (6, 7)], [(1, 2), (5, 6), (7, 8)], id="spanning"),
        pytest.param(
            [(1, 9)], [(2, 3), (4, 5), (6, 7)], [(1, 2), (3, 4), (5, 6), (7, 9)], id="many"
        ),
    ],
)
def test_subtract(
    a: list[tuple[int, int]], b: list[tuple[int, int]], expected: list[tuple[int, int]]
) -> None:
    assert subtract(iv(*a), iv(*b)) == iv(*expected)


@pytest.mark.parametrize(
    ("given", "lo", "hi", "expected"),
    [
        pytest.param([(1, 5)], 2, 4, [(2, 4)], id="inside"),
        pytest.param([(1, 2), (3, 4), (5, 6)], 3, 5, [(3, 4)], id="drops-outside"),
        pytest.param([(1, 2)], 2, 3, [], id="touching-lo"),
        pytest.param([(1, 3), (4, 6)], 2, 5, [(2, 3), (4, 5)], id="both-cut"),
    ],
)
def test_clip(
    given: list[tuple[int, int]], lo: int, hi: int, expected: list[tuple[int, int]]
) -> None:
    day = datetime(2026, 1, 5, tzinfo=UTC)
    got = clip(iv(*given), day.replace(hour=lo), day.replace(hour=hi))
    assert got == iv(*expected)


def test_mixed_zones_compare_by_instant() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    a = [Interval(datetime(2026, 1, 5, 10, tzinfo=berlin), datetime(2026, 1, 5, 12, tzinfo=berlin))]
    b = iv((10, 12))  # 11:00-13:00 Berlin
    assert intersect(a, b) == [Interval(b[0].start, a[0].end)]
