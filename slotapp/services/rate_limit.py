"""Rate limiting with a shared budget: in process memory (one worker) or in Redis (several).

`get_limiter()` picks Redis when `REFLEX_REDIS_URL` is set (Reflex runs several workers only
then), memory otherwise. Each request names its buckets as (rule, subject) pairs, e.g.
`(BOOKING_IP, "203.0.113.7")` and `(BOOKING_LINK, token)`; the store decides them all at once
(`core.rate_limit.decide`), atomically: a thread lock in memory, one Lua script in Redis.
If Redis cannot be reached the limiter fails open: requests pass, a warning is logged, and
Redis is not asked again for `RETRY_DOWN_SECONDS` (so an outage costs no request a timeout).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import redis
import redis.asyncio as aredis

from slotapp.core import rate_limit as rl
from slotapp.core.rate_limit import ALLOWED, Rule, Verdict
from slotapp.settings import get_settings

log = logging.getLogger(__name__)
Check = tuple[str, str]  # (rule name, subject)
KEY_PREFIX = "slotapp:rl:"
RETRY_DOWN_SECONDS = 5.0
SOCKET_TIMEOUT = 1.0  # longer than a busy worker's stall; an outage costs this once
SWEEP_EVERY = 1000

# KEYS: the buckets; ARGV: now, then interval and window per bucket. Mirrors core.decide:
# all buckets admit or nothing is stored. Numbers travel as strings (Lua would truncate).
GCRA_LUA = """
local now = tonumber(ARGV[1])
local news = {}
local worst, worst_i = 0, 0
for i = 1, #KEYS do
  local interval, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or ARGV[1])
  if tat < now then tat = now end
  local new = tat + interval
  local wait = new - window - now
  if wait > EPSILON and wait > worst then worst, worst_i = wait, i end
  news[i] = new
end
if worst_i > 0 then return {0, string.format('%.6f', worst), worst_i} end
for i = 1, #KEYS do
  local ttl = math.max(1, math.ceil((news[i] - now) * 1000))
  redis.call('SET', KEYS[i], string.format('%.6f', news[i]), 'PX', ttl)
end
return {1, '0', 0}
""".replace("EPSILON", repr(rl.EPSILON))


class Store(Protocol):
    """Where buckets live; `decide` is atomic across everyone sharing the store."""

    def decide(self, keys: Sequence[str], rules: Sequence[Rule], now: float) -> Verdict: ...

    async def adecide(self, keys: Sequence[str], rules: Sequence[Rule], now: float) -> Verdict: ...


class MemoryStore:
    """Buckets in this process (thread-safe): one worker, or the SQLite setup."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tats: dict[str, float] = {}
        self._calls = 0

    def decide(self, keys: Sequence[str], rules: Sequence[Rule], now: float) -> Verdict:
        with self._lock:
            verdict, news = rl.decide([self._tats.get(k) for k in keys], rules, now)
            self._tats.update(zip(keys, news, strict=False))
            self._calls += 1
            if self._calls % SWEEP_EVERY == 0:
                self._sweep(now)
        return verdict

    async def adecide(self, keys: Sequence[str], rules: Sequence[Rule], now: float) -> Verdict:
        return self.decide(keys, rules, now)  # a dict lookup under a lock: no need to defer

    def _sweep(self, now: float) -> None:
        """Forget buckets that are as good as empty (their TAT has passed)."""
        for key in [k for k, tat in self._tats.items() if tat <= now]:
            del self._tats[key]

    def __len__(self) -> int:
        return len(self._tats)


class RedisStore:
    """Buckets in Redis, shared by every worker; keys expire once their bucket is empty."""

    def __init__(
        self, url: str, *, prefix: str = KEY_PREFIX, timeout: float = SOCKET_TIMEOUT
    ) -> None:
        self.url, self.prefix = url, prefix
        options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        self._options = options
        self._client = redis.Redis.from_url(url, **options)
        self._script = self._client.register_script(GCRA_LUA)
        # redis.asyncio clients belong to the loop that made them: one per loop.
        self._aclients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self._down_until = 0.0

    def decide(self, keys: Sequence[str], rules: Sequence[Rule], now: float) -> Verdict:
        if self._is_down():
            return ALLOWED
        try:
            reply = self._script(keys=self._keys(keys), args=_args(rules, now))
        except (redis.RedisError, OSError) as exc:
            return self._failed(exc)
        return _verdict(reply, rules)

    async def adecide(self, keys: Sequence[str], rules: Sequence[Rule], now: float) -> Verdict:
        if self._is_down():
            return ALLOWED
        try:
            script = self._ascript()
            reply = await script(keys=self._keys(keys), args=_args(rules, now))
        except (redis.RedisError, OSError) as exc:
            return self._failed(exc)
        return _verdict(reply, rules)

    def _ascript(self) -> Any:
        loop = asyncio.get_running_loop()
        found = self._aclients.get(loop)
        if found is None:
            client = aredis.Redis.from_url(self.url, **self._options)
            found = self._aclients[loop] = client.register_script(GCRA_LUA)
        return found

    def _keys(self, keys: Sequence[str]) -> list[str]:
        return [self.prefix + k for k in keys]

    def _is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, exc: Exception) -> Verdict:
        self._down_until = time.monotonic() + RETRY_DOWN_SECONDS
        log.warning(
            "rate limits: Redis at %s unavailable (%s); requests pass unlimited (fail open), "
            "next try in %.0f s",
            self._client.connection_pool.connection_kwargs.get("host", "?"),
            type(exc).__name__,
            RETRY_DOWN_SECONDS,
        )
        return ALLOWED


def _args(rules: Sequence[Rule], now: float) -> list[str]:
    args = [f"{now:.6f}"]
    for rule in rules:
        args += [repr(rule.interval), repr(rule.window)]
    return args


def _verdict(reply: Any, rules: Sequence[Rule]) -> Verdict:
    allowed, wait, index = int(reply[0]), float(reply[1]), int(reply[2])
    if allowed:
        return ALLOWED
    return Verdict(False, rl.retry_after(wait), rules[index - 1].name)


class Limiter:
    """Checks requests against named rules; a rule that is off (None) is skipped.

    Args:
        store: Where the buckets live.
        rules: Every rule by name (`core.rate_limit.parse_rules`).
        enabled: False lets everything through (`SLOTAPP_RATE_LIMITS=off`).
        clock: Seconds since the epoch (tests pass their own).
        trusted_proxies: X-Forwarded-For hops to trust when finding the client's address.
    """

    def __init__(
        self,
        store: Store,
        rules: Mapping[str, Rule | None],
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.time,
        trusted_proxies: int = 0,
    ) -> None:
        self.store, self.rules, self.enabled = store, dict(rules), enabled
        self.clock, self.trusted_proxies = clock, trusted_proxies

    def _buckets(self, checks: Sequence[Check]) -> tuple[list[str], list[Rule]]:
        keys, rules = [], []
        for name, subject in checks:
            rule = self.rules[name]
            if rule is not None:
                keys.append(rl.bucket_key(name, subject))
                rules.append(rule)
        return keys, rules

    def check(self, *checks: Check) -> Verdict:
        """Count one request against every (rule, subject); refused: nothing is counted."""
        keys, rules = self._buckets(checks)
        if not self.enabled or not keys:
            return ALLOWED
        return self.store.decide(keys, rules, self.clock())

    async def acheck(self, *checks: Check) -> Verdict:
        """`check` for the event loop (Redis is asked without blocking it)."""
        keys, rules = self._buckets(checks)
        if not self.enabled or not keys:
            return ALLOWED
        return await self.store.adecide(keys, rules, self.clock())

    def client(self, peer: str | None, forwarded_for: Sequence[str]) -> str:
        """The subject of per-address rules: the client's address (IPv6: its /64)."""
        return rl.network_of(rl.client_address(peer, forwarded_for, self.trusted_proxies))

    async def booking_refusal(
        self, *, peer: str | None, forwarded_for: Sequence[str], token: str
    ) -> str:
        """Count a booking attempt through a link or invitation page: "" when it may go on,
        else the message the guest reads."""
        address = self.client(peer, forwarded_for)
        verdict = await self.acheck((rl.BOOKING_IP, address), (rl.BOOKING_LINK, token))
        return rl.booking_refusal(verdict)


def make_limiter(
    *,
    redis_url: str = "",
    overrides: Mapping[str, str] | None = None,
    enabled: bool = True,
    trusted_proxies: int = 0,
    clock: Callable[[], float] = time.time,
) -> Limiter:
    """A limiter on Redis when `redis_url` is given, else in memory.

    Raises:
        ValueError: A rule's spec is malformed (the message names its variable).
    """
    store: Store = RedisStore(redis_url) if redis_url else MemoryStore()
    rules = rl.parse_rules(overrides or {})
    return Limiter(
        store, rules, enabled=enabled, clock=clock, trusted_proxies=max(trusted_proxies, 0)
    )


@lru_cache(maxsize=1)
def get_limiter() -> Limiter:
    """The process's limiter, from the settings (cached: `get_limiter.cache_clear()` in tests)."""
    settings = get_settings()
    return make_limiter(
        redis_url=settings.redis_url,
        overrides=dict(settings.rate_limit_rules),
        enabled=settings.rate_limits,
        trusted_proxies=settings.trusted_proxies,
    )
