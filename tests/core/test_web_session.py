"""The session cookie's attributes, reading it back, and the login form's origin check."""

from __future__ import annotations

import pytest

from slotapp.core.web_session import (
    LOGIN_ERRORS,
    cookie_options,
    email_from_cookies,
    is_same_site_post,
    login_error_message,
    login_error_path,
    posting_page,
    remembered_email,
    token_from_cookies,
)
from slotapp.services.accounts import LOGIN_FAILED


def test_the_cookie_is_httponly_lax_and_secure_only_on_https() -> None:
    assert cookie_options(base_url="http://127.0.0.1:3000", days=30) == {
        "max_age": 30 * 86400,
        "path": "/",
        "httponly": True,
        "samesite": "lax",
        "secure": False,
    }
    assert cookie_options(base_url="HTTPS://slots.example.com", days=1)["secure"] is True


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("slotapp_session=abc-DEF_123", "abc-DEF_123"),
        ("theme=dark; slotapp_session=tok; other=1", "tok"),
        ('slotapp_session="quoted"', "quoted"),
        ("slotapp_session_old=x; xslotapp_session=y", ""),
        ("", ""),
        # Another app on the same host set a cookie the strict parser refuses.
        ('bad"cookie=[1,2]; slotapp_session=tok2', "tok2"),
    ],
)
def test_token_from_cookie_header(header: str, token: str) -> None:
    assert token_from_cookies(header) == token


BASE = "https://slots.example.com"


@pytest.mark.parametrize(
    ("origin", "referer", "host", "ok"),
    [
        (BASE, "", "slots.example.com", True),
        # Dev: the page is on Vite's port, the form posts to the backend's port.
        ("http://127.0.0.1:3000", "", "127.0.0.1:8000", False),
        # The same server reached at another address (a phone on the LAN).
        ("http://192.168.1.5:3000", "", "192.168.1.5:3000", True),
        ("https://evil.example", "", "slots.example.com", False),
        ("null", "", "slots.example.com", False),
        ("", BASE + "/login?next=/", "slots.example.com", True),
        ("", "https://evil.example/x", "slots.example.com", False),
        ("", "", "slots.example.com", False),
        ("https://slots.example.com.evil.example", "", "slots.example.com", False),
    ],
)
def test_only_posts_from_our_own_pages_count(
    origin: str, referer: str, host: str, ok: bool
) -> None:
    assert is_same_site_post(origin=origin, referer=referer, host=host, base_url=BASE) is ok


def test_dev_posts_from_the_public_address_count() -> None:
    assert is_same_site_post(
        origin="http://127.0.0.1:3000",
        referer="",
        host="127.0.0.1:8000",
        base_url="http://127.0.0.1:3000",
    )


def test_the_login_page_shows_our_text_for_a_code_never_the_url() -> None:
    assert login_error_path("credentials", "/calendar") == "/login?next=/calendar&error=credentials"
    assert login_error_path("<script>", "/") == "/login?next=/&error=failed"
    assert login_error_message("credentials") == LOGIN_FAILED
    assert login_error_message("") == ""
    assert login_error_message("Your account is locked, call 0900...") == LOGIN_ERRORS["failed"]


@pytest.mark.parametrize(
    "email", ["ann@example.com", "o'brien+x@example.com", 'a"b;c, d=e\\f@x', "zoë@例え.jp"]
)
def test_a_refused_email_survives_the_cookie_round_trip(email: str) -> None:
    value = remembered_email(email)
    assert all(ch not in value for ch in ' ;,"\\')
    assert email_from_cookies(f"theme=dark; slotapp_login_email={value}") == email


def test_the_remembered_email_is_bounded() -> None:
    assert len(email_from_cookies("slotapp_login_email=" + remembered_email("a" * 5000))) == 254
    assert email_from_cookies("slotapp_login_email=%ZZ%") == "%ZZ%"


def test_the_posting_page_is_where_the_browser_goes_on() -> None:
    assert posting_page(origin=BASE, referer="", host="backend:8000", base_url=BASE) == BASE
    assert (
        posting_page(origin="", referer="HTTP://LAN:3000/login?x", host="lan:3000", base_url=BASE)
        == "http://lan:3000"
    )
    assert posting_page(origin="https://evil.example", referer="", host="x", base_url=BASE) == ""
