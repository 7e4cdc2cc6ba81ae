"""A company's web site on a second loopback origin that embeds the chat widget.

For browser tests: `with widget_host(api_url, widget_key) as page_url:` serves a small shop page
(http.server in a thread, on its own port) whose only script is slotapp's widget, under a
strict Content-Security-Policy (no inline scripts or styles, requests only to slotapp) and with
a hostile site stylesheet, as a real customer site might have.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# Global rules a site might have; the widget lives in a shadow root and must not care.
SITE_CSS = b"""
* { box-sizing: content-box; }
body { font: 13px/1.1 Georgia, serif; color: #333; margin: 2rem; }
button { background: hotpink !important; font-size: 30px; border: 5px dashed red; }
div, p { margin: 3em; padding: 2em; }
"""


def page_html(script_src: str, widget_key: str, *, api: str = "") -> str:
    """The shop page: some content and the pasted widget snippet."""
    api_attr = f' data-api="{html.escape(api)}"' if api else ""
    snippet = (
        f'<script src="{html.escape(script_src)}" data-channel="{html.escape(widget_key)}"'
        f"{api_attr} async></script>"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop</title>
<link rel="stylesheet" href="/site.css">
</head>
<body>
<h1>Demo shop</h1>
<p>Handmade ceramics, shipped across Europe.</p>
<p><a href="/other">Another page of the shop</a></p>
{snippet}
</body>
</html>
"""


def csp_for(api_origin: str) -> str:
    """A strict policy: the page's own CSS, slotapp's script and API, nothing else."""
    return (
        "default-src 'none'; "
        f"script-src {api_origin}; "
        f"connect-src {api_origin}; "
        "style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'"
    )


@contextmanager
def widget_host(
    api_url: str,
    widget_key: str,
    *,
    script_path: str = "/api/chat/v1/widget.js",
    api: str = "",
    host: str = "127.0.0.1",
) -> Iterator[str]:
    """Serve the shop page on a free loopback port; yields the page's URL.

    Args:
        api_url: slotapp's backend origin, e.g. "http://127.0.0.1:8000" (the script and the
            chat API are loaded from it).
        widget_key: The channel's widget key (`data-channel`).
        script_path: Where slotapp serves the script ("/widget.js" for the assets copy).
        api: A `data-api` override for the script, when the API is elsewhere.
        host: The interface to serve on.
    """
    parts = urlsplit(api_url)
    api_origin = f"{parts.scheme}://{parts.netloc}"
    page = page_html(api_origin + script_path, widget_key, api=api).encode()
    policy = csp_for(api_origin)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/site.css":
                self._send(200, "text/css; charset=utf-8", SITE_CSS)
            elif path in ("/", "/other"):
                self._send(200, "text/html; charset=utf-8", page)
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found")

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_asgi(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve an ASGI app (e.g. `build_api(routes=chat_routes(...))`, without Reflex) with
    uvicorn in a thread on a free loopback port; yields its origin."""
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind((host, 0))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
