"""The installable app and web push in Debian's Chromium at 390x844.

1. (dev server) An owner turns notifications on from a tap, a guest books, the server's worker
   sends the push to a push service on loopback; the test decrypts it as the browser would,
   delivers it to the service worker through the DevTools protocol and reads the notification
   the worker shows. `pushManager.subscribe()` itself never resolves on a machine without the
   browser vendor's push service, so the page gets a subscription whose keys the test holds.
2. (production build) Chromium's own installability check finds nothing missing, logged in
   and on the guest page.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from slotapp.clock import utcnow
from slotapp.core.push import PushKind
from slotapp.db import make_engine
from slotapp.models import PushPreference, User
from slotapp.services import booking, links
from slotapp.services.keys import secret_key
from slotapp.services.schedules import link_slots
from tests.conftest import CHROMIUM_ARGS, RunningApp
from tests.prod_app import ProdApp
from tests.pushservice import BrowserKeys, PushService, vapid_claims_of

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
OWNER, PASSWORD = "ben@example.com", "demo-ben-pass"
# The page's PushManager hands out a subscription the test made (see the module docstring).
FAKE_PUSH_MANAGER = """
(() => {
  const json = %s;
  let active = false;
  const fake = {
    endpoint: json.endpoint, expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: null },
    toJSON: () => json, getKey: () => null,
    unsubscribe: async () => { active = false; return true; },
  };
  PushManager.prototype.subscribe = async function () { active = true; return fake; };
  PushManager.prototype.getSubscription = async function () { return active ? fake : null; };
  window.__pushActive = () => active;
})();
"""
NOTIFICATIONS_JS = """
navigator.serviceWorker.ready
  .then((reg) => reg.getNotifications())
  .then((all) => all.map((n) => ({ title: n.title, body: n.body, data: n.data, tag: n.tag })))
"""


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService().start()
    yield service
    service.stop()


def _login(
    page: Any, base_url: str, path: str, email: str = OWNER, password: str = PASSWORD
) -> None:
    page.goto(base_url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")


def _book_a_meeting_with_ben(db_url: str) -> int:
    """A guest books Ben's open slots, as the guest page would (in the app's database)."""
    engine = make_engine(db_url)
    now = utcnow()
    with Session(engine) as session:
        ben = session.exec(select(User).where(User.email == OWNER)).one()
        assert ben.id is not None
        token = links.set_open_slots(
            session=session, owner_id=ben.id, enabled=True, secret=secret_key(), now=now
        )
        session.commit()
        assert token is not None
        link = links.resolve_link(session=session, token=token, now=now)
        start = link_slots(
            session=session, link=link, start=now, end=now + timedelta(days=30), now=now
        )[-1]
    request = booking.BookingRequest(
        token=token,
        start=start,
        guest_name="Gina Guest",
        guest_email="gina.pwa@example.org",
        guest_time_zone="Europe/Berlin",
    )
    meeting_id = booking.book(engine=engine, request=request, now=now).meeting_id
    engine.dispose()
    return meeting_id


def _registration_id(cdp: Any, page: Any, scope: str) -> str:
    found: dict[str, str] = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: found.update(
            {r["scopeURL"]: r["registrationId"] for r in e["registrations"] if not r["isDeleted"]}
        ),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while scope not in found and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return found[scope]


def _wait_for(page: Any, js: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(js)
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(200)


def test_owner_turns_notifications_on_and_a_booking_shows_up_as_a_notification(
    app_server: RunningApp, browser: Any, push_service: PushService, artifacts: Path
) -> None:
    phone = BrowserKeys()
    subscription = phone.subscription(push_service.endpoint("ben-phone"))
    context = browser.new_context(viewport=PHONE, permissions=["notifications"])
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    page = context.new_page()
    _login(page, app_server.url, "/notifications")

    state = page.locator("#device-state")
    state.filter(has_text="Notifications are off on this device.").wait_for(timeout=60_000)
    head = page.locator("head")
    assert head.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    assert head.locator("meta[name=theme-color]").get_attribute("content") == "#4338ca"
    assert head.locator("link[rel=apple-touch-icon]").count() == 1
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == app_server.url + "/"

    page.screenshot(path=str(artifacts / "notifications-off-390x844.png"), full_page=True)
    page.click("#push-enable")
    state.filter(has_text="This device gets notifications.").wait_for(timeout=15_000)
    devices = page.locator("#push-devices li")
    assert devices.count() == 1 and "This device" in devices.first.inner_text()
    assert "Chrome on" in devices.first.inner_text()
    # Owners choose among meeting news only; switching one off is kept.
    assert page.locator("#switch-enquiry_new").count() == 0
    page.click("#switch-booking_cancelled")
    page.locator("#switch-booking_cancelled[aria-checked=false]").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts / "notifications-390x844.png"), full_page=True)
    engine = make_engine(app_server.db_url)
    with Session(engine) as session:
        off = session.exec(select(PushPreference).where(PushPreference.enabled == False)).all()  # noqa: E712
        assert [p.kind for p in off] == [PushKind.BOOKING_CANCELLED.value]
    engine.dispose()

    meeting_id = _book_a_meeting_with_ben(app_server.db_url)

    (got,) = push_service.wait_for(1, timeout=30)  # the server's worker polls other processes
    payload = json.loads(phone.decrypt(got.body))
    assert payload["title"] == "slotapp" and payload["kind"] == "booking_new"
    assert payload["body"].startswith("New booking: Gina Guest, ")
    assert payload["url"] == f"/meetings/{meeting_id}"
    server_key = httpx.get(app_server.api_url + "/api/push/key").json()["publicKey"]
    claims = vapid_claims_of(got.headers["authorization"], public_key=server_key)
    assert claims["aud"] == push_service.url
    assert str(claims["sub"]).startswith(("mailto:", "https:"))
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600

    # What the push service would hand the browser, delivered to the service worker.
    cdp = context.new_cdp_session(page)
    registration = _registration_id(cdp, page, app_server.url + "/")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": app_server.url, "registrationId": registration, "data": json.dumps(payload)},
    )
    shown = _wait_for(page, NOTIFICATIONS_JS)
    assert shown == [
        {
            "title": "slotapp",
            "body": payload["body"],
            "data": {"url": f"/meetings/{meeting_id}", "kind": "booking_new"},
            "tag": f"booking_new:/meetings/{meeting_id}",
        }
    ]

    # Pages never enter the cache; logging out empties it and unsubscribes this browser.
    cached = page.evaluate(
        """(async () => { const urls = [];
             for (const name of await caches.keys())
               for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
             return urls; })()"""
    )
    assert cached and not any(
        u.rstrip("/") == app_server.url or "/notifications" in u for u in cached
    )
    page.evaluate(
        "caches.open('slotapp-shell-v1').then((c) => c.put('/__left', new Response('x')))"
    )
    # The menu offers "Install app" only once the browser offers installing (a stand-in
    # event here: headless Chromium decides by engagement), and the tap opens its prompt.
    page.click("#menu")
    install = page.locator("#install-app")
    assert not install.is_visible()
    page.evaluate(
        """window.dispatchEvent(Object.assign(new Event("beforeinstallprompt"),
             { prompt() { window.__prompted = true; }, userChoice: Promise.resolve({}) }))"""
    )
    install.wait_for(state="visible")
    page.screenshot(path=str(artifacts / "menu-install-390x844.png"))
    install.click()
    assert page.evaluate("window.__prompted") is True
    install.wait_for(state="hidden")
    page.click("#logout")
    page.wait_for_url("**/login", timeout=15_000)
    assert _wait_for(page, "caches.match('/__left').then((hit) => !hit)")
    assert page.evaluate("window.__pushActive()") is False
    context.close()

    # An agent also chooses among enquiry news.
    agent = browser.new_context(viewport=PHONE).new_page()
    _login(agent, app_server.url, "/notifications", "dan@example.com", "demo-dan-pass")
    agent.locator("#switch-enquiry_new[aria-checked=true]").wait_for(timeout=60_000)
    assert agent.locator("[role=switch]").count() == len(PushKind)
    agent.screenshot(path=str(artifacts / "notifications-agent-390x844.png"), full_page=True)
    agent.context.close()


def test_chromium_finds_the_app_installable_logged_in_and_on_the_guest_page(
    prod_app: ProdApp, browser: Any, tmp_path: Path
) -> None:
    # A profile on disk: Chromium never offers to install from an incognito-like context.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=shutil.which("chromium"),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
    )
    page = context.new_page()
    cdp = context.new_cdp_session(page)

    def installability_errors() -> list[Any]:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        return list(cdp.send("Page.getInstallabilityErrors")["installabilityErrors"])

    page.goto(prod_app.url(f"/book/{prod_app.tokens['live']}"))
    page.locator("[aria-label=Times] button").first.wait_for(timeout=60_000)
    assert installability_errors() == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == prod_app.url("/manifest.webmanifest") and not manifest["errors"]

    _login(page, prod_app.base_url, "/")
    page.locator("#whoami").wait_for(timeout=60_000)
    assert installability_errors() == []

    # The production build's scripts are precached; offline, a page is the offline page.
    assets = page.evaluate(
        "caches.open('slotapp-assets-v1').then((c) => c.keys()).then((ks) => ks.map((r) => r.url))"
    )
    assert assets and all("/assets/" in u for u in assets)
    context.set_offline(True)
    try:
        page.goto(prod_app.url("/calendar"))
        page.get_by_role("heading", name="You're offline").wait_for(timeout=10_000)
    finally:
        context.set_offline(False)
    context.close()
