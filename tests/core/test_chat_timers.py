"""When an enquiry's automatic actions fall due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.chat_timers import (
    ChatFacts,
    ChatTimerRules,
    TimerKind,
    due_timers,
    fired,
    next_due,
)

T0 = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # Berlin repeats 02:00-03:00 an hour later
MIN = timedelta(minutes=1)
ALL = ChatTimerRules(
    unanswered_after=10 * MIN,
    close_delay=30 * MIN,
    client_timeout=60 * MIN,
    kpi_initial=5 * MIN,
    kpi_next=15 * MIN,
)
F, U, CT, FC, KI, KN = (
    TimerKind.FORWARD,
    TimerKind.UNANSWERED,
    TimerKind.CLIENT_TIMEOUT,
    TimerKind.FULL_CLOSE,
    TimerKind.KPI_INITIAL,
    TimerKind.KPI_NEXT,
)


def t(minutes: int) -> datetime:
    return T0 + minutes * MIN


def facts(status: str, **times: int) -> ChatFacts:
    """Facts with each given time as minutes after T0."""
    return ChatFacts(status, **{k: t(v) for k, v in times.items()})  # type: ignore[arg-type]


NEW = {"first_client_message_at": 0, "last_client_message_at": 0}
ANSWERED = {**NEW, "first_agent_reply_at": 2, "last_agent_message_at": 2}
WROTE_AGAIN = {**ANSWERED, "last_client_message_at": 20}


@pytest.mark.parametrize(
    ("chat", "expected"),
    [
        (facts("waiting", **NEW), {U: t(10), KI: t(5)}),
        (facts("offered", offered_at=0, offer_deadline=3, **NEW), {F: t(3), U: t(10), KI: t(5)}),
        (facts("offered", offered_at=0, **NEW), {U: t(10), KI: t(5)}),  # to everybody
        (facts("active", **NEW), {U: t(10), KI: t(5)}),
        (facts("active", **ANSWERED), {CT: t(62)}),
        (facts("active", **WROTE_AGAIN), {U: t(30), KN: t(35)}),
        (facts("active", **{**WROTE_AGAIN, "last_agent_message_at": 20}), {CT: t(80)}),
        (facts("active", last_agent_message_at=0), {CT: t(60)}),  # the agent wrote first
        (facts("closing", closed_at=40, **ANSWERED), {FC: t(70)}),
        (facts("closing", **ANSWERED), {}),
        (facts("closed", closed_at=40, **WROTE_AGAIN), {}),
        (facts("bot", **NEW), {}),
        (facts("waiting"), {}),
    ],
    ids=[
        "waiting",
        "offered-one",
        "offered-everybody",
        "active-unanswered",
        "active-answered",
        "client-wrote-again",
        "answered-at-same-instant",
        "agent-wrote-first",
        "closing",
        "closing-without-time",
        "closed",
        "bot-answers",
        "no-messages",
    ],
)
def test_due_timers_by_state(chat: ChatFacts, expected: dict[TimerKind, datetime]) -> None:
    assert due_timers(chat, ALL) == expected


@pytest.mark.parametrize(
    ("rules", "chat", "expected"),
    [
        (ChatTimerRules(), facts("active", **NEW), {}),
        (ChatTimerRules(), facts("active", **ANSWERED), {}),
        (ChatTimerRules(), facts("active", **WROTE_AGAIN), {}),
        (ChatTimerRules(), facts("closing", closed_at=40), {FC: t(40)}),
        (ChatTimerRules(kpi_next=MIN), facts("active", **NEW), {}),
        (ChatTimerRules(kpi_initial=MIN), facts("active", **WROTE_AGAIN), {}),
        (ChatTimerRules(unanswered_after=MIN), facts("offered", offer_deadline=3), {F: t(3)}),
    ],
    ids=[
        "all-off",
        "all-off-answered",
        "all-off-unanswered-again",
        "close-at-once",
        "kpi-next-needs-an-earlier-reply",
        "kpi-initial-ends-with-first-reply",
        "forward-without-messages",
    ],
)
def test_switched_off_timers_do_not_apply(
    rules: ChatTimerRules, chat: ChatFacts, expected: dict[TimerKind, datetime]
) -> None:
    assert due_timers(chat, rules) == expected


def test_due_times_are_exact_durations_across_the_repeated_hour() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    wrote = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)  # first 02:30, CEST (00:30 UTC)
    chat = ChatFacts("waiting", first_client_message_at=wrote, last_client_message_at=wrote)
    due = due_timers(chat, ChatTimerRules(unanswered_after=60 * MIN))
    assert due[U] - wrote == 60 * MIN
    assert due[U].astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_fired_lists_overdue_timers_earliest_first() -> None:
    chat = facts("offered", offered_at=0, offer_deadline=5, **NEW)
    assert fired(chat, ALL, now=t(4)) == ()
    assert fired(chat, ALL, now=t(5)) == ((F, t(5)), (KI, t(5)))
    assert fired(chat, ALL, now=t(60)) == ((F, t(5)), (KI, t(5)), (U, t(10)))


def test_next_due() -> None:
    assert next_due(facts("active", **WROTE_AGAIN), ALL) == (U, t(30))
    assert next_due(facts("closed"), ALL) is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"close_delay": -MIN}, "close_delay"),
        ({"unanswered_after": timedelta(0)}, "unanswered_after"),
        ({"client_timeout": -MIN}, "client_timeout"),
        ({"kpi_initial": timedelta(0)}, "kpi_initial"),
        ({"kpi_next": -MIN}, "kpi_next"),
    ],
)
def test_rules_refuse_bad_durations(kwargs: dict[str, timedelta], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ChatTimerRules(**kwargs)


def test_facts_refuse_naive_times_and_unknown_status() -> None:
    with pytest.raises(ValueError, match="closed_at"):
        ChatFacts("closing", closed_at=datetime(2026, 10, 25, 2, 30))
    with pytest.raises(ValueError, match="status"):
        ChatFacts("archived")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="aware"):
        fired(facts("closed"), ALL, now=datetime(2026, 10, 25))
