"""When an enquiry's automatic actions fall due, from plain facts about it.

The service stores one timer per kind and conversation; after every change it asks
`due_timers` again and replaces the stored set, so a timer that no longer applies (the
agent answered, the client wrote back) simply disappears.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

Status = Literal["bot", "waiting", "offered", "active", "closing", "closed"]
STATUSES: tuple[Status, ...] = ("bot", "waiting", "offered", "active", "closing", "closed")
# Statuses in which the enquiry still waits for, or has, an agent.
_WITH_AGENTS = ("waiting", "offered", "active")


class TimerKind(StrEnum):
    """An automatic action of an enquiry."""

    FORWARD = "forward"  # the offer's holder did not take it: offer it to the next agent
    UNANSWERED = "unanswered"  # the client waited too long: tell them, mark the enquiry
    CLIENT_TIMEOUT = "client_timeout"  # the client stopped replying: close it
    FULL_CLOSE = "full_close"  # the delay after closing is over: close it for good
    KPI_INITIAL = "kpi_initial"  # the first answer is late: alert the supervisor
    KPI_NEXT = "kpi_next"  # a later answer is late: alert the supervisor


@dataclass(frozen=True)
class ChatFacts:
    """What the timers depend on; every datetime aware (kept in UTC) or None.

    `status` "bot" means the channel's bot answers first: no agent timer runs then.
    `offered_at` is for the record: `offer_deadline` already includes the idle time, and
    an offer to everybody has none.
    """

    status: Status
    offered_at: datetime | None = None
    offer_deadline: datetime | None = None
    last_client_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None
    first_client_message_at: datetime | None = None
    first_agent_reply_at: datetime | None = None
    closed_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, datetime):
                if value.tzinfo is None:
                    raise ValueError(f"{item.name} must be timezone-aware")
                # In UTC, adding a duration adds elapsed time; in a zone it adds wall time.
                object.__setattr__(self, item.name, value.astimezone(UTC))

    @property
    def awaiting_agent(self) -> bool:
        """The client wrote and no agent message has come since (same instant: answered)."""
        client, agent = self.last_client_message_at, self.last_agent_message_at
        return client is not None and (agent is None or agent < client)


@dataclass(frozen=True)
class ChatTimerRules:
    """A channel's automatic-action settings; None switches a timer off.

    Raises:
        ValueError: A duration that is negative, or zero where zero makes no sense.
    """

    unanswered_after: timedelta | None = None
    close_delay: timedelta = timedelta(0)
    client_timeout: timedelta | None = None
    kpi_initial: timedelta | None = None
    kpi_next: timedelta | None = None

    def __post_init__(self) -> None:
        if self.close_delay < timedelta(0):
            raise ValueError("close_delay cannot be negative (0 closes at once)")
        for name in ("unanswered_after", "client_timeout", "kpi_initial", "kpi_next"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                raise ValueError(f"{name} must be positive (or None for off)")


def due_timers(facts: ChatFacts, rules: ChatTimerRules) -> dict[TimerKind, datetime]:
    """The automatic actions that apply in the enquiry's current state, and when.

    Args:
        facts: The enquiry now.
        rules: The channel's settings.

    Returns:
        Kind to due instant (in the past when already overdue), only for timers that
        apply: FORWARD while offered with a deadline; UNANSWERED and KPI timers while
        waiting, offered or active; CLIENT_TIMEOUT while active and answered;
        FULL_CLOSE while closing.
    """
    due: dict[TimerKind, datetime] = {}
    if facts.status == "closing" and facts.closed_at is not None:
        due[TimerKind.FULL_CLOSE] = facts.closed_at + rules.close_delay
    if facts.status not in _WITH_AGENTS:
        return due
    if facts.status == "offered" and facts.offer_deadline is not None:
        due[TimerKind.FORWARD] = facts.offer_deadline
    last_client = facts.last_client_message_at
    if facts.awaiting_agent and last_client is not None:
        if rules.unanswered_after is not None:
            due[TimerKind.UNANSWERED] = last_client + rules.unanswered_after
        if rules.kpi_next is not None and facts.first_agent_reply_at is not None:
            due[TimerKind.KPI_NEXT] = last_client + rules.kpi_next
    first_client = facts.first_client_message_at
    no_reply_yet = facts.first_agent_reply_at is None
    if rules.kpi_initial is not None and first_client is not None and no_reply_yet:
        due[TimerKind.KPI_INITIAL] = first_client + rules.kpi_initial
    last_agent = facts.last_agent_message_at
    timeout = rules.client_timeout if facts.status == "active" else None
    if timeout is not None and last_agent is not None and not facts.awaiting_agent:
        due[TimerKind.CLIENT_TIMEOUT] = last_agent + timeout
    return due


def fired(
    facts: ChatFacts, rules: ChatTimerRules, *, now: datetime
) -> tuple[tuple[TimerKind, datetime], ...]:
    """The timers due at or before `now`, earliest first (ties in TimerKind order).

    Raises:
        ValueError: `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    order = list(TimerKind)
    due = [(kind, at) for kind, at in due_timers(facts, rules).items() if at <= now]
    return tuple(sorted(due, key=lambda item: (item[1], order.index(item[0]))))


def next_due(facts: ChatFacts, rules: ChatTimerRules) -> tuple[TimerKind, datetime] | None:
    """The earliest applicable timer, or None when nothing is pending."""
    order = list(TimerKind)
    due = due_timers(facts, rules)
    if not due:
        return None
    return min(due.items(), key=lambda item: (item[1], order.index(item[0])))
