"""The production build on a free loopback port, with its own demo database, for benchmarks.

`prepare_database` makes a realistic database: the demo accounts, an open-slots link for
Ben, and a few hundred of his meetings (past ones, plus future ones booked through the
booking service). `prod_server` serves it with `reflex run --env prod --single-port` from a
private web folder, so a benchmark never touches `make run`'s or the tests' build.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bench.appserver import free_port, reflex_run
from slotapp.clock import utcnow
from slotapp.db import make_engine, session_scope
from slotapp.models import Meeting, MeetingParticipant, ShareLink, User
from slotapp.services import booking, links
from slotapp.services.keys import load_or_create_secret
from slotapp.services.schedules import link_slots

ROOT = Path(__file__).resolve().parent.parent
OWNER_EMAIL = "ben@example.com"  # a demo account (slotapp/services/demo.py)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAST_MEETINGS = 250
FUTURE_MEETINGS = 150


@dataclass(frozen=True)
class Demo:
    """A prepared database and the guest link to benchmark."""

    workdir: Path
    db_url: str
    token: str

    def env(self) -> dict[str, str]:
        """Environment for the app and its CLI on this database (and its own secret key)."""
        return {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "SLOTAPP_DATA_DIR": str(self.workdir),
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "PATH": f"{ROOT / '.tools/node_modules/.bin'}:{os.environ.get('PATH', '')}",
        }


def _free_starts(session: Session, token: str, now: datetime) -> list[datetime]:
    link = links.resolve_link(session=session, token=token, now=now)
    return link_slots(session=session, link=link, start=now, end=now + timedelta(days=61), now=now)


def _seed_past(session: Session, owner: User, link: ShareLink, now: datetime) -> None:
    """Past meetings, one per weekday hour going back: they fill the tables the queries scan."""
    assert owner.id is not None
    start = (now - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    made = 0
    while made < PAST_MEETINGS:
        if start.weekday() < 5 and 8 <= start.hour < 16:
            meeting = Meeting(
                title=f"Guest {made} and {owner.name}",
                start_at=start,
                end_at=start + timedelta(minutes=30),
                guest_name=f"Guest {made}",
                guest_email=f"guest{made}@example.com",
                source_link_id=link.id,
                organizer_id=owner.id,
                created_at=start - timedelta(days=3),
                updated_at=start - timedelta(days=3),
            )
            session.add(meeting)
            session.flush()
            assert meeting.id is not None
            session.add(
                MeetingParticipant(
                    meeting_id=meeting.id,
                    user_id=owner.id,
                    start_at=meeting.start_at,
                    end_at=meeting.end_at,
                )
            )
            made += 1
        start -= timedelta(hours=1)
        if start.hour < 8:
            start = (start - timedelta(days=1)).replace(hour=15)


def guest_request(
    token: str, start: datetime, n: int, who: str = "Guest"
) -> booking.BookingRequest:
    """What the guest page submits for guest number `n` booking `start`."""
    return booking.BookingRequest(
        token=token,
        start=start,
        guest_name=f"{who} {n}",
        guest_email=f"{who.lower().replace(' ', '.')}{n}@example.com",
        guest_time_zone="Europe/Berlin",
        note="Booked by the benchmark.",
    )


def prepare_database(workdir: Path) -> Demo:
    """Migrate and load the demo data into `workdir`, open Ben's link, seed his meetings."""
    demo = Demo(workdir, f"sqlite:///{workdir / 'bench.db'}", token="")
    subprocess.run(
        [sys.executable, "-m", "slotapp.cli", "setup"],
        cwd=ROOT,
        env=demo.env(),
        check=True,
        capture_output=True,
    )
    engine = make_engine(demo.db_url)
    now = utcnow()
    with session_scope(engine) as session:
        owner = session.exec(select(User).where(User.email == OWNER_EMAIL)).one()
        assert owner.id is not None
        token = links.set_open_slots(
            session=session,
            owner_id=owner.id,
            enabled=True,
            secret=load_or_create_secret(workdir / "secret.key"),
            now=now,
        )
        assert token is not None
        link = links.resolve_link(session=session, token=token, now=now)
        _seed_past(session, owner, link, now)
        starts = _free_starts(session, token, now)
    # Future meetings spread over the booking window, leaving most times free to book.
    every = max(1, len(starts) // FUTURE_MEETINGS)
    for n, start in enumerate(starts[::every][:FUTURE_MEETINGS]):
        booking.book(
            engine=engine, request=guest_request(token, start, n, "Earlier Guest"), now=now
        )
    engine.dispose()
    return Demo(workdir, demo.db_url, token)


def free_starts(demo: Demo) -> list[datetime]:
    """The link's bookable starts right now."""
    engine = make_engine(demo.db_url)
    with Session(engine) as session:
        starts = _free_starts(session, demo.token, utcnow())
    engine.dispose()
    return starts


@contextmanager
def prod_server(demo: Demo) -> Iterator[str]:
    """`reflex run --env prod --single-port` on a free loopback port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **demo.env(),
        "SLOTAPP_BASE_URL": url,
        # A private build and state folder: `make run`, `make dev` and the tests keep theirs.
        "REFLEX_WEB_WORKDIR": str(demo.workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(demo.workdir / "states"),
    }
    args = ["--env", "prod", "--single-port", "--frontend-port", str(port)]
    ready = [(f"{url}/ping", 300.0), (f"{url}/book/{demo.token}", 60.0)]
    log = demo.workdir / "reflex.log"
    with reflex_run(
        [*args, "--backend-host", "127.0.0.1"], env=env, log=log, ready=ready, want=201
    ):
        yield url


@contextmanager
def demo_app() -> Iterator[tuple[Demo, str]]:
    """A prepared database served by the production build, both gone afterwards."""
    with tempfile.TemporaryDirectory(prefix="slotapp-bench-") as tmp:
        print("Preparing the benchmark database and the production build...", flush=True)
        demo = prepare_database(Path(tmp))
        with prod_server(demo) as url:
            yield demo, url


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never Playwright's own browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def warm_up(browser: Any, page_url: str) -> None:
    """Open the guest page once until its times show, so no measurement pays for a cold start."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(page_url)
    page.locator("[aria-label=Times] button").first.wait_for(timeout=60_000)
    context.close()
