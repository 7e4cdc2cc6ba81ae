"""Security headers on every HTTP response: pages, API routes, the widget, errors.

A pure ASGI middleware (give the class itself to `rx.App(api_transformer=[...])`) that adds
the headers of `core.security_headers.response_headers` to each response start, except those
the route already set itself (its own Cache-Control, CSP, CORP ... stay as they are).

The policy's script hashes come from the built pages: in production (`reflex run --env prod`)
the backend serves the frontend build (`<web dir>/build/client/**/*.html`) and the hashes of
their inline scripts are read once, on the first response after the build exists. In dev the
pages come from Vite's port, which this middleware does not see.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotapp.core.security_headers import (
    content_security_policy,
    response_headers,
    script_hashes,
)
from slotapp.settings import Settings, get_settings

log = logging.getLogger(__name__)


def built_pages_dir() -> Path:
    """Where the production build's static pages are (Reflex's own frontend mount)."""
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.config import get_config

    web = prerequisites.get_web_dir() / constants.Dirs.STATIC
    return web / get_config().frontend_path.strip("/")


def read_pages(folder: Path) -> list[str]:
    """The text of every built HTML page under `folder` (none when there is no build)."""
    if not folder.is_dir():
        return []
    return [path.read_text("utf-8", errors="replace") for path in sorted(folder.rglob("*.html"))]


RECHECK_SECONDS = 5.0


class SecurityHeadersMiddleware:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings_factory: Callable[[], Settings] = get_settings,
        pages: Callable[[], Iterable[str]] = lambda: read_pages(built_pages_dir()),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.settings_factory = settings_factory
        self.pages = pages
        self.clock = clock
        self._csp: str | None = None
        self._interim: tuple[float, str] | None = None

    def policy(self) -> str:
        """The Content-Security-Policy, built once the build's pages are there.

        Until then (dev, tests) the folder is looked at again at most every few seconds, not
        on every request.
        """
        if self._csp is not None:
            return self._csp
        now = self.clock()
        if self._interim is not None and now - self._interim[0] < RECHECK_SECONDS:
            return self._interim[1]
        settings = self.settings_factory()
        try:
            hashes = script_hashes(self.pages())
        except OSError:
            log.exception("security headers: cannot read the built pages")
            hashes = []
        csp = content_security_policy(
            base_url=settings.base_url,
            script_hashes=hashes,
            form_targets=[settings.oidc_issuer] if settings.oidc_issuer else [],
        )
        if hashes:
            self._csp = csp
        else:  # no build yet (dev, tests): look again a little later
            self._interim = (now, csp)
        return csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response_headers(
                path=scope.get("path", ""),
                base_url=self.settings_factory().base_url,
                csp=self.policy(),
            )
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
