"""Benchmark of the chat widget's API: `python -m bench.chat`.

200 simultaneous visitors (asyncio + httpx) against the chat API served by uvicorn in its own
process (one worker), on a temporary SQLite database: each opens a conversation, keeps the
widget's long-poll open all the while, and posts 3 messages. Two paces: people typing (5-15 s
between messages, arriving over 10 s) and a burst (1-4 s apart, all at once). Meanwhile an
"agent side" in this process reads every new client message back from the database (every
10 ms), and the server records when it told the agents' live topics (`on_chat`, which the app
wires to `state.live.notify`, refreshing open inboxes). Checks that every message was stored
exactly once and reached the agent side; prints a Markdown table of p50/p95 and exits
non-zero if a message was lost. The machine's load average is printed: on a shared 2-core
box the latencies are mostly queueing behind the single SQLite writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, SQLModel, col, select

from bench.appserver import free_port

VISITORS = 200
MESSAGES = 3
AGENTS = 10
SEED = 7
ROOT = Path(__file__).resolve().parent.parent
BASE = "/api/chat/v1"


# --- the server process --------------------------------------------------------------------
_TOLD: list[tuple[float, list[str]]] = []


def server_app() -> Any:
    """The app the server process serves (`uvicorn bench.chat:server_app --factory`): the
    booking API with the chat API, and `/bench/told` listing every `on_chat` call."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from slotapp.api.chat import chat_routes
    from slotapp.api.v1 import build_api

    def record(topics: Iterable[str]) -> None:
        _TOLD.append((time.time(), list(topics)))

    async def told(_request: Request) -> JSONResponse:
        return JSONResponse(_TOLD)

    return build_api(routes=[*chat_routes(on_chat=record), Route("/bench/told", told)])


def prepare(db_url: str) -> str:
    """A channel with AGENTS agents online; returns its widget key."""
    import slotapp.models  # noqa: F401  (registers the tables)
    from slotapp.clock import utcnow
    from slotapp.db import make_engine
    from slotapp.services import accounts, agent_chat, channels

    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        channel = channels.create_channel(session=session, name="Bench support", now=now)
        assert channel.id is not None
        agents = [
            accounts.create_user(
                session=session,
                email=f"agent{i}@example.com",
                name=f"Agent {i}",
                password=None,
                role="agent",
            )
            for i in range(AGENTS)
        ]
        channels.set_queue(
            session=session,
            channel_id=channel.id,
            items=[channels.QueueItem(user_id=a.id) for a in agents],
        )
        for agent in agents:
            agent_chat.set_presence(session=session, user=agent, now=now, online=True)
        source = channels.widget_source(session=session, channel_id=channel.id)
        assert source is not None
        session.commit()
        key = source.key
    engine.dispose()
    return key


# --- the agent side: read every client message back ------------------------------------------
@dataclass
class AgentSide:
    """Reads new client messages from the database until stopped; when each was first seen."""

    db_url: str
    seen: dict[str, tuple[float, int, int]] = field(default_factory=dict)  # text -> (t, id, cid)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        from slotapp.db import make_engine
        from slotapp.models import ChatMessage

        engine = make_engine(self.db_url)
        last = 0
        while not self.stop.is_set():
            with Session(engine) as session:
                rows = session.exec(
                    select(ChatMessage.id, ChatMessage.conversation_id, ChatMessage.text)
                    .where(col(ChatMessage.id) > last, ChatMessage.author == "client")
                    .order_by(col(ChatMessage.id))
                ).all()
            now = time.time()
            for message_id, conversation_id, text in rows:
                self.seen.setdefault(text, (now, message_id or 0, conversation_id))
                last = max(last, message_id or 0)
            time.sleep(0.01)
        engine.dispose()


# --- the visitors ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pace:
    """How the visitors behave: seconds between messages, and over how long they arrive."""

    name: str
    think: tuple[float, float]
    arrive_over: float


PACES = (Pace("typing pace", (5.0, 15.0), 10.0), Pace("burst", (1.0, 4.0), 0.0))


@dataclass
class Sent:
    text: str
    at: float
    round_trip: float
    status: int


async def visitor(
    http: httpx.AsyncClient, key: str, number: int, pace: Pace, seed: float
) -> list[Sent]:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, pace.arrive_over))
    opened = await http.post(
        f"{BASE}/widget/{key}/conversations", json={"visitor_id": f"b{number}"}
    )
    opened.raise_for_status()
    headers = {"X-Chat-Key": opened.json()["client_key"]}
    state = opened.json()["conversation"]["state"]

    async def long_poll() -> None:  # as the widget does, all the while
        nonlocal state
        after = 0
        while True:
            params = {"after": after, "state": state, "wait": 25}
            try:
                res = await http.get(f"{BASE}/conversation/events", params=params, headers=headers)
            except httpx.HTTPError:
                await asyncio.sleep(1)
                continue
            body = res.json()
            state = body["state"]
            after = max([after, *(m["id"] for m in body["messages"])])

    poller = asyncio.create_task(long_poll())
    sent = []
    for j in range(MESSAGES):
        await asyncio.sleep(rng.uniform(*pace.think))
        text = f"visitor {number} message {j}"
        at = time.time()
        res = await http.post(
            f"{BASE}/conversation/messages",
            json={"text": text, "client_msg_id": f"b{number}-{j}"},
            headers=headers,
        )
        sent.append(Sent(text, at, time.time() - at, res.status_code))
    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poller
    return sent


async def visit_all(api: str, key: str, pace: Pace) -> list[Sent]:
    rng = random.Random(SEED)
    limits = httpx.Limits(max_connections=3 * VISITORS, max_keepalive_connections=3 * VISITORS)
    async with httpx.AsyncClient(base_url=api, limits=limits, timeout=90) as http:
        results = await asyncio.gather(
            *(visitor(http, key, i, pace, rng.random()) for i in range(VISITORS))
        )
    return [s for r in results for s in r]


# --- one run: a database, a server, the visitors and the agent side -----------------------------
@contextlib.contextmanager
def server(work: str, db_url: str, key: str) -> Iterator[str]:
    """The chat API in its own uvicorn process; yields its origin."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "SLOTAPP_DATA_DIR": work}
    log = Path(work) / "server.log"
    args = [
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--backlog",
        "4096",
        "--timeout-graceful-shutdown",
        "3",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.chat:server_app", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"{origin}{BASE}/widget/{key}/config"):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"chat API did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield origin
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Run:
    pace: Pace
    sent: list[Sent]
    seen: dict[str, tuple[float, int, int]]
    told: list[tuple[float, list[str]]]
    stored: int
    seconds: float


def run(pace: Pace) -> Run:
    with tempfile.TemporaryDirectory() as work:
        db_url = f"sqlite:///{work}/chat-bench.db"
        key = prepare(db_url)
        with server(work, db_url, key) as origin:
            agent = AgentSide(db_url)
            reader = threading.Thread(target=agent.run, daemon=True)
            reader.start()
            started = time.monotonic()
            sent = asyncio.run(visit_all(origin, key, pace))
            seconds = time.monotonic() - started
            time.sleep(0.5)  # the agent side's last read
            agent.stop.set()
            reader.join(timeout=10)
            told = [(t, topics) for t, topics in httpx.get(f"{origin}/bench/told").json()]
        return Run(pace, sent, agent.seen, told, stored_messages(db_url), seconds)


def stored_messages(db_url: str) -> int:
    from slotapp.db import make_engine
    from slotapp.models import ChatMessage

    engine = make_engine(db_url)
    with Session(engine) as session:
        rows = session.exec(select(ChatMessage.client_msg_id).where(ChatMessage.author == "client"))
        count = len(set(rows.all()))
    engine.dispose()
    return count


# --- report ------------------------------------------------------------------------------------
def ms(values: list[float]) -> list[str]:
    if not values:
        return ["-", "-", "-"]
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return [f"{x * 1000:.0f}" for x in (statistics.median(ordered), p95, ordered[-1])]


def rows_of(result: Run) -> tuple[list[list[str]], list[str]]:
    ok = [s for s in result.sent if s.status == 201]
    seen = [(s, result.seen[s.text]) for s in ok if s.text in result.seen]
    calls: dict[int, list[float]] = defaultdict(list)
    for at, topics in result.told:
        for topic in topics:
            if topic.startswith("chat:"):
                calls[int(topic[5:])].append(at)
    to_live = []
    for s, (_, _, conversation_id) in seen:
        later = [t for t in calls[conversation_id] if t >= s.at]
        if later:
            to_live.append(min(later) - s.at)
    name = f"{result.pace.name} ({len(ok) / result.seconds:.0f} msg/s)"
    rows = [
        [name, "visitor's POST round trip", str(len(ok)), *ms([s.round_trip for s in ok])],
        [
            name,
            "POST -> readable by an agent",
            str(len(seen)),
            *ms([t - s.at for s, (t, _, _) in seen]),
        ],
        [name, "POST -> agents' live topics told", str(len(to_live)), *ms(to_live)],
    ]
    expected = VISITORS * MESSAGES
    failures = []
    if len(ok) != expected:
        refused = [s.status for s in result.sent if s.status != 201][:5]
        failures.append(f"{result.pace.name}: {expected - len(ok)} messages refused {refused}")
    if result.stored != expected:
        failures.append(f"{result.pace.name}: stored {result.stored} messages of {expected}")
    if len(seen) != expected:
        failures.append(f"{result.pace.name}: {expected - len(seen)} never reached the agent side")
    if len(to_live) != expected:
        failures.append(f"{result.pace.name}: {expected - len(to_live)} told no live topic")
    return rows, failures


def main() -> int:
    load = os.getloadavg()[0]
    results = [run(pace) for pace in PACES]
    print(f"\n## Chat widget API: {VISITORS} simultaneous visitors, {MESSAGES} messages each\n")
    print(
        f"One uvicorn worker, SQLite; load average at start {load:.1f} on {os.cpu_count()} CPUs.\n"
    )
    print("| pace | measure | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|---|")
    failures = []
    for result in results:
        rows, failed = rows_of(result)
        failures += failed
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print(
            f"| {result.pace.name} | stored / sent | {result.stored} / {VISITORS * MESSAGES} "
            "| | | |"
        )
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
