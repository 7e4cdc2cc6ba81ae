"""Hostile input to the invitation pages: the inviter's form (services.invitations), the
participant's page and booking (services.invitation_booking), and the one-click ?start=.

Only the documented refusals come out, a refusal stores nothing, a booking is stored whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlmodel import Session, select

from slotapp.core.invitation_form import InvitationInvalid, parse_start_param
from slotapp.core.validation import InvalidInput
from slotapp.models import Invitation, ShareLink, User
from slotapp.services import invitation_booking, invitation_view, invitations
from slotapp.services.invitations import NoSlots
from slotapp.services.links import LinkError
from tests.fuzz.hostile import FORMS, emails, hostile_text, instants, mostly, names, zones
from tests.fuzz.world import (
    NOW,
    OWNER,
    SECRET,
    World,
    broken_records,
    build_world,
    invitation_draft,
    row_counts,
)

INVITATION_REFUSALS = (
    InvalidInput,
    LinkError,
    invitation_booking.AlreadyBooked,
    invitation_booking.SlotUnavailable,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("fuzz-invitations")))
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def owner_id(world: World) -> int:
    with Session(world.engine) as session:
        user = session.exec(select(User).where(User.email == OWNER)).one()
    assert user.id is not None
    return user.id


def test_one_click_start_at_the_ends_of_time_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_start_param("0001-01-01T00:00:00+14:00")


@FORMS
@given(
    name=names,
    email=mostly("pia@example.org", emails),
    subject=hostile_text,
    text=hostile_text,
    time_zone=mostly("Europe/Berlin", zones),
    day=mostly("2026-11-30", st.sampled_from(["2026-02-30", "9999-99-99", "", "2026-11-30\x00"])),
    hours=mostly(("09:00", "17:00"), st.sampled_from([("25:00", "26:00"), ("17:00", "09:00")])),
)
def test_invitation_form_refuses_or_stores_one_invitation(
    world: World,
    owner_id: int,
    name: str,
    email: str,
    subject: str,
    text: str,
    time_zone: str,
    day: str,
    hours: tuple[str, str],
) -> None:
    draft = invitation_draft(
        owner_id,
        participant_name=name,
        participant_email=email,
        subject=subject,
        description=text,
        location=text[:300],
        conferencing=text[:1000],
        time_zone=time_zone,
        date_from=day,
        daily_from=hours[0],
        daily_to=hours[1],
    )
    with Session(world.engine) as session:
        counted = (
            len(session.exec(select(Invitation)).all()),
            len(session.exec(select(ShareLink)).all()),
        )
        try:
            invitations.create_invitation(
                session=session, inviter_id=owner_id, draft=draft, secret=SECRET, now=NOW
            )
        except (InvitationInvalid, NoSlots) as exc:
            event(f"refused: {type(exc).__name__}")
            session.rollback()
            assert (
                len(session.exec(select(Invitation)).all()),
                len(session.exec(select(ShareLink)).all()),
            ) == counted
            return
        event("stored")
        session.commit()


@FORMS
@given(
    token=mostly(None, hostile_text),  # None: the invitation's real token
    pick=mostly(0, st.one_of(st.integers(min_value=0, max_value=20), instants)),
    time_zone=st.one_of(st.none(), zones),
)
def test_invitation_page_and_booking_refuse_or_book_once(
    world: World,
    owner_id: int,
    token: str | None,
    pick: int | datetime,
    time_zone: str | None,
) -> None:
    with Session(world.engine) as session:
        links = invitations.create_invitation(
            session=session,
            inviter_id=owner_id,
            draft=invitation_draft(owner_id, participant_name=f"Pia {uuid.uuid4().hex[:6]}"),
            secret=SECRET,
            now=NOW,
        )
        session.commit()
    real_token = token is None
    used = links.url.rsplit("/", 1)[1] if token is None else token
    with Session(world.engine) as session:
        try:
            page = invitation_view.invitation_page(
                session=session, token=used, now=NOW, participant_time_zone=time_zone
            )
        except LinkError:
            assert not real_token
            page = None
    starts = list(page.slots) if page else [datetime(2026, 11, 30, 9, tzinfo=UTC)]
    start = starts[pick % len(starts)] if isinstance(pick, int) else pick
    before = row_counts(world.engine)
    try:
        invitation_booking.book_invitation(
            engine=world.engine, token=used, start=start, now=NOW, participant_time_zone=time_zone
        )
    except INVITATION_REFUSALS as exc:
        event(f"refused: {type(exc).__name__}")
        assert row_counts(world.engine) == before
        return
    event("booked")
    assert row_counts(world.engine)["Meeting"] == before["Meeting"] + 1
    assert broken_records(world.engine) == []
