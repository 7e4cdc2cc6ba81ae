"""URL paths and builders, so pages and emails agree on them."""

HOME = "/"
LOGIN = "/login"


def safe_next(target: str) -> str:
    """A post-login redirect that stays on this site (no `//evil.example` or `https://...`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target
