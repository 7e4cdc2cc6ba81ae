"""Schemathesis against the app's own OpenAPI documents: every public JSON route gets data
that fits its schema and data that does not, with real tokens and keys so the requests reach
the handlers. Never a 500, every answer as documented, and nothing stored half-way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.schemas import APIOperation, BaseSchema
from starlette.testclient import TestClient

from tests.fuzz.hostile import PHASES
from tests.fuzz.world import World, broken_records, build_world

DOCUMENTS = {"v1": "/api/v1/openapi.json", "chat": "/api/chat/v1/openapi.json"}
# Every operation the two documents hold: a new route fails `test_every_route_is_fuzzed`
# until it is added here (and so fuzzed).
OPERATIONS = {
    "v1": [
        "GET /api/v1/links/{token}/slots",
        "POST /api/v1/links/{token}/bookings",
    ],
    "chat": [
        "GET /widget/{key}/config",
        "POST /widget/{key}/conversations",
        "GET /conversation",
        "GET /conversation/events",
        "POST /conversation/messages",
        "POST /conversation/typing",
        "POST /conversation/consent",
        "POST /conversation/contact",
        "POST /conversation/rating",
        "POST /conversation/log-email",
        "POST /sources/{key}/messages",
        "GET /sources/{key}/chats/{chat_id}/messages",
    ],
}
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    negative_data_rejection,  # data outside the schema is refused with a 4xx
]
# Per operation and mode; 14 operations x 3 strategies run in about 20 s on one free core.
MAX_EXAMPLES = 60
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("fuzz-api")))
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def schemas(world: World) -> dict[str, BaseSchema]:
    return {name: schemathesis.openapi.from_asgi(url, world.app) for name, url in DOCUMENTS.items()}


def _operation(schema: BaseSchema, label: str) -> APIOperation:
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label == label:
            return operation
    raise AssertionError(f"{label} is not in the document")


def _real_secrets(operation: APIOperation, world: World) -> dict[str, dict[str, Any]]:
    """Path parameters and headers that name the demo link, chat and webhook source."""
    webhook = "/sources/" in operation.path
    known = {
        "token": world.link_token,
        "key": world.source_key if webhook else world.widget_key,
        "chat_id": "fuzz-chat",
    }
    headers = {"X-Chat-Key": world.chat_key, "X-Source-Secret": world.source_secret}
    return {
        "path_parameters": {p.name: known[p.name] for p in operation.path_parameters},
        "headers": {p.name: headers[p.name] for p in operation.headers if p.name in headers},
    }


def _cases(operation: APIOperation, world: World) -> st.SearchStrategy[Any]:
    real = _real_secrets(operation, world)
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, **real),  # into the handler
        operation.as_strategy(GenerationMode.NEGATIVE, **real),  # wrong types, missing fields
        operation.as_strategy(GenerationMode.POSITIVE),  # made-up tokens and keys
    )


def test_every_route_is_fuzzed(schemas: dict[str, BaseSchema]) -> None:
    for name, schema in schemas.items():
        labels = sorted(r.ok().label for r in schema.get_all_operations())
        assert labels == sorted(OPERATIONS[name]), name


@pytest.mark.parametrize(
    ("document", "label"), [(doc, label) for doc, labels in OPERATIONS.items() for label in labels]
)
def test_route_survives_hostile_requests(
    schemas: dict[str, BaseSchema], world: World, document: str, label: str
) -> None:
    operation = _operation(schemas[document], label)
    answered: list[int] = []

    @FUZZ
    @given(case=_cases(operation, world))
    def fuzz(case: Any) -> None:
        answered.append(case.call_and_validate(checks=CHECKS).status_code)

    fuzz()
    assert broken_records(world.engine) == []
    # The real secrets got past the lookups: some answers are not 404s.
    assert any(status != 404 for status in answered), label


def test_chat_errors_are_documented_as_problems(schemas: dict[str, BaseSchema]) -> None:
    # Found by schemathesis: 4xx documented as application/json, 422 as FastAPI's own body.
    for path in schemas["chat"].raw_schema["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert list(response["content"]) == ["application/problem+json"]
                    ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                    assert ref.endswith("/Problem"), (status, ref)


@pytest.mark.parametrize("text", ["a\u0000b", "a\ud800b"])
def test_chat_text_that_no_database_stores_is_a_422(world: World, text: str) -> None:
    # Found by fuzzing: NUL fails on PostgreSQL, a lone surrogate on every UTF-8 database.
    raw = json.dumps({"text": text}).encode()  # ASCII, escapes kept: as a browser sends it
    res = TestClient(world.app).post(
        "/api/chat/v1/conversation/messages",
        content=raw,
        headers={"content-type": "application/json", "X-Chat-Key": world.chat_key},
    )
    assert res.status_code == 422 and res.json()["field"] == "text", res.text


def test_chat_path_with_a_newline_is_a_problem_404(world: World) -> None:
    # Found by schemathesis: the mount's pattern skips "\n", FastAPI answered {"detail": ...}.
    res = TestClient(world.app).get("/api/chat/v1/widget/a%0Ab/config")
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
