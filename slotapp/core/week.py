"""The week view: a user's meetings placed on a seven-day time grid in their zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slotapp.core.wallclock import local_to_utc

DAY = timedelta(days=1)
# Hours always shown; a meeting outside them widens the grid.
DEFAULT_FIRST_HOUR = 8
DEFAULT_LAST_HOUR = 18


@dataclass(frozen=True)
class Entry:
    """A meeting to place (already filtered to the week)."""

    key: str
    start: datetime  # aware
    end: datetime  # aware
    title: str


@dataclass(frozen=True)
class Block:
    """One meeting's piece on one day, as fractions of the shown hours."""

    key: str
    title: str
    label: str  # "09:30-10:00" in the user's zone
    top: float  # 0..1 from the grid's first hour
    height: float  # fraction of the grid's height, at least a sliver to stay tappable
    lane: int  # side-by-side placement when meetings overlap
    lanes: int


@dataclass(frozen=True)
class Day:
    """A column of the week."""

    day: date
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Week:
    """Seven days from `start`, on hours `first_hour` to `last_hour` (wall clock)."""

    start: date
    first_hour: int
    last_hour: int
    days: tuple[Day, ...]


def week_start(day: date, *, first_weekday: int = 0) -> date:
    """The first day of the week holding `day` (Monday by default, 6 for Sunday)."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def week_bounds(start: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The week's first and last instants (UTC), correct across a DST change."""
    return (
        local_to_utc(start, time(), tz),
        local_to_utc(start + 7 * DAY, time(), tz),
    )


def _hours(entries: list[Entry], tz: ZoneInfo) -> tuple[int, int]:
    first, last = DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR
    for entry in entries:
        start, end = entry.start.astimezone(tz), entry.end.astimezone(tz)
        first = min(first, start.hour)
        if end.date() > start.date():
            last = 24
            if end.time() != time():  # it goes on after midnight: show the small hours
                first = 0
        else:
            last = max(last, end.hour + (1 if end.minute or end.second else 0))
    return first, min(last, 24)


def _lanes(pieces: list[tuple[datetime, datetime, Entry]]) -> list[tuple[int, int]]:
    """Lane and lane count per piece: overlapping meetings sit side by side."""
    result: list[tuple[int, int]] = [(0, 1)] * len(pieces)
    cluster: list[int] = []
    lane_ends: list[datetime] = []
    cluster_end: datetime | None = None

    def close() -> None:
        for i in cluster:
            result[i] = (result[i][0], len(lane_ends))

    for i, (start, end, _) in enumerate(pieces):
        if cluster_end is not None and start >= cluster_end:
            close()
            cluster, lane_ends, cluster_end = [], [], None
        lane = next((n for n, lane_end in enumerate(lane_ends) if lane_end <= start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        result[i] = (lane, 0)
        cluster.append(i)
        cluster_end = end if cluster_end is None else max(cluster_end, end)
    close()
    return result


def build_week(start: date, tz: ZoneInfo, entries: list[Entry]) -> Week:
    """Place `entries` on the seven days from `start`; a meeting over midnight is split."""
    first, last = _hours(entries, tz)
    span = float((last - first) * 3600)
    days: list[Day] = []
    for offset in range(7):
        day = start + offset * DAY
        day_begin, day_end = (
            local_to_utc(day, time(), tz),
            local_to_utc(day + DAY, time(), tz),
        )
        pieces = sorted(
            (
                (max(e.start, day_begin), min(e.end, day_end), e)
                for e in entries
                if e.start < day_end and e.end > day_begin
            ),
            key=lambda p: (p[0], p[1]),
        )
        blocks = []
        for (piece_start, piece_end, entry), (lane, lanes) in zip(
            pieces, _lanes(pieces), strict=True
        ):
            local_start, local_end = entry.start.astimezone(tz), entry.end.astimezone(tz)
            # Wall-clock offsets: on a DST day the grid shows the clock, not elapsed time.
            top = _wall_seconds(piece_start, tz, day) - first * 3600
            bottom = _wall_seconds(piece_end, tz, day) - first * 3600
            blocks.append(
                Block(
                    key=entry.key,
                    title=entry.title,
                    label=f"{local_start:%H:%M}-{local_end:%H:%M}",
                    top=max(0.0, top / span),
                    height=max(0.02, min(1.0, bottom / span) - max(0.0, top / span)),
                    lane=lane,
                    lanes=lanes,
                )
            )
        days.append(Day(day=day, blocks=tuple(blocks)))
    return Week(start=start, first_hour=first, last_hour=last, days=tuple(days))


def _wall_seconds(instant: datetime, tz: ZoneInfo, day: date) -> float:
    """Seconds since midnight of `day` on the wall clock (24 h for the next midnight)."""
    local = instant.astimezone(tz)
    if local.date() > day:
        return 24 * 3600.0
    return local.hour * 3600 + local.minute * 60 + local.second + 0.0
