"""The server's secret key: from SLOTAPP_SECRET_KEY, or made once and kept in a file."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / ".data"


def load_or_create_secret(path: Path) -> bytes:
    """Read the key file, creating it (mode 0600) if missing; two processes racing agree."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    text = path.read_text().strip()
    if len(text) < 32:
        raise RuntimeError(f"secret key file {path} is too short; delete it to make a new one")
    return bytes.fromhex(text) if all(c in "0123456789abcdef" for c in text) else text.encode()


@lru_cache(maxsize=1)
def secret_key() -> bytes:
    """The key that derives link tokens. Changing it invalidates every shared link."""
    configured = os.environ.get("SLOTAPP_SECRET_KEY", "")
    if configured:
        return hashlib.sha256(configured.encode()).digest()
    directory = Path(os.environ.get("SLOTAPP_DATA_DIR", str(DEFAULT_DIR)))
    return load_or_create_secret(directory / "secret.key")
