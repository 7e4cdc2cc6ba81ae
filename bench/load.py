"""200 concurrent guests booking across 4 production workers on PostgreSQL: `python -m bench.load`.

Each guest (an asyncio task sharing one httpx client) loops until the time is up: list a
link's free slots (`GET /api/v1/links/{token}/slots`), then book one of the first offered
times (`POST .../bookings` with a booking_key), so guests collide often: a 409 is the right
answer to a lost race and is counted apart from errors (5xx, timeouts, broken connections).
Afterwards SQL checks the database: no double booking, no half-written booking, and every
acknowledged booking stored. The workers' memory is sampled from /proc while the load runs.

Prints a table, writes `.artifacts/bench/load.json`, exits non-zero if a target is missed.
Options: `--seconds N` (default 30), `--backend-only` (skip the page bundle: a quick run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bench.cluster import Cluster, Owner, cluster, integrity, rss_kib, seed_owners
from slotapp.clock import utcnow
from slotapp.db import make_engine
from tests.pg_server import find_bin_dir, running_postgres
from tests.redis_server import find_redis, running_redis

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".artifacts/bench/load.json"
GUESTS = 200
WORKERS = 4
OWNERS = 40  # each: weekdays 9-17 (UTC), about 160 free half hours in the 14 days asked
FIRST = 8  # a guest picks among the first FIRST offered times: collisions are frequent
MEMORY_TARGET_MB = 300


@dataclass
class Tally:
    """What the guests saw, and the workers' memory meanwhile."""

    get_s: list[float] = field(default_factory=list)
    post_s: list[float] = field(default_factory=list)
    booked: dict[int, str] = field(default_factory=dict)  # meeting id -> booking_key
    conflicts: int = 0  # 409: the time was taken meanwhile
    other_4xx: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # 5xx and transport errors
    rss_kib: dict[int, dict[str, int]] = field(default_factory=dict)  # pid -> peaks

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def _call(
    client: httpx.AsyncClient, tally: Tally, times: list[float], method: str, url: str, **kw: Any
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kw)
    except httpx.TransportError as exc:
        tally.error(type(exc).__name__)
        return None
    times.append(time.perf_counter() - started)
    if response.status_code >= 500:
        tally.error(str(response.status_code))
        return None
    return response


async def _guest(
    client: httpx.AsyncClient, tally: Tally, owners: list[Owner], n: int, until: float
) -> None:
    rng = random.Random(n)
    window = {"end": (utcnow() + timedelta(days=14)).isoformat()}
    while time.monotonic() < until:
        base = f"/api/v1/links/{rng.choice(owners).open_token}"
        listed = await _call(client, tally, tally.get_s, "GET", f"{base}/slots", params=window)
        if listed is None or listed.status_code != 200 or not listed.json()["slots"]:
            continue
        start = rng.choice(listed.json()["slots"][:FIRST])["start"]
        key = str(uuid.uuid4())
        body = {"start": start, "name": f"Guest {n}", "email": f"guest{n}@example.org"}
        body |= {"time_zone": "Europe/Berlin", "booking_key": key}
        booked = await _call(client, tally, tally.post_s, "POST", f"{base}/bookings", json=body)
        if booked is None:
            continue
        if booked.status_code == 201:
            tally.booked[booked.json()["id"]] = key
        elif booked.status_code == 409:
            tally.conflicts += 1
        else:
            tally.other_4xx[booked.status_code] = tally.other_4xx.get(booked.status_code, 0) + 1


async def _sample_memory(app: Cluster, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        for pid in app.worker_pids():
            seen = rss_kib(pid)
            peak = tally.rss_kib.setdefault(pid, {"VmRSS": 0, "VmHWM": 0})
            for key, kib in seen.items():
                peak[key] = max(peak[key], kib)
        await asyncio.sleep(0.5)


async def drive(app: Cluster, owners: list[Owner], seconds: float) -> tuple[Tally, float]:
    """`GUESTS` guests booking for `seconds`; returns the tally and the wall time taken."""
    tally = Tally()
    limits = httpx.Limits(max_connections=GUESTS, max_keepalive_connections=GUESTS)
    async with httpx.AsyncClient(base_url=app.url, timeout=30, limits=limits) as client:
        started = time.monotonic()
        until = started + seconds
        sampler = asyncio.create_task(_sample_memory(app, tally, until + 1))
        await asyncio.gather(*(_guest(client, tally, owners, n, until) for n in range(GUESTS)))
        wall = time.monotonic() - started
        await sampler
    return tally, wall


def _ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(values)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(p95 * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


def summarize(tally: Tally, wall: float, checks: dict[str, Any]) -> dict[str, Any]:
    """The figures `make bench` prints and keeps."""
    return {
        "guests": GUESTS,
        "workers": WORKERS,
        "seconds": round(wall, 1),
        "bookings": len(tally.booked),
        "bookings_per_s": round(len(tally.booked) / wall, 1),
        "requests": len(tally.get_s) + len(tally.post_s),
        "get_ms": _ms(tally.get_s),
        "post_ms": _ms(tally.post_s),
        "conflicts_409": tally.conflicts,
        "other_4xx": tally.other_4xx,
        "errors": tally.errors,
        "worker_peak_rss_mb": {
            str(pid): round(m["VmHWM"] / 1024, 1) for pid, m in sorted(tally.rss_kib.items())
        },
        # The guests and the server share this machine's CPUs: say how busy it was.
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        **checks,
    }


def _report(result: dict[str, Any]) -> list[str]:
    print(f"\n## Load: {GUESTS} guests, {WORKERS} workers, PostgreSQL\n")
    print("| measure | value |\n|---|---|")
    rows = [
        ("bookings", f"{result['bookings']} in {result['seconds']} s"),
        ("bookings per second", result["bookings_per_s"]),
        ("requests (GET + POST)", result["requests"]),
        ("GET slots p50 / p95 / max ms", "{p50} / {p95} / {max}".format(**result["get_ms"])),
        ("POST booking p50 / p95 / max ms", "{p50} / {p95} / {max}".format(**result["post_ms"])),
        ("409 slot taken (lost races)", result["conflicts_409"]),
        ("other 4xx", result["other_4xx"] or 0),
        ("errors (5xx, timeouts)", result["errors"] or 0),
        ("double bookings (SQL)", result["double_bookings"]),
        ("acknowledged but not stored", result["lost"]),
        ("half-written bookings", len(result["half_written"])),
        ("CPUs, load average (1 min) at the end", f"{result['cpus']}, {result['load_average_1m']}"),
        ("peak RSS per worker MB", ", ".join(map(str, result["worker_peak_rss_mb"].values()))),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    failures = []
    if result["double_bookings"] or result["lost"] or result["half_written"]:
        failures.append("bookings were doubled, lost or half-written")
    if result["errors"]:
        failures.append(f"errors: {result['errors']}")
    if any(mb >= MEMORY_TARGET_MB for mb in result["worker_peak_rss_mb"].values()):
        failures.append(f"a worker went over {MEMORY_TARGET_MB} MB")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--backend-only", action="store_true")
    args = parser.parse_args()
    bin_dir, redis_bin = find_bin_dir(), find_redis()
    if bin_dir is None or redis_bin is None:
        print("bench.load needs postgresql and redis-server (make browser installs them)")
        return 1
    with (
        running_postgres(bin_dir) as pg,
        running_redis(redis_bin) as redis,
        tempfile.TemporaryDirectory(prefix="slotapp-load-") as tmp,
    ):
        work = Path(tmp)
        db_url = pg.url(pg.fresh_database())
        engine = make_engine(db_url)
        owners = seed_owners(engine, work, owners=OWNERS, one_time=0)
        print(f"Serving {WORKERS} workers (build: {not args.backend_only})...", flush=True)
        with cluster(
            workers=WORKERS,
            db_url=db_url,
            redis_url=redis.url(),
            workdir=work,
            log=work / "server.log",
            env_extra={"SLOTAPP_RATE_LIMITS": "off"},
            build=not args.backend_only,
        ) as app:
            tally, wall = asyncio.run(drive(app, owners, args.seconds))
        checks: dict[str, Any] = integrity(engine)
        with engine.connect() as conn:
            stored = {row[0] for row in conn.execute(text("SELECT id FROM meeting"))}
        engine.dispose()
        checks["lost"] = len(set(tally.booked) - stored)
        checks["unacknowledged_stored"] = len(stored - set(tally.booked))
    result = summarize(tally, wall, checks)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    failures = _report(result)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
