"""Start slotapp with `reflex run` in its own process group, wait until it answers, stop it.

Shared by the browser tests (dev server) and the benchmarks (production build).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(
    url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float, *, want: int = 500
) -> None:
    """Poll `url` until it answers with a status below `want` (e.g. 201 for "exactly 200")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < want:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"app not ready at {url} after {timeout}s:\n{log.read_text()[-4000:]}")


@contextmanager
def reflex_run(
    args: Sequence[str],
    *,
    env: dict[str, str],
    log: Path,
    ready: Sequence[tuple[str, float]],
    want: int = 500,
    cwd: Path = ROOT,
) -> Iterator[subprocess.Popen[bytes]]:
    """`reflex run <args>` until the block ends; first every (url, timeout) in `ready` answers."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "reflex"), "run", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for url, timeout in ready:
            wait_http(url, proc, log, timeout, want=want)
        yield proc
    finally:
        _stop(proc)


def app_root(workdir: Path) -> Path:
    """A folder to run `reflex` in that links to the app's sources.

    Reflex writes into the folder it runs in (`reflex.lock/` is rewritten from the new build's
    package.json): a private one keeps the repository's files as they are.
    """
    root = workdir / "app"
    root.mkdir()
    for name in ("rxconfig.py", "slotapp", "assets"):
        (root / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "reflex.lock", root / "reflex.lock")  # the pinned frontend packages
    return root


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's whole process group (it may have exited already)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
