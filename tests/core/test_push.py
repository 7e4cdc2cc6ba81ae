"""Push rules: the payload, the push service's answers, backoff, VAPID claims, subscriptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.push import (
    MAX_LINE,
    TTL,
    Outcome,
    PushKind,
    audience,
    booking_line,
    cancelled_line,
    classify,
    expired,
    invitation_line,
    kinds_for_role,
    parse_retry_after,
    push_payload,
    retry_delay,
    urgency,
    vapid_claims,
    vapid_subject,
)
from slotapp.core.validation import InvalidInput
from slotapp.core.webpush_subscription import (
    device_label,
    device_status,
    is_loopback,
    parse_subscription,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
P256 = "BN" + "A" * 85  # 65 bytes once decoded, starting 0x04
AUTH = "A" * 22  # 16 bytes


def test_the_public_kinds_are_the_ones_other_features_call() -> None:
    assert [k.value for k in PushKind] == [
        "enquiry_new",
        "enquiry_forwarded",
        "kpi_overdue",
        "booking_new",
        "booking_cancelled",
        "invitation_booked",
    ]


@pytest.mark.parametrize(
    ("role", "enquiries"), [("agent", True), ("admin", True), ("employee", False)]
)
def test_enquiry_switches_only_for_those_who_answer_chats(role: str, enquiries: bool) -> None:
    kinds = kinds_for_role(role)
    assert (PushKind.ENQUIRY_NEW in kinds) is enquiries
    assert PushKind.BOOKING_NEW in kinds and PushKind.INVITATION_BOOKED in kinds


def test_payload_holds_the_title_one_line_the_path_and_the_kind_only() -> None:
    payload = push_payload(
        kind=PushKind.BOOKING_NEW, line="  New booking:\n Anna  Gast ", url="/meetings/4"
    )
    assert payload == {
        "title": "slotapp",
        "body": "New booking: Anna Gast",
        "url": "/meetings/4",
        "kind": "booking_new",
    }


def test_a_long_line_is_cut_with_an_ellipsis() -> None:
    body = push_payload(kind=PushKind.KPI_OVERDUE, line="x" * 500, url="/")["body"]
    assert len(body) == MAX_LINE and body.endswith("…")


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/x", "//evil.example", "meetings/4", "/\\evil", "/a\nb", "/" + "a" * 600],
)
def test_a_tap_never_leaves_the_site(url: str) -> None:
    with pytest.raises(ValueError):
        push_payload(kind=PushKind.BOOKING_NEW, line="x", url=url)


def test_lines_say_what_happened_in_the_readers_zone() -> None:
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    berlin, new_york = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
    assert booking_line("Anna Gast", start, berlin) == "New booking: Anna Gast, Tue 24 Nov 10:00"
    assert cancelled_line("Anna Gast", start, new_york) == "Cancelled: Anna Gast, Tue 24 Nov 04:00"
    assert invitation_line("Pia", start, berlin) == "Invitation booked: Pia, Tue 24 Nov 10:00"


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (201, Outcome.SENT),
        (200, Outcome.SENT),
        (202, Outcome.SENT),
        (404, Outcome.GONE),
        (410, Outcome.GONE),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (None, Outcome.RETRY),
        (400, Outcome.FAILED),
        (401, Outcome.FAILED),
        (403, Outcome.FAILED),
        (413, Outcome.FAILED),
    ],
)
def test_push_service_answers(status: int | None, outcome: Outcome) -> None:
    assert classify(status) == outcome


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 10), (2, 20), (3, 40), (5, 160), (9, 1800), (10**9, 1800)]
)
def test_retry_delay_doubles_from_ten_seconds_to_half_an_hour(attempts: int, seconds: int) -> None:
    assert retry_delay(attempts) == timedelta(seconds=seconds)


def test_retry_after_wins_when_longer_but_stays_within_an_hour() -> None:
    assert retry_delay(1, timedelta(seconds=120)) == timedelta(seconds=120)
    assert retry_delay(3, timedelta(seconds=5)) == timedelta(seconds=40)
    assert retry_delay(1, timedelta(days=2)) == timedelta(hours=1)
    with pytest.raises(ValueError, match="attempts"):
        retry_delay(0)


@pytest.mark.parametrize(
    ("header", "delay"),
    [
        ("120", timedelta(seconds=120)),
        ("Sat, 21 Nov 2026 12:05:00 GMT", timedelta(minutes=5)),
        ("Sat, 21 Nov 2026 11:00:00 GMT", timedelta(0)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_header(header: str | None, delay: timedelta | None) -> None:
    assert parse_retry_after(header, NOW) == delay


def test_old_messages_expire_and_enquiries_are_urgent() -> None:
    assert not expired(NOW - TTL, NOW) and expired(NOW - TTL - timedelta(seconds=1), NOW)
    assert urgency(PushKind.ENQUIRY_NEW) == "high"
    assert urgency(PushKind.BOOKING_NEW) == "normal"


def test_vapid_claims_name_the_push_service_and_expire_within_a_day() -> None:
    claims = vapid_claims(
        endpoint="https://fcm.googleapis.com:443/fcm/send/abc?x=1",
        subject="mailto:ops@slot.example",
        now=NOW,
    )
    assert claims["aud"] == "https://fcm.googleapis.com:443"
    assert NOW.timestamp() < int(claims["exp"]) <= (NOW + timedelta(hours=24)).timestamp()
    assert audience("http://127.0.0.1:4000/push/x") == "http://127.0.0.1:4000"
    with pytest.raises(ValueError):
        audience("ftp://example.com/x")


@pytest.mark.parametrize(
    ("configured", "base_url", "subject"),
    [
        ("mailto:ops@slot.example", "http://localhost:3000", "mailto:ops@slot.example"),
        ("", "https://slot.example/app", "https://slot.example"),
        ("", "http://localhost:3000", "mailto:webpush@localhost"),
    ],
)
def test_vapid_subject(configured: str, base_url: str, subject: str) -> None:
    assert vapid_subject(configured, base_url) == subject


def test_a_vapid_subject_must_be_mailto_or_https() -> None:
    with pytest.raises(ValueError, match="mailto"):
        vapid_subject("ops@slot.example", "")


# --- subscriptions ----------------------------------------------------------------------------


def _sub(endpoint: str = "https://fcm.googleapis.com/fcm/send/x", **keys: str) -> dict:  # type: ignore[type-arg]
    return {"endpoint": endpoint, "keys": {"p256dh": P256, "auth": AUTH, **keys}}


def test_a_browser_subscription_is_read_with_unpadded_keys() -> None:
    got = parse_subscription(_sub(p256dh=P256 + "=", auth=AUTH + "=="))
    assert (got.endpoint, got.p256dh, got.auth) == (
        "https://fcm.googleapis.com/fcm/send/x",
        P256,
        AUTH,
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"endpoint": "https://x.example/1"},
        _sub("http://push.example.net/x"),
        _sub("http://127.0.0.1:9/x"),  # loopback http only where allowed
        _sub("javascript:alert(1)"),
        _sub("https://user@push.example.net/x"),
        _sub("https://" + "a" * 1000 + ".example/"),
        _sub(p256dh="BN" + "A" * 40),
        _sub(p256dh="AN" + "A" * 85),  # not an uncompressed point
        _sub(auth="A" * 10),
        _sub(auth="not base64!"),
    ],
)
def test_unusable_subscriptions_are_refused(data: object) -> None:
    with pytest.raises(InvalidInput):
        parse_subscription(data)


def test_loopback_http_is_allowed_for_a_local_server_only() -> None:
    local = parse_subscription(_sub("http://127.0.0.1:9/push/x"), allow_loopback_http=True)
    assert local.endpoint == "http://127.0.0.1:9/push/x"
    with pytest.raises(InvalidInput):
        parse_subscription(_sub("http://10.0.0.5/push/x"), allow_loopback_http=True)
    assert is_loopback("localhost") and is_loopback("::1") and not is_loopback("example.com")


@pytest.mark.parametrize(
    ("ua", "label"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox on Linux",
        ),
        ("", "Browser"),
    ],
)
def test_device_labels(ua: str, label: str) -> None:
    assert device_label(ua) == label


@pytest.mark.parametrize(
    ("supported", "permission", "subscribed", "ios", "status"),
    [
        (True, "granted", True, False, "on"),
        (True, "granted", False, False, "off"),
        (True, "default", True, False, "off"),
        (True, "denied", True, False, "blocked"),
        (False, "default", False, True, "install"),
        (False, "default", False, False, "unsupported"),
    ],
)
def test_what_the_page_says_about_this_browser(
    supported: bool, permission: str, subscribed: bool, ios: bool, status: str
) -> None:
    assert (
        device_status(
            supported=supported, permission=permission, subscribed=subscribed, ios_browser=ios
        )
        == status
    )
