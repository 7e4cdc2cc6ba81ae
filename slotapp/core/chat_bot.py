"""The channel's built-in FAQ bot, and canned replies for agents.

The bot answers a client's message with the FAQ whose question shares enough words with
it; it hands the enquiry over to a person when asked to, or when it has no good answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

MATCH_THRESHOLD = 0.5
"""Share of a question's words that must appear in the message for the FAQ to answer."""

# Words that carry no topic. Question words (what, when, where, how) are kept on purpose:
# "when do you open" and "where are you" ask different things.
_STOP_WORDS = (
    "a an the is are am was were be been do does did i me my you your we our us it its "
    "to of for in on at by and or with can could would please there this that have has "
    "any some"
)
STOP_WORDS = frozenset(_STOP_WORDS.split())
HANDOVER_PHRASES = (
    "human",
    "agent",
    "operator",
    "real person",
    "talk to someone",
    "talk to somebody",
    "speak to someone",
    "speak to a person",
    "talk to a person",
    "speak with someone",
    "speak with a person",
)
_HANDOVER = re.compile(
    r"\b(?:"
    + "|".join(r"\s+".join(map(re.escape, p.split())) + "s?" for p in HANDOVER_PHRASES)
    + r")\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"['’]")
_SHORTCUT = re.compile(r"(?:^|(?<=\s))/([\w-]+)\s*\Z")


class FaqLike(Protocol):
    """Anything with a question and an answer, e.g. the channel settings' FAQ entries."""

    @property
    def question(self) -> str: ...

    @property
    def answer(self) -> str: ...


@dataclass(frozen=True)
class Faq:
    """One question the bot can answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class BotReply:
    """What the bot does with a message: answer it, or hand it over to a person."""

    answer: str | None
    handover: bool


def words(text: str) -> frozenset[str]:
    """The message's topic words: lower case, no punctuation, no stop words."""
    tokens = _WORD.findall(_APOSTROPHES.sub("", text.lower()))
    return frozenset(token for token in tokens if token not in STOP_WORDS)


def match_score(message: frozenset[str], question: frozenset[str]) -> float:
    """Share of the question's words found in the message (0 for an empty question)."""
    return len(message & question) / len(question) if question else 0.0


def bot_reply(text: str, faqs: Sequence[FaqLike]) -> BotReply:
    """The bot's answer to a client message.

    Args:
        text: The client's message.
        faqs: The channel's questions and answers, in the order given by the channel.

    Returns:
        A handover (no answer) when the client asks for a person or no FAQ scores at
        least MATCH_THRESHOLD; else the best FAQ's answer (the first of equals).
    """
    if _HANDOVER.search(text):
        return BotReply(None, handover=True)
    message = words(text)
    best: FaqLike | None = None
    best_score = 0.0
    for faq in faqs:
        score = match_score(message, words(faq.question))
        if score > best_score:
            best, best_score = faq, score
    if best is None or best_score < MATCH_THRESHOLD:
        return BotReply(None, handover=True)
    return BotReply(best.answer, handover=False)


def expand_canned(text: str, canned: Mapping[str, str]) -> str:
    """An agent's draft with a trailing canned-reply shortcut replaced by its text.

    "/hours" alone, or at the end after a space ("Hi! /hours"), becomes the text stored
    under "hours" (exact name first, then lower case). Anything else, including an
    unknown shortcut, comes back unchanged.

    Args:
        text: The draft.
        canned: Shortcut name without the slash to its text.
    """
    match = _SHORTCUT.search(text)
    if match is None:
        return text
    name = match.group(1)
    replacement = canned.get(name, canned.get(name.lower()))
    if replacement is None:
        return text
    return text[: match.start()] + replacement
