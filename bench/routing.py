"""Benchmark of Open Channel queue routing: `python -m bench.routing`.

Builds a queue of 500 agents with seeded random presence, loads and assignment times, then
times `route` for each distribution, with a limit and some loads excluded from it, and part
of the queue already tried. Prints a Markdown table of median and p95 and exits non-zero if
a median reaches 2 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from slotapp.core.routing import Agent, Distribution, Load, QueueRules, route

AGENTS = 500
RUNS = 400
WARM_UP = 20
TARGET_MS = 2.0
NOW = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # inside Berlin's repeated hour


def make_queue(rng: random.Random) -> list[Agent]:
    """500 agents: mostly online, some away, on leave or dismissed, 0-8 enquiries each."""
    loads = list(Load)
    queue = []
    for user_id in range(1, AGENTS + 1):
        last = NOW - timedelta(minutes=rng.randrange(1, 600)) if rng.random() < 0.9 else None
        queue.append(
            Agent(
                user_id,
                online=rng.random() < 0.8,
                clocked_in=rng.random() < 0.5,
                on_leave=rng.random() < 0.05,
                dismissed=rng.random() < 0.02,
                loads=tuple(rng.choices(loads, k=rng.randrange(9))),
                last_assigned_at=last,
            )
        )
    return queue


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def time_route(queue: list[Agent], rules: QueueRules, tried: frozenset[int]) -> list[float]:
    """Milliseconds per `route` call, after a few uncounted warm-up calls."""
    timings = []
    for n in range(RUNS + WARM_UP):
        began = time.perf_counter()
        route(queue, rules, now=NOW, tried=tried)
        if n >= WARM_UP:
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def main() -> int:
    rng = random.Random(20261025)
    queue = make_queue(rng)
    tried = frozenset(rng.sample(range(1, AGENTS + 1), AGENTS // 3))
    print(f"\n## Open Channel routing: {AGENTS} agents, {RUNS} runs each\n")
    print("| distribution | offered | median ms | p95 ms |")
    print("|---|---:|---:|---:|")
    failures = []
    for distribution in Distribution:
        rules = QueueRules(
            distribution,
            limit=6,
            exclude=frozenset({Load.AWAITING_CLIENT, Load.CLOSING}),
            idle=timedelta(minutes=3),
        )
        offered = len(route(queue, rules, now=NOW, tried=tried).offer_to)
        timings = time_route(queue, rules, tried)
        median = statistics.median(timings)
        print(f"| {distribution.value} | {offered} | {median:.3f} | {p95(timings):.3f} |")
        if median >= TARGET_MS:
            failures.append(f"{distribution.value}: median {median:.3f} ms >= {TARGET_MS} ms")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
