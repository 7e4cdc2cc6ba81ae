"""Push latency: from a new enquiry to its push requests leaving slotapp. `python -m bench.push`

100 agents with one subscribed phone each. For each of 30 enquiries, one transaction queues a
push for every agent (`notify_users`, as the enquiry routing does) and commits; the server's
own delivery loop (`services.push_worker.run`, on an event loop in a thread of its own, as
in the server) sends them with pywebpush to a push service on loopback in another process
(`tests.pushservice`). Reported, from the start of the enquiry's transaction: each request
written to its connection by slotapp (the target: p95 under 200 ms), each request read by the
push service, the last of each enquiry's 100; and what the transaction itself costs. Then
three fan-outs of one notification to 1,000 subscriptions.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

import slotapp.models  # noqa: F401  (registers the tables)
from slotapp.clock import utcnow
from slotapp.core.push import PushKind
from slotapp.db import make_engine, serialized
from slotapp.models import PushSubscription, User
from slotapp.services import push
from slotapp.services.push_worker import CONCURRENCY, PushWorker, Sender, run
from slotapp.services.vapid import keys_from
from tests.pushservice import BrowserKeys

ROOT = Path(__file__).resolve().parent.parent
AGENTS, ENQUIRIES, WARM_UP = 100, 30, 3
FAN_OUT, FAN_OUT_RUNS = 1000, 3
GAP_SECONDS = 0.4  # between enquiries: each one's pushes are out long before the next
TARGET_P95_MS = 200.0


def _ms(ns: float) -> float:
    return ns / 1e6


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


@contextmanager
def push_service() -> Iterator[str]:
    """`python -m tests.pushservice` in another process; yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.pushservice"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(10)


def seed(engine: Engine, service_url: str, people: int) -> list[int]:
    """`people` agents, each with one phone subscribed at the push service; their ids."""
    now = utcnow()
    with Session(engine) as session:
        session.execute(
            insert(User),
            [
                {
                    "email": f"agent{i}@example.com",
                    "name": f"Agent {i}",
                    "role": "agent",
                    "time_zone": "Europe/Berlin",
                    "department": "Support",
                    "is_active": True,
                    "links_sort": "uses",
                    "created_at": now,
                }
                for i in range(people)
            ],
        )
        ids = list(session.exec(select(User.id).order_by(col(User.id))).all())
        rows = []
        for i, uid in enumerate(ids):
            sub = BrowserKeys().subscription(f"{service_url}/push/agent-{i}")
            rows.append(
                {
                    "user_id": uid,
                    "endpoint": sub["endpoint"],
                    "p256dh": sub["keys"]["p256dh"],
                    "auth": sub["keys"]["auth"],
                    "label": "Chrome on Android",
                    "created_at": now,
                }
            )
        session.execute(insert(PushSubscription), rows)
        session.commit()
    return [uid for uid in ids if uid is not None]


@contextmanager
def delivery(engine: Engine, workdir: Path) -> Iterator[list[int]]:
    """The push worker's loop on an event loop in a thread, as in the server.

    Yields the list the HTTP client appends to, with time.monotonic_ns(), as each request's
    body has been written to its connection: the moment a push leaves slotapp.
    """
    keys = keys_from({}, workdir, "http://127.0.0.1")
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop = asyncio.Event()
    sent: list[int] = []

    async def on_sent(*_: object) -> None:
        sent.append(time.monotonic_ns())

    async def main() -> None:
        wakeup = push.WAKEUP.bind()
        trace = aiohttp.TraceConfig()
        trace.on_request_chunk_sent.append(on_sent)
        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        async with aiohttp.ClientSession(connector=connector, trace_configs=[trace]) as http:
            worker = PushWorker(engine=engine, sender=Sender(http, keys))
            task = asyncio.create_task(run(worker, wakeup))
            started.set()
            await stop.wait()
            task.cancel()
        push.WAKEUP.unbind(wakeup)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield sent
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)


def arrivals(client: httpx.Client) -> list[int]:
    """Arrival times (monotonic ns) the push service noted; it forgets them."""
    got = [r["at_ns"] for r in client.get("/__received").json()]
    client.delete("/__received")
    return sorted(got)


def enquiry(engine: Engine, user_ids: list[int], n: int) -> tuple[int, int]:
    """One new enquiry for these agents; (start, end) of its transaction in monotonic ns."""
    start = time.monotonic_ns()
    # A writer takes SQLite's write lock at BEGIN, as the app's booking and chat writes do.
    with Session(serialized(engine)) as session:
        push.notify_users(
            session=session,
            user_ids=user_ids,
            kind=PushKind.ENQUIRY_NEW,
            line=f"New enquiry #{n} from the website chat",
            url=f"/conversations/{n}",
            now=utcnow(),
        )
        session.commit()
    return start, time.monotonic_ns()


def wait_for(
    sent: list[int], client: httpx.Client, count: int, timeout: float = 30.0
) -> tuple[list[int], list[int]]:
    """Once `count` requests left (or the timeout passed): (sent, arrived) times, forgotten.

    Watches the in-process list: asking the push service while slotapp sends would take CPU
    from the worker on this machine.
    """
    deadline = time.monotonic() + timeout
    while len(sent) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # the last requests' arrival
    left, sent[:] = sorted(sent), []
    return left, arrivals(client)


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="slotapp-push-") as tmp,
        push_service() as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        workdir = Path(tmp)
        engine = make_engine(f"sqlite:///{workdir / 'push.db'}")
        SQLModel.metadata.create_all(engine)
        agents = seed(engine, url, FAN_OUT)
        team = agents[:AGENTS]
        per_push: list[float] = []  # enquiry -> request written by slotapp
        arrival: list[float] = []  # enquiry -> request read by the push service
        per_enquiry: list[float] = []
        transaction: list[float] = []
        cpu_ms: list[float] = []  # this process's CPU per enquiry (all threads)
        with delivery(engine, workdir) as sent:
            for n in range(WARM_UP + ENQUIRIES):
                cpu = time.process_time()
                start, end = enquiry(engine, team, n)
                left, got = wait_for(sent, client, AGENTS)
                cpu_ms.append((time.process_time() - cpu) * 1000)
                time.sleep(GAP_SECONDS)
                if n < WARM_UP or len(left) < AGENTS:
                    if len(left) < AGENTS:
                        print(f"enquiry {n}: only {len(left)} of {AGENTS} pushes were sent")
                    continue
                per_push += [_ms(t - start) for t in left]
                arrival += [_ms(t - start) for t in got]
                per_enquiry.append(_ms(left[-1] - start))
                transaction.append(_ms(end - start))
            fan_out = []
            for n in range(FAN_OUT_RUNS):
                start, end = enquiry(engine, agents, 1000 + n)
                left, got = wait_for(sent, client, FAN_OUT, timeout=60)
                fan_out.append((len(got), _ms(end - start), [_ms(t - start) for t in left]))
                time.sleep(1.0)
        engine.dispose()
    print(f"\n## Push: new enquiry to push request leaving slotapp ({AGENTS} agents)\n")
    print(f"{ENQUIRIES} enquiries after {WARM_UP} warm-up ones, {len(per_push)} pushes.\n")
    print("| measure | median ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    for label, values in (
        ("per push: enquiry to request sent by slotapp", per_push),
        ("per push: enquiry to arrival at the push service", arrival),
        (f"per enquiry: until the last of {AGENTS} is sent", per_enquiry),
        ("the enquiry's transaction (queue + commit)", transaction),
    ):
        print(
            f"| {label} | {statistics.median(values):.1f} | {p95(values):.1f} | {max(values):.1f} |"
        )
    load = os.getloadavg()[0]
    print(
        f"\nCPU time of slotapp's process per enquiry: median {statistics.median(cpu_ms):.0f} ms"
        f" (on {os.cpu_count()} cores, load average {load:.1f} at the end: on a busy machine"
        " the times above are mostly waiting for a core)."
    )
    print(f"\n## Push: fan-out of one notification to {FAN_OUT} subscriptions\n")
    print("Times from the start of the transaction to each request sent by slotapp.\n")
    print("| run | arrived | transaction ms | first ms | median ms | p95 ms | last ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, (count, tx, times) in enumerate(fan_out, 1):
        print(
            f"| {i} | {count} | {tx:.1f} | {times[0]:.1f} | {statistics.median(times):.1f} "
            f"| {p95(times):.1f} | {times[-1]:.1f} |"
        )
    worst = p95(per_push)
    if worst >= TARGET_P95_MS:
        print(f"FAIL: push p95 {worst:.1f} ms >= {TARGET_P95_MS:.0f} ms")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
