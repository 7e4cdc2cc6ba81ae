"""QR codes of share links: `GET /api/qr/{token}.png` and `GET /api/qr/{token}.svg`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from slotapp.clock import utcnow
from slotapp.core.qr import qr_png, qr_svg
from slotapp.db import get_engine, session_scope
from slotapp.routes import booking_path
from slotapp.services.links import LinkError, resolve_link
from slotapp.settings import get_settings

CACHE_CONTROL = "private, max-age=300"
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
RENDERERS: dict[str, Callable[[str], bytes]] = {"png": qr_png, "svg": qr_svg}


def booking_url(base_url: str, token: str) -> str:
    """The absolute guest URL of a link, e.g. `https://slot.example/book/<token>`.

    Args:
        base_url: the site's public origin (a trailing slash is ignored).
        token: the link's token.

    Returns:
        The URL a guest opens to book.
    """
    return base_url.rstrip("/") + booking_path(token)


def _default_base_url() -> str:
    return get_settings().base_url


def qr_routes(
    *,
    engine_factory: Callable[[], Engine] = get_engine,
    base_url_factory: Callable[[], str] = _default_base_url,
) -> list[Route]:
    """The QR routes, PNG and SVG, of a link's booking URL.

    Args:
        engine_factory: the database engine, asked for on each request (tests pass their own).
        base_url_factory: the public origin the booking URL starts with.

    Returns:
        Routes to mount on the app's Starlette backend.
    """

    def endpoint(fmt: str) -> Callable[[Request], Response]:
        # A plain `def`: Starlette runs it in a thread, so the database call doesn't block.
        def qr_image(request: Request) -> Response:
            token = request.path_params["token"]
            try:
                with session_scope(engine_factory()) as session:
                    resolve_link(session=session, token=token, now=utcnow())
            except LinkError as err:
                return JSONResponse({"error": err.code, "detail": err.message}, status_code=404)
            body = RENDERERS[fmt](booking_url(base_url_factory(), token))
            disposition = "attachment" if request.query_params.get("download") == "1" else "inline"
            headers = {
                "Cache-Control": CACHE_CONTROL,
                "Content-Disposition": f'{disposition}; filename="slotapp-link.{fmt}"',
            }
            return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)

        return qr_image

    return [
        Route(f"/api/qr/{{token}}.{fmt}", endpoint(fmt), methods=["GET"], name=f"qr_{fmt}")
        for fmt in MEDIA_TYPES
    ]
