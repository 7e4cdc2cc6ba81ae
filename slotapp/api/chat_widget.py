"""The widget's routes: a visitor opens a conversation, reads and long-polls it, writes,
gives consent and contact details, rates, and asks for the log by email.

The visitor proves the conversation with its key in the `X-Chat-Key` header.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from typing import Annotated

from fastapi import FastAPI, Header, Query, Request, Response
from sqlmodel import Session

from slotapp.api import chat_schemas as out
from slotapp.api.chat_context import POLL_SECONDS, ChatContext
from slotapp.api.chat_http import problems
from slotapp.api.chat_schemas import ContactIn, EmailIn, MessageIn, OpenIn, RatingIn
from slotapp.api.problems import ProblemError, problem_responses
from slotapp.models import Channel, ChatStatus, Conversation
from slotapp.services import agent_chat, chat_transcript, chat_visitor
from slotapp.services import conversations as convs
from slotapp.services.chat_watch import versions
from slotapp.services.conversations import Change

ChatKey = Annotated[
    str, Header(alias="X-Chat-Key", max_length=128, description="The conversation's key.")
]
After = Annotated[int, Query(ge=0, le=2**62, description="The last message id seen.")]
Act = Callable[[Session, Conversation, Channel], Change]
FIRST = asyncio.FIRST_COMPLETED
TYPING_EVERY = timedelta(seconds=2)  # at most one stored typing mark per interval
VISITOR: list[str | Enum] = ["widget"]
GONE = problem_responses(404, 410)
WRITE = problem_responses(400, 404, 409, 410, 422)  # 400: a body that is not UTF-8
CLOSED = "This conversation is closed; open a new one to write again."


async def disconnected(request: Request) -> None:
    """Returns once the client has gone (its request body, if any, is already read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def add_widget_routes(api: FastAPI, ctx: ChatContext) -> None:  # noqa: C901 (routes)
    """Register the visitor's routes on the chat API."""

    def commit(key: str, act: Act) -> Change:
        with problems(), ctx.writing() as session:
            conversation, channel = chat_visitor.visitor_conversation(
                session=session, client_key=key
            )
            return act(session, conversation, channel)

    async def change(key: str, act: Act) -> None:
        """Run `act` on the key's conversation and commit, then tell everyone who shows it."""
        ctx.tell(await ctx.write(commit, key, act))

    def read(key: str, after: int) -> chat_visitor.Snapshot:
        with problems(), ctx.reading() as session:
            conversation, channel = chat_visitor.visitor_conversation(
                session=session, client_key=key
            )
            return chat_visitor.snapshot(
                session=session,
                conversation=conversation,
                channel=channel,
                after=after,
                now=ctx.clock(),
            )

    def read_versioned(key: str, after: int) -> tuple[chat_visitor.Snapshot, str, int]:
        """The snapshot and, from the same transaction, the version the watcher compares,
        and the conversation's id."""
        with problems(), ctx.reading() as session:
            conversation, channel = chat_visitor.visitor_conversation(
                session=session, client_key=key
            )
            assert conversation.id is not None
            now = ctx.clock()
            snap = chat_visitor.snapshot(
                session=session, conversation=conversation, channel=channel, after=after, now=now
            )
            found = versions(session=session, conversation_ids=[conversation.id], now=now)
            return snap, found.get(conversation.id, ""), conversation.id

    @api.get("/widget/{key}/config", responses=GONE, tags=VISITOR)
    async def config(key: str) -> out.ConfigOut:
        """The widget's title, consent, forms, and whether the channel is open now."""

        def find() -> chat_visitor.WidgetConfig:
            with problems(ctx.source_known(key)), ctx.reading() as session:
                return chat_visitor.widget_config(session=session, source_key=key, now=ctx.clock())

        return out.config_out(await ctx.read(find))

    @api.post(
        "/widget/{key}/conversations",
        status_code=201,
        responses={200: {"description": "Resumed."}, **problem_responses(400, 404, 410, 422)},
        tags=VISITOR,
    )
    async def open_chat(key: str, body: OpenIn, response: Response) -> out.OpenedOut:
        """Open a conversation, or resume the one `client_key` proves while it is open."""

        def opened() -> str:
            with problems(ctx.source_known(key)), ctx.writing() as session:
                _, client_key = convs.open_conversation(
                    session=session,
                    source_key=key,
                    visitor_id=body.visitor_id,
                    now=ctx.clock(),
                    client_key=body.client_key,
                )
            return client_key

        client_key = await ctx.write(opened)
        if client_key == body.client_key:
            response.status_code = 200
        snap = out.conversation_out(await ctx.read(read, client_key, 0))
        return out.OpenedOut(client_key=client_key, conversation=snap)

    @api.get("/conversation", responses=GONE, tags=VISITOR)
    async def conversation(key: ChatKey = "", after: After = 0) -> out.ConversationOut:
        """The log (a page from `after`), status, the agent as shown, agent typing."""
        return out.conversation_out(await ctx.read(read, key, after))

    @api.get("/conversation/events", responses=GONE, tags=VISITOR)
    async def events(
        request: Request,
        key: ChatKey = "",
        after: After = 0,
        state: Annotated[str, Query(max_length=64)] = "",
        wait: Annotated[float, Query(ge=0, le=POLL_SECONDS)] = POLL_SECONDS,
    ) -> out.ConversationOut:
        """Long-poll: answers as soon as there are messages after `after` or the state
        differs from `state` (the last answer's), else after `wait` seconds, empty."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(wait, ctx.poll_seconds)
        gone = asyncio.ensure_future(disconnected(request))  # a closed tab ends the wait
        cid: int | None = None
        try:
            while True:
                # Listen before reading (once the id is known), so a change made meanwhile
                # wakes us; a change just after the first read moves the version instead.
                woken = ctx.bus.listen(cid) if cid is not None else None
                try:
                    snap, version, found = await ctx.read(read_versioned, key, after)
                    cid, woken = found, woken or ctx.bus.listen(found)
                    left = deadline - loop.time()
                    news = bool(snap.messages) or snap.state != state
                    if news or left <= 0 or gone.done():
                        return out.conversation_out(snap)
                    # Woken by this process's change, or by the watcher seeing another's.
                    ctx.watch.watch(found, version, woken)
                    await asyncio.wait({woken, gone}, timeout=left, return_when=FIRST)
                finally:
                    if woken is not None and cid is not None:
                        ctx.bus.drop(cid, woken)
                        ctx.watch.forget(woken)
        finally:
            gone.cancel()

    @api.post("/conversation/messages", status_code=201, responses=WRITE, tags=VISITOR)
    async def message(body: MessageIn, key: ChatKey = "") -> out.PostedOut:
        """The visitor writes; a resend with the same `client_msg_id` is stored once."""
        msg_id = body.client_msg_id or uuid.uuid4().hex
        stored: list[int | None] = []

        def act(session: Session, conversation: Conversation, _: Channel) -> Change:
            if conversation.status == ChatStatus.CLOSED.value:
                raise ProblemError(409, "conversation-closed", "Conversation closed", CLOSED)
            now = ctx.clock()
            done = convs.client_message(
                session=session,
                conversation=conversation,
                text=body.text,
                now=now,
                client_msg_id=msg_id,
            )
            assert conversation.id is not None
            stored.append(
                chat_visitor.message_id(
                    session=session, conversation_id=conversation.id, client_msg_id=msg_id
                )
            )
            return done

        await change(key, act)
        return out.PostedOut(id=stored[0], client_msg_id=msg_id)

    @api.post("/conversation/typing", status_code=204, responses=GONE, tags=VISITOR)
    async def typing(key: ChatKey = "") -> Response:
        """The visitor is typing (send every few seconds while they are)."""

        def act(session: Session, conversation: Conversation, _: Channel) -> Change:
            now, last = ctx.clock(), conversation.client_typing_at
            if last is not None and timedelta(0) <= now - last < TYPING_EVERY:
                return Change(conversation)
            agent_chat.typing(session=session, conversation=conversation, agent=False, now=now)
            return Change(conversation, {f"chat:{conversation.id}"})

        await change(key, act)
        return Response(status_code=204)

    @api.post("/conversation/consent", status_code=204, responses=GONE, tags=VISITOR)
    async def consent(key: ChatKey = "") -> Response:
        """The visitor accepts the channel's consent notice."""
        await change(
            key, lambda s, c, _: convs.give_consent(session=s, conversation=c, now=ctx.clock())
        )
        return Response(status_code=204)

    @api.post("/conversation/contact", status_code=204, responses=WRITE, tags=VISITOR)
    async def contact(body: ContactIn, key: ChatKey = "") -> Response:
        """The visitor's contact form (name, email, phone); may make a lead."""

        def act(session: Session, conversation: Conversation, _: Channel) -> Change:
            return convs.set_contact(
                session=session,
                conversation=conversation,
                name=body.name,
                email=body.email,
                phone=body.phone,
                now=ctx.clock(),
            )

        await change(key, act)
        return Response(status_code=204)

    @api.post("/conversation/rating", status_code=204, responses=WRITE, tags=VISITOR)
    async def rating(body: RatingIn, key: ChatKey = "") -> Response:
        """The visitor rates the agent after the close (1 to 5 stars)."""

        def act(session: Session, conversation: Conversation, _: Channel) -> Change:
            return convs.rate(
                session=session,
                conversation=conversation,
                rating=body.rating,
                comment=body.comment,
                now=ctx.clock(),
            )

        await change(key, act)
        return Response(status_code=204)

    @api.post("/conversation/log-email", status_code=202, responses=WRITE, tags=VISITOR)
    async def log_email(body: EmailIn, key: ChatKey = "") -> Response:
        """Email the visitor this conversation's log, when the channel allows it."""

        def act(session: Session, conversation: Conversation, channel: Channel) -> Change:
            return chat_transcript.email_log(
                session=session,
                conversation=conversation,
                channel=channel,
                email=body.email,
                now=ctx.clock(),
            )

        await change(key, act)
        return Response(status_code=202)
