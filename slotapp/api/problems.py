"""RFC 9457 problem details: the one error shape of the JSON API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response

MEDIA_TYPE = "application/problem+json"
# Tag URIs (RFC 4151) name problem types without promising a page behind them (RFC 9457 3.1.1).
TYPE_PREFIX = "tag:slotapp,2026:problems/"
PARAM_SOURCES = ("body", "query", "path", "header", "cookie")


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str
    message: str


class Problem(BaseModel):
    """An error: what kind (`type`, `title`), this occurrence (`detail`), the field at fault."""

    type: str = Field(examples=[TYPE_PREFIX + "slot-taken"])
    title: str
    status: int
    detail: str
    field: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Raised by a route to answer with a problem."""

    def __init__(
        self, status: int, kind: str, title: str, detail: str, field: str | None = None
    ) -> None:
        super().__init__(detail)
        self.problem = Problem(
            type=TYPE_PREFIX + kind, title=title, status=status, detail=detail, field=field
        )


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The problem as `application/problem+json` (absent members left out)."""
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=problem.status,
        headers=headers,
        media_type=MEDIA_TYPE,
    )


def http_problem(status: int, detail: str) -> Problem:
    """A plain HTTP error: no type of our own, so `about:blank` and the status phrase."""
    return Problem(
        type="about:blank", title=HTTPStatus(status).phrase, status=status, detail=detail
    )


def _field_of(error: dict[str, Any]) -> str:
    loc: Sequence[str | int] = error.get("loc", ())
    parts = list(loc[1:] if loc and loc[0] in PARAM_SOURCES else loc)
    if error.get("type") == "json_invalid" or not parts:
        return str(loc[0]) if loc else "body"
    return ".".join(str(p) for p in parts)


async def problem_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """A ProblemError raised by a route."""
    assert isinstance(exc, ProblemError)
    return problem_response(exc.problem)


def http_error_handler(*prefixes: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    """HTTP errors (a body that is not UTF-8, ...) as problems under any of `prefixes`.

    Reflex's backend is mounted inside the same app, so any other path keeps FastAPI's answer.
    """
    starts = tuple(prefix + "/" for prefix in prefixes)

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if not request.url.path.startswith(starts):
            return await http_exception_handler(request, exc)
        return problem_response(http_problem(exc.status_code, str(exc.detail)), exc.headers)

    return handler


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Pydantic's request validation errors as one 422 problem listing every field."""
    assert isinstance(exc, RequestValidationError)
    errors = [FieldError(field=_field_of(e), message=str(e.get("msg", ""))) for e in exc.errors()]
    first = errors[0] if errors else FieldError(field="body", message="Invalid request.")
    return problem_response(
        Problem(
            type=TYPE_PREFIX + "invalid-input",
            title="Invalid input",
            status=422,
            detail=f"{first.field}: {first.message}",
            field=first.field,
            errors=errors,
        )
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problems a route may answer with."""
    return {s: {"model": Problem, "content": {MEDIA_TYPE: {}}} for s in statuses}


_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Document 4xx bodies as `application/problem+json` only (FastAPI adds application/json),
    and FastAPI's own 422 body as the Problem that `validation_error_handler` answers with."""
    has_problem = "Problem" in schema.get("components", {}).get("schemas", {})
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status).startswith("4") and "application/json" in content:
                    body = content["application/json"]
                    if has_problem and body.get("schema", {}).get("$ref") == _FASTAPI_422:
                        body = {"schema": dict(_PROBLEM_REF)}
                    response["content"] = {MEDIA_TYPE: body}
    return schema
