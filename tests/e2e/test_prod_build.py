"""Issue 3, against the production build: a dead link's guest page says so in its HTTP status
(404 unknown, 410 revoked) and still is the page, which shows its own message in the browser.

In prod the backend serves the frontend: a dynamic route like `/book/<token>` gets the app's
HTML shell, the same for every token, and the page renders in the browser.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.prod_app import ProdApp

pytestmark = pytest.mark.e2e

INACTIVE = "This link is no longer active"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _get(prod_app: ProdApp, path: str) -> httpx.Response:
    return httpx.get(prod_app.url(path), timeout=30)


def test_a_live_link_answers_200_with_the_app(prod_app: ProdApp) -> None:
    res = _get(prod_app, f"/book/{prod_app.tokens['live']}")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/html")
    assert "__reactRouterContext" in res.text
    assert "no-store" not in res.headers.get("cache-control", "")


def test_an_unknown_token_answers_404_with_the_same_page(prod_app: ProdApp) -> None:
    live = _get(prod_app, f"/book/{prod_app.tokens['live']}")
    res = _get(prod_app, "/book/never-issued")
    assert res.status_code == 404
    assert res.headers["cache-control"] == "no-store"
    assert res.text == live.text
    assert _get(prod_app, "/invite/never-issued").status_code == 404


def test_a_revoked_link_answers_410_with_the_same_page_and_head_agrees(
    prod_app: ProdApp,
) -> None:
    live = _get(prod_app, f"/book/{prod_app.tokens['live']}")
    url = prod_app.url(f"/book/{prod_app.tokens['revoked']}")
    res = httpx.get(url, timeout=30)
    assert res.status_code == 410
    assert res.headers["cache-control"] == "no-store"
    assert res.text == live.text
    assert httpx.head(url, timeout=30).status_code == 410


def test_other_pages_are_unchanged(prod_app: ProdApp) -> None:
    assert _get(prod_app, "/login/").status_code == 200
    assert _get(prod_app, "/ping").status_code == 200
    assert _get(prod_app, "/no-such-page").status_code == 404


def test_chromium_books_on_the_live_link_and_is_told_off_on_the_revoked_one(
    prod_app: ProdApp, browser: Any
) -> None:
    ctx = browser.new_context(**PHONE)
    try:
        page = ctx.new_page()
        response = page.goto(prod_app.url(f"/book/{prod_app.tokens['live']}"))
        assert response is not None and response.status == 200
        page.get_by_role("heading", name="Book a meeting with Ben Colleague").wait_for(
            timeout=30_000
        )
        page.locator("[aria-label=Times] button").first.wait_for(timeout=30_000)

        response = page.goto(prod_app.url(f"/book/{prod_app.tokens['revoked']}"))
        assert response is not None and response.status == 410
        message = page.locator("#inactive")
        message.wait_for(timeout=30_000)
        assert INACTIVE in message.inner_text()
    finally:
        ctx.close()
