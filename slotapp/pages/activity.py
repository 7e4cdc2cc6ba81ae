"""Activity `/activity`: open invitations (copy links, resend, cancel) and booked meetings."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, segmented
from slotapp.state.activity import ActivityState as S
from slotapp.state.auth import AuthState

SMALL = BUTTON_SECONDARY.replace("px-5", "px-3") + " text-sm flex-1 whitespace-nowrap"


def _confirm(row: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.p("Cancel this invitation? Its links stop working at once.", class_name="text-sm"),
        rx.el.div(
            rx.el.button(
                "Cancel invitation",
                on_click=S.cancel(row["id"]),
                type="button",
                class_name=BUTTON + " bg-red-600 hover:bg-red-700 text-sm px-3",
                id="confirm-cancel",
            ),
            rx.el.button("Keep it", on_click=S.keep, type="button", class_name=SMALL),
            class_name="grid grid-cols-2 gap-2",
        ),
        role="alertdialog",
        class_name="rounded-xl bg-red-50 border border-red-200 p-3 space-y-2",
    )


def _invitation(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(row["participant"], class_name="font-semibold"),
        rx.el.p(row["subject"], class_name="text-slate-800"),
        rx.el.p(
            row["sent"],
            " · ",
            row["slots"],
            " slots still available",
            class_name="text-sm text-slate-600",
        ),
        rx.cond(
            S.done.contains(row["id"]),
            rx.el.p(S.done[row["id"]], class_name="text-sm text-emerald-700", role="status"),
        ),
        rx.cond(
            S.confirm_cancel == row["id"],
            _confirm(row),
            rx.el.div(
                rx.el.button(
                    "Copy links", on_click=S.copy_links(row["id"]), type="button", class_name=SMALL
                ),
                rx.el.button(
                    row["resend"], on_click=S.resend(row["id"]), type="button", class_name=SMALL
                ),
                rx.el.button(
                    "Cancel",
                    on_click=S.ask_cancel(row["id"]),
                    type="button",
                    class_name=SMALL + " text-red-700",
                ),
                class_name="flex flex-wrap gap-2 pt-1",
            ),
        ),
        class_name="py-4 space-y-1 border-b border-slate-100 last:border-0",
        custom_attrs={"data-invitation": row["id"]},
    )


def _meeting(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.span(row["title"], class_name="block font-semibold text-indigo-700"),
            rx.el.span(row["when"], class_name="block text-slate-800"),
            rx.el.span(row["participant"], class_name="block text-sm text-slate-600 break-all"),
            href=row["href"],
            class_name="block py-3 min-h-12",
        ),
        class_name="border-b border-slate-100 last:border-0",
    )


def _list(rows: rx.Var, item, empty: str, list_id: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.cond(
        rows.length() > 0,
        rx.el.ul(rx.foreach(rows, item), id=list_id),
        rx.el.p(empty, class_name="text-slate-500 py-4", id=list_id),
    )


@rx.page(
    route="/activity",
    title="Activity · slotapp",
    on_load=[AuthState.require_login, S.load],
)
def activity() -> rx.Component:
    """The user's invitations and the meetings they became, updated live."""
    return private_page(
        rx.el.div(
            rx.el.h1("Activity", class_name="text-2xl font-bold"),
            rx.el.a("New invitation", href="/invitations/new", class_name=BUTTON, id="new-inv"),
            class_name="flex items-center justify-between gap-2",
        ),
        segmented(
            [
                ("invitations", ("Invitations", " (", S.invitations.length(), ")")),
                ("meetings", ("Meetings", " (", S.meetings.length(), ")")),
            ],
            selected=S.tab,
            on_pick=S.show,
            id_prefix="tab-",
            tabs=True,
            class_name="flex gap-1 p-1 rounded-xl bg-slate-200",
        ),
        rx.cond(S.message != "", rx.el.p(S.message, role="alert", class_name="text-red-700")),
        rx.el.section(
            rx.cond(
                S.tab == "invitations",
                _list(S.invitations, _invitation, "No open invitations.", "open-invitations"),
                _list(S.meetings, _meeting, "No meetings booked yet.", "booked-meetings"),
            ),
            class_name=CARD + " py-1",
            role="tabpanel",
        ),
        rx.el.span(S.refreshed, id="activity-refreshed", class_name="sr-only"),
    )
