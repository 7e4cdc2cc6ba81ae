"""Single sign-on against a real OpenID Connect provider (npm oidc-provider, tests/oidc).

No browser: a cookie-keeping httpx client plays one. Requests to the app's origin go through
`httpx.ASGITransport` into the API app (as `rx.App` mounts it); everything else goes over
real HTTP to the provider on loopback, whose dev login and consent forms we post.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from starlette.responses import Response

from bench.appserver import free_port
from slotapp.api.auth import auth_routes, set_session_cookie
from slotapp.api.sso import SESSION_COOKIE, sso_routes
from slotapp.api.v1 import build_api
from slotapp.clock import utcnow
from slotapp.core.sso import FLOW_COOKIE, Flow, seal_flow
from slotapp.core.tokens import hash_token
from slotapp.models import AuthSession, User
from slotapp.services import accounts
from slotapp.settings import Settings, get_settings
from tests import aio
from tests.conftest import OidcProvider, running_oidc_provider

SECRET = b"sso-test-key-" + b"k" * 19


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return aio.run(coro)  # a loop of its own, also after the browser tests


@dataclass
class App:
    """The app under test, the provider it trusts, and a browser for it."""

    provider: OidcProvider
    engine: Engine
    settings: Settings
    asgi: Any

    def browser(self) -> httpx.AsyncClient:
        origin = urlsplit(self.provider.app_origin).netloc
        return httpx.AsyncClient(
            mounts={f"all://{origin}": httpx.ASGITransport(app=self.asgi)}, timeout=15
        )

    def url(self, path: str) -> str:
        return self.provider.app_origin + path


def make_app(
    engine: Engine,
    provider: OidcProvider,
    *,
    clock: Callable[[], datetime] = utcnow,
    engine_factory: Callable[[], Engine] | None = None,
    **overrides: Any,
) -> App:
    values = {
        "base_url": provider.app_origin,
        "oidc_issuer": provider.issuer,
        "oidc_client_id": provider.client_id,
        "oidc_client_secret": provider.client_secret,
        **overrides,
    }
    settings = replace(get_settings(), **values)
    routes = sso_routes(
        engine_factory=engine_factory or (lambda: engine),
        settings_factory=lambda: settings,
        secret_factory=lambda: SECRET,
        clock=clock,
        callback_url_factory=lambda: provider.redirect_uri,
    )
    return App(provider, engine, settings, build_api(routes=routes, engine_factory=lambda: engine))


@pytest.fixture
def app(engine: Engine, oidc_provider: OidcProvider) -> App:
    return make_app(engine, oidc_provider)


async def to_provider_and_back(
    client: httpx.AsyncClient,
    app: App,
    *,
    login: str,
    next_path: str = "/",
    edit_authorize: Callable[[str], str] | None = None,
    cancel: bool = False,
) -> str:
    """Start at the app, sign in at the provider as `login` and consent (or cancel).

    Returns:
        The callback URL the provider sends the browser back to, not yet followed.
    """
    start = await client.get(app.url("/auth/sso/login"), params={"next": next_path})
    assert start.status_code == 302, start.text
    url = start.headers["location"]
    assert url.startswith(app.provider.issuer + "/auth?"), url
    if edit_authorize:
        url = edit_authorize(url)
    for _ in range(12):
        if url.startswith(app.provider.redirect_uri):
            return url
        page = await client.get(url)
        if page.is_redirect:
            url = urljoin(url, page.headers["location"])
            continue
        assert page.status_code == 200, page.text[:800]
        if cancel:
            url = url + "/abort"
            continue
        if 'name="prompt" value="login"' in page.text:
            form = {"prompt": "login", "login": login, "password": "any"}
        else:
            form = {"prompt": "consent"}
        answer = await client.post(url, data=form)
        assert answer.is_redirect, answer.text[:800]
        url = urljoin(url, answer.headers["location"])
    raise AssertionError(f"the provider never sent the browser back: {url}")


async def sso_login(app: App, login: str, **kwargs: Any) -> httpx.Response:
    """A whole login in a fresh browser; the app's answer to the callback."""
    async with app.browser() as client:
        back = await to_provider_and_back(client, app, login=login, **kwargs)
        return await client.get(back)


def landed_on_login(response: httpx.Response, app: App) -> str:
    """The `sso_error` code of a redirect to the login page (fails on anything else)."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(app.url("/login?")), location
    assert SESSION_COOKIE not in response.cookies
    return parse_qs(urlsplit(location).query)["sso_error"][0]


def users(engine: Engine) -> list[User]:
    with Session(engine) as s:
        return list(s.exec(select(User)).all())


def sessions(engine: Engine) -> list[AuthSession]:
    with Session(engine) as s:
        return list(s.exec(select(AuthSession)).all())


def edit_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- logging in --------------------------------------------------------------------------


def test_first_login_creates_the_user_with_the_default_role(app: App) -> None:
    response = run(sso_login(app, "alice"))
    assert response.status_code == 302
    assert response.headers["location"] == app.url("/")
    [user] = users(app.engine)
    assert (user.email, user.name, user.role) == ("alice@example.com", "Alice", "employee")
    assert user.password_hash is None and user.is_active


def test_the_session_cookie_works_for_the_app(app: App) -> None:
    response = run(sso_login(app, "alice"))
    token = response.cookies[SESSION_COOKIE]
    [row] = sessions(app.engine)
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(days=app.settings.session_days)
    with Session(app.engine) as s:
        current = accounts.resolve_session(session=s, token=token, now=utcnow())
    assert current is not None and current.email == "alice@example.com"
    assert _cookie_attributes(response) == {
        "path=/",
        "samesite=lax",
        f"max-age={app.settings.session_days * 86400}",
        "httponly",  # no script on the page can read it
    }


def _cookie_attributes(response: httpx.Response) -> set[str]:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_the_session_cookie_is_secure_only_on_an_https_site(app: App) -> None:
    assert "secure" not in _cookie_attributes(run(sso_login(app, "alice")))  # http loopback
    reply = Response()
    set_session_cookie(reply, "t", replace(app.settings, base_url="https://slots.example.com"))
    assert "secure" in {part.lower() for part in reply.headers["set-cookie"].split("; ")}


def test_the_session_cookie_is_the_one_the_password_login_sets(app: App) -> None:
    """SSO and the password form set the same cookie with the same attributes."""
    with Session(app.engine) as s:
        accounts.create_user(
            session=s, email="bob@example.com", name="Bob", password="correct horse battery"
        )
        s.commit()
    password_app = build_api(
        routes=auth_routes(engine_factory=lambda: app.engine, settings_factory=lambda: app.settings)
    )

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=password_app)
        async with httpx.AsyncClient(transport=transport, base_url=app.url("")) as client:
            return await client.post(
                "/auth/login",
                data={"email": "bob@example.com", "password": "correct horse battery"},
                headers={"origin": app.provider.app_origin},
            )

    by_password = run(post())
    assert by_password.status_code == 303
    assert _cookie_attributes(by_password) == _cookie_attributes(run(sso_login(app, "alice")))


def test_default_role_comes_from_the_configuration(engine: Engine, oidc_provider: OidcProvider):
    app = make_app(engine, oidc_provider, oidc_default_role="agent")
    run(sso_login(app, "alice"))
    assert [u.role for u in users(engine)] == ["agent"]


def test_second_login_matches_the_same_user_and_keeps_their_role(app: App) -> None:
    run(sso_login(app, "alice"))
    with Session(app.engine) as s:
        user = s.exec(select(User)).one()
        user.role = "admin"  # an admin promoted them in between
        s.add(user)
        s.commit()
    run(sso_login(app, "alice"))
    [user] = users(app.engine)
    assert user.role == "admin"
    assert len(sessions(app.engine)) == 2


def test_email_matching_is_case_insensitive(app: App) -> None:
    with Session(app.engine) as s:
        accounts.create_user(
            session=s, email="bob@example.com", name="Bob", password="correct horse battery"
        )
        # A row written before addresses were lower-cased matches too.
        s.add(User(email="Dave@Example.com", name="Dave"))
        s.commit()
    assert run(sso_login(app, "Bob@Example.COM")).headers["location"] == app.url("/")
    assert run(sso_login(app, "DAVE@example.com")).headers["location"] == app.url("/")
    assert sorted(u.email for u in users(app.engine)) == ["Dave@Example.com", "bob@example.com"]
    with Session(app.engine) as s:
        local = accounts.authenticate(
            session=s, email="bob@example.com", password="correct horse battery"
        )
        assert local.name == "Bob"  # the password still works beside SSO


def test_email_from_userinfo_when_the_id_token_has_none(engine: Engine) -> None:
    with running_oidc_provider(f"http://127.0.0.1:{free_port()}", conform=True) as provider:
        app = make_app(engine, provider)
        response = run(sso_login(app, "frank"))
    assert response.headers["location"] == app.url("/")
    assert [u.email for u in users(engine)] == ["frank@example.com"]


def test_an_earlier_session_of_the_browser_is_ended(app: App) -> None:
    async def twice() -> None:
        async with app.browser() as client:
            await client.get(await to_provider_and_back(client, app, login="alice"))
            first = client.cookies[SESSION_COOKIE]
            # The provider remembers the login now; only its consent may be asked again.
            await client.get(await to_provider_and_back(client, app, login="alice"))
            assert client.cookies[SESSION_COOKIE] != first

    run(twice())
    assert sorted(r.revoked_at is None for r in sessions(app.engine)) == [False, True]


# --- refusals ----------------------------------------------------------------------------


def test_unverified_email_is_refused(app: App) -> None:
    assert landed_on_login(run(sso_login(app, "unverified-eve")), app) == "unverified_email"
    assert users(app.engine) == [] and sessions(app.engine) == []


def test_missing_email_is_refused(app: App) -> None:
    assert landed_on_login(run(sso_login(app, "noemail-gus")), app) == "no_email"
    assert users(app.engine) == []


def test_deactivated_user_is_refused(app: App) -> None:
    with Session(app.engine) as s:
        s.add(User(email="alice@example.com", name="Alice", is_active=False))
        s.commit()
    assert landed_on_login(run(sso_login(app, "alice")), app) == "deactivated"
    assert sessions(app.engine) == []


def test_tampered_state_is_refused(app: App) -> None:
    async def go() -> httpx.Response:
        async with app.browser() as client:
            back = await to_provider_and_back(client, app, login="alice")
            return await client.get(edit_query(back, state="forged-state"))

    assert landed_on_login(run(go()), app) == "bad_state"
    assert users(app.engine) == []


def test_callback_in_another_browser_is_refused(app: App) -> None:
    async def go() -> httpx.Response:
        async with app.browser() as victim:
            back = await to_provider_and_back(victim, app, login="mallory")
        async with app.browser() as other:  # no flow cookie: login CSRF fails
            return await other.get(back)

    assert landed_on_login(run(go()), app) == "expired"
    assert users(app.engine) == []


def test_forged_flow_cookie_is_refused(app: App) -> None:
    async def go() -> httpx.Response:
        async with app.browser() as client:
            back = await to_provider_and_back(client, app, login="alice")
            state = parse_qs(urlsplit(back).query)["state"][0]
            forged = Flow(state, "n", "v", "/", int(utcnow().timestamp()) + 60)
            client.cookies.set(FLOW_COOKIE, seal_flow(forged, secret=b"x" * 32))
            return await client.get(back)

    assert landed_on_login(run(go()), app) == "bad_state"


def test_replayed_callback_is_refused(app: App) -> None:
    async def go() -> httpx.Response:
        async with app.browser() as client:
            back = await to_provider_and_back(client, app, login="alice")
            assert (await client.get(back)).headers["location"] == app.url("/")
            return await client.get(back)

    assert landed_on_login(run(go()), app) == "expired"
    assert len(sessions(app.engine)) == 1


def test_wrong_nonce_is_refused(app: App) -> None:
    response = run(sso_login(app, "alice", edit_authorize=lambda u: edit_query(u, nonce="other")))
    assert landed_on_login(response, app) == "invalid_token"
    assert users(app.engine) == []


def test_missing_pkce_is_refused_by_the_provider(app: App) -> None:
    async def go() -> tuple[str, httpx.Response]:
        async with app.browser() as client:
            back = await to_provider_and_back(
                client,
                app,
                login="alice",
                edit_authorize=lambda u: edit_query(
                    u, code_challenge=None, code_challenge_method=None
                ),
            )
            return back, await client.get(back)

    back, response = run(go())
    assert parse_qs(urlsplit(back).query)["error"] == ["invalid_request"]
    assert landed_on_login(response, app) == "provider_error"


def test_wrong_pkce_verifier_is_refused_by_the_provider(app: App) -> None:
    digest = hashlib.sha256(b"another-verifier-of-enough-length-0123456789").digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    response = run(
        sso_login(app, "alice", edit_authorize=lambda u: edit_query(u, code_challenge=challenge))
    )
    assert landed_on_login(response, app) == "provider_error"  # invalid_grant at the token end
    assert users(app.engine) == []


def test_user_cancelling_at_the_provider(app: App) -> None:
    assert landed_on_login(run(sso_login(app, "alice", cancel=True)), app) == "cancelled"


def test_a_slow_login_expires(engine: Engine, oidc_provider: OidcProvider) -> None:
    shift = [timedelta(0)]
    app = make_app(engine, oidc_provider, clock=lambda: utcnow() + shift[0])

    async def go() -> httpx.Response:
        async with app.browser() as client:
            back = await to_provider_and_back(client, app, login="alice")
            shift[0] = timedelta(minutes=11)
            return await client.get(back)

    assert landed_on_login(run(go()), app) == "expired"


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/calendar?day=2026-11-21", "/calendar?day=2026-11-21"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\t/evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_limited_to_local_paths(app: App, asked: str, lands: str) -> None:
    response = run(sso_login(app, "alice", next_path=asked))
    assert response.headers["location"] == app.url(lands)


def test_next_is_kept_when_the_login_fails(app: App) -> None:
    response = run(sso_login(app, "unverified-eve", next_path="/slots"))
    assert response.headers["location"] == app.url(
        "/login?sso_error=unverified_email&next=%2Fslots"
    )


# --- configuration and outages -----------------------------------------------------------


def test_sso_is_off_without_a_client_secret(engine: Engine, oidc_provider: OidcProvider) -> None:
    app = make_app(engine, oidc_provider, oidc_client_secret="")

    async def go() -> httpx.Response:
        async with app.browser() as client:
            return await client.get(app.url("/auth/sso/login"))

    assert landed_on_login(run(go()), app) == "not_configured"


def test_provider_down_at_the_start(engine: Engine, oidc_provider: OidcProvider) -> None:
    app = make_app(engine, oidc_provider, oidc_issuer=f"http://127.0.0.1:{free_port()}")

    async def go() -> httpx.Response:
        async with app.browser() as client:
            return await client.get(app.url("/auth/sso/login"), params={"next": "/slots"})

    response = run(go())
    assert landed_on_login(response, app) == "unavailable"
    assert response.headers["location"].endswith("next=%2Fslots")


def test_discovery_naming_another_issuer_is_refused(
    engine: Engine, oidc_provider: OidcProvider
) -> None:
    # Same server, other name: its discovery document says 127.0.0.1, not localhost.
    other_name = oidc_provider.issuer.replace("127.0.0.1", "localhost")
    app = make_app(engine, oidc_provider, oidc_issuer=other_name)

    async def go() -> httpx.Response:
        async with app.browser() as client:
            return await client.get(app.url("/auth/sso/login"))

    assert landed_on_login(run(go()), app) == "provider_error"


def test_provider_down_at_the_callback(engine: Engine) -> None:
    with running_oidc_provider(f"http://127.0.0.1:{free_port()}") as provider:
        app = make_app(engine, provider)

        async def go() -> httpx.Response:
            async with app.browser() as client:
                back = await to_provider_and_back(client, app, login="alice")
                provider.process.terminate()
                provider.process.wait(timeout=5)
                return await client.get(back)

        assert landed_on_login(run(go()), app) == "unavailable"
    assert users(engine) == []


def test_a_database_failure_lands_on_the_login_page(
    engine: Engine, oidc_provider: OidcProvider
) -> None:
    def broken() -> Engine:
        raise RuntimeError("database gone")

    app = make_app(engine, oidc_provider, engine_factory=broken)
    response = run(sso_login(app, "alice"))
    assert landed_on_login(response, app) == "failed"
    assert "database gone" not in response.text


def test_sso_users_are_counted_once(app: App) -> None:
    for login in ("alice", "Alice@example.com", "ALICE@EXAMPLE.COM"):
        run(sso_login(app, login))
    with Session(app.engine) as s:
        assert s.exec(select(func.count()).select_from(User)).one() == 1


def test_logging_out_ends_an_sso_session(app: App) -> None:
    token = run(sso_login(app, "alice")).cookies[SESSION_COOKIE]
    with Session(app.engine) as s:
        accounts.end_session(session=s, token=token, now=utcnow())
        s.commit()
        assert accounts.resolve_session(session=s, token=token, now=utcnow()) is None
