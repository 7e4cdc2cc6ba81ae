"""The Activity page: open invitations and the meetings booked through them, live."""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.wallclock import zone
from slotapp.db import session_scope
from slotapp.services import invitation_activity, invitations
from slotapp.services.keys import secret_key
from slotapp.state.auth import AuthState
from slotapp.state.calendar import meeting_path
from slotapp.state.live import reloads, watch


def _links_text(links: invitations.InvitationLinks) -> str:
    tz = zone(links.time_zone)
    lines = [f"{p.start.astimezone(tz):%a %d %b, %H:%M}: {p.url}" for p in links.promoted]
    return "\n".join([*lines, f"Other times: {links.url}"]) if lines else links.url


@reloads("activity")
class ActivityState(rx.State):
    """Both tabs, already formatted for display."""

    tab: str = "invitations"
    invitations: list[dict[str, str]] = []
    meetings: list[dict[str, str]] = []
    confirm_cancel: str = ""
    done: dict[str, str] = {}  # invitation id -> what just happened ("Copied", "Sent")
    message: str = ""
    refreshed: int = 0

    @rx.event
    async def load(self) -> None:
        """On load, after the login check: watch this user's activity, then fill."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            return
        watch(self, f"activity:{user.id}")
        self.confirm_cancel, self.done, self.message = "", {}, ""
        await self.reload()

    async def reload(self) -> None:
        """Read both tabs again (also called by live updates)."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            self.invitations, self.meetings = [], []
            return
        tz = zone(user.time_zone)

        def day(moment: datetime) -> str:
            return f"{moment.astimezone(tz):%d %b %Y}"

        with session_scope() as session:
            rows = invitation_activity.activity(session=session, user_id=user.id, now=utcnow())
        self.invitations = [
            {
                "id": str(r.invitation_id),
                "participant": r.participant_name,
                "email": r.participant_email,
                "subject": r.subject,
                "sent": f"Sent {day(r.sent_at)}"
                if r.sent_at
                else f"Created {day(r.created_at)}, not sent",
                "resend": "Resend" if r.sent_at else "Send",
                "slots": str(r.slots_available),
            }
            for r in rows.invitations
        ]
        self.meetings = [
            {
                "href": meeting_path(m.meeting_id),
                "title": m.title,
                "when": f"{m.start.astimezone(tz):%a %d %b, %H:%M}–{m.end.astimezone(tz):%H:%M}",
                "participant": f"{m.participant_name} <{m.participant_email}>",
                "status": m.meeting_status,
            }
            for m in rows.meetings
        ]
        self.refreshed += 1

    @rx.event
    def show(self, tab: str) -> None:
        """Switch tabs."""
        self.tab = "meetings" if tab == "meetings" else "invitations"

    async def _actor(self) -> Actor | None:
        user = (await self.get_state(AuthState))._current_user()
        return Actor(user.id, user.is_admin) if user else None

    @rx.event
    async def copy_links(self, invitation_id: str):  # type: ignore[no-untyped-def]
        """Put the invitation's links on the clipboard again."""
        actor = await self._actor()
        if actor is None:
            return None
        try:
            with session_scope() as session:
                links = invitation_activity.invitation_links(
                    session=session,
                    actor=actor,
                    invitation_id=int(invitation_id),
                    secret=secret_key(),
                )
        except NotAllowed as exc:
            self.message = exc.message
            return None
        self.done = {invitation_id: "Links copied to the clipboard."}
        return rx.set_clipboard(_links_text(links))

    @rx.event
    async def resend(self, invitation_id: str) -> None:
        """Send the invitation email again."""
        actor = await self._actor()
        if actor is None:
            return
        try:
            with session_scope() as session:
                invitation_activity.resend_invitation(
                    session=session,
                    actor=actor,
                    invitation_id=int(invitation_id),
                    secret=secret_key(),
                    now=utcnow(),
                )
        except NotAllowed as exc:
            self.message = exc.message
            return
        self.done = {invitation_id: "Email sent again."}
        await self.reload()

    @rx.event
    def ask_cancel(self, invitation_id: str) -> None:
        """Show the confirm step of cancelling."""
        self.confirm_cancel = invitation_id

    @rx.event
    def keep(self) -> None:
        """Do not cancel after all."""
        self.confirm_cancel = ""

    @rx.event
    async def cancel(self, invitation_id: str) -> None:
        """Withdraw the invitation: its links stop working at once."""
        actor = await self._actor()
        if actor is None:
            return
        try:
            with session_scope() as session:
                invitation_activity.cancel_invitation(
                    session=session, actor=actor, invitation_id=int(invitation_id), now=utcnow()
                )
        except NotAllowed as exc:
            self.message = exc.message
        self.confirm_cancel = ""
        await self.reload()
