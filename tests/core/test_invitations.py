"""Invitations' pure rules: the form, the time frame, pools, titles and suggestions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.availability import Busy, HostSchedule
from slotapp.core.invitation_form import (
    InvitationDraft,
    InvitationInvalid,
    check_draft,
    clean_draft,
    parse_start_param,
    start_param,
)
from slotapp.core.invitations import (
    Bookable,
    TimeFrame,
    choose_resource,
    frame_window,
    invitation_slots,
    no_slots_reason,
    render_title,
    suggest_slots,
    template_problem,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # Saturday
BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
ALL_DAY = ((time(0), time.max),)
WORKDAYS = dict.fromkeys(range(5), ((time(9), time(17)),))

GOOD = InvitationDraft(
    participant_name="Pia Participant",
    participant_email="Pia@Example.org",
    subject="Contract review",
    duration_minutes=60,
    member_ids=(1,),
    date_from="2026-11-23",
    date_to="2026-11-27",
    daily_from="09:00",
    daily_to="11:00",
    time_zone="Europe/Berlin",
)


def berlin(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def person(*busy: tuple[datetime, datetime], tz: str = "Europe/Berlin") -> HostSchedule:
    return HostSchedule(time_zone=tz, weekly=WORKDAYS, busy=[Busy(a, b) for a, b in busy])


def test_a_complete_draft_is_clean_and_typed() -> None:
    clean = clean_draft(GOOD, now=NOW)
    assert clean.participant_email == "pia@example.org"
    assert clean.length == HOUR
    assert clean.frame == TimeFrame(
        date(2026, 11, 23), date(2026, 11, 27), time(9), time(11), "Europe/Berlin"
    )


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"participant_name": "  "}, "participant_name", "Enter a name"),
        ({"participant_email": "pia@"}, "participant_email", "not valid"),
        ({"subject": ""}, "subject", "Enter a subject"),
        ({"duration_minutes": 0}, "duration_minutes", "between 5 and 480"),
        ({"member_ids": ()}, "member_ids", "at least one team member"),
        ({"meeting_type": "telepathy"}, "meeting_type", "in person, phone or video"),
        ({"date_from": "23.11.2026"}, "date_from", "like 2026-11-23"),
        ({"date_to": "2026-11-22"}, "date_to", "not be before the start"),
        ({"date_from": "2026-11-01", "date_to": "2026-11-20"}, "date_to", "in the past"),
        ({"date_to": "2027-06-01"}, "date_to", "at most 120 days"),
        ({"daily_from": "9am"}, "daily_from", "not a time like 09:30"),
        ({"daily_to": "08:00"}, "daily_to", "after the daily start"),
        ({"daily_to": "09:30"}, "daily_to", "does not fit"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone"),
        ({"title_template": "{subject} at {company}"}, "title_template", "{company}"),
        ({"promote_count": 9}, "promote_count", "between 1 and 5"),
    ],
)
def test_bad_drafts_name_the_field_and_what_to_fix(
    change: dict[str, object], field: str, says: str
) -> None:
    draft = replace(GOOD, **change)  # type: ignore[arg-type]
    errors = check_draft(draft, now=NOW)
    assert field in errors, errors
    assert says in errors[field]
    with pytest.raises(InvitationInvalid):
        clean_draft(draft, now=NOW)


def test_a_step_shows_only_its_own_errors() -> None:
    draft = replace(GOOD, participant_email="nope", subject="", date_to="2026-11-01")
    assert set(check_draft(draft, now=NOW, step=1)) == {"participant_email"}
    assert set(check_draft(draft, now=NOW, step=2)) == {"subject"}
    assert set(check_draft(draft, now=NOW, step=3)) == {"date_to"}


def test_today_is_still_a_valid_frame_and_24_00_ends_the_day() -> None:
    clean = clean_draft(replace(GOOD, date_from="2026-11-21", daily_to="24:00"), now=NOW)
    assert clean.frame.day_end == time.max


def _frame(first: date, last: date, start: time, end: time, tz: str = "Europe/Berlin") -> TimeFrame:
    return TimeFrame(first, last, start, end, tz)


MONDAY = _frame(date(2026, 11, 23), date(2026, 11, 23), time(9), time(11))


def test_frame_window_runs_from_midnight_to_midnight_in_its_zone() -> None:
    assert frame_window(MONDAY) == (berlin(23, 0), berlin(24, 0))


@pytest.mark.parametrize(
    ("frame", "members", "expected"),
    [
        (MONDAY, [person()], [berlin(23, 9), berlin(23, 9, 30), berlin(23, 10)]),
        (MONDAY, [person((berlin(23, 9, 30), berlin(23, 10)))], [berlin(23, 10)]),
        (MONDAY, [person(), person((berlin(23, 10), berlin(23, 10, 30)))], [berlin(23, 9)]),
        # Saturday and Sunday are in the frame, but nobody works then.
        (_frame(date(2026, 11, 28), date(2026, 11, 29), time(9), time(11)), [person()], []),
        # A member in New York (09:00-17:00 there = 15:00-23:00 Berlin).
        (
            _frame(date(2026, 11, 23), date(2026, 11, 23), time(14), time(17)),
            [person(tz="America/New_York")],
            [berlin(23, 15), berlin(23, 15, 30), berlin(23, 16)],
        ),
    ],
    ids=["free", "busy-member", "second-member-busy", "weekend", "other-zone"],
)
def test_slots_need_the_frame_and_every_member(
    frame: TimeFrame, members: list[HostSchedule], expected: list[datetime]
) -> None:
    assert invitation_slots(frame, HOUR, members=members, now=NOW) == expected


def test_slots_never_start_before_now() -> None:
    today = _frame(date(2026, 11, 21), date(2026, 11, 21), time(0), time.max, "UTC")
    always = HostSchedule("UTC", dict.fromkeys(range(7), ALL_DAY))
    slots = invitation_slots(today, HOUR, members=[always], now=NOW)
    assert slots[0] == NOW and slots[-1] == datetime(2026, 11, 21, 23, tzinfo=UTC)


def test_spring_forward_day_offers_only_real_hours() -> None:
    """2027-03-28 in Berlin: 02:00-03:00 does not exist; 01:00-04:00 is two real hours."""
    frame = _frame(date(2027, 3, 28), date(2027, 3, 28), time(1), time(4))
    always = HostSchedule("Europe/Berlin", dict.fromkeys(range(7), ALL_DAY))
    slots = invitation_slots(frame, HOUR, members=[always], now=NOW)
    assert slots == [datetime(2027, 3, 28, h, m, tzinfo=UTC) for h, m in ((0, 0), (0, 30), (1, 0))]
    walls = [s.astimezone(BERLIN).strftime("%H:%M") for s in slots]
    assert walls == ["01:00", "01:30", "03:00"]


def _rooms(*busy_per_room: tuple[tuple[datetime, datetime], ...]) -> list[Bookable]:
    names = ["Room C", "Room A", "Room B"]  # not in name order: the choice sorts by name
    return [
        Bookable(
            i + 1,
            names[i],
            HostSchedule("Europe/Berlin", WORKDAYS, busy=[Busy(a, b) for a, b in busy]),
        )
        for i, busy in enumerate(busy_per_room)
    ]


NINE_TO_TEN = ((berlin(23, 9), berlin(23, 10)),)


@pytest.mark.parametrize(
    ("pool", "offered_at_nine", "chosen"),
    [
        (_rooms((), (), ()), True, "Room A"),
        (_rooms(NINE_TO_TEN, NINE_TO_TEN, ()), True, "Room B"),
        (_rooms((), NINE_TO_TEN, NINE_TO_TEN), True, "Room C"),
        (_rooms(NINE_TO_TEN, NINE_TO_TEN, NINE_TO_TEN), False, None),
    ],
    ids=["all-free", "only-b-free", "only-c-free", "none-free"],
)
def test_a_pool_needs_any_one_free_resource(
    pool: list[Bookable], offered_at_nine: bool, chosen: str | None
) -> None:
    slots = invitation_slots(MONDAY, HOUR, members=[person()], pools=[pool], now=NOW)
    assert (berlin(23, 9) in slots) is offered_at_nine
    assert berlin(23, 10) in slots  # every room is free again at 10:00
    picked = choose_resource(MONDAY, HOUR, pool, berlin(23, 9), NOW)
    assert (picked.name if picked else None) == chosen


def test_two_pools_must_both_have_a_free_resource() -> None:
    free = _rooms(())
    taken = _rooms(NINE_TO_TEN)
    slots = invitation_slots(MONDAY, HOUR, members=[person()], pools=[free, taken], now=NOW)
    assert slots == [berlin(23, 10)]


def test_a_busy_room_removes_its_times() -> None:
    room = HostSchedule("Europe/Berlin", WORKDAYS, busy=[Busy(berlin(23, 9), berlin(23, 10))])
    assert invitation_slots(MONDAY, HOUR, members=[person()], rooms=[room], now=NOW) == [
        berlin(23, 10)
    ]


@pytest.mark.parametrize(
    ("members", "rooms", "pools", "says"),
    [
        ({"Ann": person()}, {}, {}, "everyone"),
        ({"Ann": HostSchedule("UTC", {})}, {}, {}, "team member Ann"),
        ({"Ann": person()}, {"Room 1": HostSchedule("UTC", {})}, {}, "room Room 1"),
        ({"Ann": person()}, {}, {"Floor 2": []}, "pool Floor 2 has no active resources"),
        (
            {"Ann": person()},
            {},
            {"Floor 2": _rooms(((berlin(23, 0), berlin(24, 0)),))},
            "pool Floor 2",
        ),
    ],
)
def test_no_slots_reason_names_the_first_blocker(
    members: dict[str, HostSchedule],
    rooms: dict[str, HostSchedule],
    pools: dict[str, list[Bookable]],
    says: str,
) -> None:
    reason = no_slots_reason(MONDAY, HOUR, members=members, rooms=rooms, pools=pools, now=NOW)
    assert says in reason


def test_a_frame_too_short_for_the_meeting_is_explained() -> None:
    reason = no_slots_reason(MONDAY, 3 * HOUR, members={"Ann": person()}, now=NOW)
    assert "widen the dates or the daily hours" in reason


@pytest.mark.parametrize(
    ("template", "values", "title"),
    [
        (
            "{subject} with {participant}",
            {"subject": "Review", "participant": "Pia"},
            "Review with Pia",
        ),
        # Braces typed by people are text, never placeholders (no format-string injection).
        (
            "{subject} with {participant}",
            {"subject": "{participant} {0}", "participant": "P"},
            "{participant} {0} with P",
        ),
        (
            "{subject} / {inviter} ({type})",
            {"subject": "S", "inviter": "Olga", "type": "Video"},
            "S / Olga (Video)",
        ),
        ("{unknown} {subject}", {"subject": "S"}, "{unknown} S"),
        ("{participant}", {"subject": "Fallback", "participant": "  "}, "Fallback"),
        ("{subject}\nwith\t{participant}", {"subject": "A", "participant": "B"}, "A with B"),
    ],
)
def test_render_title(template: str, values: dict[str, str], title: str) -> None:
    assert render_title(template, values) == title


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{subject} with {participant}", None),
        ("{type}: {inviter}", None),
        ("{x}", "{x}"),
        ("{}", "{}"),
    ],
)
def test_template_problem(template: str, problem: str | None) -> None:
    found = template_problem(template)
    assert (found is None) if problem is None else (found is not None and problem in found)


def _week_of_slots() -> list[datetime]:
    return [berlin(d, h) for d in range(23, 28) for h in range(9, 17)]


@pytest.mark.parametrize(
    ("slots", "limit", "expected_days", "count"),
    [
        (_week_of_slots(), 3, {23, 25, 27}, 3),
        (_week_of_slots(), 5, {23, 24, 25, 26, 27}, 5),
        ([berlin(23, h) for h in range(9, 17)], 3, {23}, 3),
        ([berlin(23, 9), berlin(24, 9)], 5, {23, 24}, 2),
        ([], 3, set(), 0),
    ],
)
def test_suggested_slots_spread_over_days(
    slots: list[datetime], limit: int, expected_days: set[int], count: int
) -> None:
    picks = suggest_slots(slots, "Europe/Berlin", limit)
    assert len(picks) == count and picks == sorted(picks) and set(picks) <= set(slots)
    assert {p.astimezone(BERLIN).day for p in picks} == expected_days


def test_suggestions_within_one_day_spread_from_morning_to_evening() -> None:
    picks = suggest_slots([berlin(23, h) for h in range(9, 17)], "Europe/Berlin", 3)
    assert [p.astimezone(BERLIN).hour for p in picks] == [9, 13, 16]


def test_start_param_round_trips_and_refuses_naive_times() -> None:
    start = berlin(23, 9, 30)
    assert start_param(start) == "20261123T083000Z"
    assert parse_start_param(start_param(start)) == start
    assert parse_start_param("2026-11-23T09:30:00+01:00") == start
    with pytest.raises(ValueError, match="time zone"):
        parse_start_param("2026-11-23T09:30:00")
    with pytest.raises(ValueError, match="not a valid time"):
        parse_start_param("soon")
