"""Who is offered a new enquiry of an Open Channel, and until when.

A channel has a queue of agents (users and whole departments). A new enquiry goes first to
the client's responsible person, then to the queue by the channel's distribution: evenly
(fewest open enquiries), in order, or to everybody at once. An agent who does not take it
in time lets it pass (`forward`); when everyone available has let it pass, a new round
starts, so an enquiry is never dropped while someone can answer it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

MIN_IDLE = timedelta(minutes=1)
MAX_IDLE = timedelta(hours=12)
_NEVER = float("-inf")


class Distribution(StrEnum):
    """How the queue shares enquiries."""

    EVENLY = "evenly"
    IN_ORDER = "in_order"
    EVERYBODY = "everybody"


class Load(StrEnum):
    """Where one of an agent's not fully closed enquiries stands, for the limit."""

    NEEDS_ANSWER = "needs_answer"  # the client's last message is unanswered
    REPLIED = "replied"  # the agent answered the client's last message
    AWAITING_CLIENT = "awaiting_client"  # the agent marked it as waiting for the client
    CLOSING = "closing"  # closed, inside the delay before it is fully closed


@dataclass(frozen=True)
class QueueEntry:
    """One line of a channel's queue: a user or a department, never both."""

    user_id: int | None = None
    department: str | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.department is None):
            raise ValueError("a queue entry names either a user or a department")


@dataclass(frozen=True)
class Agent:
    """An agent as routing sees them; `loads` leave out the enquiry being routed."""

    user_id: int
    online: bool = True
    clocked_in: bool = False
    on_leave: bool = False
    dismissed: bool = False
    loads: tuple[Load, ...] = ()
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class QueueRules:
    """A channel's routing settings; plain strings become `Distribution` and `Load`.

    Raises:
        ValueError: An unknown distribution or load, NEEDS_ANSWER in `exclude`, `idle`
            outside 1 minute to 12 hours, or a `limit` below 1.
    """

    distribution: Distribution = Distribution.EVENLY
    check_online: bool = True
    limit: int | None = None
    exclude: frozenset[Load] = frozenset()
    idle: timedelta = timedelta(minutes=3)

    def __post_init__(self) -> None:
        # Accept the plain strings stored in channel settings, e.g. "in_order", "replied".
        object.__setattr__(self, "distribution", Distribution(self.distribution))
        object.__setattr__(self, "exclude", frozenset(Load(load) for load in self.exclude))
        if Load.NEEDS_ANSWER in self.exclude:
            raise ValueError("enquiries that need an answer always count toward the limit")
        if not MIN_IDLE <= self.idle <= MAX_IDLE:
            raise ValueError("idle must be between 1 minute and 12 hours")
        if self.limit is not None and self.limit < 1:
            raise ValueError("limit must be at least 1 (or None for no limit)")


@dataclass(frozen=True)
class Decision:
    """The outcome of routing one enquiry.

    Attributes:
        offer_to: Agents to offer it to, in order; empty means it waits in the queue.
        deadline: When to forward it if nobody takes it; None for "everybody" or waiting.
        reason: "responsible", "evenly", "in_order", "everybody" or "waiting".
        tried: Who has been offered it in the current round, `offer_to` included; store
            it and pass it back to `forward` or `route`.
        new_round: True when everyone available had been tried and the round restarted.
    """

    offer_to: tuple[int, ...]
    deadline: datetime | None
    reason: str
    tried: frozenset[int] = frozenset()
    new_round: bool = False


def expand_queue(
    entries: Sequence[QueueEntry], departments: Mapping[str, Sequence[int]]
) -> tuple[int, ...]:
    """User ids in queue order; a department stands for its members in their given order.

    A user listed twice keeps their first position; an unknown (deleted) department adds
    nobody.
    """
    seen: dict[int, None] = {}
    for entry in entries:
        members: Sequence[int] = ()
        if entry.user_id is not None:
            members = (entry.user_id,)
        elif entry.department is not None:
            members = departments.get(entry.department, ())
        for user_id in members:
            seen.setdefault(user_id, None)
    return tuple(seen)


def counted(agent: Agent, rules: QueueRules) -> int:
    """How many of the agent's enquiries count toward the channel's limit."""
    if not rules.exclude:
        return len(agent.loads)
    return sum(1 for load in agent.loads if load not in rules.exclude)


def available(agent: Agent, rules: QueueRules) -> bool:
    """Whether the agent may be offered a new enquiry now.

    Dismissed agents never are; with `check_online`, neither are agents on leave nor
    those who are neither online nor clocked in; nor anyone at the limit.
    """
    if agent.dismissed:
        return False
    if rules.check_online and (agent.on_leave or not (agent.online or agent.clocked_in)):
        return False
    return rules.limit is None or counted(agent, rules) < rules.limit


def route(
    queue: Sequence[Agent],
    rules: QueueRules,
    *,
    now: datetime,
    tried: frozenset[int] = frozenset(),
    responsible: Agent | None = None,
    holder: int | None = None,
) -> Decision:
    """Decides who is offered an enquiry.

    Args:
        queue: The channel's agents in queue order (see `expand_queue`).
        rules: The channel's routing settings.
        now: Aware current time; deadlines count from it and are in UTC.
        tried: Who was already offered it in this round (`Decision.tried` of last time).
        responsible: The recognised client's responsible user, offered it first when
            available and not tried, even if not in the queue.
        holder: Who holds the offer now; in a new round they are offered it again only
            when nobody else is available.

    Returns:
        The decision; `offer_to` is empty when nobody is available.

    Raises:
        ValueError: `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)  # so that now + idle is elapsed time, not wall-clock time
    pool = _available(queue, rules)
    if responsible is not None and not available(responsible, rules):
        responsible = None
    decision = _pick(pool, rules, now, tried, responsible)
    if decision is not None:
        return decision
    if not pool and responsible is None:
        return Decision((), None, "waiting", tried)
    # Everyone available was tried: start over, passing over the holder if possible.
    again = frozenset() if holder is None else frozenset({holder})
    decision = _pick(pool, rules, now, again, responsible) or _pick(
        pool, rules, now, frozenset(), responsible
    )
    assert decision is not None  # someone is available
    return replace(decision, tried=frozenset(decision.offer_to), new_round=True)


def forward(
    queue: Sequence[Agent],
    rules: QueueRules,
    *,
    now: datetime,
    holder: int,
    tried: frozenset[int],
    responsible: Agent | None = None,
) -> Decision:
    """The next decision when `holder` did not take the enquiry before the deadline.

    Same as `route` with `holder` added to `tried`; arguments as there.
    """
    return route(
        queue, rules, now=now, tried=tried | {holder}, responsible=responsible, holder=holder
    )


def _available(queue: Sequence[Agent], rules: QueueRules) -> list[Agent]:
    """Available agents in queue order, each once."""
    seen: set[int] = set()
    pool = []
    for agent in queue:
        if agent.user_id not in seen and available(agent, rules):
            seen.add(agent.user_id)
            pool.append(agent)
    return pool


def _pick(
    pool: list[Agent],
    rules: QueueRules,
    now: datetime,
    tried: frozenset[int],
    responsible: Agent | None,
) -> Decision | None:
    if responsible is not None and responsible.user_id not in tried:
        return _single(responsible, "responsible", rules, now, tried)
    if rules.distribution == Distribution.EVERYBODY:
        if not pool:
            return None
        offer = tuple(agent.user_id for agent in pool)
        return Decision(offer, None, Distribution.EVERYBODY.value, tried | set(offer))
    untried = [agent for agent in pool if agent.user_id not in tried] if tried else pool
    if not untried:
        return None
    if rules.distribution == Distribution.IN_ORDER:
        return _single(untried[0], Distribution.IN_ORDER.value, rules, now, tried)
    # min() keeps the first of equals, so queue order breaks the remaining ties.
    chosen = min(untried, key=lambda agent: (counted(agent, rules), _last(agent)))
    return _single(chosen, Distribution.EVENLY.value, rules, now, tried)


def _last(agent: Agent) -> float:
    stamp = agent.last_assigned_at
    return _NEVER if stamp is None else stamp.timestamp()


def _single(
    agent: Agent, reason: str, rules: QueueRules, now: datetime, tried: frozenset[int]
) -> Decision:
    return Decision((agent.user_id,), now + rules.idle, reason, tried | {agent.user_id})
