"""Shared fixtures. Servers (the app, PostgreSQL) start here only, once per session.

Database tests (those using `engine` or `session`) run once per backend named in
$SLOTAPP_TEST_BACKENDS (comma-separated; default both: sqlite,postgresql).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import slotapp.models  # noqa: F401  (registers the tables)
from bench.appserver import free_port, reflex_run
from slotapp.db import make_engine
from tests.pg_server import PostgresServer, find_bin_dir, running_postgres
from tests.redis_server import RedisServer, find_redis, running_redis

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


# --- databases: every `engine` test runs on SQLite and on a real PostgreSQL -------------

BACKENDS_VAR = "SLOTAPP_TEST_BACKENDS"
DEFAULT_BACKENDS = "sqlite,postgresql"
_pg_notice: list[str] = []


def backend_names() -> list[str]:
    """The database backends this run tests, from $SLOTAPP_TEST_BACKENDS."""
    wanted = os.environ.get(BACKENDS_VAR, DEFAULT_BACKENDS)
    names = [n.strip() for n in wanted.split(",") if n.strip()]
    unknown = set(names) - {"sqlite", "postgresql"}
    if unknown:
        raise pytest.UsageError(f"{BACKENDS_VAR}: unknown backend(s) {sorted(unknown)}")
    return names


def _backend_params() -> list[Any]:
    marks = {"sqlite": (), "postgresql": (pytest.mark.postgres,)}
    return [pytest.param(n, marks=marks[n], id=n) for n in backend_names()]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL cluster on loopback with a template database migrated by alembic."""
    bin_dir = find_bin_dir()
    if bin_dir is None and os.geteuid() == 0:
        subprocess.run(["bash", str(ROOT / "scripts/ensure-system-packages.sh"), "postgresql"])
        bin_dir = find_bin_dir()
    if bin_dir is None:
        why = "PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install -y postgresql"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{why} (CI never skips the PostgreSQL tests)")
        _pg_notice.append(f"PostgreSQL tests SKIPPED: {why}")
        warnings.warn(pytest.PytestWarning(_pg_notice[0]), stacklevel=1)
        pytest.skip(_pg_notice[0])
    with running_postgres(bin_dir) as server:
        yield server


def _missing_server(why: str) -> None:
    """Skip loudly when a test server is not installed (but never in CI: fail there)."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{why} (CI never skips these tests)")
    notice = f"SKIPPED: {why}"
    if notice not in _pg_notice:
        _pg_notice.append(notice)
        warnings.warn(pytest.PytestWarning(notice), stacklevel=2)
    pytest.skip(notice)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis on loopback (Debian's redis-server), no persistence, for the whole session."""
    binary = find_redis()
    if binary is None and os.geteuid() == 0:
        subprocess.run(["bash", str(ROOT / "scripts/ensure-system-packages.sh"), "redis-server"])
        binary = find_redis()
    if binary is None:
        _missing_server("redis-server not found: apt-get install -y redis-server")
    assert binary is not None
    with running_redis(binary) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of an emptied Redis database."""
    redis_server.flush()
    return redis_server.url()


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    """Browser tests run on SQLite only: they prove the pages, the backends are proved below."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        in_browser = "/tests/e2e/" in str(getattr(item, "path", ""))
        (drop if in_browser and params.get("engine") == "postgresql" else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for notice in _pg_notice:
        terminalreporter.write_line(f"!!! {notice}", red=True, bold=True)


@pytest.fixture(params=_backend_params())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database with every table: a SQLite file, or a copy of the migrated template."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        with server.database() as eng:
            yield eng
        return
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
        # The backend on the pages' host (Reflex's default says localhost): the HttpOnly
        # session cookie the login form gets from the backend must reach the websocket as a
        # same-site cookie.
        "REFLEX_API_URL": f"http://127.0.0.1:{bport}",
        # Every browser test signs in from 127.0.0.1; tests/api checks the real default.
        "SLOTAPP_RATE_LIMIT_LOGIN_IP": "1000/1m",
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


# --- a real OpenID Connect provider (npm oidc-provider 9), for single sign-on -----------


@dataclass(frozen=True)
class OidcProvider:
    """A running provider with one client registered for `redirect_uri` (on `app_origin`)."""

    issuer: str
    client_id: str
    client_secret: str
    app_origin: str
    redirect_uri: str
    process: subprocess.Popen[str]


@contextmanager
def running_oidc_provider(app_origin: str, *, conform: bool = False) -> Iterator[OidcProvider]:
    """`node tests/oidc/provider.mjs` on a free loopback port; stopped on exit.

    `conform=True` keeps email claims out of the ID token (the app must ask userinfo).
    """
    modules = ROOT / ".tools/oidc/node_modules"
    if not (modules / "oidc-provider").is_dir():
        pytest.fail("npm oidc-provider is missing: `make test-deps` installs it in .tools/oidc")
    redirect_uri = f"{app_origin}/auth/sso/callback"
    env = {
        **os.environ,
        "CLIENT_ID": "slotapp-test",
        "CLIENT_SECRET": "test-secret-" + os.urandom(8).hex(),
        "REDIRECT_URI": redirect_uri,
        "CONFORM": "1" if conform else "0",
        "OIDC_MODULES": str(modules),
    }
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(
            ["node", str(ROOT / "tests/oidc/provider.mjs")],
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
        )
        watchdog = threading.Timer(30, proc.kill)  # a provider that never says READY
        watchdog.start()
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            watchdog.cancel()
            if not line.startswith("READY "):
                log.seek(0)
                pytest.fail(f"oidc provider did not start:\n{line}{log.read()[-3000:]}")
            yield OidcProvider(
                issuer=line.split()[1],
                client_id=env["CLIENT_ID"],
                client_secret=env["CLIENT_SECRET"],
                app_origin=app_origin,
                redirect_uri=redirect_uri,
                process=proc,
            )
        finally:
            watchdog.cancel()
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """One provider for the session; the app under test answers at `app_origin`."""
    with running_oidc_provider(f"http://127.0.0.1:{free_port()}") as provider:
        yield provider
