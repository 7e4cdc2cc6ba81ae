"""Configuration read from the environment, once, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

# Runtime data lives in a hidden folder: Reflex's dev server reloads on any change to the
# project's visible top-level files, and a database written on every booking is one.
DEFAULT_DB_URL = "sqlite:///.data/slotapp.db"
RATE_LIMIT_PREFIX = "SLOTAPP_RATE_LIMIT_"


@dataclass(frozen=True)
class Settings:
    """Runtime settings; every field has an environment variable of the same name in capitals."""

    database_url: str
    base_url: str
    video_base_url: str
    session_days: int
    # OpenID Connect single sign-on: off unless issuer, client id and secret are all set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "company account"
    oidc_default_role: str = "employee"
    # Rate limits (issue 8): SLOTAPP_RATE_LIMITS=off switches them all off; each rule is set by
    # SLOTAPP_RATE_LIMIT_<RULE> as LIMIT/WINDOW (see slotapp/core/rate_limit.py DEFAULT_RULES).
    rate_limits: bool = True
    rate_limit_rules: tuple[tuple[str, str], ...] = ()
    # Reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
    trusted_proxies: int = 0
    # Set: rate limits are shared by every worker through this Redis (as Reflex's state is).
    redis_url: str = ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment (cached: call `get_settings.cache_clear()` in tests)."""
    return Settings(
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DB_URL),
        base_url=os.environ.get("SLOTAPP_BASE_URL", "http://localhost:3000").rstrip("/"),
        video_base_url=os.environ.get("SLOTAPP_VIDEO_BASE_URL", "https://meet.jit.si").rstrip("/"),
        session_days=int(os.environ.get("SLOTAPP_SESSION_DAYS", "30")),
        oidc_issuer=os.environ.get("SLOTAPP_OIDC_ISSUER", ""),
        oidc_client_id=os.environ.get("SLOTAPP_OIDC_CLIENT_ID", ""),
        oidc_client_secret=os.environ.get("SLOTAPP_OIDC_CLIENT_SECRET", ""),
        oidc_name=os.environ.get("SLOTAPP_OIDC_NAME", "company account"),
        oidc_default_role=os.environ.get("SLOTAPP_OIDC_DEFAULT_ROLE", "employee"),
        rate_limits=os.environ.get("SLOTAPP_RATE_LIMITS", "on").strip().lower()
        not in ("off", "0", "false", "no"),
        rate_limit_rules=tuple(
            (name[len(RATE_LIMIT_PREFIX) :].lower(), value)
            for name, value in sorted(os.environ.items())
            if name.startswith(RATE_LIMIT_PREFIX)
        ),
        trusted_proxies=int(os.environ.get("SLOTAPP_TRUSTED_PROXIES", "0")),
        redis_url=os.environ.get("REFLEX_REDIS_URL", ""),
    )
