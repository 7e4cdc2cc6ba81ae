"""Every page at 360x640, the smallest common phone: no sideways scrolling, and every control
at least 48 px tall (text links inside sentences and the week grid's compact blocks excepted:
each of those meetings is also a full-size row in the agenda)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e

SMALL = {"viewport": {"width": 360, "height": 640}, "is_mobile": True}

# Controls smaller than 48 px, as "tag#id.class text" strings.
TOO_SMALL = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('a,button,input,select,textarea,summary')) {
    const box = el.getBoundingClientRect();
    const hidden = getComputedStyle(el).visibility === 'hidden';
    if (box.width === 0 || box.height === 0 || hidden) continue;
    if (el.closest('#week') || el.closest('[aria-hidden=true]')) continue;
    if (el.matches('a') && el.closest('p,dd,span,pre')) continue;
    const tick = el.matches('input[type=checkbox],input[type=radio]');
    const target = tick ? (el.closest('label') || el) : el;
    const height = target.getBoundingClientRect().height;
    const text = (el.innerText || el.value || '').slice(0, 30);
    if (height < 47.5) bad.push(`${el.tagName.toLowerCase()}#${el.id} "${text}" ${height}px`);
  }
  return bad;
}"""


def _check(page: Any, name: str, artifacts: Path) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / f"{name}-360x640.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    assert page.evaluate(TOO_SMALL) == [], name


def _login(page: Any, app: RunningApp, path: str) -> None:
    page.goto(app.url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    _check(page, "login", Path(".artifacts"))
    page.fill("#email", "admin@example.com")
    page.fill("#password", "demo-admin-pass")
    page.click("#login-submit")


def test_every_page_fits_a_small_phone(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    ctx = browser.new_context(**SMALL)
    page = ctx.new_page()
    _login(page, app_server, "/slots")
    page.locator("#open-slots-switch").wait_for(timeout=60_000)
    page.wait_for_function("(document.querySelector('#hours-0')?.value ?? '') !== ''")
    if page.get_attribute("#open-slots-switch", "aria-checked") == "false":
        page.click("#open-slots-switch")
    page.locator("#link-url").wait_for()
    _check(page, "slots", artifacts)
    link = page.input_value("#link-url")
    token = link.rsplit("/", 1)[-1]

    # A meeting to look at, booked through the public API.
    slots = httpx.get(f"{app_server.api_url}/api/v1/links/{token}/slots", timeout=30).json()
    booked = httpx.post(
        f"{app_server.api_url}/api/v1/links/{token}/bookings",
        json={
            "start": slots["slots"][0]["start"],
            "name": "Sam Small",
            "email": "sam.small@example.org",
            "time_zone": "Europe/Berlin",
        },
        timeout=30,
    )
    assert booked.status_code == 201, booked.text
    meeting_id = booked.json()["id"]

    pages = {
        "home": ("/", "main"),
        "calendar": ("/calendar", "#agenda"),
        "links": ("/links", "main h1"),
        "calendars": ("/calendars", "main h1"),
        "outbox": ("/outbox", "#outbox"),
        "meeting": (f"/meetings/{meeting_id}", "#edit-title"),
        "activity": ("/activity", "main h1"),
        "invitation-new": ("/invitations/new", "main h1"),
        "rooms": ("/rooms", "main h1"),
    }
    for name, (path, ready) in pages.items():
        page.goto(app_server.url + path)
        page.locator(ready).first.wait_for(timeout=30_000)
        _check(page, name, artifacts)
    page.goto(app_server.url + "/calendar")
    page.click("#view-week")
    page.locator("#week").wait_for()
    _check(page, "calendar-week", artifacts)
    # A toast (e.g. "Cannot connect to server" while a loaded machine is slow) sits over the
    # header; wait for it to go, and name it if it stays.
    toast = page.locator("[data-sonner-toast]")
    if toast.count():
        text = toast.first.inner_text()
        try:
            toast.first.wait_for(state="detached", timeout=30_000)
        except Exception as exc:
            raise AssertionError(f"a toast stays over the page: {text!r}") from exc
    page.click("#menu")
    _check(page, "menu", artifacts)

    guest = browser.new_context(**SMALL).new_page()
    guest.goto(f"{app_server.url}/book/{token}")
    guest.locator("[aria-label=Times] button").first.wait_for(timeout=30_000)
    _check(guest, "book", artifacts)
    guest.locator("[aria-label=Times] button").first.click()
    guest.locator("#guest-name").wait_for()
    _check(guest, "book-form", artifacts)
    ctx.close()
