"""The open-slots job end to end in Chromium at 390x844: share, book, see it, revoke."""

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e


def _login(page: Any, app: RunningApp, email: str, password: str, path: str) -> None:
    page.goto(app.url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def test_owner_shares_guest_books_owner_sees_it_revoked_link_is_refused(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    owner_ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        permissions=["clipboard-read", "clipboard-write"],
    )
    owner = owner_ctx.new_page()
    _login(owner, app_server, "chloe@example.com", "demo-chloe-pass", "/slots")
    switch = owner.locator("#open-slots-switch")
    switch.wait_for()
    owner.wait_for_function("(document.querySelector('#hours-0')?.value ?? '') !== ''")
    assert switch.get_attribute("aria-checked") == "false"
    switch.click()
    owner.locator("#copy-link").click()
    owner.locator("#copied").wait_for()
    link = owner.input_value("#link-url")
    assert "/book/" in link
    assert owner.evaluate("navigator.clipboard.readText()") == link
    assert owner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    owner.screenshot(path=str(artifacts / "open-slots-390x844.png"), full_page=True)

    guest_ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, timezone_id="Europe/Berlin"
    )
    guest = guest_ctx.new_page()
    guest_url = app_server.url + link[link.index("/book/") :]
    guest.goto(guest_url)
    times = guest.locator("[aria-label=Times] button")
    times.first.wait_for(timeout=30_000)
    assert guest.input_value("#guest-tz") == "Europe/Berlin"  # detected in the browser
    assert guest.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    picked = times.first.inner_text()
    times.first.click()
    guest.fill("#guest-name", "Gina Guest")
    guest.fill("#guest-email", "gina@example")  # the browser accepts it, the server must not
    guest.locator("#book-submit").click()
    guest.get_by_role("alert").filter(has_text="not valid").wait_for()
    guest.fill("#guest-email", "gina@example.org")
    guest.locator("#book-submit").dblclick()  # a double click books once
    guest.locator("#confirmation").wait_for(timeout=30_000)
    assert picked in guest.inner_text("#confirmed-time")
    assert "(Europe/Berlin)" in guest.inner_text("#confirmed-time")
    with guest.expect_download() as download:
        guest.click("#download-ics")
    ics = Path(download.value.path()).read_text()
    assert "BEGIN:VEVENT" in ics and "gina@example.org" in ics
    guest.screenshot(path=str(artifacts / "guest-confirmed-390x844.png"), full_page=True)

    owner.goto(app_server.url + "/calendar")
    agenda = owner.locator("#agenda")
    agenda.wait_for(timeout=30_000)
    assert agenda.inner_text().count("Gina Guest <gina@example.org>") == 1

    # A second guest already on the page when the owner switches off is refused.
    late = guest_ctx.new_page()
    late.goto(guest_url)
    late.locator("[aria-label=Times] button").first.wait_for(timeout=30_000)
    owner.goto(app_server.url + "/slots")
    owner.wait_for_function("(document.querySelector('#hours-0')?.value ?? '') !== ''")
    owner.locator("#open-slots-switch[aria-checked=true]").click()
    owner.locator("#open-slots-switch[aria-checked=false]").wait_for()
    late.locator("[aria-label=Times] button").first.click()
    late.fill("#guest-name", "Late Larry")
    late.fill("#guest-email", "larry@example.org")
    late.click("#book-submit")
    late.locator("#inactive").filter(has_text="no longer active").wait_for(timeout=30_000)
    late.screenshot(path=str(artifacts / "inactive-link-390x844.png"))
    owner.goto(app_server.url + "/calendar")
    owner.locator("#agenda").wait_for()
    assert "Late Larry" not in owner.inner_text("#agenda")
    owner_ctx.close()
    guest_ctx.close()
