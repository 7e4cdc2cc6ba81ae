"""The Shared slots page: the user's links, sorting, revoking, making new ones, sharing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import reflex as rx

from slotapp import routes
from slotapp.clock import utcnow
from slotapp.core.sharing import link_limits
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.core.wallclock import zone
from slotapp.db import session_scope
from slotapp.models import LinkKind
from slotapp.services import link_list, sharing
from slotapp.services.accounts import CurrentUser
from slotapp.services.keys import secret_key
from slotapp.settings import get_settings
from slotapp.state.auth import AuthState

KIND_LABELS = {
    LinkKind.OPEN: "Open slots",
    LinkKind.SHARED: "Shared slots",
    LinkKind.ONE_TIME: "One-time",
    LinkKind.INVITATION: "Invitation",
}
CAN_SHARE = "typeof navigator.share === 'function'"


def _day(moment: datetime, tz_name: str) -> str:
    return f"{moment.astimezone(zone(tz_name)):%d %b %Y}"


def _row(row: link_list.LinkRow, tz_name: str) -> dict[str, str]:
    """A link as the page shows it: every value already a display string."""
    bookings = f"{row.use_count} booking" + ("" if row.use_count == 1 else "s")
    limits = []
    if row.expires_at is not None:
        # Stored as the midnight after the last day the owner chose.
        limits.append(f"valid until {_day(row.expires_at - timedelta(microseconds=1), tz_name)}")
    if row.max_uses is not None and row.kind is not LinkKind.ONE_TIME:
        limits.append(f"at most {row.max_uses} bookings")
    url = get_settings().base_url.rstrip("/") + routes.booking_path(row.token) if row.token else ""
    return {
        "id": str(row.id),
        "kind": KIND_LABELS.get(row.kind, row.kind.value),
        "members": ", ".join(row.members),
        "created": f"Created {_day(row.created_at, tz_name)}",
        "bookings": bookings,
        "last_used": (
            f"last used {_day(row.last_used_at, tz_name)}" if row.last_used_at else "never used"
        ),
        "limits": " · ".join(limits),
        "state": row.state.value,
        "warning": row.warning,
        "token": row.token,
        "url": url,
    }


class LinksState(rx.State):
    """Display strings only; ids the browser sends back are checked against the owner."""

    rows: list[dict[str, str]] = []
    sort: str = "uses"
    loaded: bool = False
    notice: str = ""
    confirm_id: str = ""
    form_kind: str = ""  # "" (closed), "shared" or "one_time"
    results: list[dict[str, str]] = []
    departments: list[str] = []
    picked: list[dict[str, str]] = []
    preview_warning: str = ""
    form_error: str = ""
    sheet_id: str = ""
    copied: bool = False
    can_share: bool = False

    async def _user(self) -> CurrentUser | None:
        return (await self.get_state(AuthState))._current_user()

    def _reload(self, user: CurrentUser) -> None:
        with session_scope() as session:
            rows = link_list.list_links(
                session=session, owner_id=user.id, secret=secret_key(), now=utcnow()
            )
            self.sort = link_list.stored_sort(session=session, user_id=user.id).value
            self.departments = sharing.departments(session=session, owner_id=user.id)
        self.rows = [_row(r, user.time_zone) for r in rows]
        self.loaded = True

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """On load, after the login check: the list; `?new=shared` opens the form."""
        user = await self._user()
        if user is None:
            return None
        self._reload(user)
        self.notice = self.confirm_id = self.sheet_id = self.form_error = ""
        self.copied = False
        wanted = self.router.url.query_parameters.get("new", "")
        self._open_form(wanted if wanted in ("shared", "one_time") else "")
        return rx.call_script(CAN_SHARE, callback=LinksState.set_can_share)

    @rx.event
    def set_can_share(self, value: bool) -> None:
        """The browser has the Web Share API (most phones do)."""
        self.can_share = bool(value)

    @rx.event
    async def set_sort(self, sort: str) -> None:
        """Sort by use or by creation; the choice is stored on the account."""
        user = await self._user()
        if user is None:
            return
        with session_scope() as session:
            link_list.set_links_sort(session=session, user_id=user.id, sort=sort)
        self._reload(user)

    @rx.event
    def ask_revoke(self, link_id: str) -> None:
        """The cross was tapped: ask before revoking."""
        self.confirm_id, self.notice = link_id, ""

    @rx.event
    def keep(self) -> None:
        """The owner changed their mind."""
        self.confirm_id = ""

    @rx.event
    async def revoke(self, link_id: str) -> None:
        """Revoke the link at once: its page refuses every booking from now on."""
        user = await self._user()
        if user is None or not is_whole_number(link_id):
            return
        with session_scope() as session:
            done = sharing.revoke_link(
                session=session, owner_id=user.id, link_id=int(link_id), now=utcnow()
            )
        self.confirm_id = ""
        self.sheet_id = "" if self.sheet_id == link_id else self.sheet_id
        self.notice = "Link revoked. Nobody can book through it any more." if done else ""
        self._reload(user)

    def _open_form(self, kind: str) -> None:
        self.form_kind, self.picked, self.results = kind, [], []
        self.preview_warning = self.form_error = ""

    @rx.event
    def open_form(self, kind: str) -> None:
        """'+' (shared slots with colleagues) or 'One-time link'."""
        self._open_form(kind)
        self.sheet_id = self.notice = ""

    @rx.event
    def close_form(self) -> None:
        """Cancel making a link."""
        self._open_form("")

    @rx.event
    async def search(self, query: str) -> None:
        """Colleagues whose name contains what was typed."""
        user = await self._user()
        if user is None:
            return
        with session_scope() as session:
            found = sharing.search_colleagues(session=session, owner_id=user.id, query=query)
        chosen = {p["id"] for p in self.picked}
        self.results = [
            {"id": str(c.id), "name": c.name, "department": c.department}
            for c in found
            if str(c.id) not in chosen
        ]

    @rx.event
    async def add(self, colleague: dict[str, str]) -> None:
        """Add one colleague from the search results."""
        self._pick([colleague])
        self.results = [r for r in self.results if r["id"] != colleague["id"]]
        await self._preview()

    @rx.event
    async def add_department(self, department: str) -> None:
        """Add everyone of a department."""
        user = await self._user()
        if user is None or not department:
            return
        with session_scope() as session:
            people = sharing.department_colleagues(
                session=session, owner_id=user.id, department=department
            )
        self._pick([{"id": str(c.id), "name": c.name} for c in people])
        await self._preview()

    @rx.event
    async def remove(self, colleague_id: str) -> None:
        """Take a colleague off the new link."""
        self.picked = [p for p in self.picked if p["id"] != colleague_id]
        await self._preview()

    def _pick(self, people: list[dict[str, str]]) -> None:
        known = {p["id"] for p in self.picked}
        self.picked = self.picked + [
            {"id": p["id"], "name": p["name"]}
            for p in people
            if is_whole_number(str(p.get("id", ""))) and p["id"] not in known
        ]

    async def _preview(self) -> None:
        """Warn before the link exists when the chosen people have no time in common."""
        user = await self._user()
        if user is None or not self.picked:
            self.preview_warning = ""
            return
        with session_scope() as session:
            self.preview_warning = sharing.common_times_warning(
                session=session,
                owner_id=user.id,
                colleague_ids=[int(p["id"]) for p in self.picked],
                now=utcnow(),
            )

    @rx.event
    async def create(self, form: dict[str, str]) -> None:
        """Make the link, then open its share sheet (which shows any no-times warning)."""
        user = await self._user()
        if user is None or self.form_kind not in ("shared", "one_time"):
            return
        try:
            expires_on, max_uses = link_limits(form)
            with session_scope() as session:
                link, _ = sharing.make_link(
                    session=session,
                    owner_id=user.id,
                    kind=LinkKind.SHARED if self.form_kind == "shared" else LinkKind.ONE_TIME,
                    secret=secret_key(),
                    now=utcnow(),
                    colleague_ids=[int(p["id"]) for p in self.picked],
                    expires_on=expires_on,
                    max_uses=max_uses,
                )
        except InvalidInput as exc:
            self.form_error = exc.message
            return
        self._open_form("")
        self._reload(user)
        self.sheet_id, self.copied = str(link.id), False

    @rx.event
    def open_sheet(self, link_id: str) -> None:
        """Show a link's share sheet."""
        self.sheet_id, self.copied, self.confirm_id = link_id, False, ""

    @rx.event
    def close_sheet(self) -> None:
        """Hide the share sheet."""
        self.sheet_id = ""

    @rx.event
    def mark_copied(self) -> None:
        """The browser copied the link: say so."""
        self.copied = True

    @rx.var
    def sheet(self) -> dict[str, str]:
        """The link whose share sheet is open ({} when none)."""
        return next((r for r in self.rows if r["id"] == self.sheet_id and r["token"]), {})

    @rx.var
    def share_script(self) -> str:
        """The Web Share call for the open sheet (run in the browser on tap)."""
        url = self.sheet.get("url", "")
        data = json.dumps({"title": "Book a meeting", "url": url})
        return f"navigator.share({data}).catch(() => null)" if url else ""

    @rx.var
    def qr_src(self) -> str:
        """The large QR code of the open sheet's link."""
        token = self.sheet.get("token", "")
        return routes.backend_url(f"/api/qr/{token}.svg") if token else ""

    @rx.var
    def card_png(self) -> str:
        """The printable card as PNG (a download)."""
        token = self.sheet.get("token", "")
        return routes.backend_url(f"/api/qr/{token}/card.png?download=1") if token else ""

    @rx.var
    def card_svg(self) -> str:
        """The printable card as SVG (opens in the browser, ready to print)."""
        token = self.sheet.get("token", "")
        return routes.backend_url(f"/api/qr/{token}/card.svg") if token else ""
