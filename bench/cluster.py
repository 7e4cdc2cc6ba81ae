"""slotapp's production server with several backend workers on PostgreSQL and Redis.

`cluster(...)` migrates the database with the real migrations, then runs
`reflex run --env prod` from a private folder with `GRANIAN_WORKERS` and `REFLEX_REDIS_URL`
(Reflex runs more than one worker only with Redis), and waits until every worker is up.

What Granian 2.8 does when a worker dies (read in .venv granian/server/common.py, and seen):
Reflex builds `granian.server.Server(...)` without `respawn_failed_workers`, whose default is
False; the supervisor's watcher logs "Unexpected exit from worker-N", leaves its serve loop
and stops every other worker: one SIGKILLed worker ended the whole server within 0.1 s.
rxconfig.py therefore swaps in a Server that respawns failed workers in production: the
others keep serving and a new worker (a new pid) replaces the dead one in about a second.
(Granian gives up on a worker that dies again within 5.5 s of its respawn: "crash loop".)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.appserver import ROOT, app_root, free_port, reflex_run
from bench.server import Demo
from slotapp.clock import utcnow
from slotapp.db import session_scope
from slotapp.models import LinkKind, User
from slotapp.services import links
from slotapp.services.keys import load_or_create_secret

BUILD_TIMEOUT = 900.0  # the first build of a fresh web folder installs and bundles everything
START_TIMEOUT = 120.0  # backend only: import the app in the supervisor, fork the workers


@dataclass
class Cluster:
    """A running multi-worker server.

    Attributes:
        url: base URL, e.g. `http://127.0.0.1:41234` (pages if built, websocket, API).
        proc: the `reflex run` process: the Granian supervisor itself.
    """

    url: str
    proc: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        """The backend worker processes: the supervisor's children, oldest first."""
        return children(self.proc.pid)


def children(pid: int) -> list[int]:
    """Live (not zombie) child processes of `pid`, by start time."""
    found: list[tuple[int, int]] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ... starttime(22nd)": comm may hold spaces, split after ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append((int(fields[19]), int(entry.name)))
    return [child for _, child in sorted(found)]


def migrate(db_url: str, env: dict[str, str]) -> None:
    """Bring the database to head with the real migrations (`slotapp.cli migrate`)."""
    done = subprocess.run(
        [sys.executable, "-m", "slotapp.cli", "migrate"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": db_url},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{done.stdout}\n{done.stderr}")


def _wait_workers(cluster: Cluster, workers: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cluster.proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-4000:]}")
        # Each worker answers once it has finished its start-up; ask a few times.
        pings = (httpx.get(f"{cluster.url}/ping", timeout=5) for _ in range(workers))
        if len(cluster.worker_pids()) >= workers and all(r.is_success for r in pings):
            return
        time.sleep(0.2)
    raise RuntimeError(
        f"{len(cluster.worker_pids())} of {workers} workers after {timeout}s:\n"
        f"{log.read_text(errors='replace')[-4000:]}"
    )


@contextmanager
def cluster(
    *,
    workers: int,
    db_url: str,
    redis_url: str,
    workdir: Path,
    log: Path,
    port: int | None = None,
    env_extra: dict[str, str] | None = None,
    build: bool = True,
) -> Iterator[Cluster]:
    """The production server with `workers` Granian workers until the block ends.

    Args:
        workers: backend worker processes (GRANIAN_WORKERS).
        db_url: the database (migrated here first); PostgreSQL for more than one worker.
        redis_url: Reflex's state store, shared by the workers (REFLEX_REDIS_URL).
        workdir: an empty private folder: app root, build, states, data dir (secret key).
        log: where the server's output goes.
        port: the port to serve on (default: a free one).
        env_extra: more environment, e.g. {"SLOTAPP_RATE_LIMITS": "off"}.
        build: False serves the backend only (`--backend-only`: API, websocket, no page
            bundle), which starts in seconds instead of minutes; the workers are the same.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **Demo(workdir, db_url, token="").env(),
        "SLOTAPP_BASE_URL": url,
        "REFLEX_REDIS_URL": redis_url,
        "GRANIAN_WORKERS": str(workers),
        "REFLEX_WEB_WORKDIR": str(workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        **(env_extra or {}),
    }
    migrate(db_url, env)
    if build:
        args = ["--single-port", "--frontend-port", str(port)]
    else:
        args = ["--backend-only", "--backend-port", str(port)]
    args = ["--env", "prod", *args, "--backend-host", "127.0.0.1"]
    ready = [(f"{url}/ping", BUILD_TIMEOUT if build else START_TIMEOUT)]
    with reflex_run(args, env=env, log=log, ready=ready, cwd=app_root(workdir)) as proc:
        running = Cluster(url, proc)
        _wait_workers(running, workers, log, START_TIMEOUT)
        yield running


@dataclass(frozen=True)
class Owner:
    """A seeded owner: their open-slots link and their one-time links, by token."""

    user_id: int
    open_token: str
    one_time_tokens: tuple[str, ...]


def seed_owners(engine: Engine, workdir: Path, *, owners: int, one_time: int) -> list[Owner]:
    """Owners with open slots (default hours: weekdays 9-17) and `one_time` one-time links each.

    Tokens are made with the app's own secret key (`workdir/secret.key`, SLOTAPP_DATA_DIR).
    """
    secret = load_or_create_secret(workdir / "secret.key")
    now = utcnow()
    made: list[Owner] = []
    with session_scope(engine) as session:
        for n in range(owners):
            user = User(email=f"owner{n}@example.com", name=f"Owner {n}", time_zone="UTC")
            session.add(user)
            session.flush()
            assert user.id is not None
            token = links.set_open_slots(
                session=session, owner_id=user.id, enabled=True, secret=secret, now=now
            )
            assert token is not None
            singles = tuple(
                links.create_link(
                    session=session,
                    owner_id=user.id,
                    kind=LinkKind.ONE_TIME,
                    secret=secret,
                    now=now,
                )[1]
                for _ in range(one_time)
            )
            made.append(Owner(user.id, token, singles))
    return made


# Two live meetings of one host whose times overlap: what the booking must never allow.
DOUBLE_BOOKINGS = text("""
    SELECT count(*) FROM meetingparticipant a
    JOIN meetingparticipant b ON a.user_id = b.user_id AND a.meeting_id < b.meeting_id
        AND a.start_at < b.end_at AND b.start_at < a.end_at
    JOIN meeting ma ON ma.id = a.meeting_id JOIN meeting mb ON mb.id = b.meeting_id
    WHERE ma.status <> 'cancelled' AND mb.status <> 'cancelled' AND a.blocks AND b.blocks
""")
# Meetings booked through a link that lack a host row or either of the two booking mails.
HALF_WRITTEN = text("""
    SELECT m.id FROM meeting m
    WHERE m.source_link_id IS NOT NULL AND (
        NOT EXISTS (SELECT 1 FROM meetingparticipant p WHERE p.meeting_id = m.id)
        OR NOT EXISTS (SELECT 1 FROM emailoutbox o
                       WHERE o.meeting_id = m.id AND o.to_addr = m.guest_email)
        OR (SELECT count(*) FROM emailoutbox o WHERE o.meeting_id = m.id) < 2)
""")
# One-time links with more meetings than their single use, or a use count that disagrees.
OVERUSED_LINKS = text("""
    SELECT l.id FROM sharelink l
    WHERE l.max_uses IS NOT NULL AND (
        (SELECT count(*) FROM meeting m WHERE m.source_link_id = l.id) > l.max_uses
        OR (SELECT count(*) FROM meeting m WHERE m.source_link_id = l.id) <> l.use_count)
""")


def integrity(engine: Engine) -> dict[str, object]:
    """What must hold after any run: counts and ids that must all be zero or empty."""
    with engine.connect() as conn:
        return {
            "double_bookings": int(conn.execute(DOUBLE_BOOKINGS).scalar_one()),
            "half_written": [row[0] for row in conn.execute(HALF_WRITTEN)],
            "overused_links": [row[0] for row in conn.execute(OVERUSED_LINKS)],
        }


def main() -> None:
    """A smoke check: `python -m bench.cluster` starts 2 workers, asks each, stops."""
    import tempfile

    from tests.pg_server import find_bin_dir, running_postgres
    from tests.redis_server import find_redis, running_redis

    bin_dir, redis_bin = find_bin_dir(), find_redis()
    assert bin_dir is not None and redis_bin is not None, "needs postgresql and redis-server"
    with (
        running_postgres(bin_dir) as pg,
        running_redis(redis_bin) as redis,
        tempfile.TemporaryDirectory(prefix="slotapp-cluster-") as tmp,
    ):
        work = Path(tmp)
        with cluster(
            workers=2,
            db_url=pg.url(pg.fresh_database()),
            redis_url=redis.url(),
            workdir=work,
            log=work / "server.log",
            build="--build" in sys.argv,
        ) as running:
            pids = running.worker_pids()
            codes = [httpx.get(f"{running.url}/ping").status_code for _ in range(20)]
            print(f"supervisor {running.proc.pid}, workers {pids}, /ping x20: {set(codes)}")
            print("workers' rss:", {pid: rss_kib(pid) for pid in pids})


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process in KiB, from /proc/<pid>/status ({} if gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return {
        key: int(value.split()[0])
        for key, _, value in (line.partition(":") for line in lines)
        if key in ("VmRSS", "VmHWM")
    }


if __name__ == "__main__":
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    main()
