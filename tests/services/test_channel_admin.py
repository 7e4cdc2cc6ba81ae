"""The admins' channel pages: form <-> settings, queue moves, saving, and every refusal."""

from __future__ import annotations

from dataclasses import fields

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from slotapp.core.channel_settings import ChannelSettings, dump_settings, parse_settings
from slotapp.core.validation import InvalidInput
from slotapp.db import session_scope
from slotapp.services import channel_admin, channels
from slotapp.services.channel_settings_form import (
    form_of,
    holidays_from_text,
    settings_from_form,
    weekly_from_texts,
    weekly_texts,
)
from slotapp.services.channels import QueueItem
from tests.conftest import NOW
from tests.services.helpers import make_user

CLOSED = [""] * 7


def _channel(session: Session, name: str = "Support") -> int:
    channel = channels.create_channel(session=session, name=name, now=NOW)
    session.commit()
    assert channel.id is not None
    return channel.id


def _form(session: Session, channel_id: int, **changes: str) -> dict[str, str]:
    channel = channels.get_channel(session=session, channel_id=channel_id)
    form = {**form_of(channels.settings_of(channel)), "name": channel.name, "chat_title": ""}
    return {**form, "active": "on", **changes}


def _save(engine: Engine, channel_id: int, form: dict[str, str], queue=(), faqs=()):  # type: ignore[no-untyped-def]
    """As the page saves: one transaction, rolled back on a refusal."""
    with session_scope(engine) as session:
        return channel_admin.save_channel(
            session=session, channel_id=channel_id, form=form, faqs=faqs, queue=queue
        )


def test_weekly_hours_text_becomes_the_settings_weekly_and_back() -> None:
    texts = ["09:00-13:00, 14:00-18:00", "9-17", "", "closed", "14:00-18:00; 08:00-12:00", "", ""]
    texts[6] = "20:00-24:00"
    weekly = weekly_from_texts(texts)
    assert weekly == {
        "0": [["09:00", "13:00"], ["14:00", "18:00"]],
        "1": [["09:00", "17:00"]],
        "4": [["08:00", "12:00"], ["14:00", "18:00"]],
        "6": [["20:00", "24:00"]],
    }
    assert parse_settings({"weekly": weekly}).weekly == weekly  # the service takes it as is
    assert weekly_texts(weekly) == [
        "09:00-13:00, 14:00-18:00",
        "09:00-17:00",
        "",
        "",
        "08:00-12:00, 14:00-18:00",
        "",
        "20:00-24:00",
    ]


@pytest.mark.parametrize(
    ("day", "text", "says"),
    [
        (2, "09:00-13:00, 12:00-18:00", "overlaps"),
        (0, "18:00-09:00", "does not end after it starts"),
        (5, "nine to five", "like 09:00-17:30"),
        (6, "09:00-25:00", "does not exist"),
    ],
)
def test_bad_weekday_hours_are_refused_on_their_day(day: int, text: str, says: str) -> None:
    texts = list(CLOSED)
    texts[day] = text
    with pytest.raises(InvalidInput) as refused:
        weekly_from_texts(texts)
    assert refused.value.field == f"hours-{day}"
    assert says in refused.value.message


def test_holidays_are_dates_sorted_once_and_a_bad_one_is_named() -> None:
    assert holidays_from_text("2026-12-26, 2026-12-25\n2026-12-25") == ["2026-12-25", "2026-12-26"]
    assert holidays_from_text("  ") == []
    with pytest.raises(InvalidInput) as refused:
        holidays_from_text("2026-12-25, 25.12.2026")
    assert refused.value.field == "holidays"
    assert "25.12.2026" in refused.value.message


def test_queue_moves_stay_in_bounds() -> None:
    items = ["a", "b", "c"]
    assert channel_admin.move(items, 1, -1) == ["b", "a", "c"]
    assert channel_admin.move(items, 1, 1) == ["a", "c", "b"]
    assert channel_admin.move(items, 0, -1) == items
    assert channel_admin.move(items, 2, 1) == items
    assert channel_admin.move(items, 5, -1) == items
    assert items == ["a", "b", "c"]  # the original is left alone


def test_the_form_of_any_settings_submits_back_to_the_same_settings() -> None:
    custom = parse_settings(
        {
            "distribution": "in_order",
            "idle_minutes": 45,
            "limit": 4,
            "limit_exclude": ["replied", "closing"],
            "check_online": False,
            "agent_info": "channel",
            "agent_display_name": "Support team",
            "hours_enabled": True,
            "time_zone": "Europe/Berlin",
            "weekly": {"0": [["09:00", "13:00"], ["14:00", "18:00"]]},
            "weekends": [5, 6],
            "holidays": ["2026-12-25"],
            "unanswered_minutes": 10,
            "client_timeout_minutes": 30,
            "close_delay_minutes": 5,
            "language": "de",
            "bot_first": True,
            "faqs": [{"question": "Hours?", "answer": "9 to 6."}],
            "kpi_initial_minutes": 2,
            "kpi_next_minutes": 5,
        }
    )
    for settings in (ChannelSettings(), custom):
        form = form_of(settings)
        faqs = [{"question": f.question, "answer": f.answer} for f in settings.faqs]
        # As the browser submits it: unticked checkboxes are missing.
        submitted = {k: v for k, v in form.items() if v != ""}
        again = parse_settings(settings_from_form(submitted, faqs))
        assert dump_settings(again) == dump_settings(settings)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Unknown time zone"),
        ({"time_zone": "localtime"}, "time_zone", "Unknown time zone"),
        ({"idle_minutes": "0"}, "idle_minutes", "between 1 and 720"),
        ({"idle_minutes": "721"}, "idle_minutes", "between 1 and 720"),
        ({"idle_minutes": ""}, "idle_minutes", "between 1 and 720"),
        ({"idle_minutes": "ten"}, "idle_minutes", "whole number"),
        ({"hours-1": "09:00-12:00, 11:00-14:00"}, "hours-1", "overlaps"),
        ({"limit": "0"}, "limit", "at least 1"),
        ({"unanswered_minutes": "0"}, "unanswered_minutes", "between 1"),
        ({"kpi_initial_minutes": "0"}, "kpi_initial_minutes", "between 1"),
        ({"kpi_notify_user_id": "999"}, "kpi_notify_user_id", "colleague"),
        ({"distribution": ""}, "distribution", "Choose"),
        ({"name": "  "}, "name", "Enter a name"),
    ],
)
def test_a_refused_setting_names_its_field_and_saves_nothing(
    engine: Engine, session: Session, changes: dict[str, str], field: str, says: str
) -> None:
    channel_id = _channel(session)
    before = dump_settings(
        channels.settings_of(channels.get_channel(session=session, channel_id=channel_id))
    )
    form = _form(session, channel_id, **{"distribution": "everybody", **changes})
    with pytest.raises(InvalidInput) as refused:
        _save(engine, channel_id, form, queue=[QueueItem(department="Sales")])
    assert refused.value.field == field
    assert says in refused.value.message
    with session_scope(engine) as fresh:
        channel = channels.get_channel(session=fresh, channel_id=channel_id)
        assert channel.settings == before
        assert channel.name == "Support"
        assert channels.queue_of(session=fresh, channel_id=channel_id) == []


def test_every_setting_has_a_control_in_the_form() -> None:
    shown_as_groups = {"limit_exclude", "weekends", "weekly", "faqs"}  # exclude-*, hours-*...
    form = form_of(ChannelSettings())
    missing = [f.name for f in fields(ChannelSettings) if f.name not in {*form, *shown_as_groups}]
    assert missing == []


def test_half_a_faq_is_refused() -> None:
    form = form_of(ChannelSettings())
    with pytest.raises(InvalidInput) as refused:
        settings_from_form(form, [{"question": "Where are you?", "answer": " "}])
    assert refused.value.field == "faqs"
    blank = settings_from_form(form, [{"question": "", "answer": ""}])
    assert blank["faqs"] == []


def test_saving_keeps_settings_title_and_queue_in_order(engine: Engine, session: Session) -> None:
    ben = make_user(session, "Ben Colleague")
    channel_id = _channel(session)
    form = _form(
        session,
        channel_id,
        name="Website chat",
        chat_title="Questions?",
        distribution="in_order",
        idle_minutes="720",
        check_online="",
        **{"exclude-replied": "on", "hours-0": "08:00-12:00"},
    )
    queue = [QueueItem(department="Support"), QueueItem(user_id=ben.id)]
    _save(engine, channel_id, form, queue=queue, faqs=[{"question": "Q?", "answer": "A."}])
    with session_scope(engine) as fresh:
        channel = channels.get_channel(session=fresh, channel_id=channel_id)
        settings = channels.settings_of(channel)
        assert (channel.name, channel.chat_title, channel.active) == (
            "Website chat",
            "Questions?",
            True,
        )
        assert (settings.distribution, settings.idle_minutes) == ("in_order", 720)
        assert settings.check_online is False
        assert settings.limit_exclude == ("replied",)
        assert settings.weekly["0"] == [["08:00", "12:00"]]
        assert [f.question for f in settings.faqs] == ["Q?"]
        assert channel_admin.queue_items(session=fresh, channel_id=channel_id) == queue


def test_a_queue_with_an_unknown_employee_saves_nothing(engine: Engine, session: Session) -> None:
    channel_id = _channel(session)
    form = _form(session, channel_id, name="Renamed")
    with pytest.raises(InvalidInput) as refused:
        _save(engine, channel_id, form, queue=[QueueItem(user_id=4242)])
    assert refused.value.field == "queue"
    with session_scope(engine) as fresh:
        assert channels.get_channel(session=fresh, channel_id=channel_id).name == "Support"


def test_a_source_in_use_elsewhere_is_refused_and_listed_as_such(session: Session) -> None:
    first, second = _channel(session, "Sales"), _channel(session, "Support")
    source, secret = channels.create_webhook_source(session=session, name="Form", now=NOW)
    assert source.id is not None and secret
    channels.connect_source(session=session, source_id=source.id, channel_id=first)
    with pytest.raises(InvalidInput) as refused:
        channels.connect_source(session=session, source_id=source.id, channel_id=second)
    assert refused.value.message == "This source is already connected to Sales."
    rows = channel_admin.webhook_rows(session=session, channel_id=second)
    assert [(r.name, r.here, r.elsewhere) for r in rows] == [("Form", False, "Sales")]
    # Disconnecting from the wrong channel's page is refused too; from its own it works.
    with pytest.raises(InvalidInput):
        channel_admin.disconnect_here(session=session, source_id=source.id, channel_id=second)
    channel_admin.disconnect_here(session=session, source_id=source.id, channel_id=first)
    channels.connect_source(session=session, source_id=source.id, channel_id=second)
    rows = channel_admin.webhook_rows(session=session, channel_id=second)
    assert [(r.here, r.elsewhere) for r in rows] == [(True, "")]


def test_widget_snippet_and_webhook_address_point_at_the_chat_api(session: Session) -> None:
    from slotapp.api.chat import PREFIX

    assert channel_admin.CHAT_API == PREFIX
    channel_id = _channel(session)
    source = channels.widget_source(session=session, channel_id=channel_id)
    assert source is not None
    snippet = channel_admin.widget_snippet("https://slot.example/", source)
    assert snippet == (
        f'<script src="https://slot.example/api/chat/v1/widget.js" data-channel="{source.key}" '
        "async></script>"
    )
    assert channel_admin.widget_snippet("https://slot.example", None) == ""
    assert (
        channel_admin.webhook_url("https://slot.example/", "k1")
        == "https://slot.example/api/chat/v1/sources/k1/messages"
    )


def test_people_and_departments_for_the_queue_picker(session: Session) -> None:
    ben = make_user(session, "Ben Colleague")
    ben.department = "Sales"
    dan = make_user(session, "Dan Agent", role="agent")
    dan.department = "Support"
    gone = make_user(session, "Gone Person")
    gone.is_active = False
    gone.department = "Archive"
    session.add_all([ben, dan, gone])
    session.commit()
    assert [(p.name, p.department) for p in channel_admin.people(session=session)] == [
        ("Ben Colleague", "Sales"),
        ("Dan Agent", "Support"),
    ]
    assert channel_admin.departments(session=session) == ["Sales", "Support"]
