"""Login in Debian's Chromium against the running dev app (pages on Vite's port, the form posting
to the backend's): redirect, refusal, the HttpOnly cookie, reload, logout."""

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e


def test_login_session_survives_reload_and_logout_closes_it(
    app_server: RunningApp, phone: Any, artifacts: Path
) -> None:
    page = phone
    page.goto(app_server.url + "/", wait_until="domcontentloaded")
    page.wait_for_url("**/login?next=/", timeout=60_000)
    assert "Ada Admin" not in page.content()
    page.screenshot(path=str(artifacts / "login-390x844.png"))

    page.fill("#email", "admin@example.com")
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    page.get_by_role("alert").filter(has_text="Email or password is wrong.").wait_for()
    assert page.url.endswith("/login?next=/&error=credentials")
    # The form was really posted and came back with the email kept (not in the URL).
    page.wait_for_function("document.querySelector('#email').value === 'admin@example.com'")

    page.fill("#password", "demo-admin-pass")
    page.click("#login-submit")
    page.locator("#whoami").filter(has_text="admin@example.com (admin)").wait_for()
    # The form posted to the backend's port, which set the session cookie: HttpOnly, so the
    # page's script cannot read it; cookies ignore ports, so the pages' websocket sends it.
    [cookie] = [c for c in page.context.cookies() if c["name"] == "slotapp_session"]
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"]) == (True, "Lax", False)
    assert "slotapp_session" not in page.evaluate("document.cookie")
    assert page.get_by_role("heading", name="Hello, Ada Admin").is_visible()
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "home-390x844.png"))

    page.reload()
    page.locator("#whoami").filter(has_text="admin@example.com").wait_for()

    page.click("#menu")
    # Admins find the Outbox in the menu.
    assert page.get_by_role("link", name="Outbox").is_visible()
    page.click("#logout")
    page.wait_for_url("**/login", timeout=15_000)
    assert [c for c in page.context.cookies() if c["name"] == "slotapp_session"] == []
    page.goto(app_server.url + "/", wait_until="domcontentloaded")
    page.wait_for_url("**/login?next=/", timeout=15_000)
    assert "admin@example.com" not in page.content()
