"""Hostile input to the booking forms: the guest page's booking (services.booking.book), the
link page's token and zone, and the v1 API's booking body.

Only the documented refusals come out, and a refusal stores nothing; an accepted booking
is stored whole (participants and both emails).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlmodel import Session
from starlette.testclient import TestClient

from slotapp.core.validation import InvalidInput
from slotapp.services import guest_view
from slotapp.services.booking import BookingRequest, SlotTaken, book
from slotapp.services.link_api import offered_slots
from slotapp.services.links import LinkError
from tests.fuzz.hostile import FORMS, emails, hostile_text, instants, mostly, names, zones
from tests.fuzz.world import NOW, World, broken_records, build_world, row_counts

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY, SATURDAY = datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 28, tzinfo=BERLIN)
REFUSALS = (InvalidInput, LinkError, SlotTaken)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("fuzz-forms")))
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def slots(world: World) -> list[datetime]:
    """The starts the demo link offers in the week of Monday 23 November."""
    with Session(world.engine) as session:
        found = offered_slots(
            session=session,
            token=world.link_token,
            start=MONDAY,
            end=SATURDAY,
            time_zone="UTC",
            now=NOW,
        )
    assert len(found.starts) > 40
    return list(found.starts)


@FORMS
@given(
    token=mostly(None, hostile_text),  # None: the real token
    pick=mostly(0, st.one_of(st.integers(min_value=0, max_value=60), instants)),
    name=names,
    email=mostly("gina@example.org", emails),
    time_zone=mostly("Europe/Berlin", zones),
    note=hostile_text,
)
def test_guest_booking_refuses_or_stores_the_whole_meeting(
    world: World,
    slots: list[datetime],
    token: str | None,
    pick: int | datetime,
    name: str,
    email: str,
    time_zone: str,
    note: str,
) -> None:
    # 0: the next free slot; another number: any offered one, maybe taken by now.
    start = (
        (slots.pop(0) if pick == 0 else slots[pick % len(slots)]) if isinstance(pick, int) else pick
    )
    request = BookingRequest(
        token=world.link_token if token is None else token,
        start=start,
        guest_name=name,
        guest_email=email,
        guest_time_zone=time_zone,
        note=note,
    )
    before = row_counts(world.engine)
    try:
        booked = book(engine=world.engine, request=request, now=NOW)
    except REFUSALS as exc:
        event(f"refused: {type(exc).__name__}")
        assert row_counts(world.engine) == before
        return
    event("booked")
    assert booked.guest_name == name.strip() and "\n" not in booked.title
    after = row_counts(world.engine)
    assert after["Meeting"] == before["Meeting"] + 1
    assert after["EmailOutbox"] == before["EmailOutbox"] + 2
    assert broken_records(world.engine) == []


@FORMS
@given(token=hostile_text, time_zone=zones, real_token=st.booleans())
def test_link_page_token_and_zone(
    world: World, token: str, time_zone: str, real_token: bool
) -> None:
    with Session(world.engine) as session:
        try:
            view = guest_view.guest_view(
                session=session,
                token=world.link_token if real_token else token,
                guest_time_zone=time_zone,
                now=NOW,
            )
        except (LinkError, InvalidInput):
            return
    assert view.owner_name == "Ben Colleague"


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_api_booking_at_the_ends_of_time_is_refused(world: World, start: str) -> None:
    body = {"start": start, "name": "G", "email": "g@example.org", "time_zone": "UTC"}
    before = row_counts(world.engine)
    res = TestClient(world.app).post(f"/api/v1/links/{world.link_token}/bookings", json=body)
    assert res.status_code == 422 and res.json()["field"] == "start", res.text
    assert row_counts(world.engine) == before


@pytest.mark.parametrize("field", ["name", "email", "time_zone", "note"])
@pytest.mark.parametrize("bad", ["a\ud800b", "a\x00b"])
def test_api_booking_refuses_text_that_no_database_stores(
    world: World, field: str, bad: str
) -> None:
    body = {
        "start": "2026-11-23T16:00:00+01:00",
        "name": "Gina",
        "email": "gina@example.org",
        "time_zone": "UTC",
        field: bad,
    }
    before = row_counts(world.engine)
    raw = json.dumps(body).encode()  # ASCII: "\ud800" stays an escape, as a browser sends it
    res = TestClient(world.app).post(
        f"/api/v1/links/{world.link_token}/bookings",
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert res.status_code == 422 and res.json()["field"] == field, res.text
    assert row_counts(world.engine) == before


def test_guest_name_with_a_lone_surrogate_is_invalid_input(world: World) -> None:
    request = BookingRequest(
        token=world.link_token,
        start=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
        guest_name="Gi\ud800na",
        guest_email="gina@example.org",
        guest_time_zone="UTC",
    )
    with pytest.raises(InvalidInput) as refused:
        book(engine=world.engine, request=request, now=NOW)
    assert refused.value.field == "name"


@pytest.mark.parametrize(
    ("start", "note"),
    [
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), ""),
        (datetime(2026, 11, 23, 14, 0, tzinfo=UTC), "half a pair: \ud800"),
    ],
    ids=["year-1-at-utc+14", "note-lone-surrogate"],
)
def test_guest_booking_hole(world: World, start: datetime, note: str) -> None:
    request = BookingRequest(
        token=world.link_token,
        start=start,
        guest_name="Gina",
        guest_email="gina@example.org",
        guest_time_zone="UTC",
        note=note,
    )
    with pytest.raises(REFUSALS):
        book(engine=world.engine, request=request, now=NOW)
