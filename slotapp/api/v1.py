"""The public JSON API, version 1: a link's free slots and booking one, as the guest page does.

Thin on purpose: parse the request, call the same services as the guest page
(`services.link_api.offered_slots` over `schedules.link_slots`, and `booking.book`), and turn
their refusals into RFC 9457 problems. The OpenAPI document is `/api/v1/openapi.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

from anyio import from_thread
from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from slotapp.api.chat import PREFIX as CHAT_PREFIX
from slotapp.api.problems import (
    ProblemError,
    http_error_handler,
    http_problem,
    problem_error_handler,
    problem_media_types,
    problem_response,
    problem_responses,
    validation_error_handler,
)
from slotapp.api.v1_schemas import (
    BookingIn,
    IsoDateTimeOrNone,
    MeetingOut,
    SlotList,
    meeting_out,
    slot_out,
)
from slotapp.clock import utcnow
from slotapp.core.link_api import MAX_WINDOW_DAYS, scoped_booking_key
from slotapp.core.validation import InvalidInput
from slotapp.core.wallclock import zone
from slotapp.db import get_engine, session_scope
from slotapp.services.booking import BookingRequest, SlotTaken, book
from slotapp.services.link_api import is_unknown_token, offered_slots
from slotapp.services.links import LinkError

PREFIX = "/api/v1"
# LinkError.code -> (problem type, title); every one of them is 410 Gone.
GONE = {
    "inactive": ("link-inactive", "Link no longer active"),
    "expired": ("link-expired", "Link expired"),
    "used": ("link-used", "Link already used"),
}

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class SlotAPI(FastAPI):
    """FastAPI whose OpenAPI document gives error bodies as `application/problem+json`."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = problem_media_types(super().openapi())
        return self.openapi_schema


def build_api(
    *,
    routes: Sequence[BaseRoute] = (),
    engine_factory: Callable[[], Engine] = get_engine,
    clock: Callable[[], datetime] = utcnow,
    on_booked: Callable[[Iterable[int]], None] | None = None,
) -> FastAPI:
    """The API app that Reflex mounts its own backend in (`rx.App(api_transformer=...)`).

    Args:
        routes: Further Starlette routes to serve (the QR images), outside the OpenAPI document.
        engine_factory: The database engine, asked for on each request (tests pass their own).
        clock: The current instant (tests pass a fixed one).
        on_booked: Told the hosts of each new meeting, on the event loop, as the guest page
            tells them (`state.live.notify_calendars`: open calendars refresh); must not raise.

    Returns:
        The FastAPI app.
    """
    api = SlotAPI(
        title="slotapp booking API",
        version="1",
        description="Free times of a booking link, and booking one. Errors are RFC 9457 "
        "problem details (`application/problem+json`).",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    api.add_exception_handler(ProblemError, problem_error_handler)
    api.add_exception_handler(RequestValidationError, validation_error_handler)
    # A chat path its mount cannot match (a newline in a key) falls through to this app.
    api.add_exception_handler(HTTPException, http_error_handler(PREFIX, CHAT_PREFIX))
    router = APIRouter(prefix=f"{PREFIX}/links/{{token}}", tags=["links"])

    @contextmanager
    def problems(token: str) -> Iterator[None]:
        try:
            yield
        except InvalidInput as exc:
            raise ProblemError(
                422, "invalid-input", "Invalid input", exc.message, exc.field
            ) from exc
        except SlotTaken as exc:
            raise ProblemError(
                409, "slot-taken", "Time not available", exc.message, "start"
            ) from exc
        except LinkError as exc:
            with session_scope(engine_factory()) as session:
                unknown = is_unknown_token(session=session, token=token)
            if unknown:
                raise ProblemError(404, "link-not-found", "Unknown link", exc.message) from exc
            kind, title = GONE.get(exc.code, GONE["inactive"])
            raise ProblemError(410, kind, title, exc.message) from exc

    # Plain `def` routes: FastAPI runs them in a thread, so database calls don't block.
    @router.get("/slots", responses=problem_responses(404, 410, 422))
    def list_slots(
        token: str,
        start: Annotated[
            IsoDateTimeOrNone, Query(description="Window start with UTC offset; default now.")
        ] = None,
        end: Annotated[
            IsoDateTimeOrNone,
            Query(
                description="Window end with UTC offset; default the link's booking window. "
                f"At most {MAX_WINDOW_DAYS} days after the start."
            ),
        ] = None,
        tz: Annotated[str, Query(description="IANA zone of the local times.")] = "UTC",
    ) -> SlotList:
        """The link's free slots in [start, end), with local times in `tz`."""
        with problems(token), session_scope(engine_factory()) as session:
            offered = offered_slots(
                session=session, token=token, start=start, end=end, time_zone=tz, now=clock()
            )
        local, length = zone(offered.time_zone), timedelta(minutes=offered.length_minutes)
        return SlotList(
            owner_name=offered.owner_name,
            length_minutes=offered.length_minutes,
            time_zone=offered.time_zone,
            start=offered.window_start,
            end=offered.window_end,
            slots=[slot_out(s, s + length, local) for s in offered.starts],
        )

    @router.post(
        "/bookings",
        status_code=201,
        responses={
            200: {"model": MeetingOut, "description": "Booked before with this booking_key."},
            **problem_responses(400, 404, 409, 410, 422),
        },
    )
    def create_booking(token: str, body: BookingIn, response: Response) -> MeetingOut:
        """Book one of the offered starts, exactly as the guest page does."""
        request = BookingRequest(
            token=token,
            start=body.start,
            guest_name=body.name,
            guest_email=body.email,
            guest_time_zone=body.time_zone,
            note=body.note,
            booking_key=scoped_booking_key(token, body.booking_key) if body.booking_key else None,
        )
        with problems(token):
            booked = book(engine=engine_factory(), request=request, now=clock())
        if booked.repeated:
            response.status_code = 200
        elif on_booked is not None:
            # This route runs in a worker thread; the hook schedules work on the loop.
            from_thread.run_sync(on_booked, booked.host_ids)
        return meeting_out(booked)

    api.include_router(router)

    # Reflex answers every path no route claims; keep the API's own namespace in JSON.
    @api.api_route(f"{PREFIX}/{{path:path}}", methods=METHODS, include_in_schema=False)
    async def unknown(request: Request) -> Response:
        allowed = {
            method
            for route in router.routes
            if route.matches(request.scope)[0] is Match.PARTIAL
            for method in getattr(route, "methods", ())
        }
        if allowed:
            detail = f"Use {', '.join(sorted(allowed))} here."
            return problem_response(
                http_problem(405, detail), {"Allow": ", ".join(sorted(allowed))}
            )
        return problem_response(http_problem(404, "No such API path."))

    api.router.routes.extend(routes)
    return api
