"""Response-time KPIs: what counts as an answer, per-agent figures, alert texts, durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.kpi import (
    AgentKpi,
    ChatEvent,
    ResponseTimes,
    format_duration,
    per_agent,
    response_times,
)
from slotapp.core.kpi import render_alert as alert

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
S = timedelta(seconds=1)
M = timedelta(minutes=1)


def ev(seconds: int, author: str, agent_id: int | None = None) -> ChatEvent:
    return ChatEvent(T0 + seconds * S, author, agent_id)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("events", "each", "pending"),
    [
        ([], (), None),
        ([ev(0, "client")], (), 0),
        ([ev(0, "client"), ev(30, "agent", 1)], (30 * S,), None),
        ([ev(0, "client"), ev(10, "client"), ev(40, "agent", 1)], (40 * S,), None),
        ([ev(0, "client"), ev(5, "bot"), ev(6, "system"), ev(60, "agent", 1)], (60 * S,), None),
        ([ev(0, "client"), ev(5, "bot")], (), 0),
        (
            [ev(0, "agent", 1), ev(9, "agent", 1), ev(20, "client"), ev(50, "agent", 2)],
            (30 * S,),
            None,
        ),
        (
            [ev(0, "client"), ev(30, "agent", 1), ev(31, "agent", 1), ev(100, "client")],
            (30 * S,),
            100,
        ),
        (
            [ev(0, "client"), ev(30, "agent", 1), ev(100, "client"), ev(400, "agent", 2)],
            (30 * S, 300 * S),
            None,
        ),
        ([ev(30, "agent", 1), ev(0, "client")], (30 * S,), None),
    ],
    ids=[
        "no-messages",
        "not-answered-yet",
        "one-answer",
        "clock-runs-from-first-unanswered",
        "bot-and-system-are-not-answers",
        "only-the-bot-answered",
        "agent-messages-before-the-client-do-not-count",
        "second-agent-message-is-no-new-answer",
        "two-answers",
        "events-sorted-by-time",
    ],
)
def test_response_times(
    events: list[ChatEvent], each: tuple[timedelta, ...], pending: int | None
) -> None:
    result = response_times(events)
    assert result.each == each
    assert result.unanswered_since == (None if pending is None else T0 + pending * S)


def test_response_time_summary() -> None:
    events = [ev(0, "client"), ev(30, "agent", 1), ev(100, "client"), ev(190, "agent", 1)]
    assert response_times(events) == ResponseTimes(
        initial=30 * S,
        each=(30 * S, 90 * S),
        total=120 * S,
        average=60 * S,
        maximum=90 * S,
    )


def test_no_answers_means_no_average() -> None:
    result = response_times([ev(0, "client")])
    assert (result.initial, result.total, result.average, result.maximum) == (
        None,
        timedelta(0),
        None,
        None,
    )


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("asked", "answered", "took"),
    [
        # 01:50 CET -> 03:10 CEST is 20 minutes, not 80.
        (
            datetime(2026, 3, 29, 1, 50, tzinfo=BERLIN),
            datetime(2026, 3, 29, 3, 10, tzinfo=BERLIN),
            20 * M,
        ),
        # 02:50 CEST -> 02:10 CET (the repeated hour) is 20 minutes, not -40.
        (
            datetime(2026, 10, 25, 2, 50, tzinfo=BERLIN),
            datetime(2026, 10, 25, 2, 10, tzinfo=BERLIN, fold=1),
            20 * M,
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_response_times_are_elapsed_time_across_clock_changes(
    asked: datetime, answered: datetime, took: timedelta
) -> None:
    events = [ChatEvent(asked, "client"), ChatEvent(answered, "agent", 1)]
    assert response_times(events).each == (took,)


def test_naive_event_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        response_times([ChatEvent(datetime(2026, 11, 21, 12), "client")])


def test_per_agent() -> None:
    conversations = {
        10: [ev(0, "client"), ev(60, "agent", 1), ev(100, "client"), ev(220, "agent", 2)],
        11: [ev(0, "client"), ev(30, "agent", 2), ev(40, "client"), ev(70, "agent", 2)],
        12: [ev(0, "client"), ev(5, "bot"), ev(300, "agent", None)],
        13: [ev(0, "client")],
    }
    assert per_agent(conversations) == {
        1: AgentKpi(answers=1, average=60 * S, maximum=60 * S, average_initial=60 * S),
        2: AgentKpi(answers=3, average=60 * S, maximum=120 * S, average_initial=30 * S),
    }


def test_per_agent_without_first_answers_has_no_initial_average() -> None:
    conversations = {1: [ev(0, "client"), ev(10, "agent", 1), ev(20, "client"), ev(50, "agent", 2)]}
    assert per_agent(conversations)[2].average_initial is None
    assert per_agent({}) == {}


@pytest.mark.parametrize(
    ("template", "operator", "title", "expected"),
    [
        (
            "#OPERATOR# has not answered #DIALOG# in time.",
            "Ann Lee",
            "Chat with Bob",
            "Ann Lee has not answered Chat with Bob: https://x.test/c/7 in time.",
        ),
        ("#DIALOG#", "Ann", "", "https://x.test/c/7"),
        ("#OPERATOR# / #OPERATOR#", "Ann", "t", "Ann / Ann"),
        ("No placeholders.", "Ann", "t", "No placeholders."),
        ("#OPERATOR#: #DIALOG#", "#DIALOG#", "t", "#DIALOG#: t: https://x.test/c/7"),
        ("#operator# stays", "Ann", "t", "#operator# stays"),
    ],
    ids=["both", "untitled-dialog", "repeated", "none", "single-pass", "case-sensitive"],
)
def test_render_alert(template: str, operator: str, title: str, expected: str) -> None:
    url = "https://x.test/c/7"
    assert alert(template, operator=operator, dialog_url=url, dialog_title=title) == expected


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(0), "0 s"),
        (timedelta(milliseconds=999), "0 s"),
        (45 * S, "45 s"),
        (60 * S, "1 min"),
        (185 * S, "3 min 5 s"),
        (3599 * S, "59 min 59 s"),
        (3600 * S, "1 h"),
        (3605 * S, "1 h"),
        (2 * 3600 * S + 4 * M + 59 * S, "2 h 4 min"),
        (timedelta(days=1, hours=3, minutes=2), "1 d 3 h"),
        (timedelta(days=2, minutes=5), "2 d"),
    ],
)
def test_format_duration(duration: timedelta, expected: str) -> None:
    assert format_duration(duration) == expected


def test_format_duration_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_duration(-S)
