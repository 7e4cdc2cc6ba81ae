"""Issue 8: rate limits' pure logic: rule specs, GCRA decisions, Retry-After, client address."""

from __future__ import annotations

import pytest

from slotapp.core import rate_limit as rl
from slotapp.core.rate_limit import Rule, Verdict


def run(rule: Rule, times: list[float]) -> list[Verdict]:
    """Requests at `times` against one bucket, storing the TAT only when admitted."""
    tat: float | None = None
    verdicts = []
    for now in times:
        verdict, news = rl.decide([tat], [rule], now)
        if verdict.allowed:
            tat = news[0]
        verdicts.append(verdict)
    return verdicts


# --- specs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "limit", "window"),
    [
        ("10/1m", 10, 60),
        ("20/10m", 20, 600),
        ("600/60s", 600, 60),
        ("600/60", 600, 60),
        ("5/h", 5, 3600),
        (" 3 / 2d ", 3, 172800),
        ("7/0.5s", 7, 0.5),
        ("10/M", 10, 60),
    ],
)
def test_specs_parse(spec: str, limit: int, window: float) -> None:
    assert rl.parse_rule("page_ip", spec) == Rule("page_ip", limit, window)


@pytest.mark.parametrize("spec", ["off", "OFF", "0", "none", " unlimited "])
def test_a_rule_can_be_switched_off(spec: str) -> None:
    assert rl.parse_rule("page_ip", spec) is None


@pytest.mark.parametrize("spec", ["", "ten/1m", "10", "10/", "0/1m", "10/0m", "10/1w", "-1/1m"])
def test_a_bad_spec_names_its_variable_and_the_format(spec: str) -> None:
    with pytest.raises(ValueError, match=r"SLOTAPP_RATE_LIMIT_PAGE_IP: expected LIMIT/WINDOW"):
        rl.parse_rule("page_ip", spec)


def test_every_default_parses_and_overrides_apply() -> None:
    rules = rl.parse_rules({rl.PAGE_IP: "5/1s", rl.WEBHOOK_IP: "off"})
    assert set(rules) == set(rl.DEFAULT_RULES)
    assert rules[rl.PAGE_IP] == Rule(rl.PAGE_IP, 5, 1)
    assert rules[rl.WEBHOOK_IP] is None
    assert rules[rl.BOOKING_IP] == Rule(rl.BOOKING_IP, 10, 60)
    assert rules[rl.BOOKING_LINK] == Rule(rl.BOOKING_LINK, 20, 600)


def test_an_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rate limit rule"):
        rl.parse_rules({"bookings": "1/1m"})


# --- decisions -----------------------------------------------------------------------------


def test_a_burst_of_the_limit_passes_the_next_waits_one_interval() -> None:
    verdicts = run(Rule("r", 10, 60), [0.0] * 11)
    assert all(v.allowed for v in verdicts[:10])
    assert verdicts[10] == Verdict(False, 6, "r")  # 60 s / 10 = one request per 6 s


@pytest.mark.parametrize(
    ("at", "allowed", "retry"),
    [
        (0.0, False, 6),
        (0.5, False, 6),  # 5.5 s to go: rounded up
        (5.0, False, 1),
        (5.999, False, 1),  # never 0: a client told 0 would hammer
        (6.0, True, 0),
        (60.0, True, 0),
    ],
)
def test_after_a_full_burst(at: float, allowed: bool, retry: int) -> None:
    rule = Rule("r", 10, 60)
    verdicts = run(rule, [0.0] * 10 + [at])
    assert verdicts[-1].allowed is allowed
    assert verdicts[-1].retry_after == retry


def test_a_steady_rate_at_the_limit_always_passes() -> None:
    rule = Rule("r", 3, 1)  # 1/3 s is not exact in binary: float noise must not refuse
    assert all(v.allowed for v in run(rule, [i / 3 for i in range(300)]))


def test_an_idle_bucket_refills_to_a_full_burst() -> None:
    rule = Rule("r", 5, 10)
    verdicts = run(rule, [0.0] * 6 + [10.0] * 6)
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] + [True] * 5 + [False]


def test_refused_requests_cost_nothing() -> None:
    rule = Rule("r", 2, 10)
    hammering = [0.0, 0.0] + [i / 10 for i in range(1, 50)]  # refused for 4.9 s
    assert [v.allowed for v in run(rule, [*hammering, 5.0])][-1] is True


def test_a_clock_going_backwards_does_not_refill() -> None:
    rule = Rule("r", 2, 10)
    assert [v.allowed for v in run(rule, [100.0, 100.0, 50.0])] == [True, True, False]


def test_several_rules_are_all_or_nothing() -> None:
    per_ip, per_link = Rule("ip", 5, 60), Rule("link", 2, 60)
    tats: list[float | None] = [None, None]
    results = []
    for _ in range(3):
        verdict, news = rl.decide(tats, [per_ip, per_link], 0.0)
        results.append(verdict)
        if verdict.allowed:
            tats = list(news)
    assert [v.allowed for v in results] == [True, True, False]
    assert results[2] == Verdict(False, 30, "link")
    assert tats[0] == pytest.approx(24.0)  # the refusal used none of the per-IP budget


def test_the_longest_wait_is_the_one_reported() -> None:
    rules = [Rule("short", 1, 5), Rule("long", 1, 50)]
    verdict, news = rl.decide([10.0, 100.0], rules, 5.0)
    assert verdict == Verdict(False, 95, "long") and news == []


@pytest.mark.parametrize(
    ("wait", "seconds"), [(0.0001, 1), (0.999, 1), (1.0, 1), (1.0000001, 1), (1.2, 2), (59.5, 60)]
)
def test_retry_after_rounds_up_to_whole_seconds(wait: float, seconds: int) -> None:
    assert rl.retry_after(wait) == seconds


def test_a_bucket_is_kept_until_its_tat() -> None:
    assert rl.expires_in(130.0, 100.0) == 30.0
    assert rl.expires_in(100.0, 100.0) > 0


def test_bucket_keys_hide_the_subject() -> None:
    key = rl.bucket_key("booking_link", "secret-token")
    assert key.startswith("booking_link:") and "secret" not in key
    assert key == rl.bucket_key("booking_link", "secret-token")
    assert key != rl.bucket_key("booking_ip", "secret-token")
    assert key != rl.bucket_key("booking_link", "secret-token2")


# --- client address ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "xff", "hops", "expected"),
    [
        ("10.0.0.5", [], 0, "10.0.0.5"),
        ("10.0.0.5", ["6.6.6.6"], 0, "10.0.0.5"),  # no trusted proxy: the header is a lie
        ("10.0.0.5", ["203.0.113.7"], 1, "203.0.113.7"),
        ("10.0.0.5", ["6.6.6.6, 203.0.113.7"], 1, "203.0.113.7"),  # spoofed entry on the left
        ("10.0.0.5", ["6.6.6.6, 203.0.113.7, 10.0.0.4"], 2, "203.0.113.7"),
        ("10.0.0.5", ["6.6.6.6", "203.0.113.7"], 1, "203.0.113.7"),  # several header lines
        ("10.0.0.5", ["203.0.113.7"], 2, "10.0.0.5"),  # fewer entries than proxies
        ("10.0.0.5", ["not-an-ip"], 1, "10.0.0.5"),
        ("10.0.0.5", [" , "], 1, "10.0.0.5"),
        ("10.0.0.5", ["203.0.113.7:4711"], 1, "203.0.113.7"),
        ("10.0.0.5", ["[2001:db8::1]:443"], 1, "2001:db8::1"),
        ("10.0.0.5", ["2001:DB8:0::1"], 1, "2001:db8::1"),
        ("::ffff:192.0.2.1", [], 0, "192.0.2.1"),
        ("testclient", [], 0, "testclient"),
        (None, [], 0, "unknown"),
        ("", [], 1, "unknown"),
    ],
)
def test_client_address(peer: str | None, xff: list[str], hops: int, expected: str) -> None:
    assert rl.client_address(peer, xff, hops) == expected


@pytest.mark.parametrize(
    ("address", "subject"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        ("unknown", "unknown"),
    ],
)
def test_ipv6_clients_count_by_their_64(address: str, subject: str) -> None:
    assert rl.network_of(address) == subject


# --- messages ------------------------------------------------------------------------------


def test_booking_refusals_say_why_and_how_long() -> None:
    assert rl.booking_refusal(rl.ALLOWED) == ""
    assert rl.booking_refusal(Verdict(False, 42, rl.BOOKING_IP)) == (
        "Too many booking attempts from your network. Try again in 42 seconds."
    )
    assert rl.booking_refusal(Verdict(False, 1, rl.BOOKING_LINK)) == (
        "Too many booking attempts on this link. Try again in 1 second."
    )
