"""Single sign-on rules without a provider: configuration, next paths, the flow cookie, the
callback's checks and who the claims name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from slotapp.core.sso import (
    MESSAGES,
    Flow,
    SsoError,
    check_callback,
    error_message,
    identity_from_claims,
    login_path,
    next_path,
    open_flow,
    seal_flow,
    sso_config,
)

KEY = b"k" * 32
FLOW = Flow(state="s1", nonce="n1", code_verifier="v1", next_path="/slots", expires_at=1000)


def refused(code: str) -> pytest.RaisesExc[SsoError]:
    return pytest.raises(SsoError, check=lambda e: e.code == code)


# --- configuration -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "client_id", "secret"),
    [
        ("", "id", "secret"),
        ("https://idp.example", "", "secret"),
        ("https://idp.example", "id", " "),
    ],
)
def test_sso_is_off_unless_issuer_id_and_secret_are_set(issuer: str, client_id: str, secret: str):
    config = sso_config(
        issuer=issuer, client_id=client_id, client_secret=secret, name="", default_role=""
    )
    assert config is None


def test_configuration_defaults_and_discovery_url() -> None:
    config = sso_config(
        issuer="https://idp.example/realms/acme/",
        client_id="slotapp",
        client_secret="s3cret",
        name=" ",
        default_role="",
    )
    assert config is not None
    assert config.metadata_url == "https://idp.example/realms/acme/.well-known/openid-configuration"
    assert config.button_label == "Sign in with company account"
    assert config.default_role == "employee"
    assert "s3cret" not in repr(config)  # never in a log line


# --- where to go after login -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/calendar", "/calendar"),
        ("/book/abc?x=1#top", "/book/abc?x=1#top"),
        (None, "/"),
        ("", "/"),
        ("calendar", "/"),
        ("https://evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/ /evil.example", "/"),
        ("/" + "a" * 2001, "/"),
    ],
)
def test_next_path_stays_on_this_site(raw: str | None, expected: str) -> None:
    assert next_path(raw) == expected


def test_login_path_carries_the_code_and_next() -> None:
    assert login_path("cancelled") == "/login?sso_error=cancelled"
    assert login_path("expired", "/slots?a=1") == "/login?sso_error=expired&next=%2Fslots%3Fa%3D1"


def test_messages_come_from_a_fixed_list() -> None:
    assert error_message("") == ""
    assert error_message("cancelled") == MESSAGES["cancelled"]
    assert error_message("<script>alert(1)</script>") == MESSAGES["failed"]
    assert SsoError("made-up").code == "failed"


# --- the flow cookie ---------------------------------------------------------------------


def test_flow_cookie_round_trip() -> None:
    assert open_flow(seal_flow(FLOW, secret=KEY), secret=KEY, now=999) == FLOW


def test_flow_cookie_expires() -> None:
    with refused("expired"):
        open_flow(seal_flow(FLOW, secret=KEY), secret=KEY, now=1000)


@pytest.mark.parametrize("cookie", [None, ""])
def test_missing_flow_cookie_means_expired(cookie: str | None) -> None:
    with refused("expired"):
        open_flow(cookie, secret=KEY, now=0)


def test_flow_cookie_signed_with_another_key_is_refused() -> None:
    with refused("bad_state"):
        open_flow(seal_flow(FLOW, secret=b"x" * 32), secret=KEY, now=0)


def test_flow_cookie_with_edited_body_is_refused() -> None:
    _, mac = seal_flow(FLOW, secret=KEY).split(".")
    other, _ = seal_flow(replace(FLOW, next_path="/x"), secret=KEY).split(".")
    with refused("bad_state"):
        open_flow(f"{other}.{mac}", secret=KEY, now=0)


@pytest.mark.parametrize("cookie", ["garbage", "a.b.c", "."])
def test_flow_cookie_garbage_is_refused(cookie: str) -> None:
    with refused("bad_state"):
        open_flow(cookie, secret=KEY, now=0)


# --- the provider's answer ---------------------------------------------------------------


def test_callback_gives_the_code() -> None:
    params = {"state": "s1", "code": "c1", "iss": "https://idp.example/"}
    assert check_callback(FLOW, params, issuer="https://idp.example") == "c1"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"code": "c1"}, "bad_state"),
        ({"state": "s2", "code": "c1"}, "bad_state"),
        ({"state": "s2", "error": "access_denied"}, "bad_state"),
        ({"state": "s1", "error": "access_denied"}, "cancelled"),
        ({"state": "s1", "error": "invalid_request"}, "provider_error"),
        ({"state": "s1", "code": "c1", "iss": "https://evil.example"}, "bad_state"),
        ({"state": "s1"}, "provider_error"),
    ],
)
def test_callback_refusals(params: dict[str, str], code: str) -> None:
    with refused(code):
        check_callback(FLOW, params, issuer="https://idp.example")


# --- who the claims name -----------------------------------------------------------------


def test_identity_from_verified_claims() -> None:
    identity = identity_from_claims(
        {"sub": "1", "email": " Ann.Lee@Example.COM ", "email_verified": True, "name": "Ann Lee"}
    )
    assert (identity.email, identity.name) == ("ann.lee@example.com", "Ann Lee")


def test_email_verified_as_the_string_true_counts() -> None:
    identity = identity_from_claims({"email": "a@example.com", "email_verified": "true"})
    assert identity.email == "a@example.com"


@pytest.mark.parametrize("verified", [False, None, "false", "yes", 1])
def test_unverified_email_is_refused(verified: object) -> None:
    claims: dict[str, object] = {"email": "a@example.com", "email_verified": verified}
    with refused("unverified_email"):
        identity_from_claims(claims)


@pytest.mark.parametrize("email", [None, "", "  ", "not-an-address", 42])
def test_missing_or_broken_email_is_refused(email: object) -> None:
    with refused("no_email"):
        identity_from_claims({"email": email, "email_verified": True})


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"name": "  Ann Lee  "}, "Ann Lee"),
        ({"name": "", "given_name": "Ann", "family_name": "Lee"}, "Ann Lee"),
        ({"given_name": "Ann"}, "Ann"),
        ({"preferred_username": "annl"}, "annl"),
        ({"name": 7}, "ann.lee"),
        ({}, "ann.lee"),
        ({"name": "x" * 300}, "x" * 120),
    ],
)
def test_name_for_a_new_account(claims: dict[str, object], name: str) -> None:
    identity = identity_from_claims(
        {**claims, "email": "ann.lee@example.com", "email_verified": True}
    )
    assert identity.name == name
