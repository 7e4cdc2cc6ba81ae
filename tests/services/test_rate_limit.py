"""Issue 8: the limiter on both stores: memory, and a real Redis shared by separate limiters
(as separate workers are), under threads and tasks, with expiring keys, failing open."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from bench.appserver import free_port
from slotapp.core import rate_limit as rl
from slotapp.core.rate_limit import Rule, Verdict
from slotapp.services import rate_limit as service
from slotapp.services.rate_limit import Limiter, MemoryStore, RedisStore, Store, get_limiter
from slotapp.settings import get_settings
from tests import aio

T0 = 1_800_000_000.0  # an instant in 2027, as epoch seconds

# Redis answers in well under a millisecond, but a loaded test machine can stall a client
# longer than the production timeout, which would fail open and let extra requests by.
SLOW_MACHINE = 10.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limiter(store: Store, clock: Callable[[], float], **rules: str) -> Limiter:
    parsed = {name: rl.parse_rule(name, spec) for name, spec in rules.items()}
    return Limiter(store, parsed, clock=clock)


@pytest.fixture(params=["memory", "redis"])
def store_factory(request: pytest.FixtureRequest) -> Callable[[], Store]:
    """Makes stores sharing one budget: the same memory, or new clients of the same Redis."""
    if request.param == "memory":
        memory = MemoryStore()
        return lambda: memory
    url = request.getfixturevalue("redis_url")
    return lambda: RedisStore(url, timeout=SLOW_MACHINE)


def test_a_burst_passes_then_the_next_waits(store_factory: Callable[[], Store]) -> None:
    clock = Clock()
    lim = limiter(store_factory(), clock, booking_ip="10/1m")
    assert all(lim.check(("booking_ip", "1.2.3.4")).allowed for _ in range(10))
    assert lim.check(("booking_ip", "1.2.3.4")) == Verdict(False, 6, "booking_ip")
    assert lim.check(("booking_ip", "5.6.7.8")).allowed  # another client has its own budget
    clock.now += 5.5
    assert lim.check(("booking_ip", "1.2.3.4")) == Verdict(False, 1, "booking_ip")
    clock.now += 0.5
    assert lim.check(("booking_ip", "1.2.3.4")).allowed
    assert not lim.check(("booking_ip", "1.2.3.4")).allowed


def test_rules_together_are_all_or_nothing(store_factory: Callable[[], Store]) -> None:
    lim = limiter(store_factory(), Clock(), booking_ip="5/1m", booking_link="2/1m")
    both = (("booking_ip", "1.2.3.4"), ("booking_link", "tok-a"))
    assert [lim.check(*both).allowed for _ in range(3)] == [True, True, False]
    assert lim.check(*both).rule == "booking_link"
    # The refusals used none of the per-IP budget: 3 more on another link, then it is spent.
    other = (("booking_ip", "1.2.3.4"), ("booking_link", "tok-b"))
    assert [lim.check(*other).allowed for _ in range(2)] == [True, True]
    third = (("booking_ip", "1.2.3.4"), ("booking_link", "tok-c"))
    assert [lim.check(*third).allowed for _ in range(2)] == [True, False]
    assert lim.check(*third).rule == "booking_ip"


def test_two_limiters_share_one_budget(store_factory: Callable[[], Store]) -> None:
    clock = Clock()
    worker_a = limiter(store_factory(), clock, booking_link="10/10m")
    worker_b = limiter(store_factory(), clock, booking_link="10/10m")
    assert all(worker_a.check(("booking_link", "t")).allowed for _ in range(6))
    assert [worker_b.check(("booking_link", "t")).allowed for _ in range(5)] == [True] * 4 + [False]
    assert not worker_a.check(("booking_link", "t")).allowed


def test_threads_on_two_limiters_get_exactly_the_budget(
    store_factory: Callable[[], Store],
) -> None:
    clock = Clock()  # a still clock: no refill while the threads race
    workers = [limiter(store_factory(), clock, page_ip="100/1h") for _ in range(2)]
    allowed: list[bool] = []
    lock = threading.Lock()

    def hammer(lim: Limiter) -> None:
        for _ in range(40):
            ok = lim.check(("page_ip", "9.9.9.9")).allowed
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=hammer, args=(workers[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 320 and allowed.count(True) == 100


def test_tasks_on_two_limiters_get_exactly_the_budget(
    store_factory: Callable[[], Store],
) -> None:
    clock = Clock()
    workers = [limiter(store_factory(), clock, chat_message_ip="50/1h") for _ in range(2)]

    async def go() -> list[Verdict]:
        checks = [workers[i % 2].acheck(("chat_message_ip", "ip")) for i in range(120)]
        return list(await asyncio.gather(*checks))

    verdicts = aio.run(go())
    assert sum(v.allowed for v in verdicts) == 50
    assert {v.retry_after for v in verdicts if not v.allowed} == {72}  # 3600 / 50
    # A new event loop (as each test, or a restarted worker, has) gets a working client.
    assert not aio.run(go())[0].allowed


def test_switched_off_and_off_rules_let_everything_through(
    store_factory: Callable[[], Store],
) -> None:
    rules = {"page_ip": Rule("page_ip", 1, 60), "page_link": None}
    off = Limiter(store_factory(), rules, enabled=False, clock=Clock())
    assert all(off.check(("page_ip", "a")).allowed for _ in range(5))
    on = Limiter(store_factory(), rules, clock=Clock())
    assert all(on.check(("page_link", "t")).allowed for _ in range(5))
    assert on.check(("page_ip", "a")).allowed  # the switched-off limiter counted nothing
    assert not on.check(("page_ip", "a"), ("page_link", "t")).allowed


def test_booking_refusal_counts_per_network_and_link(store_factory: Callable[[], Store]) -> None:
    lim = limiter(store_factory(), Clock(), booking_ip="2/1m", booking_link="20/10m")
    lim.trusted_proxies = 1

    def attempt(peer: str, xff: list[str]) -> str:
        return aio.run(lim.booking_refusal(peer=peer, forwarded_for=xff, token="tok"))

    assert attempt("10.0.0.1", ["2001:db8::1"]) == ""
    assert attempt("10.0.0.1", ["6.6.6.6, 2001:db8::2"]) == ""  # the same /64
    assert attempt("10.0.0.1", ["2001:db8::3"]) == (
        "Too many booking attempts from your network. Try again in 30 seconds."
    )
    assert attempt("10.0.0.1", ["198.51.100.1"]) == ""


# --- Redis specifics -----------------------------------------------------------------------


def test_redis_keys_expire_once_their_bucket_is_empty(redis_url: str) -> None:
    lim = limiter(
        RedisStore(redis_url, timeout=SLOW_MACHINE), time.time, page_ip="5/0.5s", page_link="10/1m"
    )
    for _ in range(5):
        assert lim.check(("page_ip", "1.1.1.1"), ("page_link", "secret-token")).allowed
    assert not lim.check(("page_ip", "1.1.1.1")).allowed
    client = redis.Redis.from_url(redis_url)
    keys = client.keys("slotapp:rl:*")
    assert len(keys) == 2 and not any(b"secret" in k for k in keys)
    ttls = {k.split(b":")[2]: client.pttl(k) for k in keys}
    assert 0 < ttls[b"page_ip"] <= 500
    assert 29_000 < ttls[b"page_link"] <= 30_000  # 5 of 10 per minute used: 30 s to empty
    time.sleep(0.6)
    assert client.keys("slotapp:rl:page_ip:*") == []
    assert lim.check(("page_ip", "1.1.1.1")).allowed
    client.close()


def test_redis_down_fails_open_with_one_warning(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    lim = limiter(store, Clock(), booking_ip="1/1h")
    with caplog.at_level("WARNING", logger="slotapp.services.rate_limit"):
        assert all(lim.check(("booking_ip", "a")).allowed for _ in range(3))
        assert aio.run(lim.acheck(("booking_ip", "a"))).allowed
    warnings = [r for r in caplog.records if "fail open" in r.getMessage()]
    assert len(warnings) == 1  # then Redis is left alone for a while: no timeout per request
    monkeypatch.setattr(service, "RETRY_DOWN_SECONDS", 0.0)
    store._down_until = 0.0
    assert aio.run(lim.acheck(("booking_ip", "a"))).allowed
    assert len([r for r in caplog.records if "fail open" in r.getMessage()]) == 2


def test_redis_coming_back_limits_again(redis_url: str) -> None:
    store = RedisStore(redis_url, timeout=SLOW_MACHINE)
    lim = limiter(store, Clock(), booking_ip="1/1h")
    store._down_until = time.monotonic() + 60  # as after a failure
    assert lim.check(("booking_ip", "a")).allowed and lim.check(("booking_ip", "a")).allowed
    store._down_until = 0.0
    assert lim.check(("booking_ip", "a")).allowed
    assert not lim.check(("booking_ip", "a")).allowed


# --- memory specifics ----------------------------------------------------------------------


def test_memory_forgets_empty_buckets() -> None:
    store, clock = MemoryStore(), Clock()
    lim = limiter(store, clock, page_ip="10/1s")
    for i in range(service.SWEEP_EVERY - 1):
        lim.check(("page_ip", f"10.0.{i // 256}.{i % 256}"))
    assert len(store) == service.SWEEP_EVERY - 1
    clock.now += 1
    lim.check(("page_ip", "fresh"))  # the sweep runs on this call
    assert len(store) == 1


# --- from the settings ---------------------------------------------------------------------


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    get_limiter.cache_clear()
    yield
    get_settings.cache_clear()
    get_limiter.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
def test_settings_choose_the_store_and_rules(
    monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.setenv("SLOTAPP_RATE_LIMIT_BOOKING_IP", "3/1m")
    monkeypatch.setenv("SLOTAPP_RATE_LIMIT_WEBHOOK_IP", "off")
    monkeypatch.setenv("SLOTAPP_TRUSTED_PROXIES", "2")
    lim = get_limiter()
    assert isinstance(lim.store, MemoryStore) and lim.enabled and lim.trusted_proxies == 2
    assert lim.rules["booking_ip"] == Rule("booking_ip", 3, 60)
    assert lim.rules["webhook_ip"] is None
    assert lim.rules["page_ip"] == Rule("page_ip", 120, 60)

    get_settings.cache_clear()
    get_limiter.cache_clear()
    monkeypatch.setenv("REFLEX_REDIS_URL", redis_url)
    monkeypatch.setenv("SLOTAPP_RATE_LIMITS", "off")
    lim = get_limiter()
    assert isinstance(lim.store, RedisStore) and lim.store.url == redis_url
    assert not lim.enabled


@pytest.mark.usefixtures("fresh_settings")
def test_a_bad_setting_says_which_and_how(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLOTAPP_RATE_LIMIT_PAGE_LINK", "lots")
    with pytest.raises(ValueError, match="SLOTAPP_RATE_LIMIT_PAGE_LINK: expected LIMIT/WINDOW"):
        get_limiter()
    monkeypatch.delenv("SLOTAPP_RATE_LIMIT_PAGE_LINK")
    monkeypatch.setenv("SLOTAPP_RATE_LIMIT_BOOKINGS", "1/1m")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="unknown rate limit rule.*bookings"):
        get_limiter()
