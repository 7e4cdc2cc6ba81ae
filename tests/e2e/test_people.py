"""People and Account in Chromium at 390x844: an admin adds a person; their password change
signs out their other browser; switching them off signs them out and keeps them out."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunningApp

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _login(page: Any, app: RunningApp, email: str, password: str, path: str) -> None:
    page.goto(app.url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def _signed_out(page: Any, app: RunningApp) -> None:
    page.goto(app.url + "/calendar", wait_until="domcontentloaded")
    page.wait_for_url("**/login?next=/calendar", timeout=30_000)


def test_admin_adds_person_password_change_and_switch_off_end_sessions(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    email = f"cy-{secrets.token_hex(3)}@example.com"
    admin = browser.new_context(**PHONE).new_page()
    _login(admin, app_server, "admin@example.com", "demo-admin-pass", "/people")
    admin.locator("#add-person").click(timeout=60_000)
    admin.fill("#p-name", "Cy Agent")
    admin.fill("#p-email", "ben@example.com")
    admin.select_option("#p-role", "agent")
    admin.fill("#p-password", "first-pass-123")
    admin.click("#p-save")
    admin.get_by_text("already exists", exact=False).wait_for()  # refused at its field
    assert admin.locator(f"li[data-email='{email}']").count() == 0
    admin.fill("#p-email", email)
    admin.fill("#p-password", "first-pass-123")
    admin.click("#p-save")
    admin.get_by_role("status").filter(has_text=f"sign in as {email}").wait_for()
    row = admin.locator(f"li[data-email='{email}']")
    assert row.locator("select").input_value() == "agent"
    # An admin cannot switch themself off.
    admin.locator("li[data-email='admin@example.com'] button").click()
    admin.get_by_role("alert").filter(has_text="own admin access").wait_for()
    admin.screenshot(path=str(artifacts / "people-390x844.png"), full_page=True)

    phone_a = browser.new_context(**PHONE).new_page()
    phone_b = browser.new_context(**PHONE).new_page()
    for page in (phone_a, phone_b):
        _login(page, app_server, email, "first-pass-123", "/account")
        page.locator("#pw-save").wait_for(timeout=30_000)
    phone_a.fill("#pw-current", "first-pass-123")
    phone_a.fill("#pw-new", "second-pass-456")
    phone_a.fill("#pw-repeat", "second-pass-45")
    phone_a.click("#pw-save")
    phone_a.get_by_text("The two new passwords differ.").wait_for()
    phone_a.fill("#pw-repeat", "second-pass-456")
    phone_a.click("#pw-save")
    phone_a.get_by_role("status").filter(has_text="Password changed").wait_for()
    phone_a.screenshot(path=str(artifacts / "account-390x844.png"), full_page=True)
    _signed_out(phone_b, app_server)  # the other browser is signed out
    phone_a.goto(app_server.url + "/", wait_until="domcontentloaded")
    phone_a.locator("#whoami").filter(has_text=email).wait_for(timeout=30_000)  # still in

    # Switched off: signed out at once, and the password no longer works.
    admin.reload()
    row = admin.locator(f"li[data-email='{email}']")
    row.get_by_role("button", name="Switch off").click(timeout=30_000)
    admin.get_by_role("status").filter(has_text="switched off and signed out").wait_for()
    _signed_out(phone_a, app_server)
    phone_a.fill("#email", email)
    phone_a.fill("#password", "second-pass-456")
    phone_a.click("#login-submit")
    phone_a.get_by_role("alert").filter(has_text="Email or password is wrong.").wait_for()
    for page in (admin, phone_a, phone_b):
        page.context.close()
