"""Hostile input to the chat widget's fields, the login form and the availability settings.

Only the documented refusals come out (InvalidInput, ValueError from the settings parsers,
SettingsError, AvailabilityError), and a refusal stores nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlmodel import Session, select

from slotapp.core.slot_settings import (
    LIMITS,
    SettingsError,
    SlotSettings,
    check_settings,
    parse_day_text,
)
from slotapp.core.validation import InvalidInput, known_time_zone, normalise_email, required_text
from slotapp.core.wallclock import AvailabilityError, zone
from slotapp.models import Channel, Conversation, User
from slotapp.services import accounts, chat_transcript, conversations, slot_settings
from slotapp.services.demo import DEMO_CHANNEL
from tests.fuzz.hostile import FORMS, NASTY, ZONES, emails, hostile_text, mostly, names, zones
from tests.fuzz.world import NOW, OWNER, World, build_world, row_counts

PHONES = st.one_of(st.sampled_from(("+49 30 1234567", "0" * 40, "+", "☎️ 12345678")), hostile_text)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("fuzz-chat")))
    yield built
    built.engine.dispose()


@FORMS
@given(
    source=mostly(None, hostile_text),  # None: the demo widget's key
    visitor=hostile_text,
    resume=st.one_of(st.none(), hostile_text),
    text=st.one_of(st.sampled_from(NASTY), hostile_text, st.just("y" * 4001)),
    name=names,
    email=mostly("", emails),
    phone=mostly("", PHONES),
    log_to=emails,
)
def test_widget_fields_refuse_or_store(
    world: World,
    source: str | None,
    visitor: str,
    resume: str | None,
    text: str,
    name: str,
    email: str,
    phone: str,
    log_to: str,
) -> None:
    key = world.widget_key if source is None else source
    steps = [
        lambda s, c: conversations.client_message(session=s, conversation=c, text=text, now=NOW),
        lambda s, c: conversations.set_contact(
            session=s, conversation=c, name=name, email=email, phone=phone, now=NOW
        ),
        lambda s, c: chat_transcript.email_log(
            session=s,
            conversation=c,
            channel=s.get(Channel, c.channel_id),
            email=log_to,
            now=NOW,
        ),
    ]
    with Session(world.engine, expire_on_commit=False) as session:
        try:
            conversation, _ = conversations.open_conversation(
                session=session, source_key=key, visitor_id=visitor, now=NOW, client_key=resume
            )
            conversations.give_consent(session=session, conversation=conversation, now=NOW)
            session.commit()
        except InvalidInput:
            event("refused: source")
            return
    for step in steps:  # each form on its own, as the widget sends them
        with Session(world.engine, expire_on_commit=False) as session:
            current = session.get(Conversation, conversation.id)
            assert current is not None
            before = row_counts(world.engine)
            try:
                step(session, current)
                session.commit()
                event("stored")
            except InvalidInput as exc:
                event(f"refused: {exc.field}")
                session.rollback()
                assert row_counts(world.engine) == before
        with Session(world.engine) as session:
            current = session.get(Conversation, conversation.id)
            assert current is not None
            # An email or phone makes a contact (a name alone does not, without the tracker).
            reachable = current.visitor_email or current.visitor_phone
            assert not reachable or current.contact_id is not None


@FORMS
@given(
    email=mostly(OWNER, emails),
    password=st.one_of(
        st.sampled_from(("demo-ben-pass", "", "\x00" * 10, "p" * 1025, "p" * 200_000)),
        hostile_text,
    ),
)
def test_login_refuses_with_one_message(world: World, email: str, password: str) -> None:
    with Session(world.engine) as session:
        try:
            user = accounts.authenticate(session=session, email=email, password=password)
        except InvalidInput as exc:
            assert exc.field == "email" and exc.message == accounts.LOGIN_FAILED
            return
    assert user.email == OWNER and password == "demo-ben-pass"


def test_login_password_with_a_lone_surrogate_is_refused(world: World) -> None:
    with Session(world.engine) as session, pytest.raises(InvalidInput):
        accounts.authenticate(session=session, email=OWNER, password="demo\ud800")


@FORMS
@given(
    odd_day=mostly(None, st.tuples(st.integers(min_value=0, max_value=6), hostile_text)),
    numbers=st.fixed_dictionaries(
        {name: mostly(low, st.integers(-(2**70), 2**70)) for name, (low, _) in LIMITS.items()}
    ),
)
def test_settings_form_refuses_or_stores(
    world: World, odd_day: tuple[int, str] | None, numbers: dict[str, int]
) -> None:
    days = ["09:00-12:00, 13:00-17:00"] * 5 + ["", ""]
    if odd_day is not None:
        days[odd_day[0]] = odd_day[1]
    weekly = {}
    for day, text in enumerate(days):
        try:
            weekly[day] = parse_day_text(text)
        except ValueError:
            event("refused: hours text")
            return
    settings = SlotSettings(weekly=weekly, **numbers)
    assert isinstance(check_settings(settings), dict)
    with Session(world.engine) as session:
        user = session.exec(select(User).where(User.email == OWNER)).one()
        assert user.id is not None
        before = slot_settings.load_settings(session=session, user_id=user.id)
        try:
            slot_settings.save_settings(
                session=session, user_id=user.id, settings=settings, now=NOW
            )
        except SettingsError:
            event("refused: settings")
            session.rollback()
            assert slot_settings.load_settings(session=session, user_id=user.id) == before
            return
        event("stored")
        session.rollback()  # the link fuzzing in other modules keeps its default hours


@FORMS
@given(text=hostile_text, name=st.one_of(st.sampled_from(ZONES), zones))
def test_input_checks_raise_only_their_own_errors(text: str, name: str) -> None:
    for check in (
        lambda: normalise_email(text),
        lambda: known_time_zone(name),
        lambda: required_text(text, field="name", label="a name", max_length=120),
    ):
        try:
            value = check()
        except InvalidInput:
            continue
        assert "\x00" not in value and "\n" not in value
    with contextlib.suppress(AvailabilityError):
        zone(name)


def test_the_demo_channel_is_the_one_fuzzed(world: World) -> None:
    with Session(world.engine) as session:
        channel = session.exec(select(Channel).where(Channel.name == DEMO_CHANNEL)).one()
        assert channel.active
