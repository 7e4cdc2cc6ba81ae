"""Response-time KPIs of Open Channel agents, and the texts that report them.

A response time runs from the first client message an agent has not answered yet to the
next agent message; bot and system messages are not answers. Times are elapsed time (UTC
arithmetic), so a reply across a clock change takes as long as it really took.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

Author = Literal["client", "agent", "bot", "system"]
_TOKENS = re.compile(r"#OPERATOR#|#DIALOG#")


@dataclass(frozen=True)
class ChatEvent:
    """A message of a conversation: when, by whom, and which agent if an agent."""

    at: datetime
    author: Author
    agent_id: int | None = None


@dataclass(frozen=True)
class ResponseTimes:
    """One conversation's response times.

    Attributes:
        initial: The first response time, None if no client message was answered.
        each: Every response time in order.
        total: Their sum (zero when none).
        average: Their mean, None when none.
        maximum: The longest, None when none.
        unanswered_since: The client message still waiting for an answer, if any.
    """

    initial: timedelta | None
    each: tuple[timedelta, ...]
    total: timedelta
    average: timedelta | None
    maximum: timedelta | None
    unanswered_since: datetime | None = None


@dataclass(frozen=True)
class AgentKpi:
    """One agent's answers over many conversations.

    Attributes:
        answers: How many client messages they answered.
        average: Mean response time.
        maximum: Longest response time.
        average_initial: Mean first response time of the conversations they answered
            first, None if they answered none first.
    """

    answers: int
    average: timedelta
    maximum: timedelta
    average_initial: timedelta | None


def response_times(events: Sequence[ChatEvent]) -> ResponseTimes:
    """The response times of one conversation (events in any order; sorted by time).

    Raises:
        ValueError: An event time is naive.
    """
    answers = _answers(events)
    each = tuple(took for _, took in answers.times)
    total = sum(each, timedelta(0))
    return ResponseTimes(
        initial=each[0] if each else None,
        each=each,
        total=total,
        average=total / len(each) if each else None,
        maximum=max(each) if each else None,
        unanswered_since=answers.pending,
    )


def per_agent(conversations: Mapping[int, Sequence[ChatEvent]]) -> dict[int, AgentKpi]:
    """KPIs per answering agent over conversations keyed by id.

    Agent messages without an agent id count in `response_times` but are credited to
    nobody here.
    """
    times: dict[int, list[timedelta]] = {}
    initials: dict[int, list[timedelta]] = {}
    for events in conversations.values():
        answered = _answers(events).times
        for n, (agent_id, took) in enumerate(answered):
            if agent_id is None:
                continue
            times.setdefault(agent_id, []).append(took)
            if n == 0:
                initials.setdefault(agent_id, []).append(took)
    return {
        agent_id: AgentKpi(
            answers=len(took),
            average=sum(took, timedelta(0)) / len(took),
            maximum=max(took),
            average_initial=_mean(initials.get(agent_id, [])),
        )
        for agent_id, took in sorted(times.items())
    }


def render_alert(template: str, *, operator: str, dialog_url: str, dialog_title: str) -> str:
    """A KPI alert from its template: #OPERATOR# is the agent, #DIALOG# "title: url".

    Substituted in one pass, so a name that itself contains a placeholder stays as typed.
    """
    dialog = f"{dialog_title}: {dialog_url}" if dialog_title else dialog_url
    values = {"#OPERATOR#": operator, "#DIALOG#": dialog}
    return _TOKENS.sub(lambda match: values[match.group(0)], template)


def format_duration(duration: timedelta) -> str:
    """A short human form, whole seconds rounded down: "45 s", "3 min 5 s", "2 h 4 min".

    Two units at most ("1 d 3 h"); a zero second unit is left out ("3 min").

    Raises:
        ValueError: `duration` is negative.
    """
    if duration < timedelta(0):
        raise ValueError("a duration cannot be negative")
    seconds = int(duration.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    first = next((n for n, (value, _) in enumerate(units) if value), len(units) - 1)
    shown = [units[first]] + [u for u in units[first + 1 : first + 2] if u[0]]
    return " ".join(f"{value} {unit}" for value, unit in shown)


@dataclass(frozen=True)
class _Answers:
    times: list[tuple[int | None, timedelta]]
    pending: datetime | None


def _answers(events: Sequence[ChatEvent]) -> _Answers:
    for event in events:
        if event.at.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
    # Stable sort: messages stored with the same instant keep their given order.
    ordered = sorted(events, key=lambda event: event.at.astimezone(UTC))
    times: list[tuple[int | None, timedelta]] = []
    pending: datetime | None = None
    for event in ordered:
        if event.author == "client" and pending is None:
            pending = event.at.astimezone(UTC)
        elif event.author == "agent" and pending is not None:
            times.append((event.agent_id, event.at.astimezone(UTC) - pending))
            pending = None
    return _Answers(times, pending)


def _mean(values: list[timedelta]) -> timedelta | None:
    return sum(values, timedelta(0)) / len(values) if values else None
