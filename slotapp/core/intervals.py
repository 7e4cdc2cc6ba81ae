"""Half-open interval algebra on timezone-aware datetimes.

Every function takes and returns lists of `Interval` that are sorted by start and pairwise
disjoint (the output of `merge`), so each operation is a single linear two-pointer pass.
Empty intervals (start >= end) never appear in any output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple


class Interval(NamedTuple):
    """The half-open span [start, end) between two aware datetimes."""

    start: datetime
    end: datetime


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[Interval]:
    """Sorts intervals and coalesces the ones that overlap or touch.

    Args:
        intervals: Intervals or plain (start, end) pairs in any order; empty ones are
            dropped.

    Returns:
        Sorted, disjoint, non-touching intervals covering the same instants. Sorting is
        linear when the input is already sorted (Timsort), which is the common case.
    """
    out: list[Interval] = []
    cur_start: datetime | None = None
    cur_end: datetime | None = None
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if cur_end is None or start > cur_end:
            if cur_start is not None and cur_end is not None:
                out.append(Interval(cur_start, cur_end))
            cur_start, cur_end = start, end
        elif end > cur_end:
            cur_end = end
    if cur_start is not None and cur_end is not None:
        out.append(Interval(cur_start, cur_end))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Instants that lie in both `a` and `b`.

    Args:
        a: Sorted, disjoint intervals.
        b: Sorted, disjoint intervals.

    Returns:
        Sorted, disjoint intervals of the common instants.
    """
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        start = a_start if a_start > b_start else b_start
        end = a_end if a_end < b_end else b_end
        if start < end:
            out.append(Interval(start, end))
        # Whichever interval finishes first cannot meet anything later in the other list.
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Instants of `a` that are not in `b`.

    Args:
        a: Sorted, disjoint intervals to keep.
        b: Sorted, disjoint intervals to remove.

    Returns:
        Sorted, disjoint intervals.
    """
    out: list[Interval] = []
    j = 0
    n = len(b)
    for start, end in a:
        # b is sorted, so removals that end before this interval cannot touch later ones.
        while j < n and b[j][1] <= start:
            j += 1
        k = j
        while k < n and b[k][0] < end:
            b_start, b_end = b[k]
            if b_start > start:
                out.append(Interval(start, b_start))
            if b_end > start:
                start = b_end
            if start >= end:
                break
            k += 1
        if start < end:
            out.append(Interval(start, end))
    return out


def clip(intervals: Sequence[Interval], lo: datetime, hi: datetime) -> list[Interval]:
    """The part of `intervals` inside [lo, hi).

    Args:
        intervals: Sorted, disjoint intervals.
        lo: Inclusive lower bound.
        hi: Exclusive upper bound.

    Returns:
        Sorted, disjoint intervals, each within [lo, hi).
    """
    out: list[Interval] = []
    for start, end in intervals:
        if end <= lo:
            continue
        if start >= hi:
            break
        s = start if start > lo else lo
        e = end if end < hi else hi
        if s < e:
            out.append(Interval(s, e))
    return out
