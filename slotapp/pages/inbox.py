"""Inbox `/inbox`: the agent's enquiries (Mine, Queue, All for supervisors), live."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON_SECONDARY, CARD, segmented
from slotapp.state.auth import AuthState
from slotapp.state.inbox import InboxState as S

STATUS_CLASS = "shrink-0 px-2 py-0.5 rounded-full text-xs font-semibold "
SWITCH = BUTTON_SECONDARY.replace("px-5", "px-3") + " text-sm w-full"
SWITCH_ON = SWITCH.replace("bg-white text-slate-800", "bg-emerald-50 text-emerald-800").replace(
    "border-slate-300", "border-emerald-400"
)


def _status(row: rx.Var) -> rx.Component:
    return rx.el.span(
        row["status"],
        class_name=rx.match(
            row["status_key"],
            ("offered", STATUS_CLASS + "bg-indigo-100 text-indigo-800"),
            ("waiting", STATUS_CLASS + "bg-amber-100 text-amber-900"),
            ("active", STATUS_CLASS + "bg-emerald-100 text-emerald-800"),
            STATUS_CLASS + "bg-slate-100 text-slate-700",
        ),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(
                rx.el.span(row["client"], class_name="font-semibold truncate"),
                _status(row),
                class_name="flex items-center justify-between gap-2",
            ),
            rx.el.span(row["preview"], class_name="block text-slate-700 truncate"),
            rx.el.span(
                row["channel"],
                rx.cond(row["waiting"] != "", rx.fragment(" · waiting ", row["waiting"])),
                class_name="block text-sm text-slate-500",
            ),
            rx.cond(
                row["kpi"] != "",
                rx.el.span(row["kpi"], class_name="block text-xs text-slate-600 pt-1"),
            ),
            href=row["href"],
            class_name="block py-3 min-h-12 space-y-0.5",
        ),
        class_name="border-b border-slate-100 last:border-0",
        custom_attrs={"data-conversation": row["id"]},
    )


def _switch(label_on: str, label_off: str, on: rx.Var, pick, ident: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.el.button(
        rx.cond(on, label_on, label_off),
        on_click=pick(~on),
        type="button",
        aria_pressed=rx.cond(on, "true", "false"),
        class_name=rx.cond(on, SWITCH_ON, SWITCH),
        id=ident,
    )


def _presence() -> rx.Component:
    return rx.el.div(
        _switch("● Online", "○ Away", S.online, S.set_online, "presence-online"),
        _switch("Clocked in", "Clocked out", S.clocked_in, S.set_clocked_in, "presence-clock"),
        class_name="grid grid-cols-2 gap-2",
        role="group",
        aria_label="Presence",
    )


def _tab(value: str, label: str) -> tuple[str, tuple[object, ...]]:
    return (value, (label, " (", S.counts.get(value, 0), ")"))


def _tabs(*options: tuple[str, tuple[object, ...]]) -> rx.Component:
    return segmented(
        options,
        selected=S.tab,
        on_pick=S.show,
        id_prefix="tab-",
        tabs=True,
        class_name="flex gap-1 p-1 rounded-xl bg-slate-200",
    )


def _agents() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Agents, last 30 days", class_name="text-lg font-semibold"),
        rx.cond(
            S.agents.length() > 0,
            rx.el.ul(
                rx.foreach(
                    S.agents,
                    lambda a: rx.el.li(
                        rx.el.p(
                            a["name"], " · ", a["answers"], " answers", class_name="font-semibold"
                        ),
                        rx.el.p(a["times"], class_name="text-sm text-slate-700"),
                        rx.el.p(a["ratings"], class_name="text-sm text-slate-700"),
                        class_name="py-2 border-b border-slate-100 last:border-0",
                    ),
                ),
                id="agent-summary",
            ),
            rx.el.p("No answers yet.", class_name="text-slate-500"),
        ),
        class_name=CARD + " space-y-2",
    )


@rx.page(route="/inbox", title="Inbox · slotapp", on_load=[AuthState.require_login, S.load])
def inbox_page() -> rx.Component:
    """The agent's enquiries, updated live in every open tab."""
    return private_page(
        rx.el.div(
            rx.el.h1("Inbox", class_name="text-2xl font-bold"),
            rx.el.button(
                rx.cond(S.kpi, "Hide KPIs", "Show KPIs"),
                on_click=S.toggle_kpi,
                type="button",
                aria_pressed=rx.cond(S.kpi, "true", "false"),
                class_name=BUTTON_SECONDARY.replace("px-5", "px-3") + " text-sm",
                id="toggle-kpi",
            ),
            class_name="flex items-center justify-between gap-2",
        ),
        _presence(),
        rx.cond(
            S.supervisor,
            _tabs(_tab("mine", "Mine"), _tab("queue", "Queue"), _tab("all", "All")),
            _tabs(_tab("mine", "Mine"), _tab("queue", "Queue")),
        ),
        rx.cond(S.message != "", rx.el.p(S.message, role="alert", class_name="text-red-700")),
        rx.el.section(
            rx.cond(
                S.rows.length() > 0,
                rx.el.ul(rx.foreach(S.rows, _row), id="inbox-rows"),
                rx.el.p(
                    rx.cond(S.loaded, "Nothing here right now.", "Loading…"),
                    class_name="text-slate-500 py-4",
                    id="inbox-rows",
                ),
            ),
            class_name=CARD + " py-1",
            role="tabpanel",
        ),
        rx.cond(S.supervisor & (S.tab == "all") & S.kpi, _agents()),
        rx.el.span(S.refreshed, id="inbox-refreshed", class_name="sr-only"),
    )
