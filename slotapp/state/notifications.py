"""The Notifications page: this device on or off, the user's devices, a switch per kind.

The browser side (permission, `pushManager.subscribe`) is `assets/pwa.js`. Asking permission
waits for the person, so `enable` starts it without waiting (Reflex's event queue must not
stall); pwa.js then clicks the hidden `#push-report` button, whose event hands the outcome to
`take_result`.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.push import KINDS, PushKind, kinds_for_role
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.core.wallclock import zone
from slotapp.core.webpush_subscription import device_status
from slotapp.db import session_scope
from slotapp.services import push_devices
from slotapp.services.accounts import CurrentUser
from slotapp.services.vapid import vapid_keys
from slotapp.state.auth import AuthState

STATUS_JS = (
    "window.slotappPwa ? slotappPwa.status()"
    " : {supported: false, permission: 'default', endpoint: '', ios: false}"
)
MESSAGES = {
    "default": "Notifications stay off: the browser's question was dismissed.",
    "denied": "Notifications are blocked for this site. Allow them in the browser's site "
    "settings, then try again.",
    "unsupported": "This browser cannot show notifications.",
    "error": "The browser could not turn notifications on. Please try again.",
}


class NotificationsState(rx.State):
    """Rows as display strings; device ids are checked against the user on every change."""

    device: str = "checking"  # see core.webpush_subscription.device_status, or "working"
    message: str = ""
    public_key: str = ""  # VAPID public key: the browser subscribes with it (not a secret)
    devices: list[dict[str, str]] = []
    switches: list[dict[str, str]] = []
    _endpoint: str = ""  # this browser's subscription, when it has one
    _permission: str = "default"
    _supported: bool = False
    _ios: bool = False

    async def _user(self) -> CurrentUser | None:
        return (await self.get_state(AuthState))._current_user()

    def _show(self, user: CurrentUser) -> None:
        tz = zone(user.time_zone)
        with session_scope() as session:
            rows = push_devices.devices(session=session, user_id=user.id)
            prefs = push_devices.preferences(session=session, user_id=user.id)
        self.devices = [
            {
                "id": str(d.id),
                "label": d.label or "Browser",
                "added": f"Added {d.created_at.astimezone(tz):%d %b %Y}",
                "this": "1" if d.endpoint == self._endpoint else "",
            }
            for d in rows
        ]
        kinds = kinds_for_role(user.role)
        self.switches = [
            {
                "kind": kind.value,
                "label": KINDS[kind].label,
                "description": KINDS[kind].description,
                # A heading above the first switch of each group, when there are two groups.
                "heading": KINDS[kind].group
                if len({KINDS[k].group for k in kinds}) > 1
                and (i == 0 or KINDS[kinds[i - 1]].group != KINDS[kind].group)
                else "",
                "on": "1" if prefs[kind] else "",
            }
            for i, kind in enumerate(kinds)
        ]
        subscribed = any(d["this"] for d in self.devices)
        self.device = device_status(
            supported=self._supported,
            permission=self._permission,
            subscribed=subscribed,
            ios_browser=self._ios,
        )

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """On load, after the login check: the lists, then ask the browser about itself."""
        user = await self._user()
        if user is None:
            return None
        self.public_key = vapid_keys().public_key
        self.message = ""
        self._show(user)
        self.device = "checking"
        return rx.call_script(STATUS_JS, callback=NotificationsState.got_status)

    @rx.event
    async def got_status(self, status: dict[str, Any]) -> None:
        """What pwa.js reports: support, permission, and this browser's subscription."""
        status = status if isinstance(status, dict) else {}
        self._supported = bool(status.get("supported"))
        self._permission = str(status.get("permission") or "default")
        self._endpoint = str(status.get("endpoint") or "")
        self._ios = bool(status.get("ios"))
        if (user := await self._user()) is not None:
            self._show(user)

    @rx.event
    def enable(self):  # type: ignore[no-untyped-def]
        """The tap: the browser asks permission and subscribes; the outcome comes later."""
        self.device, self.message = "working", ""
        return rx.call_script(f"slotappPwa.enable({json.dumps(self.public_key)})")

    @rx.event
    async def take_result(self, result: dict[str, Any]) -> None:
        """Store the subscription pwa.js made, or say why there is none."""
        user = await self._user()
        result = result if isinstance(result, dict) else {}
        if user is None:
            return
        self._permission = str(result.get("permission") or self._permission)
        if not result.get("ok"):
            self.message = MESSAGES.get(str(result.get("reason")), MESSAGES["error"])
            self._show(user)
            return
        try:
            with session_scope() as session:
                self._endpoint = push_devices.subscribe_browser(
                    session=session,
                    user_id=user.id,
                    subscription=result.get("subscription"),
                    user_agent=self.router.headers.user_agent,
                    now=utcnow(),
                )
            self._supported = True
        except InvalidInput as exc:
            self.message = exc.message
        self._show(user)

    @rx.event
    def disable(self):  # type: ignore[no-untyped-def]
        """Turn this device off: the browser unsubscribes, then the server forgets it."""
        return rx.call_script("slotappPwa.disable()", callback=NotificationsState.forget_endpoint)

    @rx.event
    async def forget_endpoint(self, endpoint: str) -> None:
        """The browser dropped its subscription: forget it (only if it is the user's)."""
        user = await self._user()
        if user is None:
            return
        with session_scope() as session:
            push_devices.remove_endpoint(
                session=session, user_id=user.id, endpoint=str(endpoint or self._endpoint)
            )
        self._show(user)

    @rx.event
    async def remove(self, device_id: str):  # type: ignore[no-untyped-def]
        """Remove one device from the list; removing this one also unsubscribes the browser."""
        user = await self._user()
        if user is None or not is_whole_number(device_id):
            return None
        this = any(d["id"] == device_id and d["this"] for d in self.devices)
        with session_scope() as session:
            push_devices.remove_device(session=session, user_id=user.id, device_id=int(device_id))
        self._show(user)
        return rx.call_script("slotappPwa.disable()") if this else None

    @rx.event
    async def toggle(self, kind: str) -> None:
        """Flip one kind of notification on or off for the user (every device)."""
        user = await self._user()
        if user is None or kind not in {k.value for k in kinds_for_role(user.role)}:
            return
        on = any(s["kind"] == kind and s["on"] for s in self.switches)
        with session_scope() as session:
            push_devices.set_preference(
                session=session, user_id=user.id, kind=PushKind(kind), enabled=not on
            )
        self._show(user)
