"""Shared slots: every link the user made, new shared and one-time links, and a share sheet."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.share_sheet import share_sheet
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, WARNING, field, segmented
from slotapp.state.auth import AuthState
from slotapp.state.links import LinksState

LINKS = "/links"

CHIP = "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold "
STATE_CHIP = {
    "active": CHIP + "bg-emerald-100 text-emerald-800",
    "used": CHIP + "bg-slate-200 text-slate-700",
    "expired": CHIP + "bg-slate-200 text-slate-700",
    "revoked": CHIP + "bg-red-100 text-red-800",
}


def _confirm(row: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.p("Revoke this link? Nobody can book through it any more.", class_name="text-sm"),
        rx.el.div(
            rx.el.button(
                "Revoke",
                on_click=LinksState.revoke(row["id"]),
                type="button",
                class_name=BUTTON + " bg-red-600 hover:bg-red-700",
                id="confirm-revoke",
            ),
            rx.el.button(
                "Keep", on_click=LinksState.keep, type="button", class_name=BUTTON_SECONDARY
            ),
            class_name="grid grid-cols-2 gap-2",
        ),
        role="alertdialog",
        class_name="rounded-xl bg-red-50 border border-red-200 p-3 space-y-2",
    )


def _row(row: rx.Var) -> rx.Component:
    active = row["state"] == "active"
    return rx.el.li(
        rx.el.div(
            rx.el.div(
                rx.el.span(row["kind"], class_name="font-semibold"),
                rx.el.span(
                    row["state"],
                    class_name=rx.match(
                        row["state"],
                        *STATE_CHIP.items(),
                        STATE_CHIP["used"],
                    ),
                ),
                class_name="flex items-center gap-2",
            ),
            rx.cond(
                active,
                rx.el.button(
                    "×",
                    on_click=LinksState.ask_revoke(row["id"]),
                    type="button",
                    aria_label="Revoke link",
                    class_name=(
                        "w-12 h-12 -mr-3 -mt-3 text-2xl leading-none text-slate-500 "
                        "hover:text-red-700 rounded-full"
                    ),
                    id="revoke-" + row["id"].to(str),
                ),
            ),
            class_name="flex items-start justify-between",
        ),
        rx.cond(
            row["members"] != "",
            rx.el.p("With ", row["members"], class_name="text-slate-800"),
        ),
        rx.el.p(
            row["created"],
            " · ",
            row["bookings"],
            " · ",
            row["last_used"],
            class_name="text-sm text-slate-600",
        ),
        rx.cond(row["limits"] != "", rx.el.p(row["limits"], class_name="text-sm text-slate-600")),
        rx.cond(row["warning"] != "", rx.el.p(row["warning"], role="note", class_name=WARNING)),
        rx.cond(LinksState.confirm_id == row["id"], _confirm(row)),
        rx.cond(
            active & (LinksState.confirm_id != row["id"]),
            rx.el.button(
                "Share",
                on_click=LinksState.open_sheet(row["id"]),
                type="button",
                class_name=BUTTON_SECONDARY + " w-full",
                id="share-" + row["id"].to(str),
            ),
        ),
        class_name=rx.cond(
            active,
            "py-4 space-y-2 border-b border-slate-100 last:border-0",
            "py-4 space-y-2 border-b border-slate-100 last:border-0 opacity-60",
        ),
        custom_attrs={"data-link": row["id"]},
    )


def _person(person: rx.Var, action: rx.EventSpec, label: rx.Var | str, sign: str) -> rx.Component:
    return rx.el.button(
        rx.el.span(person["name"], class_name="truncate"),
        rx.el.span(sign, aria_hidden="true", class_name="text-lg"),
        on_click=action,
        type="button",
        aria_label=label,
        class_name=(
            "flex items-center justify-between gap-2 w-full min-h-12 px-4 rounded-xl border "
            "border-slate-300 bg-white text-left"
        ),
    )


def _colleagues() -> rx.Component:
    return rx.el.div(
        field(
            "Add colleagues by name",
            rx.el.input(
                on_change=LinksState.search.debounce(250),
                placeholder="Type a name",
                auto_complete="off",
                class_name=INPUT,
                id="colleague-search",
            ),
        ),
        rx.el.ul(
            rx.foreach(
                LinksState.results,
                lambda c: rx.el.li(_person(c, LinksState.add(c), "Add " + c["name"].to(str), "+")),
            ),
            class_name="space-y-2",
            id="search-results",
        ),
        field(
            "…or a whole department",
            rx.el.select(
                rx.el.option("Pick a department", value=""),
                rx.foreach(LinksState.departments, lambda d: rx.el.option(d, value=d)),
                value="",
                on_change=LinksState.add_department,
                class_name=INPUT,
                id="department",
            ),
        ),
        rx.cond(
            LinksState.picked.length() > 0,
            rx.el.div(
                rx.el.p("On this link", class_name="text-sm font-medium text-slate-700"),
                rx.el.ul(
                    rx.foreach(
                        LinksState.picked,
                        lambda p: rx.el.li(
                            _person(
                                p, LinksState.remove(p["id"]), "Remove " + p["name"].to(str), "×"
                            )
                        ),
                    ),
                    class_name="space-y-2",
                    id="picked",
                ),
                class_name="space-y-1",
            ),
        ),
        rx.cond(
            LinksState.preview_warning != "",
            rx.el.p(LinksState.preview_warning, role="note", class_name=WARNING),
        ),
        class_name="space-y-3",
    )


def _form() -> rx.Component:
    shared = LinksState.form_kind == "shared"
    return rx.el.section(
        rx.el.h2(
            rx.cond(shared, "Shared slots with colleagues", "One-time link"),
            class_name="text-lg font-semibold",
        ),
        rx.el.p(
            rx.cond(
                shared,
                "Guests see only times when you and every colleague are free.",
                "Works for one booking; after that it says it has been used.",
            ),
            class_name="text-sm text-slate-600",
        ),
        rx.cond(shared, _colleagues()),
        rx.el.form(
            field(
                "Valid until (optional)",
                rx.el.input(name="expires_on", type="date", class_name=INPUT, id="expires-on"),
                hint="The last day it can be booked.",
            ),
            rx.cond(
                shared,
                field(
                    "Most bookings (optional)",
                    rx.el.input(
                        name="max_uses", inputmode="numeric", class_name=INPUT, id="max-uses"
                    ),
                ),
            ),
            rx.cond(
                LinksState.form_error != "",
                rx.el.p(LinksState.form_error, role="alert", class_name="text-red-700 text-sm"),
            ),
            rx.el.div(
                rx.el.button("Create link", type="submit", class_name=BUTTON, id="create-link"),
                rx.el.button(
                    "Cancel",
                    on_click=LinksState.close_form,
                    type="button",
                    class_name=BUTTON_SECONDARY,
                ),
                class_name="grid grid-cols-2 gap-2",
            ),
            on_submit=LinksState.create,
            class_name="space-y-4",
        ),
        class_name=CARD + " space-y-4",
        id="new-link",
    )


@rx.page(
    route=LINKS,
    title="Shared slots · slotapp",
    on_load=[AuthState.require_login, LinksState.load],
)
def links() -> rx.Component:
    """The owner's links: share, sort, revoke, make new ones."""
    return private_page(
        rx.el.section(
            rx.el.div(
                rx.el.h1("Shared slots", class_name="text-2xl font-bold"),
                rx.el.button(
                    "+",
                    on_click=LinksState.open_form("shared"),
                    # Until the list has loaded: loading resets the form.
                    disabled=~LinksState.loaded,
                    type="button",
                    aria_label="New shared-slots link with colleagues",
                    class_name=BUTTON + " w-12 px-0 text-2xl",
                    id="new-shared",
                ),
                class_name="flex items-center justify-between",
            ),
            rx.el.button(
                "One-time link",
                on_click=LinksState.open_form("one_time"),
                disabled=~LinksState.loaded,
                type="button",
                class_name=BUTTON_SECONDARY + " w-full",
                id="new-one-time",
            ),
            class_name=CARD + " space-y-3",
        ),
        rx.cond(LinksState.form_kind != "", _form()),
        rx.cond(
            LinksState.notice != "",
            rx.el.p(
                LinksState.notice,
                role="status",
                class_name="rounded-xl bg-emerald-50 border border-emerald-200 p-3",
                id="links-notice",
            ),
        ),
        rx.el.section(
            segmented(
                [("uses", "Most used"), ("created", "Newest")],
                selected=LinksState.sort,
                on_pick=LinksState.set_sort,
                id_prefix="sort-",
                label="Sort links",
            ),
            rx.cond(
                LinksState.rows.length() > 0,
                rx.el.ul(rx.foreach(LinksState.rows, _row), id="links-list"),
                rx.cond(
                    LinksState.loaded,
                    rx.el.p("No links yet.", class_name="text-slate-500", id="links-empty"),
                    rx.el.p("Loading links…", class_name="text-slate-500"),
                ),
            ),
            class_name=CARD + " space-y-3",
        ),
        rx.cond(LinksState.sheet.length() > 0, share_sheet()),
    )
