"""Single sign-on with an OpenID Connect provider (authlib): start a login, finish it, and
open a slotapp session for the user it names.

authlib does the protocol: discovery, the authorization URL with state, nonce and PKCE (S256),
the code exchange with the client secret and verifier, and the ID token's signature, issuer,
audience, expiry and nonce. We keep the flow's secrets ourselves (`core.sso.Flow`) and decide
who the user is (`core.sso.identity_from_claims`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from slotapp.core.sso import (
    FLOW_SECONDS,
    Flow,
    Identity,
    SsoConfig,
    SsoError,
    check_callback,
    identity_from_claims,
    sso_config,
)
from slotapp.core.validation import InvalidInput
from slotapp.models import Role, User
from slotapp.services import accounts
from slotapp.settings import Settings

log = logging.getLogger(__name__)
try:  # authlib 1.9 talks HTTP through httpx2 when installed, else through httpx
    import httpx2

    HTTP_ERRORS: tuple[type[Exception], ...] = (httpx.HTTPError, httpx2.HTTPError)
except ImportError:
    HTTP_ERRORS = (httpx.HTTPError,)
# Discovery that does not answer, or answers with something other than JSON.
START_ERRORS: tuple[type[Exception], ...] = (*HTTP_ERRORS, ValueError)
SCOPE = "openid email profile"
# Seconds to wait for the provider before telling the user it is unreachable.
PROVIDER_TIMEOUT = 10.0


def configured(settings: Settings) -> SsoConfig | None:
    """The SSO configuration in `settings`, or None when SSO is off.

    Raises:
        ValueError: SLOTAPP_OIDC_DEFAULT_ROLE names no role.
    """
    config = sso_config(
        issuer=settings.oidc_issuer,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        name=settings.oidc_name,
        default_role=settings.oidc_default_role,
    )
    if config is not None and config.default_role not in {r.value for r in Role}:
        raise ValueError(f"SLOTAPP_OIDC_DEFAULT_ROLE: unknown role '{config.default_role}'")
    return config


@lru_cache(maxsize=8)
def _client(config: SsoConfig) -> Any:
    """authlib's client for `config`; it caches the provider's metadata and keys."""
    oauth = OAuth()
    return oauth.register(
        name="sso",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "timeout": PROVIDER_TIMEOUT,
            "token_endpoint_auth_method": "client_secret_basic",
        },
    )


async def _metadata(client: Any, config: SsoConfig) -> Mapping[str, Any]:
    metadata: Mapping[str, Any] = await client.load_server_metadata()
    # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer we asked.
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer:
        log.error(
            "SSO: discovery names issuer %r, configured %r", metadata.get("issuer"), config.issuer
        )
        raise SsoError("provider_error")
    return metadata


async def begin(
    config: SsoConfig, *, redirect_uri: str, next_path: str, now: float
) -> tuple[str, Flow]:
    """The provider's authorization URL for a new login, and the flow to keep until it returns.

    Raises:
        SsoError: "unavailable" when the provider cannot be reached.
    """
    client = _client(config)
    try:
        await _metadata(client, config)
        answer = await client.create_authorization_url(redirect_uri)
    except START_ERRORS as exc:
        log.warning("SSO: provider unreachable at login start: %s", exc)
        raise SsoError("unavailable") from exc
    flow = Flow(
        state=answer["state"],
        nonce=answer["nonce"],
        code_verifier=answer["code_verifier"],
        next_path=next_path,
        expires_at=int(now) + FLOW_SECONDS,
    )
    return str(answer["url"]), flow


async def finish(
    config: SsoConfig, *, flow: Flow, params: Mapping[str, str], redirect_uri: str
) -> Identity:
    """Who the provider says logged in, once the answer is checked end to end.

    Raises:
        SsoError: a wrong state or issuer, a refusal, a failed code exchange (wrong PKCE
            verifier included), an ID token with a bad signature, nonce, audience or expiry,
            an unverified or missing email, or an unreachable provider.
    """
    code = check_callback(flow, params, issuer=config.issuer)
    client = _client(config)
    try:
        await _metadata(client, config)
        token = await client.fetch_access_token(
            redirect_uri=redirect_uri, code=code, code_verifier=flow.code_verifier
        )
        id_claims = await client.parse_id_token(token, nonce=flow.nonce)
        if id_claims is None:
            raise SsoError("invalid_token")
        claims: dict[str, object] = dict(id_claims)
        if "email" not in claims:
            claims = await _with_userinfo(client, token, claims)
    except HTTP_ERRORS as exc:
        log.warning("SSO: provider unreachable at callback: %s", exc)
        raise SsoError("unavailable") from exc
    except AuthlibBaseError as exc:
        log.warning("SSO: provider refused the code exchange: %r", exc)
        raise SsoError("provider_error") from exc
    except (JoseError, ValueError) as exc:
        log.warning("SSO: ID token rejected: %r", exc)
        raise SsoError("invalid_token") from exc
    return identity_from_claims(claims)


async def _with_userinfo(
    client: Any, token: Mapping[str, Any], claims: dict[str, object]
) -> dict[str, object]:
    """The ID token's claims plus the userinfo endpoint's (providers such as Okta put the
    email only there once an access token is issued)."""
    info = dict(await client.userinfo(token=token))
    # OpenID Connect Core 1.0, section 5.3.2: userinfo of another subject must not be used.
    if info.get("sub") != claims.get("sub"):
        raise SsoError("invalid_token")
    return {**info, **claims}


def _user_by_email(session: Session, email: str) -> User | None:
    # Addresses are stored lower-cased; lower() also matches rows written before that rule.
    return session.exec(select(User).where(func.lower(col(User.email)) == email)).first()


def _create(session: Session, identity: Identity, role: str) -> User:
    """The user of a first login; when a parallel first login made them just now, theirs."""
    try:
        with session.begin_nested():  # a savepoint: losing the race undoes only this
            user = accounts.create_user(
                session=session, email=identity.email, name=identity.name, password=None, role=role
            )
    except (IntegrityError, InvalidInput) as exc:
        if isinstance(exc, InvalidInput) and exc.field != "email":
            raise
        found = _user_by_email(session, identity.email)
        if found is None:
            raise
        return found
    log.info("SSO: created user %s with role %s", user.id, role)
    return user


def sign_in(
    *,
    session: Session,
    identity: Identity,
    default_role: str,
    now: datetime,
    days: int,
    previous_token: str = "",
) -> str:
    """Open a session for the user with this verified email, creating them on first login.

    The new user gets `default_role` and no password (they log in through SSO; an admin may
    change the role later). The browser's earlier session, if any, is ended.

    Returns:
        The new session token for the browser (stored hashed, as a password login's).

    Raises:
        SsoError: "deactivated" when the matching account is switched off.
    """
    user = _user_by_email(session, identity.email) or _create(session, identity, default_role)
    if not user.is_active:
        raise SsoError("deactivated")
    accounts.end_session(session=session, token=previous_token, now=now)
    return accounts.start_session(session=session, user=user, now=now, days=days)
