"""Rate limits as pure logic: rules, the GCRA decision, Retry-After, and the client's address.

GCRA (the generic cell rate algorithm) keeps one number per bucket, its theoretical arrival
time (TAT): a rule of `limit` requests per `window` seconds admits a request when the TAT,
pushed one `interval = window / limit` further, stays within `window` of now. That allows a
burst of `limit` and then one request per `interval`, which is the sliding-window behaviour
people expect, in one number a Redis script can update atomically. Several rules on one
request are all-or-nothing: a refused request uses up no budget in any of its buckets.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Float noise (3 x 1/3 s is not exactly 1 s) must not turn an admitted request into a refusal.
EPSILON = 1e-6

# The rules, by name; each is set by the environment variable SLOTAPP_RATE_LIMIT_<NAME>.
BOOKING_IP = "booking_ip"
BOOKING_LINK = "booking_link"
PAGE_IP = "page_ip"
PAGE_LINK = "page_link"
CHAT_OPEN_IP = "chat_open_ip"
CHAT_OPEN_WIDGET = "chat_open_widget"
CHAT_MESSAGE_IP = "chat_message_ip"
CHAT_MESSAGE_CONVERSATION = "chat_message_conversation"
WEBHOOK_SOURCE = "webhook_source"
WEBHOOK_IP = "webhook_ip"
LOGIN_IP = "login_ip"
DEFAULT_RULES: Mapping[str, str] = {
    BOOKING_IP: "10/1m",
    BOOKING_LINK: "20/10m",
    PAGE_IP: "120/1m",
    PAGE_LINK: "300/1m",
    CHAT_OPEN_IP: "10/1m",
    CHAT_OPEN_WIDGET: "120/1m",
    CHAT_MESSAGE_IP: "120/1m",
    CHAT_MESSAGE_CONVERSATION: "30/1m",
    WEBHOOK_SOURCE: "600/1m",
    WEBHOOK_IP: "600/1m",
    # Password guessing: a burst of 30 sign-ins from one address, then one every 20 s.
    LOGIN_IP: "30/10m",
}
ENV_PREFIX = "SLOTAPP_RATE_LIMIT_"
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*([smhd]?)\s*$")
OFF = frozenset({"off", "0", "none", "unlimited"})


@dataclass(frozen=True)
class Rule:
    """At most `limit` requests per `window` seconds in one bucket (a burst of `limit` allowed)."""

    name: str
    limit: int
    window: float

    @property
    def interval(self) -> float:
        """The seconds one request uses of the budget."""
        return self.window / self.limit


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go on; if not, the whole seconds to wait and the rule that refused."""

    allowed: bool
    retry_after: int = 0
    rule: str = ""


ALLOWED = Verdict(True)


def env_name(rule: str) -> str:
    """The environment variable that sets `rule`."""
    return ENV_PREFIX + rule.upper()


def parse_rule(name: str, spec: str) -> Rule | None:
    """`LIMIT/WINDOW` (`10/1m`, `20/10m`, `600/60s`, `600/60`, `5/h`) as a rule; `off` is None.

    Raises:
        ValueError: The spec is neither; the message names the variable and the format.
    """
    text = spec.strip().lower()
    if text in OFF:
        return None
    match = SPEC.match(text)
    window = 0.0
    if match is not None and (match.group(2) or match.group(3)):
        count, unit = match.group(2), match.group(3)
        window = (float(count) if count else 1.0) * UNITS[unit]
    if match is None or int(match.group(1)) <= 0 or window <= 0:
        raise ValueError(
            f"{env_name(name)}: expected LIMIT/WINDOW such as 10/1m, 20/10m or 600/60s "
            f"(or 'off'), got {spec!r}"
        )
    return Rule(name, int(match.group(1)), window)


def parse_rules(overrides: Mapping[str, str]) -> dict[str, Rule | None]:
    """Every known rule: its override when given, else its default (None = switched off)."""
    unknown = set(overrides) - set(DEFAULT_RULES)
    if unknown:
        raise ValueError(f"unknown rate limit rule(s): {', '.join(sorted(unknown))}")
    return {
        name: parse_rule(name, overrides.get(name, spec)) for name, spec in DEFAULT_RULES.items()
    }


def gcra(tat: float | None, now: float, rule: Rule) -> tuple[float, float]:
    """One request against a bucket whose theoretical arrival time is `tat` (None: empty).

    Returns:
        The bucket's new TAT if the request is admitted, and the seconds until it would be
        (0 when it is admitted now).
    """
    new_tat = max(now if tat is None else tat, now) + rule.interval
    wait = new_tat - rule.window - now
    return new_tat, (wait if wait > EPSILON else 0.0)


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header: rounded up, at least 1."""
    return max(1, math.ceil(wait - EPSILON))


def decide(
    tats: Sequence[float | None], rules: Sequence[Rule], now: float
) -> tuple[Verdict, list[float]]:
    """Several buckets at once, all or nothing.

    Returns:
        The verdict, and the buckets' new TATs to store when it is allowed (store nothing
        when it is refused: a refused request costs no budget).
    """
    news: list[float] = []
    worst, worst_rule = 0.0, ""
    for tat, rule in zip(tats, rules, strict=True):
        new_tat, wait = gcra(tat, now, rule)
        news.append(new_tat)
        if wait > worst:
            worst, worst_rule = wait, rule.name
    if worst_rule:
        return Verdict(False, retry_after(worst), worst_rule), []
    return ALLOWED, news


def expires_in(new_tat: float, now: float) -> float:
    """Seconds a bucket must be kept: once now reaches its TAT it is as good as empty."""
    return max(new_tat - now, 0.001)


def bucket_key(rule: str, subject: str) -> str:
    """The bucket's key: the rule and a hash of the subject (tokens are secrets: never stored)."""
    digest = hashlib.blake2b(subject.encode("utf-8", "replace"), digest_size=12).hexdigest()
    return f"{rule}:{digest}"


def _address(text: str | None) -> str | None:
    """`text` as a normalised IP address (port and brackets dropped), or None."""
    if not text:
        return None
    value = text.strip()
    if value.startswith("["):  # [v6]:port
        value = value[1 : value.find("]")] if "]" in value else value[1:]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_hops: int) -> str:
    """The client's address, trusting the last `trusted_hops` proxies' X-Forwarded-For entries.

    Each trusted proxy appends the address it saw, so the client is the `trusted_hops`-th entry
    from the right; entries further left are whatever the client sent and are ignored. With no
    trusted proxy, too few entries, or an entry that is no address, the socket peer is used.

    Args:
        peer: The socket peer's address.
        forwarded_for: Every X-Forwarded-For header value, in order.
        trusted_hops: How many reverse proxies in front of the app to trust (0: none).
    """
    if trusted_hops > 0:
        hops = [p.strip() for value in forwarded_for for p in value.split(",") if p.strip()]
        if len(hops) >= trusted_hops:
            found = _address(hops[-trusted_hops])
            if found is not None:
                return found
    return _address(peer) or (peer or "unknown").strip()[:64] or "unknown"


def network_of(address: str) -> str:
    """The subject a per-address limit counts: an IPv4 address, an IPv6 address's /64.

    One IPv6 client usually holds a whole /64 and could rotate through it.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def booking_refusal(verdict: Verdict) -> str:
    """What a guest reads when a booking attempt is refused by a rate limit ("" if allowed)."""
    if verdict.allowed:
        return ""
    where = "on this link" if verdict.rule == BOOKING_LINK else "from your network"
    return f"Too many booking attempts {where}. Try again in {_seconds(verdict.retry_after)}."


def _seconds(n: int) -> str:
    return f"{n} second" if n == 1 else f"{n} seconds"
