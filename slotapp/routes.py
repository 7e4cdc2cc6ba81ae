"""URL paths and builders, so pages and emails agree on them."""

HOME = "/"
LOGIN = "/login"


def safe_next(target: str) -> str:
    """A post-login redirect that stays on this site (no `//evil.example` or `https://...`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


CALENDAR = "/calendar"
SLOTS = "/slots"
BOOK = "/book/[token]"


def booking_path(token: str) -> str:
    """The guest page of a link."""
    return f"/book/{token}"


def backend_url(path: str) -> str:
    """An absolute URL on the backend (API routes answer there in dev mode, on one port in prod)."""
    from reflex_base.config import get_config

    return get_config().api_url.rstrip("/") + path
