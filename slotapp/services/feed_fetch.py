"""Downloading a connected calendar: a client that refuses private addresses, size and time
limits, and ETag revalidation. No database here (services.feeds stores the outcome)."""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from slotapp.core.feed_urls import address_allowed
from slotapp.core.feeds import FeedLimits
from slotapp.core.validation import is_whole_number


class FetchFailed(Exception):
    """The calendar could not be downloaded; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FetchConfig:
    """How calendars are downloaded.

    Attributes:
        timeout: Seconds for connecting, for each read, and for the whole download.
        limits: Size limits of a calendar file.
        allow_local: Fetch from loopback and link-local addresses too (tests, development);
            off in production so a feed URL cannot reach the server's own services.
    """

    timeout: float = 10.0
    limits: FeedLimits = field(default_factory=FeedLimits)
    allow_local: bool = False

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> FetchConfig:
        """Defaults, with SLOTAPP_FEEDS_ALLOW_LOCAL=1 allowing local addresses."""
        return cls(allow_local=env.get("SLOTAPP_FEEDS_ALLOW_LOCAL", "") == "1")


@dataclass(frozen=True)
class Fetched:
    """A download: the body, or None when the server said "304 Not Modified"."""

    body: bytes | None
    etag: str


def make_client(config: FetchConfig) -> httpx.Client:
    """An HTTP client that checks every request's address (redirects included)."""

    def check_address(request: httpx.Request) -> None:
        if config.allow_local:
            return
        try:
            infos = socket.getaddrinfo(request.url.host, request.url.port or 443)
        except OSError:
            return  # httpx reports the failure to resolve in its own words
        # The name is resolved again when connecting; a DNS answer that changes in between
        # (rebinding) is not caught here.
        if any(not address_allowed(str(info[4][0])) for info in infos):
            raise FetchFailed("The calendar's address points to this server's own network.")

    return httpx.Client(
        timeout=config.timeout,
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": "slotapp-calendar-feed", "Accept": "text/calendar, */*;q=0.5"},
        event_hooks={"request": [check_address]},
    )


def fetch_feed(url: str, *, etag: str, config: FetchConfig, client: httpx.Client) -> Fetched:
    """Download a calendar, sending `etag` (if any) as If-None-Match.

    Raises:
        FetchFailed: timeout, unreachable server, an HTTP error status, or a file too large.
    """
    headers = {"If-None-Match": etag} if etag else {}
    too_large = f"The calendar is larger than {config.limits.max_bytes // (1024 * 1024)} MB."
    deadline = time.monotonic() + config.timeout
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and etag:
                return Fetched(None, etag)
            if response.status_code != 200:
                raise FetchFailed(
                    f"The calendar server answered {response.status_code} "
                    f"{response.reason_phrase}.".replace(" .", ".")
                )
            declared = response.headers.get("content-length", "")
            if is_whole_number(declared) and int(declared) > config.limits.max_bytes:
                raise FetchFailed(too_large)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > config.limits.max_bytes:
                    raise FetchFailed(too_large)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("download too slow")
                chunks.append(chunk)
            return Fetched(b"".join(chunks), response.headers.get("etag", "")[:200])
    except httpx.TimeoutException as exc:
        seconds = f"{config.timeout:g}"
        raise FetchFailed(f"The calendar server did not answer within {seconds} seconds.") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchFailed("The calendar's address redirects too often.") from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"The calendar server could not be reached: {exc}.") from exc
