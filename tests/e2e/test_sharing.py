"""Shared slots end to end in Chromium at 390x844: two colleagues, a booking, a revoke."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import create_engine

from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _login(page: Any, app: RunningApp, email: str, password: str, path: str) -> None:
    page.goto(app.url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def _hosts_of_meetings_by(db_url: str, guest_email: str) -> list[set[str]]:
    """Each meeting the guest booked, as the set of its participants' emails."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.id, u.email FROM meeting m "
                "JOIN meetingparticipant p ON p.meeting_id = m.id "
                'JOIN "user" u ON u.id = p.user_id WHERE m.guest_email = :g'
            ),
            {"g": guest_email},
        ).all()
    engine.dispose()
    meetings: dict[int, set[str]] = {}
    for meeting_id, email in rows:
        meetings.setdefault(meeting_id, set()).add(email)
    return list(meetings.values())


def _pick_first_time_and_book(page: Any, name: str, email: str) -> None:
    times = page.locator("[aria-label=Times] button")
    times.first.wait_for(timeout=30_000)
    times.first.click()
    page.fill("#guest-name", name)
    page.fill("#guest-email", email)
    page.click("#book-submit")


def test_owner_shares_with_two_colleagues_guest_books_all_see_it_revoke_refuses(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    owner_ctx = browser.new_context(
        viewport=PHONE, permissions=["clipboard-read", "clipboard-write"]
    )
    # A phone's Web Share API, recorded instead of opening the system sheet.
    owner_ctx.add_init_script("navigator.share = async (data) => { window.__shared = data; };")
    owner = owner_ctx.new_page()
    _login(owner, app_server, "ben@example.com", "demo-ben-pass", "/links")
    # Loaded (the buttons wait for the list), so opening the form is not undone by the load.
    owner.locator("#new-shared:not([disabled])").wait_for(timeout=60_000)
    owner.locator("#new-shared").click()

    # One colleague by name, one by department; the owner's own department adds no-one twice.
    owner.fill("#colleague-search", "chl")
    owner.get_by_role("button", name="Add Chloe Colleague").click()
    owner.select_option("#department", "Support")
    picked = owner.locator("#picked")
    picked.filter(has_text="Dan Agent").wait_for()
    assert "Chloe Colleague" in picked.inner_text()
    owner.screenshot(path=str(artifacts / "links-new-shared-390x844.png"), full_page=True)
    owner.click("#create-link")

    sheet = owner.locator("#share-sheet")
    sheet.wait_for(timeout=30_000)
    link = owner.input_value("#sheet-url")
    assert "/book/" in link
    owner.click("#sheet-copy")
    owner.locator("#sheet-copied").wait_for()
    assert owner.evaluate("navigator.clipboard.readText()") == link
    owner.click("#sheet-native-share")
    owner.wait_for_function("window.__shared !== undefined")
    assert owner.evaluate("window.__shared.url") == link
    owner.wait_for_function(
        "document.querySelector('#sheet-qr')?.complete"
        " && document.querySelector('#sheet-qr').naturalWidth > 0",
        timeout=30_000,
    )
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    owner.screenshot(path=str(artifacts / "share-sheet-390x844.png"))
    card = owner.request.get(owner.get_attribute("#card-png", "href"))
    assert card.ok and card.headers["content-type"] == "image/png"
    owner.click("#close-sheet")
    row = owner.locator("#links-list li", has_text="Chloe Colleague, Dan Agent")
    assert "active" in row.inner_text()

    # The sort choice is remembered across visits.
    owner.click("#sort-created")
    owner.locator("#sort-created[aria-pressed=true]").wait_for()
    owner.reload()
    owner.locator("#sort-created[aria-pressed=true]").wait_for(timeout=30_000)
    owner.screenshot(path=str(artifacts / "links-390x844.png"), full_page=True)

    guest_ctx = browser.new_context(viewport=PHONE, timezone_id="Europe/Berlin")
    guest = guest_ctx.new_page()
    guest_url = app_server.url + link[link.index("/book/") :]
    guest.goto(guest_url)
    _pick_first_time_and_book(guest, "Gina Guest", "gina.shared@example.org")
    guest.locator("#confirmation").wait_for(timeout=30_000)
    assert _hosts_of_meetings_by(app_server.db_url, "gina.shared@example.org") == [
        {"ben@example.com", "chloe@example.com", "dan@example.com"}
    ]

    # A second guest is already on the page when the owner revokes the link.
    late = guest_ctx.new_page()
    late.goto(guest_url)
    late.locator("[aria-label=Times] button").first.wait_for(timeout=30_000)
    row = owner.locator("#links-list li", has_text="Chloe Colleague, Dan Agent")
    row.get_by_role("button", name="Revoke link").click()
    owner.click("#confirm-revoke")
    owner.locator("#links-notice").wait_for()
    assert "revoked" in row.inner_text()
    _pick_first_time_and_book(late, "Late Larry", "larry.shared@example.org")
    late.locator("#inactive").filter(has_text="no longer active").wait_for(timeout=30_000)
    assert _hosts_of_meetings_by(app_server.db_url, "larry.shared@example.org") == []
    owner_ctx.close()
    guest_ctx.close()
