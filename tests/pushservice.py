"""A web push service on loopback, and the browser's side of a subscription, for tests and bench.

`PushService` plays FCM / Mozilla autopush: it records every request and answers 201, or
what a test tells it to (410, 500, 429 ...). `BrowserKeys` is what a browser keeps for one
subscription (a P-256 key pair and the auth secret) and decrypts a received message as the
browser would (RFC 8291 on RFC 8188 aes128gcm), written here from the RFCs with
`cryptography`'s primitives, independently of the http_ece/pywebpush code under test.
`vapid_claims_of` checks the request's VAPID token (RFC 8292) and returns its claims.

Run alone (`python -m tests.pushservice`) it serves until killed and prints its URL; the
benchmark reads the arrival times back from `GET /__received`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the push service ------------------------------------------------------------------------


@dataclass
class Received:
    """One request as the push service saw it (header names lower-cased); `at_ns` is
    time.monotonic_ns() on arrival."""

    path: str
    headers: dict[str, str]
    body: bytes
    at_ns: int


@dataclass
class PushService:
    """An HTTP push service on 127.0.0.1 in a thread of its own."""

    received: list[Received] = field(default_factory=list)
    port: int = 0
    _answers: dict[str, deque[tuple[int, dict[str, str]]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def endpoint(self, name: str) -> str:
        """A subscription's endpoint on this service."""
        return f"{self.url}/push/{name}"

    def answer(self, name: str, *statuses: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next requests to endpoint `name` with these statuses (then 201 again)."""
        for status in statuses:
            self._answers[f"/push/{name}"].append((status, headers or {}))

    def to(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path == f"/push/{name}"]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until at least `count` requests arrived; all of them."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.received)} of {count} pushes arrived")
                self._arrived.wait(left)
        return list(self.received)

    async def _push(self, request: web.Request) -> web.Response:
        body = await request.read()
        at = time.monotonic_ns()
        with self._arrived:
            headers = {k.lower(): v for k, v in request.headers.items()}
            self.received.append(Received(request.path, headers, body, at))
            self._arrived.notify_all()
        queued = self._answers.get(request.path)
        status, headers = queued.popleft() if queued else (201, {})
        return web.Response(status=status, headers=headers, text="" if status < 300 else "no")

    async def _list(self, request: web.Request) -> web.Response:
        rows = [{"path": r.path, "at_ns": r.at_ns, "size": len(r.body)} for r in self.received]
        return web.json_response(rows)

    async def _clear(self, request: web.Request) -> web.Response:
        self.received.clear()
        return web.json_response([])

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/push/{name}", self._push)
        app.router.add_get("/__received", self._list)
        app.router.add_delete("/__received", self._clear)
        return app

    async def serve(self, port: int = 0) -> web.AppRunner:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, backlog=2048)
        await site.start()
        self.port = runner.addresses[0][1]
        return runner

    def start(self) -> PushService:
        """Serve in a background thread until `stop()`, on `port` if one was given."""
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def main() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            runner = self._loop.run_until_complete(self.serve(self.port))  # 0: any
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=main, name="pushservice", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


# --- the browser's side ----------------------------------------------------------------------


def _hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def _hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    assert length <= 32  # one block is all RFC 8291 ever needs
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


@dataclass
class BrowserKeys:
    """A browser's keys for one subscription, as `pushManager.subscribe()` makes them."""

    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` returns."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(self.public), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        """The plaintext of an aes128gcm message (RFC 8188 header, RFC 8291 key derivation)."""
        salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        sender_public, ciphertext = body[21 : 21 + idlen], body[21 + idlen :]
        assert idlen == 65 and rs >= 18, (idlen, rs)
        sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public)
        shared = self.private.exchange(ec.ECDH(), sender)
        prk_key = _hkdf_extract(self.auth, shared)
        ikm = _hkdf_expand(prk_key, b"WebPush: info\x00" + self.public + sender_public, 32)
        prk = _hkdf_extract(salt, ikm)
        cek = _hkdf_expand(prk, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf_expand(prk, b"Content-Encoding: nonce\x00", 12)
        records = [ciphertext[i : i + rs] for i in range(0, len(ciphertext), rs)]
        plain = b""
        for seq, record in enumerate(records):
            iv = (int.from_bytes(nonce, "big") ^ seq).to_bytes(12, "big")
            padded = AESGCM(cek).decrypt(iv, record, None).rstrip(b"\x00")
            last = seq == len(records) - 1
            assert padded[-1:] == (b"\x02" if last else b"\x01"), "bad padding delimiter"
            plain += padded[:-1]
        return plain


def vapid_claims_of(authorization: str, *, public_key: str) -> dict[str, Any]:
    """Check an RFC 8292 `Authorization: vapid t=<JWT>, k=<key>` header; the JWT's claims.

    Raises:
        AssertionError: another scheme, another key, or a bad ES256 signature.
    """
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", authorization
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"].rstrip("=") == public_key.rstrip("="), "token signed by another key"
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    header = json.loads(unb64url(header_b64))
    assert header == {"typ": "JWT", "alg": "ES256"}, header
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    try:
        key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise AssertionError("VAPID token signature does not verify") from exc
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    return claims


async def _serve_forever() -> None:
    service = PushService()
    await service.serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print(service.url, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_serve_forever())
