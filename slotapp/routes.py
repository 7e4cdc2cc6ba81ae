"""URL paths and builders, so pages and emails agree on them."""

from urllib.parse import urlsplit

HOME = "/"
LOGIN = "/login"


def safe_next(target: str) -> str:
    """A post-login redirect that stays on this site (no `//evil.example` or `https://...`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    # Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would become "//...".
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return HOME
    return target


CALENDAR = "/calendar"
SLOTS = "/slots"
BOOK = "/book/[token]"


def booking_path(token: str) -> str:
    """The guest page of a link."""
    return f"/book/{token}"


def backend_url(path: str) -> str:
    """Where the browser fetches an API route `path` (QR images, downloads).

    In prod one port serves pages and API routes, so the path alone is right on any address
    the page was opened at (a phone on the LAN included). In dev the API answers on the
    backend's own port, so the URL is absolute.
    """
    from reflex_base.config import get_config

    config = get_config()
    api = urlsplit(config.api_url)
    if config.deploy_url and urlsplit(config.deploy_url)[:2] == api[:2]:
        return api.path.rstrip("/") + path
    return config.api_url.rstrip("/") + path
