"""The owner's calendar in Chromium at 390x844: a booking appears live, the owner edits and
declines it, the week view shows it, and an admin moves another meeting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, col, select

from slotapp.models import EmailOutbox, Meeting
from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e


def _login(page: Any, app: RunningApp, email: str, password: str, path: str) -> None:
    page.goto(app.url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def _book(guest: Any, url: str, name: str, email: str) -> str:
    guest.goto(url)
    times = guest.locator("[aria-label=Times] button")
    times.first.wait_for(timeout=30_000)
    picked = times.first.inner_text()
    times.first.click()
    guest.fill("#guest-name", name)
    guest.fill("#guest-email", email)
    guest.click("#book-submit")
    guest.locator("#confirmation").wait_for(timeout=30_000)
    return str(picked)


def test_live_calendar_edit_decline_week_and_admin_move(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    owner_ctx = browser.new_context(**phone)
    owner = owner_ctx.new_page()
    _login(owner, app_server, "ben@example.com", "demo-ben-pass", "/slots")
    owner.locator("#open-slots-switch").wait_for(timeout=60_000)
    owner.wait_for_function("(document.querySelector('#hours-0')?.value ?? '') !== ''")
    if owner.get_attribute("#open-slots-switch", "aria-checked") == "false":
        owner.click("#open-slots-switch")
    owner.locator("#link-url").wait_for()
    link = owner.input_value("#link-url")
    guest_url = app_server.url + link[link.index("/book/") :]

    owner.goto(app_server.url + "/calendar")
    owner.locator("#calendar-refreshed").wait_for(state="attached", timeout=30_000)
    owner.wait_for_function("Number(document.querySelector('#calendar-refreshed').textContent) > 0")

    guest_ctx = browser.new_context(**phone, timezone_id="America/New_York")
    _book(guest_ctx.new_page(), guest_url, "Gina Live", "gina.live@example.org")
    # No reload: the booking reaches the open calendar through the live registry.
    owner.locator("#agenda").filter(has_text="Gina Live").wait_for(timeout=15_000)
    owner.screenshot(path=str(artifacts / "calendar-live-390x844.png"), full_page=True)

    owner.locator("#agenda a").filter(has_text="Gina Live").click()
    owner.locator("#edit-title").wait_for(timeout=30_000)
    owner.fill("#edit-title", "Offer review")
    owner.fill("#edit-location", "Main St 1, room 2")
    video = owner.get_by_label("Video meeting room")
    video.click()  # a controlled checkbox: it turns on once the server answers
    owner.wait_for_function("el => el.checked", arg=video.element_handle(), timeout=15_000)
    owner.click("#save-meeting")
    owner.locator("#meeting-message").filter(has_text="Saved").wait_for(timeout=15_000)
    assert owner.inner_text("#meeting-title") == "Offer review"
    assert "/slotapp-" in owner.inner_text("#meeting-video")
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    owner.screenshot(path=str(artifacts / "meeting-detail-390x844.png"), full_page=True)
    meeting_url = owner.url

    owner.click("#decline")
    owner.fill("textarea[name=reason]", "Sorry, I am away that day.")
    owner.click("#decline-confirm")
    owner.locator("#meeting-status").filter(has_text="Declined").wait_for(timeout=15_000)
    engine = create_engine(app_server.db_url)
    with Session(engine) as session:
        declined = session.exec(
            select(EmailOutbox).where(col(EmailOutbox.subject).startswith("Declined:"))
        ).all()
    assert [m.to_addr for m in declined] == ["gina.live@example.org"]
    assert "Sorry, I am away that day." in declined[0].body_text

    owner.goto(app_server.url + "/calendar")
    owner.click("#view-week")
    week = owner.locator("#week")
    week.wait_for(timeout=15_000)
    # The declined meeting stays visible, struck through, in the week it was booked for.
    for _ in range(3):
        if week.locator("a").filter(has_text="Offer review").count():
            break
        owner.click("#week-next")
        owner.wait_for_timeout(500)
    block = week.locator("a").filter(has_text="Offer review")
    assert "line-through" in (block.get_attribute("class") or "")
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    owner.screenshot(path=str(artifacts / "calendar-week-390x844.png"), full_page=True)

    # The freed time is booked again, and an admin moves that meeting by a day.
    _book(guest_ctx.new_page(), guest_url, "Hugo Second", "hugo@example.org")
    with Session(engine) as session:
        second = session.exec(
            select(Meeting).where(Meeting.guest_email == "hugo@example.org")
        ).one()
    admin_ctx = browser.new_context(**phone)
    admin = admin_ctx.new_page()
    _login(admin, app_server, "admin@example.com", "demo-admin-pass", f"/meetings/{second.id}")
    admin.locator("#move-date").wait_for(timeout=60_000)
    old_date = admin.input_value("#move-date")
    new_date = (date.fromisoformat(old_date) + timedelta(days=1)).isoformat()
    admin.fill("#move-date", new_date)
    admin.click("#move")
    admin.locator("#meeting-message").filter(has_text="Moved").wait_for(timeout=15_000)
    with Session(engine) as session:
        moved = session.get(Meeting, second.id)
        assert moved is not None
        assert moved.start_at - second.start_at == timedelta(days=1)
        assert moved.sequence == 1
        notices = session.exec(
            select(EmailOutbox).where(col(EmailOutbox.subject).startswith("New time:"))
        ).all()
    assert "hugo@example.org" in [m.to_addr for m in notices]
    # The host may not move it: no move form for Ben.
    owner.goto(meeting_url.rsplit("/", 1)[0] + f"/{second.id}")
    owner.locator("#edit-title").wait_for(timeout=30_000)
    assert owner.locator("#move").count() == 0
    for ctx in (owner_ctx, guest_ctx, admin_ctx):
        ctx.close()
