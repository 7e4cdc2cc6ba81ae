import pytest

from slotapp.core.tokens import hash_token, new_token
from slotapp.core.validation import (
    InvalidInput,
    is_whole_number,
    known_time_zone,
    normalise_email,
    required_text,
)


def test_tokens_are_unique_urlsafe_and_hash_stably() -> None:
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    token = tokens.pop()
    assert len(token) >= 43 and all(c.isalnum() or c in "-_" for c in token)
    assert hash_token(token) == hash_token(token)
    assert hash_token(token) != token and len(hash_token(token)) == 64


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Ada@Example.com", "ada@example.com"), ("  ben@example.org ", "ben@example.org")],
)
def test_emails_are_normalised(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "ada", "ada@", "@example.com", "a b@example.com", "ada@@example.com"]
)
def test_malformed_emails_are_refused_with_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise_email(raw, field="guest_email")
    assert err.value.field == "guest_email"
    assert err.value.message


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"])
def test_known_zones_pass(zone: str) -> None:
    assert known_time_zone(zone) == zone


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "", "../etc/passwd", "Europe/berlin ", "localtime"]
)
def test_unknown_zones_are_refused(zone: str) -> None:
    with pytest.raises(InvalidInput, match="Unknown time zone") as err:
        known_time_zone(zone)
    assert err.value.field == "time_zone"


def test_required_text_limits() -> None:
    assert required_text("  Ada ", field="name", label="a name", max_length=10) == "Ada"
    with pytest.raises(InvalidInput, match="Enter a name"):
        required_text("   ", field="name", label="a name", max_length=10)
    with pytest.raises(InvalidInput, match="at most 3"):
        required_text("abcd", field="name", label="a name", max_length=3)


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("0", True),
        ("42", True),
        ("9" * 18, True),
        ("9" * 19, False),
        ("", False),
        ("²", False),
        ("١٢", False),
        ("-1", False),
        (" 1", False),
        ("1.0", False),
        ("9" * 5000, False),
    ],
)
def test_whole_numbers_are_plain_ascii_digits_a_column_holds(text: str, whole: bool) -> None:
    assert is_whole_number(text) is whole
    if whole:
        assert int(text) < 2**63
