"""The security headers every response of the app carries: pure policy building, no I/O.

The Content-Security-Policy allows scripts from the app's own origin plus the exact inline
scripts of the built pages (by SHA-256 hash: the build's HTML has a handful of small inline
scripts, React Router's and Reflex's, the same on every page but for one import line each).
No 'unsafe-inline' for scripts, so a script injected into a page does not run. Two
allowances, both forced by the frontend framework:

- script-src 'unsafe-eval': Reflex runs `rx.call_script(...)` and its callbacks through
  `eval` in the browser (reflex_base/.templates/web/utils/state.js); the guest page's time
  zone detection, sharing and notifications use it.
- style-src 'unsafe-inline': Emotion (Reflex's CSS-in-JS) inserts `<style>` elements at
  run time and React renders `style="..."` attributes; neither can carry a nonce or a hash
  known in advance. Styles cannot run code.

The chat widget's routes are embedded by other sites: they get Cross-Origin-Resource-Policy
cross-origin and none of the headers that only make sense for the app's own documents.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Routes other origins load on purpose (the widget script and its CORS API).
CROSS_ORIGIN_PREFIXES = ("/api/chat/v1/",)
HSTS = "max-age=31536000"
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), hid=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "serial=(), usb=(), xr-spatial-tracking=()"
)


class _InlineScripts(HTMLParser):
    """Collects the text of every `<script>` without a `src` attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def inline_scripts(html: str) -> list[str]:
    """The source text of each inline `<script>` element of `html`, in order."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def script_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline script, e.g. 'sha256-...'."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def script_hashes(pages: Iterable[str]) -> list[str]:
    """The sorted, de-duplicated hashes of every inline script in `pages` (HTML texts)."""
    return sorted({script_hash(source) for html in pages for source in inline_scripts(html)})


def origin(url: str) -> str:
    """`scheme://host[:port]` of an absolute http(s) URL; "" for anything else."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def websocket_origin(url: str) -> str:
    """The ws/wss origin matching an http/https URL ("" when it is not one)."""
    own = origin(url)
    if not own:
        return ""
    return ("wss" if own.startswith("https:") else "ws") + own[own.index(":") :]


def content_security_policy(
    *, base_url: str, script_hashes: Sequence[str] = (), form_targets: Sequence[str] = ()
) -> str:
    """The app's policy.

    Args:
        base_url: The public base URL (settings.base_url); the built pages open their
            websocket there, so its http(s) and ws(s) origins are allowed to connect.
        script_hashes: 'sha256-...' expressions of the built pages' inline scripts.
        form_targets: Further URLs a form may post to (the OIDC issuer).
    """
    own = [o for o in (origin(base_url),) if o]
    socket = [o for o in (websocket_origin(base_url),) if o]
    forms = [o for o in (origin(url) for url in form_targets) if o]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *own, *socket],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *own, *forms],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(_unique(values))}" for name, values in directives.items())


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def is_cross_origin_route(path: str) -> bool:
    """Whether `path` is meant to be loaded by other sites (the chat widget and its API)."""
    return path.startswith(CROSS_ORIGIN_PREFIXES)


def response_headers(*, path: str, base_url: str, csp: str) -> list[tuple[str, str]]:
    """The security headers for a response to `path`, before the route's own ones win.

    Args:
        path: The request path.
        base_url: The public base URL: HSTS only when it is https.
        csp: The policy for the app's own documents (`content_security_policy`).
    """
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]
    if base_url.lower().startswith("https://"):
        headers.append(("Strict-Transport-Security", HSTS))
    if is_cross_origin_route(path):
        return [*headers, ("Cross-Origin-Resource-Policy", "cross-origin")]
    return [
        *headers,
        ("Content-Security-Policy", csp),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Frame-Options", "SAMEORIGIN"),
    ]
