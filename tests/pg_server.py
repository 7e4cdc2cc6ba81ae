"""A throwaway PostgreSQL cluster on loopback for the test suite (Debian's `postgresql`).

`tests/conftest.py` starts one per session (fixture `postgres_server`), migrates a template
database once with the real alembic migrations, and gives every test a fresh copy of it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from bench.appserver import free_port
from slotapp.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "slotapp_template"
# Durability is worthless for a throwaway cluster; these make CREATE DATABASE and commits cheap.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_bin_dir() -> Path | None:
    """The folder holding `initdb` and `pg_ctl`: Debian's newest, else whatever is on PATH."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in debian:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    return None


@dataclass
class PostgresServer:
    """A running cluster: user `postgres`, trust authentication, loopback only.

    Test databases are made one ahead and dropped on a background thread, so a test mostly
    does not wait for CREATE DATABASE (about 0.2 s each).
    """

    port: int
    folder: Path
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _worker: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))
    _next: Future[str] | None = None

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def _create(self) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}')
        return name

    def fresh_database(self) -> str:
        """A new database copied from the migrated template; returns its name."""
        name = self._next.result() if self._next else self._create()
        self._next = self._worker.submit(self._create)
        return name

    def drop_database(self, name: str) -> None:
        self._worker.submit(self.admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def database(self) -> Iterator[Engine]:
        """An engine on a fresh copy of the template, dropped afterwards."""
        name = self.fresh_database()
        engine = make_engine(self.url(name))
        try:
            yield engine
        finally:
            engine.dispose()
            self.drop_database(name)

    def close(self) -> None:
        self._worker.shutdown(wait=True)


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str], **kw: object) -> None:
    done = subprocess.run(_as_postgres(args), capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def migrate_template(server: PostgresServer) -> None:
    """Create the template database and bring it to head with the real alembic migrations.

    In process (a `slotapp.cli migrate` subprocess spends seconds importing the app), and
    without alembic.ini's logging set-up, which would reconfigure pytest's loggers.
    """
    from alembic.config import Config

    from alembic import command
    from slotapp.settings import get_settings

    server.admin(f"CREATE DATABASE {TEMPLATE}")
    config = Config()
    config.set_main_option("script_location", str(ROOT / "alembic"))
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = server.url(TEMPLATE)  # alembic/env.py reads the settings
    get_settings.cache_clear()
    try:
        command.upgrade(config, "head")
    finally:
        if before is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = before
        get_settings.cache_clear()


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[PostgresServer]:
    """initdb + pg_ctl start in a private temp folder; stopped and removed on exit."""
    # Not pytest's tmp_path: its parents are 0700 root, which `postgres` cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="slotapp-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    pg_ctl = str(bin_dir / "pg_ctl")
    try:
        _run(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--no-sync", "--locale=C"]
        )
        for attempt in range(3):  # the free port may be taken between asking and binding
            port = free_port()
            opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 {FAST}"
            try:
                _run(
                    [pg_ctl, "-D", str(data), "-w", "-l", str(folder / "log"), "start"]
                    + ["-o", opts]
                )
                break
            except RuntimeError:
                if attempt == 2:
                    raise RuntimeError((folder / "log").read_text(errors="replace")) from None
        server = PostgresServer(port=port, folder=folder)
        migrate_template(server)
        try:
            yield server
        finally:
            server.close()
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(folder, ignore_errors=True)
