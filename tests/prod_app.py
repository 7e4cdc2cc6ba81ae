"""The real production build (`reflex run --env prod --single-port`), once per test session.

For what only the production build shows: the frontend's HTML served by the backend on one
port, its statuses and headers, the compiled bundle (service worker, manifest ...). The build
and its state live in a private temp folder, never in the repository's `.web`. Use it from a
test module through the `prod_app` fixture (tests/e2e/conftest.py exposes it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bench.appserver import app_root, free_port, wait_http
from bench.server import OWNER_EMAIL, Demo
from slotapp.clock import utcnow
from slotapp.db import make_engine, session_scope
from slotapp.models import LinkKind, User
from slotapp.services import links
from slotapp.services.keys import load_or_create_secret

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = pytest.StashKey[float]()
# The first build of a fresh web folder installs the frontend packages and bundles every page.
BUILD_TIMEOUT = 900.0


@dataclass(frozen=True)
class ProdApp:
    """A served production build and what its database holds.

    Attributes:
        base_url: e.g. `http://127.0.0.1:41234`; pages, websocket and API on this one port.
        db_url: the app's SQLite database (open it with `slotapp.db.make_engine`).
        workdir: the temp folder with the database, secret key, build and server log.
        tokens: link tokens by name: "live" (Ben's open slots), "revoked" (Ben's, revoked).
        startup_seconds: from `reflex run` to answering pages: the build, mostly.
    """

    base_url: str
    db_url: str
    workdir: Path
    tokens: dict[str, str]
    startup_seconds: float

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base_url + path


def _prepare(workdir: Path) -> tuple[str, dict[str, str]]:
    """Migrate a fresh database, load the demo accounts, make a live and a revoked link."""
    demo = Demo(workdir, f"sqlite:///{workdir / 'prod.db'}", token="")
    setup = [sys.executable, "-m", "slotapp.cli", "setup"]
    subprocess.run(setup, cwd=ROOT, env=demo.env(), check=True, capture_output=True)
    engine = make_engine(demo.db_url)
    secret = load_or_create_secret(workdir / "secret.key")  # the app's key (SLOTAPP_DATA_DIR)
    now = utcnow()
    with session_scope(engine) as session:
        owner = session.exec(select(User).where(User.email == OWNER_EMAIL)).one()
        assert owner.id is not None
        live = links.set_open_slots(
            session=session, owner_id=owner.id, enabled=True, secret=secret, now=now
        )
        revoked, revoked_token = links.create_link(
            session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=secret, now=now
        )
        revoked.revoked_at = now
        session.add(revoked)
    engine.dispose()
    assert live is not None
    return demo.db_url, {"live": live, "revoked": revoked_token}


@contextmanager
def _serve(demo: Demo) -> Iterator[str]:
    """`reflex run --env prod --single-port` on a free loopback port; yields its base URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **demo.env(),
        "SLOTAPP_BASE_URL": url,
        # A private build and state folder: `make run`, `make dev` and the dev server keep theirs.
        "REFLEX_WEB_WORKDIR": str(demo.workdir / "web"),
        "REFLEX_STATES_WORKDIR": str(demo.workdir / "states"),
    }
    args = ["--env", "prod", "--single-port", "--frontend-port", str(port)]
    log = demo.workdir / "reflex.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "reflex"), "run", *args],
            cwd=app_root(demo.workdir),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_http(f"{url}/ping", proc, log, BUILD_TIMEOUT)
        wait_http(f"{url}/book/{demo.token}", proc, log, 60.0, want=201)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the server's process group (its workers too), even if the server itself died."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def prod_app(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[ProdApp]:
    """slotapp's production build on a free loopback port, with its own small database."""
    workdir = tmp_path_factory.mktemp("prod")
    db_url, tokens = _prepare(workdir)
    started = time.monotonic()
    with _serve(Demo(workdir, db_url, tokens["live"])) as base_url:
        seconds = time.monotonic() - started
        pytestconfig.stash[STARTUP_SECONDS] = seconds
        yield ProdApp(base_url, db_url, workdir, tokens, seconds)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say how long the production build took, for the CI time budget."""
    seconds = config.stash.get(STARTUP_SECONDS, None)
    if seconds is not None:
        terminalreporter.write_line(f"prod_app: production build served after {seconds:.1f}s")
