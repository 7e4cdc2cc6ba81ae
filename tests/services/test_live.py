"""The registry of tabs watching something live."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from slotapp.services import live
from tests.conftest import NOW

STATE = "reflex___state____state.slotapp___state___calendar____calendar_state"


def test_watch_find_refresh_and_forget(session: Session) -> None:
    live.watch(
        session=session, client_token="tab-a", topic=live.calendar_topic(1), state=STATE, now=NOW
    )
    live.watch(
        session=session, client_token="tab-b", topic=live.calendar_topic(2), state=STATE, now=NOW
    )
    # The same tab again refreshes its row instead of adding one.
    later = NOW + timedelta(minutes=5)
    live.watch(
        session=session, client_token="tab-a", topic=live.calendar_topic(1), state=STATE, now=later
    )
    rows = live.watchers(session=session, topics=[live.calendar_topic(1)], now=later)
    assert [(r.client_token, r.seen_at) for r in rows] == [("tab-a", later)]
    both = live.watchers(session=session, topics=["calendar:1", "calendar:2"], now=later)
    assert sorted(r.client_token for r in both) == ["tab-a", "tab-b"]
    live.forget(session=session, client_tokens=["tab-a"])
    assert live.watchers(session=session, topics=["calendar:1"], now=later) == []


def test_stale_tabs_are_ignored_and_pruned(session: Session) -> None:
    live.watch(session=session, client_token="old", topic="calendar:1", state=STATE, now=NOW)
    live.watch(
        session=session,
        client_token="new",
        topic="calendar:1",
        state=STATE,
        now=NOW + timedelta(days=2),
    )
    now = NOW + live.STALE_AFTER + timedelta(seconds=1)
    assert [
        r.client_token for r in live.watchers(session=session, topics=["calendar:1"], now=now)
    ] == ["new"]
    assert live.prune(session=session, now=now) == 1
    assert live.prune(session=session, now=now) == 0


def test_a_tab_without_token_is_not_recorded(session: Session) -> None:
    live.watch(session=session, client_token="", topic="calendar:1", state=STATE, now=NOW)
    assert live.watchers(session=session, topics=["calendar:1"], now=NOW) == []
