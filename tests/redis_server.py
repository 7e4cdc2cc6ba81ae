"""A throwaway Redis on loopback for the test suite (Debian's `redis-server`).

`tests/conftest.py` starts one per session (fixture `redis_server`); each test that wants a
clean slate asks for `redis_url`, which flushes the database first.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.appserver import free_port


@dataclass(frozen=True)
class RedisServer:
    """A running redis-server: no persistence, loopback only."""

    port: int
    proc: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def flush(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url())
        try:
            client.flushall()
        finally:
            client.close()


def find_redis() -> str | None:
    return shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )


def _ping(port: int) -> bool:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@contextmanager
def running_redis(binary: str) -> Iterator[RedisServer]:
    """redis-server on a free port in a private folder; stopped and removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="slotapp-redis-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(3):  # the free port may be taken between asking and binding
            port = free_port()
            args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            args += ["--appendonly", "no", "--daemonize", "no", "--dir", str(folder)]
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and proc.poll() is None:
                if _ping(port):
                    break
                time.sleep(0.05)
            if proc.poll() is None and _ping(port):
                break
            proc.kill()
            proc.wait()
            if attempt == 2:
                raise RuntimeError("redis-server did not start")
        assert proc is not None
        yield RedisServer(port=port, proc=proc)
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
