"""The Calendars page: connected calendars and the private address of the user's meetings."""

from __future__ import annotations

import asyncio
import os

import reflex as rx

from slotapp import routes
from slotapp.api.feeds import subscription_path
from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.core.wallclock import zone
from slotapp.db import get_engine, session_scope
from slotapp.services import feed_subscription as subs
from slotapp.services import feeds
from slotapp.services.accounts import CurrentUser
from slotapp.services.keys import secret_key
from slotapp.state.auth import AuthState

NO_ERRORS = {"url": "", "name": ""}


def feed_row(view: feeds.FeedView, time_zone: str) -> dict[str, str]:
    """A connected calendar as display strings, times in the user's zone."""
    tz = zone(time_zone)
    good = view.last_success_at
    status = "Not fetched yet"
    if good is not None:
        status = (
            f"Last good fetch {good.astimezone(tz):%a %d %b, %H:%M} · "
            f"{view.event_count} busy events in the next {feeds.HORIZON.days} days"
        )
    return {
        "id": str(view.id),
        "name": view.name,
        "address": view.address,
        "status": status,
        "error": view.last_error if view.failures else "",
    }


class CalendarsState(rx.State):
    """Rows already formatted; the feed ids in them are checked against the user again."""

    feeds: list[dict[str, str]] = []
    errors: dict[str, str] = {"url": "", "name": ""}
    form_key: int = 0  # a new key empties the add form after a calendar was connected
    pending: str = ""  # "add", or the id of the calendar being refreshed
    confirm_remove: str = ""
    subscribe_url: str = ""
    copied: bool = False
    confirm_renew: bool = False

    async def _user(self) -> CurrentUser | None:
        return (await self.get_state(AuthState))._current_user()

    def _show(self, user: CurrentUser) -> None:
        with session_scope() as session:
            views = feeds.list_feeds(session=session, user_id=user.id)
            token = subs.subscription(session=session, user_id=user.id, secret=secret_key())
        self.feeds = [feed_row(v, user.time_zone) for v in views]
        self.subscribe_url = routes.backend_url(subscription_path(token)) if token else ""

    @rx.var
    def webcal_url(self) -> str:
        """The address with webcal://, which phones open in their calendar app."""
        return self.subscribe_url.replace("https://", "webcal://").replace("http://", "webcal://")

    @rx.event
    async def load(self) -> None:
        """On load, after the login check."""
        user = await self._user()
        if user is not None:
            self._show(user)
        self.errors, self.pending, self.confirm_remove = dict(NO_ERRORS), "", ""
        self.copied = self.confirm_renew = False

    @rx.event(background=True)
    async def add(self, form: dict[str, str]) -> None:
        """Connect a calendar, then fetch it at once (in the background of the page)."""
        async with self:
            user = await self._user()
            if user is None or self.pending:
                return
            self.pending, self.errors = "add", dict(NO_ERRORS)
        try:
            with session_scope() as session:
                feed = feeds.connect_feed(
                    session=session,
                    user_id=user.id,
                    url=form.get("url", ""),
                    name=form.get("name", ""),
                    now=utcnow(),
                )
                feed_id = feed.id or 0
        except InvalidInput as exc:
            async with self:
                self.errors, self.pending = {**NO_ERRORS, exc.field: exc.message}, ""
            return
        await _refresh(feed_id, user.id)
        async with self:
            self.pending, self.form_key = "", self.form_key + 1
            self._show(user)

    @rx.event(background=True)
    async def refresh(self, feed_id: str) -> None:
        """ "Refresh now"."""
        async with self:
            user = await self._user()
            if user is None or self.pending or not is_whole_number(feed_id):
                return
            self.pending = feed_id
        await _refresh(int(feed_id), user.id)
        async with self:
            self.pending = ""
            self._show(user)

    @rx.event
    async def remove(self, feed_id: str) -> None:
        """First tap asks, the second removes the calendar and its busy times."""
        user = await self._user()
        if user is None or not is_whole_number(feed_id):
            return
        if self.confirm_remove != feed_id:
            self.confirm_remove = feed_id
            return
        with session_scope() as session:
            feeds.remove_feed(session=session, user_id=user.id, feed_id=int(feed_id))
        self.confirm_remove = ""
        self._show(user)

    @rx.event
    def keep(self) -> None:
        """Cancel a pending remove or renew."""
        self.confirm_remove, self.confirm_renew = "", False

    @rx.event
    async def subscribe(self, renew: bool) -> None:
        """Make the private address (renew: a new one, the old one stops working)."""
        user = await self._user()
        if user is None:
            return
        if renew and not self.confirm_renew:
            self.confirm_renew = True
            return
        with session_scope() as session:
            change = subs.renew_subscription if renew else subs.enable_subscription
            change(session=session, user_id=user.id, secret=secret_key())
        self.confirm_renew = self.copied = False
        self._show(user)

    @rx.event
    async def unsubscribe(self) -> None:
        """Switch the private address off."""
        user = await self._user()
        if user is None:
            return
        with session_scope() as session:
            subs.disable_subscription(session=session, user_id=user.id)
        self.confirm_renew = self.copied = False
        self._show(user)

    @rx.event
    def mark_copied(self) -> None:
        """The browser copied the address: say so."""
        self.copied = True


async def _refresh(feed_id: int, user_id: int) -> None:
    # In a thread: the download may take seconds and must not hold up the event loop.
    await asyncio.to_thread(
        feeds.refresh_feed,
        engine=get_engine(),
        feed_id=feed_id,
        user_id=user_id,
        now=utcnow(),
        config=feeds.FetchConfig.from_environ(os.environ),
    )
