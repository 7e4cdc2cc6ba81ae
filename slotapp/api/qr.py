"""QR codes of share links: `GET /api/qr/{token}.png|.svg`, and printable cards with the
owner's name and meeting length: `GET /api/qr/{token}/card.png|.svg`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from slotapp.clock import utcnow
from slotapp.core.qr import qr_png, qr_svg
from slotapp.core.qr_card import card_png, card_svg
from slotapp.db import get_engine, session_scope
from slotapp.routes import booking_path
from slotapp.services.links import LinkError, resolve_link
from slotapp.services.sharing import CardFacts, card_facts
from slotapp.settings import get_settings

CACHE_CONTROL = "private, max-age=300"
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
RENDERERS: dict[str, Callable[[str], bytes]] = {"png": qr_png, "svg": qr_svg}
CARD_RENDERERS: dict[str, Callable[[CardFacts, str], bytes]] = {
    "png": lambda facts, url: card_png(
        owner_name=facts.owner_name, length_minutes=facts.length_minutes, url=url
    ),
    "svg": lambda facts, url: card_svg(
        owner_name=facts.owner_name, length_minutes=facts.length_minutes, url=url
    ),
}


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
    """The QR routes, PNG and SVG, of a link's booking URL, and its printable card.

    Args:
        engine_factory: the database engine, asked for on each request (tests pass their own).
        base_url_factory: the public origin the booking URL starts with.

    Returns:
        Routes to mount on the app's Starlette backend.
    """

    def respond(request: Request, fmt: str, name: str, body: bytes) -> Response:
        disposition = "attachment" if request.query_params.get("download") == "1" else "inline"
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "Content-Disposition": f'{disposition}; filename="{name}.{fmt}"',
        }
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)

    def refused(err: LinkError) -> Response:
        return JSONResponse({"error": err.code, "detail": err.message}, status_code=404)

    def endpoint(fmt: str) -> Callable[[Request], Response]:
        # A plain `def`: Starlette runs it in a thread, so the database call doesn't block.
        def qr_image(request: Request) -> Response:
            token = request.path_params["token"]
            try:
                with session_scope(engine_factory()) as session:
                    resolve_link(session=session, token=token, now=utcnow())
            except LinkError as err:
                return refused(err)
            body = RENDERERS[fmt](booking_url(base_url_factory(), token))
            return respond(request, fmt, "slotapp-link", body)

        return qr_image

    def card_endpoint(fmt: str) -> Callable[[Request], Response]:
        def qr_card(request: Request) -> Response:
            token = request.path_params["token"]
            try:
                with session_scope(engine_factory()) as session:
                    facts = card_facts(session=session, token=token, now=utcnow())
            except LinkError as err:
                return refused(err)
            body = CARD_RENDERERS[fmt](facts, booking_url(base_url_factory(), token))
            return respond(request, fmt, "slotapp-card", body)

        return qr_card

    return [
        *(
            Route(f"/api/qr/{{token}}.{fmt}", endpoint(fmt), methods=["GET"], name=f"qr_{fmt}")
            for fmt in MEDIA_TYPES
        ),
        *(
            Route(
                f"/api/qr/{{token}}/card.{fmt}",
                card_endpoint(fmt),
                methods=["GET"],
                name=f"qr_card_{fmt}",
            )
            for fmt in MEDIA_TYPES
        ),
    ]
