from datetime import timedelta

import pytest
from sqlmodel import Session, select

from slotapp.core.tokens import hash_token
from slotapp.models import LinkKind, ShareLink
from slotapp.services import links
from tests.conftest import NOW
from tests.services.helpers import SECRET, make_user, open_slots


def test_open_slots_on_makes_one_link_whose_token_is_only_hashed(session: Session) -> None:
    owner = make_user(session)
    token = open_slots(session, owner, NOW)
    assert open_slots(session, owner, NOW) == token  # switching on again keeps the same link
    stored = session.exec(select(ShareLink)).one()
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert links.resolve_link(session=session, token=token, now=NOW).id == stored.id


def test_switching_off_closes_every_link_and_on_again_makes_a_new_one(session: Session) -> None:
    owner = make_user(session)
    assert owner.id is not None
    first = open_slots(session, owner, NOW)
    _, one_time = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    links.set_open_slots(session=session, owner_id=owner.id, enabled=False, secret=SECRET, now=NOW)
    session.commit()
    for token in (first, one_time):
        with pytest.raises(links.LinkError) as err:
            links.resolve_link(session=session, token=token, now=NOW)
        assert err.value.code == "inactive"
    second = open_slots(session, owner, NOW)
    assert second != first
    with pytest.raises(links.LinkError):
        links.resolve_link(session=session, token=first, now=NOW)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"expires_at": NOW}, "expired"),
        ({"max_uses": 2, "use_count": 2}, "used"),
        ({"revoked_at": NOW - timedelta(seconds=1)}, "inactive"),
    ],
    ids=["expired", "used-up", "revoked"],
)
def test_dead_links_say_why(session: Session, change: dict[str, object], code: str) -> None:
    owner = make_user(session)
    token = open_slots(session, owner, NOW)
    link = session.exec(select(ShareLink)).one()
    for key, value in change.items():
        setattr(link, key, value)
    session.add(link)
    session.commit()
    with pytest.raises(links.LinkError) as err:
        links.resolve_link(session=session, token=token, now=NOW)
    assert err.value.code == code
    if code == "used":
        assert "olga@example.com" in err.value.message


def test_unknown_and_empty_tokens_are_inactive(session: Session) -> None:
    for token in ("", "nope", "x" * 500):
        with pytest.raises(links.LinkError):
            links.resolve_link(session=session, token=token, now=NOW)


def test_a_different_secret_derives_different_tokens(session: Session) -> None:
    owner = make_user(session)
    token = open_slots(session, owner, NOW)
    link = session.exec(select(ShareLink)).one()
    assert links.token_for(link, SECRET) == token
    assert links.token_for(link, b"other" * 8) != token
