"""Request and response bodies of the v1 API, and their conversion from service results."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from slotapp.core.validation import InvalidInput, unstorable, utc_instant
from slotapp.services.booking import Booked


def _iso_8601(value: object) -> object:
    # Pydantic alone also reads numbers as Unix times; the document promises ISO 8601 text.
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("Expected an ISO 8601 date-time such as 2026-11-23T10:00:00+01:00")


def _in_range(value: datetime) -> datetime:
    # A start in year 1 or 9999 leaves no room for the meeting (OverflowError, a 500); a
    # naive start is left to the booking service, which names the field.
    if value.utcoffset() is not None:
        try:
            utc_instant(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
    return value


def _storable(value: str) -> str:
    # JSON may carry "\u0000" or a lone "\ud800"; neither can be stored as text.
    if why := unstorable(value):
        raise ValueError(f"Text {why}.")
    return value


Text = Annotated[str, AfterValidator(_storable)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_8601)]
IsoDateTimeOrNone = Annotated[datetime | None, BeforeValidator(_iso_8601)]


class Slot(BaseModel):
    """A free time: instants in UTC and the same times on the `tz` wall clock."""

    start: datetime
    end: datetime
    local_start: datetime
    local_end: datetime


class SlotList(BaseModel):
    """The link's public facts and its free slots in the searched window."""

    owner_name: str
    length_minutes: int
    time_zone: str
    start: datetime = Field(
        description="Start of the window searched (UTC): the asked window clipped to "
        "[now, end of the booking window]; start == end when nothing of it can hold slots."
    )
    end: datetime = Field(description="End of the window searched (UTC).")
    slots: list[Slot]


class BookingIn(BaseModel):
    """What a guest submits; checked by the same rules as the guest page's form."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "start": "2026-11-23T10:00:00+01:00",
                    "name": "Gina Guest",
                    "email": "gina@example.org",
                    "time_zone": "Europe/Berlin",
                    "note": "About the offer",
                    "booking_key": "3f8e4a52-9a0e-4a7c-9a36-0c1f5b0f2d11",
                }
            ]
        },
    )

    start: Annotated[IsoDateTime, AfterValidator(_in_range)] = Field(
        description="One of the offered starts, with its UTC offset."
    )
    name: Text
    email: Text
    time_zone: Text = Field(description="The guest's IANA time zone, e.g. Europe/Berlin.")
    note: Text = ""
    booking_key: Text | None = Field(
        default=None,
        min_length=16,
        max_length=128,
        description="Idempotency key (e.g. a UUID): a retry with the same key books once "
        "and answers 200 with the meeting booked first.",
    )


class Guest(BaseModel):
    """Who booked."""

    name: str
    email: str
    time_zone: str


class MeetingOut(BaseModel):
    """The booked meeting."""

    id: int
    start: datetime
    end: datetime
    title: str
    owner_name: str
    guest: Guest


def slot_out(start: datetime, end: datetime, local: tzinfo) -> Slot:
    """A free time [start, end) with its wall-clock times in `local`."""
    return Slot(
        start=start, end=end, local_start=start.astimezone(local), local_end=end.astimezone(local)
    )


def meeting_out(booked: Booked) -> MeetingOut:
    """The booking service's answer as the API shows it (no owner email, no test flag)."""
    guest = Guest(
        name=booked.guest_name, email=booked.guest_email, time_zone=booked.guest_time_zone
    )
    return MeetingOut(
        id=booked.meeting_id,
        start=booked.start,
        end=booked.end,
        title=booked.title,
        owner_name=booked.owner_name,
        guest=guest,
    )
