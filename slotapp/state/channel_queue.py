"""The queue editor of a channel's settings: employees and departments, in order.

Edits stay in the page until the settings form is saved (`ChannelState.save` reads `items`).
"""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from slotapp.services.channel_admin import Person, move
from slotapp.services.channels import QueueItem


def _key(item: QueueItem) -> str:
    return f"u:{item.user_id}" if item.user_id is not None else f"d:{item.department}"


class ChannelQueueState(rx.State):
    """Queue entries as {"key": "u:3" | "d:Sales", "label": ...} and what can be added."""

    entries: list[dict[str, str]] = []
    options: list[dict[str, str]] = []
    pick: str = ""
    error: str = ""

    def _fill(
        self, items: Sequence[QueueItem], people: Sequence[Person], departments: Sequence[str]
    ) -> None:
        """Show `items` and offer every person and department (called by the page's load).

        Private: Reflex makes every public method an event handler a browser may call with
        arguments of its choosing.
        """
        self.options = [
            {
                "value": f"u:{p.id}",
                "label": f"{p.name} · {p.department}" if p.department else p.name,
            }
            for p in people
        ] + [{"value": f"d:{d}", "label": f"Department: {d}"} for d in departments]
        labels = {o["value"]: o["label"] for o in self.options}
        self.entries = [
            {"key": _key(i), "label": labels.get(_key(i), "Former colleague")} for i in items
        ]
        self.pick, self.error = "", ""

    def items(self) -> list[QueueItem]:
        """The entries as the service takes them."""
        return [
            QueueItem(user_id=int(e["key"][2:]))
            if e["key"].startswith("u:")
            else QueueItem(department=e["key"][2:])
            for e in self.entries
        ]

    @rx.event
    def set_pick(self, value: str) -> None:
        """Remember the person or department chosen in the picker."""
        self.pick = value

    @rx.event
    def add(self) -> None:
        """Append the picked person or department (once)."""
        option = next((o for o in self.options if o["value"] == self.pick), None)
        if option is None:
            self.error = "Choose an employee or a department first."
            return
        if any(e["key"] == option["value"] for e in self.entries):
            self.error = f"{option['label']} is already in the queue."
            return
        self.entries = [*self.entries, {"key": option["value"], "label": option["label"]}]
        self.error = ""

    @rx.event
    def remove(self, index: int) -> None:
        """Take an entry out of the queue."""
        self.entries = [e for i, e in enumerate(self.entries) if i != index]

    @rx.event
    def up(self, index: int) -> None:
        """Move an entry one place earlier."""
        self.entries = move(self.entries, index, -1)

    @rx.event
    def down(self, index: int) -> None:
        """Move an entry one place later."""
        self.entries = move(self.entries, index, 1)
