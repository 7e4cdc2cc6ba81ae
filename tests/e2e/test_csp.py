"""Issue 8, on the real production build in Chromium: the app and the widget work under the
security headers' Content-Security-Policy without a single violation, the session cookie is
out of the page's reach, and no other site can frame the app.

Violations are caught twice: the `securitypolicyviolation` event of each document (reported to
the test through a Playwright binding, which the policy does not govern) and Chromium's console
messages about the policy.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from slotapp.db import make_engine
from slotapp.models import Channel, ChatMessage
from slotapp.services import channels
from tests.prod_app import ProdApp
from tests.widget_host import widget_host

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
REPORT = """
document.addEventListener("securitypolicyviolation", (e) => window.__csp({
  page: location.href, directive: e.violatedDirective, blocked: e.blockedURI,
  source: e.sourceFile, line: e.lineNumber, sample: e.sample,
}));
"""


class Watch:
    """Every CSP violation and policy console message of one browser context."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.violations: list[Any] = []
        context.expose_binding("__csp", lambda _source, report: self.violations.append(report))
        context.add_init_script(REPORT)
        context.on("page", self._listen)

    def _listen(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.violations.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.violations.append(text)

    def new_page(self) -> Any:
        return self.context.new_page()


@pytest.fixture
def watch(browser: Any) -> Iterator[Watch]:
    context = browser.new_context(**PHONE)
    yield Watch(context)
    context.close()


def _login(page: Any, prod_app: ProdApp, email: str, password: str, path: str) -> None:
    page.goto(prod_app.url(path), wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.locator("#login-form").wait_for()
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url(f"**{path}", timeout=30_000)


def test_owner_logs_in_and_opens_the_main_pages_without_a_violation(
    prod_app: ProdApp, watch: Watch
) -> None:
    page = watch.new_page()
    page.goto(prod_app.url("/"), wait_until="domcontentloaded")
    page.wait_for_url("**/login?next=/", timeout=60_000)
    page.fill("#email", "ben@example.com")
    page.fill("#password", "not-the-password")
    page.click("#login-submit")
    page.get_by_role("alert").filter(has_text="Email or password is wrong.").wait_for()
    assert "next=/" in page.url

    page.fill("#email", "ben@example.com")
    page.fill("#password", "demo-ben-pass")
    page.click("#login-submit")
    page.locator("#whoami").filter(has_text="ben@example.com").wait_for(timeout=30_000)
    # HttpOnly: the page's script cannot read the session cookie, the browser holds it.
    assert "slotapp_session" not in page.evaluate("document.cookie")
    [cookie] = [c for c in watch.context.cookies() if c["name"] == "slotapp_session"]
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"

    page.goto(prod_app.url("/calendar"))
    page.get_by_role("heading", name="Calendar").first.wait_for(timeout=30_000)
    page.goto(prod_app.url("/links"))
    page.get_by_role("heading", name="Shared slots").wait_for(timeout=30_000)
    page.goto(prod_app.url("/inbox"))
    page.get_by_role("heading", name="Inbox").wait_for(timeout=30_000)
    page.locator("#inbox-rows").wait_for(state="attached", timeout=30_000)
    assert "/login" not in page.url
    page.goto(prod_app.url("/"))
    page.locator("#whoami").filter(has_text="ben@example.com").wait_for(timeout=30_000)

    # Logging out posts a form (rx.call_script): the cookie goes, the session ends.
    page.click("#menu")
    page.click("#logout")
    page.wait_for_url(re.compile(r"/login/?$"), timeout=30_000)  # the build adds the slash
    assert [c for c in watch.context.cookies() if c["name"] == "slotapp_session"] == []
    page.goto(prod_app.url("/calendar"), wait_until="domcontentloaded")
    page.wait_for_url(re.compile(r"/login\?next=/calendar/?$"), timeout=30_000)
    page.wait_for_timeout(500)  # late reports
    assert watch.violations == []


def test_an_injected_inline_script_is_blocked_and_reported(prod_app: ProdApp, watch: Watch) -> None:
    """The detector above works, and the policy does what it is for."""
    page = watch.new_page()
    page.goto(prod_app.url("/login/"))
    page.locator("#login-form").wait_for()
    page.evaluate(
        "const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        "document.body.append(s)"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    assert {"page": prod_app.url("/login/"), "directive": "script-src-elem"}.items() <= next(
        v for v in watch.violations if isinstance(v, dict)
    ).items()


def test_a_guest_books_without_a_violation(prod_app: ProdApp, watch: Watch) -> None:
    page = watch.new_page()
    page.goto(prod_app.url(f"/book/{prod_app.tokens['live']}"))
    times = page.locator("[aria-label=Times] button")
    times.first.wait_for(timeout=30_000)
    times.first.click()
    page.fill("#guest-name", "Gina Guest")
    page.fill("#guest-email", "gina@example.org")
    page.locator("#book-submit").click()
    page.locator("#confirmation").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    assert watch.violations == []


def test_the_widget_works_on_another_site_without_a_violation(
    prod_app: ProdApp, watch: Watch
) -> None:
    engine = make_engine(prod_app.db_url)
    with Session(engine) as session:
        channel = session.exec(select(Channel)).first()  # the demo's support channel
        assert channel is not None and channel.id is not None
        source = channels.widget_source(session=session, channel_id=channel.id)
        assert source is not None
        key = source.key
        session.commit()
    text = f"Do you ship to Norway? {time.monotonic()}"
    with widget_host(prod_app.base_url, key) as shop:
        page = watch.new_page()
        page.goto(shop)
        page.locator("#slotapp-chat-open").click(timeout=30_000)
        page.fill("#slotapp-chat-text", text)
        page.press("#slotapp-chat-text", "Enter")
        page.locator("#slotapp-chat-log").get_by_text(text).wait_for(timeout=15_000)
        deadline = time.monotonic() + 15
        stored = None
        while stored is None and time.monotonic() < deadline:
            with Session(engine) as session:
                stored = session.exec(select(ChatMessage).where(ChatMessage.text == text)).first()
            time.sleep(0.1)
        assert stored is not None, "the widget's message never reached the server"
        page.wait_for_timeout(500)
    engine.dispose()
    assert watch.violations == []


FRAMER = (
    '<!doctype html><title>framer</title><iframe src="{src}" width="390" height="600"></iframe>'
)


def _framed_login_form(watch: Watch, framer_url: str, prod_app: ProdApp) -> int:
    """How many login forms a page at `framer_url` sees in its frame of the app's login page."""
    page = watch.new_page()
    html = FRAMER.format(src=prod_app.url("/login/"))
    page.route(framer_url, lambda route: route.fulfill(content_type="text/html", body=html))
    page.goto(framer_url)
    frame = page.frame_locator("iframe")
    try:
        frame.locator("#login-form").wait_for(state="attached", timeout=10_000)
    except Exception:  # noqa: BLE001 (Playwright's timeout: the frame stayed empty)
        return 0
    return frame.locator("#login-form").count()


def test_another_site_cannot_frame_the_app(prod_app: ProdApp, watch: Watch) -> None:
    # frame-ancestors 'self' (and X-Frame-Options for old browsers): the frame stays empty.
    assert _framed_login_form(watch, "http://other-site.test/", prod_app) == 0
    # The app framing itself still works: the check above can see a form when there is one.
    assert _framed_login_form(watch, prod_app.url("/framer-test"), prod_app) == 1
