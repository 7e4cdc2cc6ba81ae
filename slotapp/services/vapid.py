"""The server's VAPID key pair (RFC 8292): configured, or made on first start and kept.

Push services tie every subscription to the public key the browser subscribed with, so the
key must survive restarts: a new key silently orphans every subscribed device. It lives in
the data folder beside the link secret (services.keys), mode 0600, or comes from the
environment (`SLOTAPP_VAPID_PRIVATE_KEY`, optionally `SLOTAPP_VAPID_PUBLIC_KEY` to check it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from slotapp.core.push import vapid_subject
from slotapp.core.webpush_subscription import b64url, b64url_decode
from slotapp.services.keys import DEFAULT_DIR
from slotapp.settings import get_settings

KEY_FILE = "vapid_private.pem"


@dataclass(frozen=True)
class VapidKeys:
    """The signer, the public key browsers subscribe with, and the contact in every token."""

    signer: Vapid02
    public_key: str  # base64url uncompressed P-256 point: `applicationServerKey`
    subject: str


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    """The base64url uncompressed point of a private key's public half."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, base64url DER, or the raw 32-byte scalar (base64url).

    The last is what `web-push generate-vapid-keys` and most VAPID tools print.

    Raises:
        ValueError: not a P-256 private key in any of these forms.
    """
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode("".join(text.split()))
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError("VAPID private key is not readable (PEM, DER or raw base64url)") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("VAPID private key must be an EC P-256 key")
    return key


def load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """Read the key file, creating it (mode 0600) if missing; two processes racing agree.

    The new key is written to a temporary file first and linked into place, so a reader never
    sees half a key and the loser of a race reads the winner's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return parse_private_key(path.read_text())


def keys_from(environ: Mapping[str, str], data_dir: Path, base_url: str) -> VapidKeys:
    """The configured key pair if `SLOTAPP_VAPID_PRIVATE_KEY` is set, else the kept one.

    Raises:
        ValueError: a configured key is unreadable, or the configured public key does not
            belong to it, or the configured subject is neither mailto: nor https:.
    """
    configured = environ.get("SLOTAPP_VAPID_PRIVATE_KEY", "")
    key = parse_private_key(configured) if configured else load_or_create_key(data_dir / KEY_FILE)
    public = public_key_of(key)
    expected = environ.get("SLOTAPP_VAPID_PUBLIC_KEY", "").strip()
    if expected and expected.rstrip("=") != public:
        raise ValueError("SLOTAPP_VAPID_PUBLIC_KEY does not belong to SLOTAPP_VAPID_PRIVATE_KEY")
    subject = vapid_subject(environ.get("SLOTAPP_VAPID_SUBJECT", ""), base_url)
    return VapidKeys(signer=Vapid02(key), public_key=public, subject=subject)


@lru_cache(maxsize=1)
def vapid_keys() -> VapidKeys:
    """The application's VAPID keys (made on the first call if none are kept or configured)."""
    data_dir = Path(os.environ.get("SLOTAPP_DATA_DIR", str(DEFAULT_DIR)))
    return keys_from(os.environ, data_dir, get_settings().base_url)
