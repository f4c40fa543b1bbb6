"""A framed, scrolling panel of text over the console: help, an event, the action history."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen


class TextPanel(ModalScreen[None]):
    """escape (and the subclass's own keys) closes it; j/k scroll, g/G go to the top and the end
    (as in less, and as the tree's keys). Compose a VerticalScroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
        Binding("g", "scroll('home')", "Top", show=False),
        Binding("G", "scroll('end')", "End", show=False),
    ]

    DEFAULT_CSS = """
    TextPanel {
        align: center middle;
    }
    TextPanel > VerticalScroll {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-align: center;
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    """

    def action_scroll(self, direction: str) -> None:
        """`direction`: down, up, home or end (VerticalScroll's scroll_* of that name)."""
        getattr(self.query_one(VerticalScroll), f"scroll_{direction}")(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
