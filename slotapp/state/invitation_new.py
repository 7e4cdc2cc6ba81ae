"""The three-step invitation form: live slot count, per-field errors, create, send or copy."""

from __future__ import annotations

from dataclasses import replace

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.invitation_form import (
    MEETING_TYPE_LABELS,
    STEP_FIELDS,
    InvitationDraft,
    InvitationInvalid,
    check_draft,
)
from slotapp.core.invitation_form_fields import (
    COUNT_STANDINS,
    FLAGS,
    SUGGESTED,
    TEXT_FIELDS,
    blank_flags,
    blank_values,
    draft_from_form,
    links_text,
    when_label,
)
from slotapp.core.invitations import PROMOTED_MAX, suggest_slots
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.wallclock import zone
from slotapp.db import session_scope
from slotapp.services import invitation_activity, invitations, resources
from slotapp.services.keys import secret_key
from slotapp.services.sharing import find_colleagues
from slotapp.state.auth import AuthState


class InvitationNewState(rx.State):
    """The draft as the form shows it (text), its live slot count and the created links."""

    step: int = 1
    values: dict[str, str] = {}
    flags: dict[str, bool] = {}
    members: list[dict[str, str]] = []
    member_query: str = ""
    member_results: list[dict[str, str]] = []
    room_options: list[dict[str, str]] = []
    pool_options: list[dict[str, str]] = []
    resource_ids: list[str] = []
    pool_ids: list[str] = []
    errors: dict[str, str] = {}
    slot_count: int = 0
    slot_reason: str = ""
    suggestions: list[dict[str, str]] = []
    promoted: list[str] = []
    created: bool = False
    link_url: str = ""
    promoted_links: list[dict[str, str]] = []
    sent_to: str = ""
    copied: bool = False
    message: str = ""
    _touched: list[str] = []
    _invitation_id: int = 0

    @rx.var
    def links_text(self) -> str:
        """What "Copy meeting links" puts on the clipboard."""
        return links_text(self.link_url, self.promoted_links)

    @rx.var
    def type_options(self) -> list[list[str]]:
        """Meeting types as (value, label)."""
        return [[k, v] for k, v in MEETING_TYPE_LABELS.items()]

    @rx.event
    async def load(self) -> None:
        """On load: a fresh draft with the user on the team and their time zone."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            return
        today = utcnow().astimezone(zone(user.time_zone)).date()
        self.values = blank_values(today, user.time_zone)
        self.flags = blank_flags()
        self.members = [{"id": str(user.id), "name": user.name}]
        self.step, self._touched, self.promoted = 1, [], []
        self.member_query, self.member_results = "", []
        self.resource_ids, self.pool_ids = [], []
        self.created, self.copied, self.sent_to, self.message = False, False, "", ""
        self.link_url, self.promoted_links, self._invitation_id = "", [], 0
        with session_scope() as session:
            rooms = resources.list_resources(session=session)
            pools = resources.list_pools(session=session)
        self.room_options = [{"id": str(r.id), "name": r.name, "kind": r.kind} for r in rooms]
        self.pool_options = [
            {"id": str(p.id), "name": p.name, "size": str(len(p.resources))} for p in pools
        ]
        await self._refresh()

    def _draft(self) -> InvitationDraft:
        return draft_from_form(
            self.values,
            self.flags,
            member_ids=[m["id"] for m in self.members],
            resource_ids=self.resource_ids,
            pool_ids=self.pool_ids,
            promoted=self.promoted,
        )

    async def _logged_in(self) -> bool:
        return (await self.get_state(AuthState))._current_user() is not None

    async def _refresh(self) -> None:
        """Recount the slots and the errors of the fields the user has been through.

        Only for a logged-in user: the count and the suggestions are the team's free times.
        """
        if not await self._logged_in():
            self.slot_count, self.slot_reason, self.suggestions = 0, "", []
            return
        draft = self._draft()
        now = utcnow()
        errors = check_draft(draft, now=now)
        self.errors = {k: v for k, v in errors.items() if k in self._touched}
        standins = {k: s for k, s in COUNT_STANDINS.items() if k in errors}
        with session_scope() as session:
            counted = invitations.count_slots(
                session=session, draft=replace(draft, **standins), now=now
            )
        self.slot_count, self.slot_reason = counted.count, counted.reason
        tz = draft.time_zone if "time_zone" not in errors else "UTC"
        offered = suggest_slots(counted.starts, tz, SUGGESTED)
        keep = {s.isoformat() for s in offered}
        self.promoted = [p for p in self.promoted if p in keep]
        self.suggestions = [{"iso": s.isoformat(), "label": when_label(s, tz)} for s in offered]

    def _touch(self, *fields: str) -> None:
        self._touched = sorted({*self._touched, *fields})

    @rx.event
    async def set_value(self, field: str, value: str) -> None:
        """A text field changed."""
        if field in TEXT_FIELDS:
            self.values[field] = value
            self._touch(field)
            await self._refresh()

    @rx.event
    async def set_flag(self, flag: str, on: bool) -> None:
        """A switch or checkbox changed."""
        if flag in FLAGS:
            self.flags[flag] = bool(on)
            await self._refresh()

    @rx.event
    async def toggle_id(self, kind: str, item_id: str) -> None:
        """A room or pool was picked or unpicked."""
        chosen = self.resource_ids if kind == "room" else self.pool_ids
        new = [i for i in chosen if i != item_id] if item_id in chosen else [*chosen, item_id]
        if kind == "room":
            self.resource_ids = new
        else:
            self.pool_ids = new
        await self._refresh()

    @rx.event
    async def search_members(self, query: str) -> None:
        """Colleagues whose name contains `query` (not yet on the team)."""
        self.member_query = query
        if not query.strip() or not await self._logged_in():
            self.member_results = []
            return
        with session_scope() as session:
            found = find_colleagues(
                session=session, query=query, exclude=[int(m["id"]) for m in self.members]
            )
        self.member_results = [
            {"id": str(c.id), "name": c.name, "department": c.department} for c in found
        ]

    @rx.event
    async def add_member(self, member_id: str, name: str) -> None:
        """Put a colleague on the team."""
        if all(m["id"] != member_id for m in self.members):
            self.members = [*self.members, {"id": member_id, "name": name}]
        self.member_query, self.member_results = "", []
        self._touch("member_ids")
        await self._refresh()

    @rx.event
    async def remove_member(self, member_id: str) -> None:
        """Take someone off the team."""
        self.members = [m for m in self.members if m["id"] != member_id]
        self._touch("member_ids")
        await self._refresh()

    @rx.event
    async def toggle_promoted(self, iso: str) -> None:
        """Choose or unchoose a time to promote (at most the number asked for)."""
        if iso in self.promoted:
            self.promoted = [p for p in self.promoted if p != iso]
        elif len(self.promoted) < min(self._draft().promote_count or 1, PROMOTED_MAX):
            self.promoted = sorted([*self.promoted, iso])
        await self._refresh()

    @rx.event
    async def go(self, step: int) -> None:
        """Next (after checking this step's fields) or back."""
        if step > self.step:
            self._touch(*STEP_FIELDS.get(self.step, ()))
            await self._refresh()
            if check_draft(self._draft(), now=utcnow(), step=self.step):
                return
        self.step = max(1, min(step, 4))

    @rx.event
    async def create(self) -> None:
        """Store the invitation and show its links (nothing is sent yet)."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None or self.created:
            return
        self._touch(*[f for fields in STEP_FIELDS.values() for f in fields], "promoted_starts")
        try:
            with session_scope() as session:
                links = invitations.create_invitation(
                    session=session,
                    inviter_id=user.id,
                    draft=self._draft(),
                    secret=secret_key(),
                    now=utcnow(),
                )
        except InvitationInvalid as exc:
            self.errors = exc.errors
            self.message = next(iter(exc.errors.values()), "")
            return
        except invitations.NoSlots as exc:
            self.slot_count, self.slot_reason = 0, exc.message
            return
        self._show_links(links)
        self.created, self.message = True, ""

    def _show_links(self, links: invitations.InvitationLinks) -> None:
        self._invitation_id = links.invitation_id
        self.link_url = links.url
        self.promoted_links = [
            {"label": when_label(p.start, links.time_zone), "url": p.url} for p in links.promoted
        ]

    @rx.event
    async def send_email(self) -> None:
        """Queue the personalised email to the participant."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None or not self._invitation_id:
            return
        try:
            with session_scope() as session:
                invitation_activity.send_invitation_email(
                    session=session,
                    actor=Actor(user.id, user.is_admin),
                    invitation_id=self._invitation_id,
                    secret=secret_key(),
                    now=utcnow(),
                )
        except NotAllowed as exc:
            self.message = exc.message
            return
        self.sent_to = self.values.get("participant_email", "")

    @rx.event
    def mark_copied(self) -> None:
        """The browser copied the links: say so."""
        self.copied = True
