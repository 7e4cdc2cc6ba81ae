"""The client's "email me this conversation": the transcript, in the channel's language."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from slotapp.core.validation import InvalidInput, normalise_email
from slotapp.core.wallclock import zone
from slotapp.models import Channel, ChatMessage, Conversation, MessageAuthor
from slotapp.services.channels import settings_of
from slotapp.services.chat_log import post
from slotapp.services.chat_visitor import shown, title_of
from slotapp.services.conversations import Change
from slotapp.services.mailer import queue_email

# One conversation cannot be used to mail strangers over and over.
MAX_LOG_EMAILS = 3
MAX_LINES = 2000

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Your conversation with {title}",
        "intro": "Here is the log of your conversation with {title}, as you asked.",
        "you": "You",
        "sent": "The conversation log was sent to {email}.",
        "off": "This chat does not send conversation logs by email.",
        "limit": "The conversation log was already sent {n} times.",
    },
    "de": {
        "subject": "Ihr Gespräch mit {title}",
        "intro": "Hier ist wie gewünscht der Verlauf Ihres Gesprächs mit {title}.",
        "you": "Sie",
        "sent": "Der Gesprächsverlauf wurde an {email} gesendet.",
        "off": "Dieser Chat versendet keine Gesprächsverläufe per E-Mail.",
        "limit": "Der Gesprächsverlauf wurde bereits {n} Mal gesendet.",
    },
    "fr": {
        "subject": "Votre conversation avec {title}",
        "intro": "Voici, comme demandé, l'historique de votre conversation avec {title}.",
        "you": "Vous",
        "sent": "L'historique de la conversation a été envoyé à {email}.",
        "off": "Ce chat n'envoie pas l'historique des conversations par e-mail.",
        "limit": "L'historique de la conversation a déjà été envoyé {n} fois.",
    },
    "es": {
        "subject": "Su conversación con {title}",
        "intro": "Aquí tiene, como pidió, el historial de su conversación con {title}.",
        "you": "Usted",
        "sent": "El historial de la conversación se envió a {email}.",
        "off": "Este chat no envía el historial de conversaciones por correo electrónico.",
        "limit": "El historial de la conversación ya se envió {n} veces.",
    },
}


def texts_for(language: str) -> dict[str, str]:
    """The email's wording in `language` (English when unknown)."""
    return TEXTS.get(language, TEXTS["en"])


def transcript(*, session: Session, conversation: Conversation, channel: Channel, you: str) -> str:
    """The log as plain text lines "2026-11-23 10:00  Name: text", in the channel's zone."""
    settings = settings_of(channel)
    rows = list(
        session.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation.id)
            .order_by(col(ChatMessage.id))
            .limit(MAX_LINES)
        )
    )
    local = zone(settings.time_zone)
    lines = []
    for message in shown(session, channel, settings, rows, {}):
        if message.extra.get("auto") == "log_email":
            continue
        if message.author == MessageAuthor.CLIENT.value:
            who = you
        else:
            who = message.name or title_of(channel)
        when = message.at.astimezone(local).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{when}  {who}: {message.text}")
    return "\n".join(lines)


def email_log(
    *,
    session: Session,
    conversation: Conversation,
    channel: Channel,
    email: str,
    now: datetime,
) -> Change:
    """Queue the transcript to `email` and note it in the log.

    Raises:
        InvalidInput("email"): a malformed address, the channel keeps no logs for clients,
            or the log was already sent MAX_LOG_EMAILS times.
    """
    settings = settings_of(channel)
    words = texts_for(settings.language)
    if not (settings.save_log and settings.log_by_email):
        raise InvalidInput("email", words["off"])
    address = normalise_email(email)
    sent = session.exec(
        select(ChatMessage.extra).where(
            ChatMessage.conversation_id == conversation.id,
            ChatMessage.author == MessageAuthor.SYSTEM.value,
        )
    )
    if sum(1 for extra in sent if extra.get("auto") == "log_email") >= MAX_LOG_EMAILS:
        raise InvalidInput("email", words["limit"].format(n=MAX_LOG_EMAILS))
    title = title_of(channel)
    body = transcript(session=session, conversation=conversation, channel=channel, you=words["you"])
    queue_email(
        session=session,
        to=address,
        subject=words["subject"].format(title=title),
        body_text=f"{words['intro'].format(title=title)}\n\n{body}\n",
        now=now,
    )
    post(
        session=session,
        conversation=conversation,
        author=MessageAuthor.SYSTEM,
        text=words["sent"].format(email=address),
        now=now,
        extra={"auto": "log_email"},
    )
    return Change(conversation, {f"chat:{conversation.id}"})
