"""Invitations in Chromium at 390x844: Ben invites a customer with a colleague and a room, copies
the links, the customer books through them, and Ben's Activity page moves it live."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from slotapp.models import Invitation, Meeting, MeetingResource
from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
NO_SIDE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _login(page: Any, app: RunningApp, email: str, password: str, path: str) -> None:
    page.goto(app.url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def _type(page: Any, selector: str, text: str) -> None:
    """Fill a debounced input and let its value reach the server."""
    page.fill(selector, text)
    page.wait_for_timeout(700)


def _snap(page: Any, artifacts: Path, name: str) -> None:
    assert page.evaluate(NO_SIDE_SCROLL), f"{name} scrolls sideways"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_invite_book_and_follow_live(app_server: RunningApp, browser: Any, artifacts: Path) -> None:
    ctx = browser.new_context(**PHONE, permissions=["clipboard-read", "clipboard-write"])
    ben = ctx.new_page()
    _login(ben, app_server, "ben@example.com", "demo-ben-pass", "/invitations/new")

    # 1 Who: an invalid email is refused next to its field.
    ben.locator("#inv-participant_name").wait_for(timeout=60_000)
    _type(ben, "#inv-participant_name", "Pia Customer")
    _type(ben, "#inv-participant_email", "pia@")
    ben.click("#next")
    ben.locator("label").filter(has_text="Email").locator("[role=alert]").wait_for(timeout=15_000)
    assert ben.locator("#inv-subject").count() == 0  # still on step 1
    _snap(ben, artifacts, "invitation-1-who-error-390x844")
    _type(ben, "#inv-participant_email", "pia@example.org")
    ben.click("#next")

    # 2 Details: subject, a colleague found by name, a room.
    ben.locator("#inv-subject").wait_for(timeout=15_000)
    _type(ben, "#inv-subject", "Contract review")
    _type(ben, "#member-search", "Ada")
    ben.locator("#member-results button").filter(has_text="Ada Admin").click()
    ben.locator("#team").filter(has_text="Ada Admin").wait_for(timeout=15_000)
    ben.get_by_label("Room 2.01 Harbour").click()
    ben.wait_for_function("Number(document.querySelector('#slot-count')?.textContent) > 0")
    _snap(ben, artifacts, "invitation-2-details-390x844")
    ben.click("#next")

    # 3 Time frame: an unknown zone is named; the default frame has free slots.
    ben.locator("#inv-time_zone").wait_for(timeout=15_000)
    _type(ben, "#inv-time_zone", "Mars/Olympus")
    ben.get_by_text("Unknown time zone 'Mars/Olympus'.").first.wait_for(timeout=15_000)
    assert ben.locator("#no-slots").count() == 1
    _snap(ben, artifacts, "invitation-3-zone-error-390x844")
    _type(ben, "#inv-time_zone", "Europe/Berlin")
    ben.wait_for_function("Number(document.querySelector('#slot-count')?.textContent) > 0")
    _snap(ben, artifacts, "invitation-3-frame-390x844")
    ben.click("#next")

    # 4 Send: promote two suggested slots, create, copy the links.
    ben.click("#inv-promote")  # a controlled checkbox: it turns on once the server answers
    ben.wait_for_function("document.querySelector('#inv-promote').checked", timeout=15_000)
    ben.select_option("#inv-promote_count", "2")
    ben.locator("#advanced").click()
    _snap(ben, artifacts, "invitation-4-send-390x844")
    ben.click("#create")
    ben.locator("#created").wait_for(timeout=15_000)
    ben.click("#copy-links")
    ben.locator("#copied").wait_for(timeout=15_000)
    copied = ben.evaluate("navigator.clipboard.readText()")
    link = ben.inner_text("#inv-url").strip()
    assert link in copied and link.startswith(app_server.url + "/invite/")
    assert copied.count("?start=") == 2
    _snap(ben, artifacts, "invitation-5-created-390x844")

    ben.goto(app_server.url + "/activity")
    ben.locator("#open-invitations").filter(has_text="Pia Customer").wait_for(timeout=30_000)
    ben.locator("[data-invitation] button").filter(has_text="Copy links").click()
    ben.get_by_text("Links copied to the clipboard.").wait_for(timeout=15_000)
    assert ben.evaluate("navigator.clipboard.readText()") == copied
    _snap(ben, artifacts, "activity-open-390x844")

    # The participant, in a fresh browser in New York, picks a time and books.
    guest_ctx = browser.new_context(**PHONE, timezone_id="America/New_York")
    guest = guest_ctx.new_page()
    guest.goto(link)
    guest.locator("#invite-subject").wait_for(timeout=30_000)
    assert "America/New_York" in guest.inner_text("main")
    times = guest.locator("[aria-label=Times] button")
    times.first.wait_for(timeout=15_000)
    times.first.click()
    _snap(guest, artifacts, "invite-participant-390x844")
    guest.click("#invite-confirm")
    guest.locator("#confirmation").wait_for(timeout=30_000)
    _snap(guest, artifacts, "invite-booked-390x844")

    # Ben's Activity page moves it from Invitations to Meetings without a reload.
    ben.locator("#tab-meetings").filter(has_text="(1)").wait_for(timeout=15_000)
    assert ben.locator("#open-invitations").filter(has_text="Pia Customer").count() == 0
    ben.click("#tab-meetings")
    ben.locator("#booked-meetings").filter(has_text="Contract review").wait_for()
    _snap(ben, artifacts, "activity-meetings-390x844")

    engine = create_engine(app_server.db_url)
    with Session(engine) as session:
        invitation = session.exec(
            select(Invitation).where(Invitation.participant_email == "pia@example.org")
        ).one()
        assert invitation.status == "booked"
        meeting = session.get(Meeting, invitation.meeting_id)
        assert meeting is not None
        held = session.exec(
            select(MeetingResource).where(MeetingResource.meeting_id == meeting.id)
        ).all()
        assert len(held) == 1

    # The links are single-use: a one-click link opened now shows the booked meeting.
    one_click = next(w for w in copied.split() if "?start=" in w)
    again = guest_ctx.new_page()
    again.goto(one_click)
    again.get_by_text("This meeting is booked").wait_for(timeout=30_000)
    assert "Contract review" in again.inner_text("#confirmation")

    # The form fits a small phone as well.
    ben.set_viewport_size({"width": 360, "height": 640})
    ben.goto(app_server.url + "/invitations/new")
    ben.locator("#inv-participant_name").wait_for(timeout=30_000)
    _snap(ben, artifacts, "invitation-1-who-360x640")

    # Rooms: only admins manage them.
    ben.goto(app_server.url + "/rooms")
    ben.locator("#not-admin").wait_for(timeout=30_000)
    admin_ctx = browser.new_context(**PHONE)
    admin = admin_ctx.new_page()
    _login(admin, app_server, "admin@example.com", "demo-admin-pass", "/rooms")
    admin.locator("#pools").filter(has_text="Floor 2 rooms").wait_for(timeout=60_000)
    admin.click("#add-room")
    admin.fill("#room-name", "Room 3.01 Attic")
    admin.fill("#room-hours-5", "10:00-14:00")
    admin.fill("#room-hours-6", "9-5")
    admin.click("#room-save")
    admin.get_by_text("Sun: ").first.wait_for(timeout=15_000)  # the bad day is named
    _snap(admin, artifacts, "rooms-error-390x844")
    admin.fill("#room-hours-6", "")
    admin.click("#room-save")
    admin.locator("#rooms").filter(has_text="Room 3.01 Attic").wait_for(timeout=15_000)
    _snap(admin, artifacts, "rooms-390x844")
    for c in (ctx, guest_ctx, admin_ctx):
        c.close()
