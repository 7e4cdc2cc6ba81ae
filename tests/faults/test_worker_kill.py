"""SIGKILL one of three production workers while 40 guests race for the same slots and links.

A real cluster (bench/cluster.py: `reflex run --env prod`, Granian, PostgreSQL, Redis). Guests
book through the JSON API, most of them on the first few offered times of one owner and on
their one-time links, so they collide all the time. A guest whose request dies with the
worker retries with the same booking_key, as a client should. Afterwards the database must
hold exactly the acknowledged bookings: none doubled, none lost, none half-written.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from bench.cluster import Cluster, Owner, cluster, integrity, seed_owners
from slotapp.clock import utcnow
from slotapp.db import make_engine
from slotapp.models import LinkKind, Meeting, ShareLink
from tests.aio import run
from tests.pg_server import PostgresServer
from tests.redis_server import RedisServer

pytestmark = pytest.mark.postgres

WORKERS = 3
GUESTS = 40
ONE_TIME = 6
KILL_AFTER = 3.0  # seconds of racing before the SIGKILL
RUN_FOR = 10.0  # seconds in all
RETRIES = 6  # a request lost with its worker is sent again, same booking_key


@dataclass
class Record:
    """Everything the guests saw."""

    acked: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (key, start)
    statuses: list[tuple[float, int]] = field(default_factory=list)  # (sent at, status)
    transport_errors: list[float] = field(default_factory=list)  # sent at
    repeats: int = 0  # idempotent retries checked
    kill_at: float = float("inf")


@pytest.fixture
def running(
    postgres_server: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[Cluster, str, Owner]]:
    redis_server.flush()
    db_url = postgres_server.url(postgres_server.fresh_database())
    engine = make_engine(db_url)
    (owner,) = seed_owners(engine, tmp_path, owners=1, one_time=ONE_TIME)
    engine.dispose()
    with cluster(
        workers=WORKERS,
        db_url=db_url,
        redis_url=redis_server.url(),
        workdir=tmp_path,
        log=tmp_path / "server.log",
        env_extra={"SLOTAPP_RATE_LIMITS": "off"},
        build=False,
    ) as app:
        yield app, db_url, owner


async def _send(
    client: httpx.AsyncClient, rec: Record, method: str, url: str, **kw: object
) -> httpx.Response | None:
    """One request, retried while the connection breaks (the worker died under it)."""
    for _ in range(RETRIES):
        sent = time.monotonic()
        try:
            response = await client.request(method, url, **kw)  # type: ignore[arg-type]
        except httpx.TransportError:
            rec.transport_errors.append(sent)
            await asyncio.sleep(0.2)
            continue
        rec.statuses.append((sent, response.status_code))
        return response
    return None


async def _guest(client: httpx.AsyncClient, rec: Record, owner: Owner, n: int, end: float) -> None:
    rng = random.Random(n)
    window = {"end": (utcnow() + timedelta(days=21)).isoformat()}
    while time.monotonic() < end:
        token = owner.open_token if n % 3 else rng.choice(owner.one_time_tokens)
        base = f"/api/v1/links/{token}"
        listed = await _send(client, rec, "GET", f"{base}/slots", params=window)
        if listed is None or listed.status_code != 200 or not listed.json()["slots"]:
            await asyncio.sleep(0.1)  # a used one-time link answers 410 from now on
            continue
        start = rng.choice(listed.json()["slots"][:3])["start"]  # everyone wants the first
        key = str(uuid.uuid4())
        body = {"start": start, "name": f"Guest {n}", "email": f"guest{n}@example.com"}
        body |= {"time_zone": "Europe/Berlin", "booking_key": key}
        booked = await _send(client, rec, "POST", f"{base}/bookings", json=body)
        if booked is None or booked.status_code not in (200, 201):
            continue
        meeting_id = booked.json()["id"]
        assert meeting_id not in rec.acked or rec.acked[meeting_id][0] == key
        rec.acked[meeting_id] = (key, start)
        if rng.random() < 0.3:  # a double click: the same key books nothing new
            again = await _send(client, rec, "POST", f"{base}/bookings", json=body)
            assert again is not None and again.status_code == 200, again
            assert again.json()["id"] == meeting_id
            rec.repeats += 1


async def _race(app: Cluster, owner: Owner, victim: int) -> Record:
    rec = Record()
    end = time.monotonic() + RUN_FOR
    limits = httpx.Limits(max_connections=GUESTS)
    async with httpx.AsyncClient(base_url=app.url, timeout=30, limits=limits) as client:
        guests = [asyncio.create_task(_guest(client, rec, owner, n, end)) for n in range(GUESTS)]
        await asyncio.sleep(KILL_AFTER)
        os.kill(victim, signal.SIGKILL)
        rec.kill_at = time.monotonic()
        await asyncio.gather(*guests)
    return rec


def test_sigkill_of_a_worker_loses_and_doubles_nothing(
    running: tuple[Cluster, str, Owner],
) -> None:
    app, db_url, owner = running
    before = app.worker_pids()
    assert len(before) == WORKERS
    victim = before[1]

    rec = run(_race(app, owner, victim))
    print(  # shown with `pytest -s`
        f"acked {len(rec.acked)}, repeats {rec.repeats}, statuses "
        f"{sorted(Counter(s for _, s in rec.statuses).items())}, "
        f"broken requests {len(rec.transport_errors)}"
    )

    # The others kept serving, and Granian put a new worker in the dead one's place.
    after = app.worker_pids()
    assert app.proc.poll() is None, "the server stopped with its worker"
    assert victim not in after and set(before) - {victim} <= set(after)
    assert len(after) == WORKERS
    served_after = [s for t, s in rec.statuses if t > rec.kill_at + 0.5]
    booked_after = [s for t, s in rec.statuses if t > rec.kill_at + 0.5 and s in (200, 201)]
    assert len(served_after) > 20 and booked_after, (len(served_after), len(booked_after))
    assert [s for _, s in rec.statuses if s >= 500] == []
    # Only requests in flight at the kill (or just before the new worker listened) broke.
    assert all(t < rec.kill_at + 3.0 for t in rec.transport_errors), rec.transport_errors
    statuses = {s for _, s in rec.statuses}
    assert {200, 201, 409, 410} <= statuses, statuses  # repeats, bookings, races, used links
    assert rec.repeats > 0

    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            stored = {m.id: m for m in session.exec(select(Meeting)).all()}
            single_links = set(
                session.exec(
                    select(ShareLink.id).where(ShareLink.kind == LinkKind.ONE_TIME.value)
                ).all()
            )
        assert integrity(engine) == {"double_bookings": 0, "half_written": [], "overused_links": []}
    finally:
        engine.dispose()
    # Exactly the acknowledged bookings: none lost, none booked behind a guest's back.
    assert set(stored) == set(rec.acked), (len(stored), len(rec.acked))
    for meeting_id, (_key, start) in rec.acked.items():
        assert stored[meeting_id].start_at == datetime.fromisoformat(start)
    one_time = [m for m in stored.values() if m.source_link_id in single_links]
    assert 0 < len(one_time) <= ONE_TIME  # integrity() checked each was used at most once
