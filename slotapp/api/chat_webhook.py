"""Webhook sources: an integration (messenger bridge, form) posts its clients' messages and
polls for the replies, proving itself with the source's secret in `X-Source-Secret`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import FastAPI, Header, Query, Response

from slotapp.api import chat_schemas as out
from slotapp.api.chat_context import ChatContext
from slotapp.api.chat_http import problems
from slotapp.api.chat_schemas import SourceMessageIn
from slotapp.api.problems import problem_responses
from slotapp.services import chat_sources
from slotapp.services.conversations import Change

SourceSecret = Annotated[
    str, Header(alias="X-Source-Secret", max_length=256, description="The source's secret.")
]
SOURCES: list[str | Enum] = ["sources"]


def add_webhook_routes(api: FastAPI, ctx: ChatContext) -> None:
    """Register the webhook source's routes on the chat API."""

    @api.post(
        "/sources/{key}/messages",
        status_code=201,
        responses={
            200: {"description": "Stored before (same message_id)."},
            **problem_responses(400, 401, 404, 409, 410, 422),
        },
        tags=SOURCES,
    )
    async def source_message(
        key: str, body: SourceMessageIn, response: Response, secret: SourceSecret = ""
    ) -> out.SourcePostedOut:
        """A client's message; `chat_id` names the client's chat, `message_id` makes a
        resend land once; name/email/phone fill the contact form."""
        change = await ctx.write(store, key, body, secret)
        ctx.tell(change)
        if not change.topics:
            response.status_code = 200
        return out.SourcePostedOut(stored=bool(change.topics), status=change.conversation.status)

    def store(key: str, body: SourceMessageIn, secret: str) -> Change:
        with problems(), ctx.writing() as session:
            source = chat_sources.authenticate(session=session, source_key=key, secret=secret)
            return chat_sources.receive(
                session=session,
                source=source,
                server_secret=ctx.secret_factory(),
                chat_id=body.chat_id,
                text=body.text,
                now=ctx.clock(),
                message_id=body.message_id,
                name=body.name,
                email=body.email,
                phone=body.phone,
                consent=body.consent,
            )

    @api.get(
        "/sources/{key}/chats/{chat_id}/messages",
        responses=problem_responses(401, 404),
        tags=SOURCES,
    )
    async def source_replies(
        key: str,
        chat_id: str,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        secret: SourceSecret = "",
    ) -> out.RepliesOut:
        """Messages for the client (agents, bot, channel) after message `after`, oldest
        first, with the chat's status: poll this for replies."""

        def fetch() -> chat_sources.ChatReplies:
            with problems(), ctx.reading() as session:
                source = chat_sources.authenticate(session=session, source_key=key, secret=secret)
                return chat_sources.replies(
                    session=session,
                    source=source,
                    server_secret=ctx.secret_factory(),
                    chat_id=chat_id[:128],
                    after=after,
                )

        return out.replies_out(await ctx.read(fetch))
