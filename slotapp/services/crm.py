"""Client recognition: contacts, their dialogs, leads and who is responsible for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from slotapp.core.validation import InvalidInput
from slotapp.models import (
    Channel,
    ChannelSource,
    ChatBookingLink,
    Contact,
    Conversation,
    Lead,
    Meeting,
)


def recognise(
    *,
    session: Session,
    conversation: Conversation,
    visitor_hash: str,
    tracker: bool,
    now: datetime,
) -> Contact | None:
    """Join the conversation to the client's profile, found by email, phone or visitor id.

    Without the tracker, a conversation gets a contact only when the client leaves an email or
    phone (and is then not matched to earlier dialogs). Returns the contact, if any.
    """
    email, phone = conversation.visitor_email, conversation.visitor_phone
    contact: Contact | None = None
    if conversation.contact_id is not None:
        contact = session.get(Contact, conversation.contact_id)
    if contact is None and tracker:
        keys = []
        if email:
            keys.append(col(Contact.email) == email)
        if phone:
            keys.append(col(Contact.phone) == phone)
        if visitor_hash:
            keys.append(col(Contact.visitor_hash) == visitor_hash)
        if keys:
            contact = session.exec(
                select(Contact).where(or_(*keys)).order_by(col(Contact.id))
            ).first()
    if contact is None:
        if not (email or phone or (tracker and visitor_hash)):
            return None
        contact = Contact(created_at=now)
    contact.name = conversation.visitor_name or contact.name
    contact.email = email or contact.email
    contact.phone = phone or contact.phone
    contact.visitor_hash = contact.visitor_hash or (visitor_hash if tracker else "")
    session.add(contact)
    session.flush()
    conversation.contact_id = contact.id
    session.add(conversation)
    return contact


def reachable(contact: Contact | None) -> bool:
    """Whether there is contact information to reach the client again."""
    return contact is not None and bool(contact.email or contact.phone)


def make_lead(
    *, session: Session, conversation: Conversation, responsible_id: int | None, now: datetime
) -> Lead:
    """A lead from this conversation, once (later calls return the same lead).

    Raises:
        InvalidInput: there is no email or phone to reach the client.
    """
    existing = session.exec(select(Lead).where(Lead.conversation_id == conversation.id)).first()
    if existing is not None:
        return existing
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    if contact is None or not reachable(contact):
        raise InvalidInput("lead", "A lead needs the client's email or phone.")
    channel = session.get(Channel, conversation.channel_id)
    source = session.get(ChannelSource, conversation.source_id) if conversation.source_id else None
    source_name = f"{channel.name if channel else 'Open Channel'}: " + (
        source.name if source else "chat"
    )
    assert contact.id is not None
    lead = Lead(
        contact_id=contact.id,
        conversation_id=conversation.id,
        channel_id=conversation.channel_id,
        source=source_name[:120],
        title=f"Enquiry from {contact.name or contact.email or contact.phone}"[:200],
        responsible_id=responsible_id,
        created_at=now,
    )
    session.add(lead)
    if responsible_id is not None and contact.responsible_id is None:
        contact.responsible_id = responsible_id
        session.add(contact)
    session.flush()
    return lead


def make_responsible(*, session: Session, conversation: Conversation, user_id: int) -> None:
    """After a manual transfer: the new agent is responsible for the lead from this chat."""
    lead = session.exec(select(Lead).where(Lead.conversation_id == conversation.id)).first()
    if lead is None:
        return
    lead.responsible_id = user_id
    session.add(lead)
    contact = session.get(Contact, lead.contact_id)
    if contact is not None:
        contact.responsible_id = user_id
        session.add(contact)
    session.flush()


@dataclass(frozen=True)
class Profile:
    """What an agent sees of a client."""

    contact: Contact | None
    conversations: list[Conversation]
    leads: list[Lead]
    meetings: list[Meeting]


def profile(*, session: Session, conversation: Conversation) -> Profile:
    """The client's profile: every dialog, lead and meeting booked through a chat link."""
    contact = session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    if contact is None:
        dialogs = [conversation]
        leads: list[Lead] = []
    else:
        dialogs = list(
            session.exec(
                select(Conversation)
                .where(Conversation.contact_id == contact.id)
                .order_by(col(Conversation.created_at).desc())
            )
        )
        leads = list(session.exec(select(Lead).where(Lead.contact_id == contact.id)))
    ids = [c.id for c in dialogs]
    meetings = list(
        session.exec(
            select(Meeting)
            .join(ChatBookingLink, col(ChatBookingLink.link_id) == col(Meeting.source_link_id))
            .where(col(ChatBookingLink.conversation_id).in_(ids))
            .order_by(col(Meeting.start_at))
        )
    )
    return Profile(contact, dialogs, leads, meetings)
