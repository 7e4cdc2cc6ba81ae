"""The share sheet of a link on `/links`: copy, native share, QR code and printable cards."""

from __future__ import annotations

import reflex as rx

from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, INPUT, WARNING
from slotapp.state.links import LinksState


def share_sheet() -> rx.Component:
    """The open link's share sheet: its URL to copy or share, a QR code, printable cards."""
    sheet = LinksState.sheet
    return rx.el.div(
        rx.el.div(
            on_click=LinksState.close_sheet,
            class_name="absolute inset-0 bg-slate-900/40",
            aria_hidden="true",
        ),
        rx.el.section(
            rx.el.div(
                rx.el.h2("Share link", class_name="text-lg font-semibold", id="sheet-title"),
                rx.el.button(
                    "×",
                    on_click=LinksState.close_sheet,
                    type="button",
                    aria_label="Close",
                    class_name="w-12 h-12 -mr-3 text-2xl text-slate-500",
                    id="close-sheet",
                ),
                class_name="flex items-center justify-between",
            ),
            rx.el.p(
                sheet["kind"],
                rx.cond(sheet["members"] != "", " · with " + sheet["members"].to(str), ""),
                class_name="text-sm text-slate-600",
            ),
            rx.cond(
                sheet["warning"] != "", rx.el.p(sheet["warning"], role="note", class_name=WARNING)
            ),
            rx.el.input(
                value=sheet["url"],
                read_only=True,
                class_name=INPUT + " text-sm",
                id="sheet-url",
                aria_label="Link to share",
            ),
            rx.el.div(
                rx.el.button(
                    "Copy link",
                    on_click=[rx.set_clipboard(sheet["url"].to(str)), LinksState.mark_copied],
                    type="button",
                    class_name=BUTTON,
                    id="sheet-copy",
                ),
                rx.cond(
                    LinksState.can_share,
                    rx.el.button(
                        "Share…",
                        on_click=rx.call_script(LinksState.share_script),
                        type="button",
                        class_name=BUTTON_SECONDARY,
                        id="sheet-native-share",
                    ),
                ),
                # One full-width button where the browser cannot share natively.
                class_name=rx.cond(
                    LinksState.can_share, "grid grid-cols-2 gap-2", "grid grid-cols-1 gap-2"
                ),
            ),
            rx.cond(
                LinksState.copied,
                rx.el.p(
                    "Link copied.", role="status", class_name="text-emerald-700", id="sheet-copied"
                ),
            ),
            rx.el.img(
                src=LinksState.qr_src,
                alt="QR code of the link",
                class_name="w-full max-w-xs aspect-square mx-auto",
                id="sheet-qr",
            ),
            rx.el.div(
                rx.el.a(
                    "Card (PNG)",
                    href=LinksState.card_png,
                    class_name=BUTTON_SECONDARY,
                    id="card-png",
                ),
                rx.el.a(
                    "Card (SVG)",
                    href=LinksState.card_svg,
                    target="_blank",
                    class_name=BUTTON_SECONDARY,
                    id="card-svg",
                ),
                class_name="grid grid-cols-2 gap-2",
            ),
            role="dialog",
            aria_modal="true",
            aria_labelledby="sheet-title",
            class_name=(
                "absolute bottom-0 inset-x-0 max-w-md mx-auto bg-white rounded-t-2xl p-5 "
                "space-y-3 max-h-[92vh] overflow-y-auto shadow-xl"
            ),
            id="share-sheet",
        ),
        class_name="fixed inset-0 z-20",
    )
