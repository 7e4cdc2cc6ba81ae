"""Queue routing of Open Channel enquiries: who is offered one, in which order, until when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slotapp.core.routing import (
    Agent,
    Decision,
    Distribution,
    Load,
    QueueEntry,
    QueueRules,
    available,
    counted,
    expand_queue,
    forward,
    route,
)

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Berlin springs forward
IDLE = timedelta(minutes=3)
EVENLY = QueueRules(Distribution.EVENLY, idle=IDLE)
IN_ORDER = QueueRules(Distribution.IN_ORDER, idle=IDLE)
EVERYBODY = QueueRules(Distribution.EVERYBODY, idle=IDLE)
N, R, W, C = Load.NEEDS_ANSWER, Load.REPLIED, Load.AWAITING_CLIENT, Load.CLOSING


def agent(user_id: int, *loads: Load, **kwargs: object) -> Agent:
    return Agent(user_id, loads=loads, **kwargs)  # type: ignore[arg-type]


def at(minutes: int) -> datetime:
    return NOW - timedelta(minutes=minutes)


# --- expand_queue --------------------------------------------------------------------------

DEPARTMENTS = {"sales": [4, 2, 7], "support": [7, 9], "empty": []}


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], ()),
        ([QueueEntry(user_id=3)], (3,)),
        ([QueueEntry(department="sales")], (4, 2, 7)),
        ([QueueEntry(user_id=2), QueueEntry(department="sales")], (2, 4, 7)),
        ([QueueEntry(department="sales"), QueueEntry(department="support")], (4, 2, 7, 9)),
        ([QueueEntry(department="support"), QueueEntry(user_id=7)], (7, 9)),
        ([QueueEntry(department="empty"), QueueEntry(user_id=1)], (1,)),
        ([QueueEntry(department="deleted"), QueueEntry(user_id=1)], (1,)),
        ([QueueEntry(user_id=5), QueueEntry(user_id=5)], (5,)),
    ],
    ids=[
        "empty",
        "one-user",
        "department-keeps-member-order",
        "user-before-their-department-keeps-first-place",
        "overlapping-departments",
        "user-after-department-stays-in-department-place",
        "empty-department",
        "unknown-department-adds-nobody",
        "duplicate-user",
    ],
)
def test_expand_queue(entries: list[QueueEntry], expected: tuple[int, ...]) -> None:
    assert expand_queue(entries, DEPARTMENTS) == expected


@pytest.mark.parametrize("kwargs", [{}, {"user_id": 1, "department": "sales"}])
def test_queue_entry_names_exactly_one_of_user_and_department(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="either"):
        QueueEntry(**kwargs)  # type: ignore[arg-type]


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"exclude": frozenset({Load.NEEDS_ANSWER})}, "need an answer"),
        ({"exclude": frozenset({Load.REPLIED, Load.NEEDS_ANSWER})}, "need an answer"),
        ({"idle": timedelta(seconds=59)}, "idle"),
        ({"idle": timedelta(hours=12, seconds=1)}, "idle"),
        ({"idle": timedelta(0)}, "idle"),
        ({"limit": 0}, "limit"),
        ({"limit": -1}, "limit"),
        ({"distribution": "random"}, "random"),
        ({"exclude": frozenset({"finished"})}, "finished"),
    ],
)
def test_queue_rules_refuse_bad_settings(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        QueueRules(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("idle", [timedelta(minutes=1), timedelta(hours=12)])
def test_idle_bounds_are_inclusive(idle: timedelta) -> None:
    assert QueueRules(idle=idle).idle == idle


def test_rules_accept_the_strings_stored_in_channel_settings() -> None:
    rules = QueueRules("in_order", exclude=frozenset({"replied", "closing"}))  # type: ignore[arg-type]
    assert rules.distribution is Distribution.IN_ORDER
    assert rules.exclude == {Load.REPLIED, Load.CLOSING}


# --- counted / available -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loads", "exclude", "expected"),
    [
        ((), frozenset(), 0),
        ((N, R, W, C), frozenset(), 4),
        ((N, R, W, C), frozenset({R}), 3),
        ((N, R, W, C), frozenset({R, W, C}), 1),
        ((N, N, C, C), frozenset({C}), 2),
        ((R, R), frozenset({R}), 0),
    ],
)
def test_counted_skips_excluded_loads(
    loads: tuple[Load, ...], exclude: frozenset[Load], expected: int
) -> None:
    assert counted(agent(1, *loads), QueueRules(exclude=exclude)) == expected


@pytest.mark.parametrize(
    ("who", "rules", "expected"),
    [
        (agent(1), QueueRules(), True),
        (agent(1, dismissed=True), QueueRules(), False),
        (agent(1, dismissed=True), QueueRules(check_online=False), False),
        (agent(1, online=False), QueueRules(), False),
        (agent(1, online=False, clocked_in=True), QueueRules(), True),
        (agent(1, online=False), QueueRules(check_online=False), True),
        (agent(1, on_leave=True), QueueRules(), False),
        (agent(1, on_leave=True, clocked_in=True), QueueRules(), False),
        (agent(1, on_leave=True), QueueRules(check_online=False), True),
        (agent(1, N, N), QueueRules(limit=2), False),
        (agent(1, N), QueueRules(limit=2), True),
        (agent(1, N, R), QueueRules(limit=2, exclude=frozenset({R})), True),
        (agent(1, N, R, W, C), QueueRules(limit=2, exclude=frozenset({R, W, C})), True),
        (agent(1, N, N, N), QueueRules(limit=None), True),
    ],
    ids=[
        "online",
        "dismissed",
        "dismissed-even-without-online-check",
        "offline",
        "offline-but-clocked-in",
        "offline-without-online-check",
        "on-leave",
        "on-leave-though-clocked-in",
        "on-leave-without-online-check",
        "at-limit",
        "below-limit",
        "excluded-load-frees-a-place",
        "only-unanswered-counts",
        "no-limit",
    ],
)
def test_available(who: Agent, rules: QueueRules, expected: bool) -> None:
    assert available(who, rules) is expected


# --- route ----------------------------------------------------------------------------------


def offered(decision: Decision) -> tuple[int, ...]:
    return decision.offer_to


@pytest.mark.parametrize(
    ("queue", "rules", "tried", "expected", "reason"),
    [
        ([agent(1, N), agent(2), agent(3, N)], EVENLY, frozenset(), (2,), "evenly"),
        ([agent(1, N, N), agent(2, N, R), agent(3, N)], EVENLY, frozenset(), (3,), "evenly"),
        (
            [agent(1, N, R, R), agent(2, N, N)],
            QueueRules(exclude=frozenset({R})),
            frozenset(),
            (1,),
            "evenly",
        ),
        ([agent(1), agent(2)], EVENLY, frozenset(), (1,), "evenly"),
        ([agent(1), agent(2)], EVENLY, frozenset({1}), (2,), "evenly"),
        ([agent(1), agent(2, N), agent(3)], EVENLY, frozenset({1}), (3,), "evenly"),
        ([agent(1, online=False), agent(2, N, N)], EVENLY, frozenset(), (2,), "evenly"),
        ([agent(1, N), agent(2), agent(3)], IN_ORDER, frozenset(), (1,), "in_order"),
        ([agent(1, N), agent(2), agent(3)], IN_ORDER, frozenset({1}), (2,), "in_order"),
        ([agent(1, N), agent(2), agent(3)], IN_ORDER, frozenset({2, 1}), (3,), "in_order"),
        (
            [agent(1, on_leave=True), agent(2, dismissed=True), agent(3)],
            IN_ORDER,
            frozenset(),
            (3,),
            "in_order",
        ),
        ([agent(1, N), agent(2), agent(3)], EVERYBODY, frozenset(), (1, 2, 3), "everybody"),
        (
            [agent(1), agent(2, online=False), agent(3)],
            EVERYBODY,
            frozenset({1, 3}),
            (1, 3),
            "everybody",
        ),
    ],
    ids=[
        "evenly-fewest-enquiries",
        "evenly-counts-all-loads",
        "evenly-ignores-excluded-loads",
        "evenly-tie-goes-to-queue-order",
        "evenly-skips-tried",
        "evenly-skips-tried-then-fewest",
        "evenly-skips-unavailable",
        "in-order-first",
        "in-order-next-after-tried",
        "in-order-tried-in-any-order",
        "in-order-skips-unavailable",
        "everybody-all",
        "everybody-ignores-tried-and-skips-unavailable",
    ],
)
def test_route_by_distribution(
    queue: list[Agent],
    rules: QueueRules,
    tried: frozenset[int],
    expected: tuple[int, ...],
    reason: str,
) -> None:
    decision = route(queue, rules, now=NOW, tried=tried)
    assert (decision.offer_to, decision.reason, decision.new_round) == (expected, reason, False)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ((at(5), at(10), at(1)), 2),
        ((at(5), None, at(1)), 2),
        ((None, None, at(1)), 1),
        ((at(5), at(5), at(1)), 1),
        ((at(1), at(1), at(1)), 1),
    ],
    ids=["least-recent", "never-beats-any-time", "both-never-queue-order", "same-time", "all"],
)
def test_evenly_tie_goes_to_least_recently_assigned(
    last: tuple[datetime | None, ...], expected: int
) -> None:
    queue = [agent(i + 1, N, last_assigned_at=t) for i, t in enumerate(last)]
    assert route(queue, EVENLY, now=NOW).offer_to == (expected,)


def test_evenly_prefers_fewer_enquiries_over_waiting_longer() -> None:
    queue = [agent(1, N, last_assigned_at=None), agent(2, last_assigned_at=at(0))]
    assert route(queue, EVENLY, now=NOW).offer_to == (2,)


def test_evenly_compares_assignment_times_as_instants_not_wall_clocks() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    # 03:10 CEST (01:10 UTC) is later than 02:50 UTC although its wall clock is earlier.
    later = datetime(2026, 3, 29, 3, 10, tzinfo=berlin)
    earlier = datetime(2026, 3, 29, 0, 50, tzinfo=UTC)
    queue = [agent(1, last_assigned_at=later), agent(2, last_assigned_at=earlier)]
    assert route(queue, EVENLY, now=NOW).offer_to == (2,)


@pytest.mark.parametrize("rules", [EVENLY, IN_ORDER])
def test_single_offer_has_deadline_now_plus_idle(rules: QueueRules) -> None:
    decision = route([agent(1), agent(2)], rules, now=NOW)
    assert decision.deadline == NOW + IDLE
    assert decision.tried == {1}


def test_everybody_has_no_deadline() -> None:
    decision = route([agent(1), agent(2)], EVERYBODY, now=NOW)
    assert (decision.offer_to, decision.deadline) == ((1, 2), None)


@pytest.mark.parametrize("rules", [EVENLY, IN_ORDER, EVERYBODY])
@pytest.mark.parametrize(
    "queue",
    [
        [],
        [agent(1, online=False), agent(2, dismissed=True), agent(3, on_leave=True)],
        [agent(1, N), agent(2, N)],
    ],
    ids=["empty-queue", "nobody-present", "all-at-limit"],
)
def test_waits_when_nobody_is_available(rules: QueueRules, queue: list[Agent]) -> None:
    limited = QueueRules(rules.distribution, limit=1, idle=IDLE)
    decision = route(queue, limited, now=NOW, tried=frozenset({7}))
    assert decision == Decision((), None, "waiting", frozenset({7}))


def test_duplicate_agents_are_offered_once() -> None:
    queue = [agent(1), agent(2), agent(1)]
    assert route(queue, EVERYBODY, now=NOW).offer_to == (1, 2)


# --- the responsible person ----------------------------------------------------------------


@pytest.mark.parametrize("rules", [EVENLY, IN_ORDER, EVERYBODY])
def test_responsible_person_first_even_outside_the_queue(rules: QueueRules) -> None:
    decision = route([agent(1), agent(2)], rules, now=NOW, responsible=agent(9, N, N, N))
    assert decision == Decision((9,), NOW + IDLE, "responsible", frozenset({9}))


@pytest.mark.parametrize(
    ("responsible", "tried"),
    [
        (agent(9, online=False), frozenset()),
        (agent(9, dismissed=True), frozenset()),
        (agent(9, N, N), frozenset()),
        (agent(9), frozenset({9})),
    ],
    ids=["offline", "dismissed", "at-limit", "already-tried"],
)
def test_responsible_person_skipped(responsible: Agent, tried: frozenset[int]) -> None:
    rules = QueueRules(Distribution.IN_ORDER, limit=2, idle=IDLE)
    decision = route([agent(1), agent(2)], rules, now=NOW, tried=tried, responsible=responsible)
    assert (decision.offer_to, decision.reason) == ((1,), "in_order")


def test_responsible_in_queue_is_not_offered_twice_in_a_round() -> None:
    queue = [agent(1), agent(9)]
    first = route(queue, IN_ORDER, now=NOW, responsible=agent(9))
    second = forward(queue, IN_ORDER, now=NOW, holder=9, tried=first.tried, responsible=agent(9))
    third = forward(queue, IN_ORDER, now=NOW, holder=1, tried=second.tried, responsible=agent(9))
    assert [d.offer_to for d in (first, second, third)] == [(9,), (1,), (9,)]
    assert third.new_round


def test_only_responsible_available_stays_with_them() -> None:
    queue = [agent(1, online=False)]
    decision = forward(
        queue, IN_ORDER, now=NOW, holder=9, tried=frozenset({9}), responsible=agent(9)
    )
    assert (decision.offer_to, decision.new_round) == ((9,), True)


# --- forwarding and new rounds ----------------------------------------------------------------


def walk(queue: list[Agent], rules: QueueRules, steps: int) -> list[int]:
    """Who holds the offer after each timeout, starting from a fresh route."""
    decision = route(queue, rules, now=NOW)
    holders = [decision.offer_to[0]]
    for _ in range(steps):
        decision = forward(queue, rules, now=NOW, holder=decision.offer_to[0], tried=decision.tried)
        holders.append(decision.offer_to[0])
    return holders


@pytest.mark.parametrize(
    ("queue", "rules", "expected"),
    [
        ([agent(1), agent(2), agent(3)], IN_ORDER, [1, 2, 3, 1, 2, 3, 1]),
        ([agent(1), agent(2, online=False), agent(3)], IN_ORDER, [1, 3, 1, 3, 1, 3, 1]),
        ([agent(1)], IN_ORDER, [1, 1, 1, 1, 1, 1, 1]),
        ([agent(1, N), agent(2), agent(3, N, N)], EVENLY, [2, 1, 3, 2, 1, 3, 2]),
        ([agent(1), agent(2, online=False)], EVENLY, [1, 1, 1, 1, 1, 1, 1]),
    ],
    ids=["in-order-rounds", "skips-absent", "alone", "evenly-rounds", "evenly-alone"],
)
def test_forwarding_goes_round_and_starts_over(
    queue: list[Agent], rules: QueueRules, expected: list[int]
) -> None:
    assert walk(queue, rules, len(expected) - 1) == expected


def test_new_round_is_flagged_and_resets_tried() -> None:
    queue = [agent(1), agent(2)]
    decision = forward(queue, IN_ORDER, now=NOW, holder=2, tried=frozenset({1}))
    assert decision == Decision((1,), NOW + IDLE, "in_order", frozenset({1}), new_round=True)


def test_new_round_passes_over_the_holder_when_someone_else_is_available() -> None:
    queue = [agent(1), agent(2)]
    decision = forward(queue, IN_ORDER, now=NOW, holder=1, tried=frozenset({2}))
    assert (decision.offer_to, decision.new_round) == ((2,), True)


def test_holder_gets_it_again_when_alone() -> None:
    queue = [agent(1), agent(2, N, N)]
    rules = QueueRules(Distribution.EVENLY, limit=2, idle=IDLE)
    decision = forward(queue, rules, now=NOW, holder=1, tried=frozenset())
    assert decision == Decision((1,), NOW + IDLE, "evenly", frozenset({1}), new_round=True)


def test_forward_to_nobody_keeps_tried_for_when_someone_returns() -> None:
    queue = [agent(1, online=False)]
    decision = forward(queue, IN_ORDER, now=NOW, holder=2, tried=frozenset({1}))
    assert decision == Decision((), None, "waiting", frozenset({1, 2}))


def test_agent_back_later_gets_the_waiting_enquiry() -> None:
    waiting = forward([agent(1, online=False)], IN_ORDER, now=NOW, holder=2, tried=frozenset())
    later = NOW + timedelta(hours=1)
    decision = route([agent(1), agent(2)], IN_ORDER, now=later, tried=waiting.tried)
    assert (decision.offer_to, decision.deadline, decision.new_round) == (
        (1,),
        later + IDLE,
        False,
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        route([agent(1)], EVENLY, now=datetime(2026, 3, 29, 2, 30))


def test_deadline_is_elapsed_idle_time_across_the_repeated_hour() -> None:
    from zoneinfo import ZoneInfo

    # 02:59 CEST on 2026-10-25; three minutes later the clocks show 02:02 CET.
    now = datetime(2026, 10, 25, 2, 59, tzinfo=ZoneInfo("Europe/Berlin"))
    decision = route([agent(1)], IN_ORDER, now=now)
    assert decision.deadline == datetime(2026, 10, 25, 1, 2, tzinfo=UTC)
    assert decision.deadline is not None and decision.deadline.tzinfo is UTC


def test_deadline_is_elapsed_idle_time_across_the_skipped_hour() -> None:
    from zoneinfo import ZoneInfo

    now = datetime(2026, 3, 29, 1, 58, tzinfo=ZoneInfo("Europe/Berlin"))  # 00:58 UTC
    decision = route([agent(1)], EVENLY, now=now)
    assert decision.deadline == datetime(2026, 3, 29, 1, 1, tzinfo=UTC)  # 03:01 CEST


def test_the_same_agent_listed_twice_is_offered_once() -> None:
    same = agent(1)
    assert route([same, agent(2), same], EVERYBODY, now=NOW).offer_to == (1, 2)
