"""Configuration read from the environment, once, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_DB_URL = "sqlite:///slotapp.db"


@dataclass(frozen=True)
class Settings:
    """Runtime settings; every field has an environment variable of the same name in capitals."""

    database_url: str
    base_url: str
    video_base_url: str
    smtp_host: str
    smtp_port: int
    mail_from: str
    session_days: int


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment (cached: call `get_settings.cache_clear()` in tests)."""
    return Settings(
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DB_URL),
        base_url=os.environ.get("SLOTAPP_BASE_URL", "http://localhost:3000").rstrip("/"),
        video_base_url=os.environ.get("SLOTAPP_VIDEO_BASE_URL", "https://meet.jit.si").rstrip("/"),
        smtp_host=os.environ.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(os.environ.get("SMTP_PORT", "1025")),
        mail_from=os.environ.get("SLOTAPP_MAIL_FROM", "slotapp <no-reply@slotapp.localhost>"),
        session_days=int(os.environ.get("SLOTAPP_SESSION_DAYS", "30")),
    )
