"""The FAQ bot: when it answers, when it hands over; and agents' canned-reply shortcuts."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from slotapp.core.chat_bot import BotReply, Faq, bot_reply, expand_canned, match_score, words

HOURS = Faq("What are your opening hours?", "Mon-Fri 9:00-18:00.")
PRICES = Faq("How much does a haircut cost?", "From 25 EUR.")
PARKING = Faq("Is there parking nearby?", "Yes, behind the shop.")
OPEN_SUNDAY = Faq("Are you open on Sunday?", "No, we rest on Sundays.")
FAQS = (HOURS, PRICES, PARKING, OPEN_SUNDAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, what are your opening hours?", {"hello", "what", "opening", "hours"}),
        ("What's the PRICE!!!", {"whats", "price"}),
        ("Is it open on Sunday?", {"open", "sunday"}),
        ("Öffnungszeiten für Montag?", {"öffnungszeiten", "für", "montag"}),
        ("snake_case and-dash", {"snake", "case", "dash"}),
        ("", set()),
        ("?!...", set()),
    ],
)
def test_words_normalise(text: str, expected: set[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("message", "question", "score"),
    [
        ({"opening", "hours"}, {"what", "opening", "hours"}, 2 / 3),
        ({"hours"}, {"opening", "hours"}, 0.5),
        (set(), {"opening"}, 0.0),
        ({"anything"}, set(), 0.0),
    ],
)
def test_match_score(message: set[str], question: set[str], score: float) -> None:
    assert match_score(frozenset(message), frozenset(question)) == pytest.approx(score)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what are your opening hours", BotReply(HOURS.answer, False)),
        ("Opening hours?", BotReply(HOURS.answer, False)),
        ("hours", BotReply(None, True)),  # 1 of 3 question words
        ("How much is it to cost a haircut", BotReply(PRICES.answer, False)),
        ("haircut price?", BotReply(None, True)),  # 1 of 4: "how much does" "cost"
        ("Any parking nearby", BotReply(PARKING.answer, False)),
        ("Are you OPEN on sunday???", BotReply(OPEN_SUNDAY.answer, False)),
        ("I would like to book", BotReply(None, True)),
        ("", BotReply(None, True)),
    ],
    ids=[
        "close-question",
        "keywords-only",
        "too-few-words",
        "reworded",
        "below-threshold",
        "parking",
        "case-and-punctuation",
        "no-faq-fits",
        "empty",
    ],
)
def test_bot_reply_answers_or_hands_over(text: str, expected: BotReply) -> None:
    assert bot_reply(text, FAQS) == expected


def test_ties_go_to_the_first_faq() -> None:
    first = Faq("opening times", "first")
    second = Faq("opening days", "second")
    assert bot_reply("opening", [first, second]).answer == "first"
    assert bot_reply("opening", [second, first]).answer == "second"


def test_higher_score_beats_earlier_faq() -> None:
    broad = Faq("opening times summer", "broad")
    exact = Faq("opening times", "exact")
    assert bot_reply("opening times", [broad, exact]).answer == "exact"


def test_no_faqs_hands_over() -> None:
    assert bot_reply("what are your opening hours", []) == BotReply(None, True)


def test_question_of_only_stop_words_never_matches() -> None:
    assert bot_reply("is it", [Faq("Is it?", "x")]) == BotReply(None, True)


@pytest.mark.parametrize(
    "text",
    [
        "human please",
        "Can I talk to a HUMAN?",
        "I want an agent",
        "agents?",
        "Operator!",
        "is there a real person there",
        "REAL  PERSON",
        "I'd like to talk to someone",
        "Can I speak to a person about opening hours?",
        "speak with someone",
    ],
)
def test_asking_for_a_person_hands_over(text: str) -> None:
    assert bot_reply(text, FAQS) == BotReply(None, True)


@pytest.mark.parametrize(
    "text",
    ["Humane opening hours?", "opening hours, management", "opening hours cooperators"],
)
def test_handover_words_inside_other_words_do_not_count(text: str) -> None:
    assert bot_reply(text, FAQS) == BotReply(HOURS.answer, False)


class StoredFaq(NamedTuple):
    """Another shape with a question and an answer, like the channel settings' entries."""

    question: str
    answer: str


def test_any_question_and_answer_shape_works() -> None:
    assert bot_reply("opening hours", [StoredFaq("Opening hours?", "9-5")]).answer == "9-5"


CANNED = {"hours": "We are open 9:00-18:00.", "book": "Book here: https://x.test/b"}


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        ("/hours", "We are open 9:00-18:00."),
        ("/hours  ", "We are open 9:00-18:00."),
        ("Hello! /hours", "Hello! We are open 9:00-18:00."),
        ("Hello!\n/book", "Hello!\nBook here: https://x.test/b"),
        ("/HOURS", "We are open 9:00-18:00."),
        ("/unknown", "/unknown"),
        ("Hello! /unknown", "Hello! /unknown"),
        ("/hours please", "/hours please"),
        ("see https://x.test/hours", "see https://x.test/hours"),
        ("and/hours", "and/hours"),
        ("hours", "hours"),
        ("/", "/"),
        ("", ""),
        ("/book /hours", "/book We are open 9:00-18:00."),
    ],
    ids=[
        "alone",
        "trailing-space",
        "after-a-space",
        "after-a-new-line",
        "case-insensitive-fallback",
        "unknown",
        "unknown-after-text",
        "not-at-the-end",
        "inside-a-link",
        "glued-to-a-word",
        "no-slash",
        "bare-slash",
        "empty",
        "only-the-last",
    ],
)
def test_expand_canned(draft: str, expected: str) -> None:
    assert expand_canned(draft, CANNED) == expected


def test_exact_shortcut_name_wins_over_lower_case() -> None:
    canned = {"Hi": "exact", "hi": "lower"}
    assert expand_canned("/Hi", canned) == "exact"
    assert expand_canned("/HI", canned) == "lower"
