"""Shared fixtures. Servers (the app, PostgreSQL) start here only, once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import slotapp.models  # noqa: F401  (registers the tables)
from bench.appserver import free_port, reflex_run
from slotapp.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite database file with every table."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    SQLModel.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


# --- the running app, for browser tests -------------------------------------------------


class RunningApp:
    def __init__(self, url: str, api_url: str, db_url: str) -> None:
        self.url = url
        self.api_url = api_url
        self.db_url = db_url


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """slotapp served by `reflex run` (dev mode) on loopback with its own database."""
    if shutil.which("chromium") is None:
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    work = tmp_path_factory.mktemp("app")
    db_url = f"sqlite:///{work / 'e2e.db'}"
    fport, bport = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "SLOTAPP_BASE_URL": f"http://127.0.0.1:{fport}",
        "PATH": f"{ROOT / '.tools/node_modules/.bin'}:{os.environ['PATH']}",
    }
    subprocess.run(
        [sys.executable, "-m", "slotapp.cli", "setup"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    args = ["--env", "dev", "--frontend-port", str(fport), "--backend-port", str(bport)]
    ready = [
        (f"http://127.0.0.1:{bport}/ping", 240.0),
        (f"http://127.0.0.1:{fport}/login", 240.0),
    ]
    log = work / "reflex.log"
    with reflex_run([*args, "--backend-host", "127.0.0.1"], env=env, log=log, ready=ready):
        yield RunningApp(f"http://127.0.0.1:{fport}", f"http://127.0.0.1:{bport}", db_url)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never Playwright's own browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=shutil.which("chromium"), headless=True, args=CHROMIUM_ARGS
        )
        yield b
        b.close()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A fresh browser context the size of a phone (390x844), so no cookies carry over."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)  # type: ignore[attr-defined]
    page = ctx.new_page()
    yield page
    ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = ROOT / ".artifacts"  # hidden: the dev server does not reload on it
    path.mkdir(exist_ok=True)
    return path
