"""An admin sets up an Open Channel on a phone (390x844): create, queue, save, reload, refusals."""

import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e
SECTIONS = ("general", "queue", "clients", "hours", "auto", "quality", "kpi", "canned", "sources")


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _open(page: Any, key: str) -> None:
    """Show a section. Clicks again if the first was lost: the dev server restarts its backend
    whenever a project file changes (others edit the repo while tests run)."""
    for _ in range(3):
        page.click(f"#tab-{key}")
        try:
            page.locator(f"#section-{key}").wait_for(timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    page.locator(f"#section-{key}").wait_for()


def test_admin_creates_a_channel_sets_its_queue_and_sees_it_kept(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        permissions=["clipboard-read", "clipboard-write"],
    )
    page = ctx.new_page()
    page.goto(app_server.url + "/channels", wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", "admin@example.com")
    page.fill("#password", "demo-admin-pass")
    page.click("#login-submit")
    page.locator("#new-channel-name").wait_for(timeout=90_000)  # the first compile is slow

    name = f"E2E chat {secrets.token_hex(3)}"
    page.fill("#new-channel-name", name)
    page.click("#create")
    page.wait_for_url(re.compile(r".*/channels/\d+$"), timeout=30_000)
    page.get_by_role("heading", name=name).wait_for()

    _open(page, "queue")
    page.check("#f-distribution-in_order")
    page.fill("#f-idle_minutes", "45")
    page.get_by_label("Employee or department to add").select_option(label="Department: Support")
    page.click("#queue-add")
    page.locator("#queue li").filter(has_text="Department: Support").wait_for()
    page.click("#save")
    page.get_by_role("status").filter(has_text=f"Saved {name}.").wait_for()

    page.reload()
    _open(page, "queue")
    page.locator("#queue li").filter(has_text="Department: Support").wait_for()
    assert page.is_checked("#f-distribution-in_order")
    assert page.input_value("#f-idle_minutes") == "45"

    # A bad value is shown next to its field, on its section, and nothing is saved.
    page.fill("#f-idle_minutes", "721")
    page.click("#save")
    page.get_by_role("alert").filter(has_text="Enter between 1 and 720 minutes.").wait_for()
    page.wait_for_timeout(300)  # the refused input scrolls into view
    page.screenshot(path=str(artifacts / "channel-refused-390x844.png"))
    # A refusal on another section shows that section; the good idle time is not saved either.
    page.fill("#f-idle_minutes", "30")
    _open(page, "hours")
    page.fill("#f-time_zone", "Mars/Olympus_Mons")
    _open(page, "kpi")
    page.click("#save")
    page.get_by_role("alert").filter(has_text="Unknown time zone").wait_for()
    assert page.get_attribute("#tab-hours", "aria-selected") == "true"
    page.reload()
    _open(page, "queue")
    page.locator("#queue li").first.wait_for()
    assert page.input_value("#f-idle_minutes") == "45"

    for key in SECTIONS:
        _open(page, key)
        assert _no_sideways_scroll(page), key
        # Screen by screen: a full-page shot would draw the sticky header and Save mid-page.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / f"channel-{key}-390x844.png"))
        if page.evaluate("document.documentElement.scrollHeight > window.innerHeight + 80"):
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            page.screenshot(path=str(artifacts / f"channel-{key}-end-390x844.png"))
    page.click("#copy-snippet")
    assert "widget.js" in page.evaluate("navigator.clipboard.readText()")

    page.set_viewport_size({"width": 360, "height": 640})
    for key in SECTIONS:
        _open(page, key)
        assert _no_sideways_scroll(page), key

    page.goto(app_server.url + "/channels")
    page.locator("#channels").filter(has_text=name).wait_for()
    assert _no_sideways_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "channels-390x844.png"), full_page=True)
    ctx.close()
