"""The VAPID key pair: made once and kept (or configured), and what browsers get of it."""

from __future__ import annotations

import base64
import stat
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from slotapp.services.vapid import KEY_FILE, keys_from, load_or_create_key, public_key_of
from tests.pushservice import unb64url, vapid_claims_of


def _raw_private(key: ec.EllipticCurvePrivateKey) -> str:
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(scalar).rstrip(b"=").decode()


def test_first_start_makes_a_private_key_file_and_later_starts_reuse_it(tmp_path: Path) -> None:
    first = keys_from({}, tmp_path, "https://slot.example")
    again = keys_from({}, tmp_path, "https://slot.example")

    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.public_key == again.public_key
    point = unb64url(first.public_key)
    assert len(point) == 65 and point[0] == 4  # what applicationServerKey takes
    assert first.subject == "https://slot.example"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    found: list[str] = []

    def start() -> None:
        found.append(public_key_of(load_or_create_key(tmp_path / KEY_FILE)))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1 and len(found) == 8


@pytest.mark.parametrize("form", ["raw", "pem", "der"])
def test_a_configured_key_pair_is_used_instead_of_the_file(tmp_path: Path, form: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    text = {
        "raw": _raw_private(key),
        "pem": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "der": base64.urlsafe_b64encode(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ).decode(),
    }[form]
    env = {
        "SLOTAPP_VAPID_PRIVATE_KEY": text,
        "SLOTAPP_VAPID_PUBLIC_KEY": public_key_of(key),
        "SLOTAPP_VAPID_SUBJECT": "mailto:ops@slot.example",
    }

    keys = keys_from(env, tmp_path, "http://localhost:3000")

    assert keys.public_key == public_key_of(key)
    assert not (tmp_path / KEY_FILE).exists()
    headers = keys.signer.sign(
        {"aud": "https://push.example.net", "sub": keys.subject, "exp": 2_000_000_000}
    )
    claims = vapid_claims_of(headers["Authorization"], public_key=keys.public_key)
    assert claims["sub"] == "mailto:ops@slot.example"


def test_a_public_key_of_another_pair_is_refused(tmp_path: Path) -> None:
    key, other = (ec.generate_private_key(ec.SECP256R1()) for _ in range(2))
    env = {
        "SLOTAPP_VAPID_PRIVATE_KEY": _raw_private(key),
        "SLOTAPP_VAPID_PUBLIC_KEY": public_key_of(other),
    }
    with pytest.raises(ValueError, match="does not belong"):
        keys_from(env, tmp_path, "")


@pytest.mark.parametrize("bad", ["not a key", "AAAA", "-----BEGIN PRIVATE KEY-----\nxx\n"])
def test_an_unreadable_configured_key_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="VAPID private key"):
        keys_from({"SLOTAPP_VAPID_PRIVATE_KEY": bad}, tmp_path, "")


def test_a_local_site_gets_a_mailto_subject(tmp_path: Path) -> None:
    assert keys_from({}, tmp_path, "http://127.0.0.1:3000").subject == "mailto:webpush@127.0.0.1"
