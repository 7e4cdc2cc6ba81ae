from datetime import date, time

import pytest
from sqlmodel import Session

from slotapp.core.slot_settings import SettingsError, SlotSettings
from slotapp.services.slot_settings import load_settings, save_settings
from tests.conftest import NOW
from tests.services.helpers import make_user

NINE_TO_FIVE = ((time(9), time(17)),)


def test_settings_round_trip_with_overrides(session: Session) -> None:
    owner = make_user(session)
    assert owner.id is not None
    wanted = SlotSettings(
        weekly={0: ((time(10), time(12)), (time(13), time(19))), 4: NINE_TO_FIVE},
        overrides={date(2026, 12, 24): (), date(2026, 12, 27): ((time(10), time(11)),)},
        length_minutes=45,
        step_minutes=15,
        min_notice_minutes=60,
        booking_window_days=30,
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        daily_limit=4,
    )
    save_settings(session=session, user_id=owner.id, settings=wanted, now=NOW)
    session.commit()
    assert load_settings(session=session, user_id=owner.id) == wanted


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        (SlotSettings(weekly={0: ((time(17), time(9)),)}), "hours-0", "must be after"),
        (
            SlotSettings(weekly={2: ((time(9), time(12)), (time(11), time(14)))}),
            "hours-2",
            "overlap",
        ),
        (
            SlotSettings(weekly={0: ((time(9), time(9, 30)),)}, length_minutes=45),
            "length_minutes",
            "fits in none",
        ),
        (SlotSettings(weekly={0: NINE_TO_FIVE}, length_minutes=0), "length_minutes", "between"),
        (
            SlotSettings(
                weekly={0: NINE_TO_FIVE}, overrides={date(2026, 12, 1): ((time(12), time(8)),)}
            ),
            "override-2026-12-01",
            "must be after",
        ),
    ],
    ids=["end-before-start", "overlapping", "too-long", "zero-length", "bad-override"],
)
def test_invalid_settings_are_refused_per_field_and_nothing_changes(
    session: Session, settings: SlotSettings, field: str, words: str
) -> None:
    owner = make_user(session)
    assert owner.id is not None
    before = load_settings(session=session, user_id=owner.id)
    session.commit()
    with pytest.raises(SettingsError) as err:
        save_settings(session=session, user_id=owner.id, settings=settings, now=NOW)
    assert words in err.value.errors[field]
    session.rollback()
    assert load_settings(session=session, user_id=owner.id) == before
