"""Every Reflex event handler has an access rule, and each data handler keeps to it per role.

The handlers run in-process on a real state tree (tests/access/browser.py) against a copy
of a demo-like SQLite database (tests/access/world.py); see tests/access/rules.py for the
rules and tests/access/cases.py for the matrix.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from typing import Any

import pytest
import reflex as rx

import slotapp.slotapp  # noqa: F401  (imports every page, so every state is registered)
import slotapp.state
from slotapp.state.auth import AuthState
from slotapp.state.guest import GuestState
from tests.access.browser import Tab, redirect_target, run, visible
from tests.access.cases import CASES, Case, value
from tests.access.conftest import App
from tests.access.rules import NOT_IN_MATRIX, RULES
from tests.access.world import GUEST_EMAIL, PARTICIPANT_EMAIL, ROLES, changed_tables, snapshot


def _app_states() -> list[type[rx.State]]:
    for info in pkgutil.iter_modules(slotapp.state.__path__):
        importlib.import_module(f"slotapp.state.{info.name}")
    found: list[type[rx.State]] = []
    todo: list[type[rx.State]] = [rx.State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.get_substates())
        if cls.__module__.startswith("slotapp."):
            found.append(cls)
    return found


def _handlers() -> dict[str, tuple[type[rx.State], str]]:
    return {
        f"{cls.__name__}.{name}": (cls, name)
        for cls in _app_states()
        for name in cls.event_handlers
    }


def test_every_event_handler_has_a_rule() -> None:
    handlers = _handlers()
    assert len(handlers) > 150  # the walk found the app's states
    missing = sorted(set(handlers) - set(RULES))
    stale = sorted(set(RULES) - set(handlers))
    assert not missing, f"event handlers without an access rule in tests/access/rules.py: {missing}"
    assert not stale, f"rules for handlers that no longer exist: {stale}"


def test_every_data_handler_is_in_the_matrix() -> None:
    exercised = {c.key for c in CASES} | {
        f"{c.cls.__name__}.{name}" for c in CASES for name, _ in c.prep
    }
    data = {k for k, rule in RULES.items() if rule not in ("ui", "setter", "internal")}
    missing = sorted(data - exercised - set(NOT_IN_MATRIX))
    assert not missing, f"data handlers without a case in tests/access/cases.py: {missing}"
    both = exercised & set(NOT_IN_MATRIX)
    assert not both, f"both driven and excused: {both}"


def test_states_are_only_app_states_with_rules() -> None:
    # A state that sets data from outside slotapp.state (a page, a component) would dodge
    # the walk above; there is none.
    modules = {cls.__module__ for cls in _app_states()}
    assert all(m.startswith("slotapp.state.") for m in modules), modules


async def _fire_as(app: App, case: Case, role: str) -> tuple[Any, Any, list[str]]:
    world = app.world
    tab = Tab(world.sessions.get(role, ""), "/", f"tab-{role}")
    if role == "guest":  # the guest's tab has been on Ben's booking page
        tab.go(f"/book/{world.link_token}")
        await tab.fire(GuestState, "start")
        await tab.fire(GuestState, "use_zone", name="Europe/Berlin")
    tab.go(value(case.path, world, role))
    for name, payload in case.prep:
        await tab.fire(case.cls, name, **(value(payload, world, role) or {}))
    state = await tab.state(case.cls)
    if case.setup is not None:
        case.setup(state, world)
    before = snapshot(app.engine)
    result = await tab.fire(case.cls, case.name, **(value(case.payload, world, role) or {}))
    return state, result, changed_tables(before, snapshot(app.engine))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_handler_by_role(app: App, case: Case, role: str) -> None:
    state, result, changed = run(_fire_as(app, case, role))
    if role in case.changes:
        assert changed, f"{case.id} as {role} changed nothing (it should have worked)"
    else:
        assert not changed, f"{case.id} as {role} changed {changed} (it must be refused)"
    if case.marker is not None:
        marker = value(case.marker, app.world, role)
        shown = marker in visible(state, result)
        if role in case.sees:
            assert shown, f"{case.id} as {role}: {marker!r} is missing"
        else:
            assert not shown, f"{case.id} as {role}: {marker!r} leaked"


# --- the refusals the pages rely on --------------------------------------------------------


def _pages() -> dict[str, list[str]]:
    """Each page route and the names of its on-load handlers."""
    from reflex_base.registry import RegistrationContext

    pages: dict[str, list[str]] = {}
    for _render, kwargs in RegistrationContext.ensure_context().decorated_pages:
        on_load = kwargs.get("on_load") or []
        on_load = on_load if isinstance(on_load, list) else [on_load]
        pages[kwargs["route"]] = [h.fn.__qualname__ for h in on_load]
    return pages


PUBLIC_PAGES = {"/login", "/book/[token]", "/invite/[token]"}


def test_every_private_page_checks_the_login_first() -> None:
    pages = _pages()
    assert len(pages) >= 18, pages
    for route, handlers in pages.items():
        if route in PUBLIC_PAGES:
            assert "AuthState.require_login" not in handlers, route
        else:
            assert handlers[:1] == ["AuthState.require_login"], f"{route} loads {handlers}"


@pytest.mark.parametrize("role", ["guest", "anon"])
def test_logged_out_browser_is_sent_to_login(app: App, role: str) -> None:
    async def go() -> str | None:
        tab = Tab("", "/meetings/1", role)
        return redirect_target(await tab.fire(AuthState, "require_login"))

    assert run(go()) == "/login?next=/meetings/1"


def test_expired_or_revoked_session_counts_as_logged_out(app: App) -> None:
    from slotapp.clock import utcnow
    from slotapp.db import session_scope
    from slotapp.services import accounts

    token = app.world.sessions["admin"]
    with session_scope() as s:
        accounts.end_session(session=s, token=token, now=utcnow())

    async def go() -> tuple[str | None, bool]:
        tab = Tab(token, "/rooms", "t")
        target = redirect_target(await tab.fire(AuthState, "require_login"))
        return target, bool((await tab.state(AuthState)).user_email)

    assert run(go()) == ("/login?next=/rooms", False)


# --- helpers a browser can call although no page does ------------------------------------


def test_calendar_reload_cannot_be_told_whose_calendar_to_show(app: App) -> None:
    """A crafted event `CalendarState.reload(user={...Ben...})` showed Ben's meetings to
    anyone, logged out too: Reflex turns a dict argument into the hinted dataclass."""
    from slotapp.state.calendar import CalendarState

    ben = {"id": app.world.users["owner"], "name": "x", "email": "x", "role": "admin"}
    forged = {"user": {**ben, "time_zone": "UTC"}}

    async def go(role: str) -> str:
        tab = Tab(app.world.sessions.get(role, ""), "/calendar", role)
        try:
            result = await tab.fire(CalendarState, "reload", **forged)
        except TypeError:  # the handler takes no such argument: Reflex logs and drops it
            result = None
        return visible(await tab.state(CalendarState), result)

    for role in ("employee", "agent", "anon"):
        assert GUEST_EMAIL not in run(go(role)), role


def test_ui_handlers_change_no_data(app: App) -> None:
    """Every handler ruled "ui" runs as a logged-out tab and as an employee: no data moves."""

    def dummy(hint: Any) -> Any:
        base = typing.get_origin(hint) or hint
        return {str: "1", int: 1, bool: True, dict: {}, list: []}.get(base, "1")

    async def go(role: str) -> list[str]:
        changed: list[str] = []
        tab = Tab(app.world.sessions.get(role, ""), "/", role)
        for key, rule in sorted(RULES.items()):
            if rule != "ui":
                continue
            cls, name = _handlers()[key]
            handler = cls.event_handlers[name]
            hints = typing.get_type_hints(handler.fn)
            params = list(inspect.signature(handler.fn).parameters)[1:]
            args = {p: dummy(hints.get(p, str)) for p in params}
            before = snapshot(app.engine)
            await tab.fire(cls, name, **args)
            if changed_tables(before, snapshot(app.engine)):
                changed.append(key)
        return changed

    for role in ("anon", "employee"):
        assert run(go(role)) == [], role


def test_guest_sees_only_the_links_public_facts(app: App) -> None:
    """Owner's display name, meeting length, free times: no email, no other booking."""

    async def go() -> str:
        tab = Tab("", f"/book/{app.world.link_token}", "guest")
        await tab.fire(GuestState, "start")
        result = await tab.fire(GuestState, "use_zone", name="Europe/Berlin")
        return visible(await tab.state(GuestState), result)

    shown = run(go())
    assert "Ben Colleague" in shown and "'length_minutes_rx_state_': 30" in shown
    assert "'times_rx_state_': [{" in shown or "'days_rx_state_': [{" in shown
    for secret in (GUEST_EMAIL, "Gina Guest", "ben@example.com", PARTICIPANT_EMAIL):
        assert secret not in shown, secret


def test_no_handler_takes_an_identity_from_the_browser() -> None:
    """Reflex builds a dataclass or model argument from whatever dict the browser sends, so
    a handler typed `user: CurrentUser` lets any browser say who it is. Handlers take plain
    values only; who is asking comes from the session cookie."""
    plain = {str, int, float, bool, dict, list, type(None), typing.Any}
    offenders = []
    for key, (cls, name) in _handlers().items():
        if name == "setvar":
            continue
        hints = typing.get_type_hints(cls.event_handlers[name].fn)
        for param, hint in hints.items():
            if param == "return":
                continue
            parts = typing.get_args(hint) if typing.get_origin(hint) is typing.Union else (hint,)
            for part in parts:
                if (typing.get_origin(part) or part) not in plain:
                    offenders.append(f"{key}({param}: {hint})")
    assert not offenders, offenders
