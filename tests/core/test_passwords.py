import pytest

from slotapp.core.passwords import (
    PasswordPolicyError,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert verify_password(first, "correct horse")
    assert not verify_password(first, "correct horsE")
    assert not needs_rehash(first)


@pytest.mark.parametrize(
    ("stored", "given"),
    [(None, "x" * 10), ("", "x" * 10), ("not-a-hash", "x" * 10), ("$argon2id$garbage", "pw")],
    ids=["missing", "empty", "malformed", "truncated"],
)
def test_verify_refuses_missing_or_malformed_hash(stored: str | None, given: str) -> None:
    assert verify_password(stored, given) is False


@pytest.mark.parametrize("password", ["", "short", "7chars!"], ids=["empty", "5", "7"])
def test_policy_refuses_short_passwords(password: str) -> None:
    with pytest.raises(PasswordPolicyError, match="at least 8"):
        check_policy(password)
    with pytest.raises(PasswordPolicyError):
        hash_password(password)
