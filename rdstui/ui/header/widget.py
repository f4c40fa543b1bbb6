"""The header: profile, account, each region's health and age, READ-ONLY; one line per problem."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.reactive import var
from textual.widget import Widget

from rdstui.ui.header.text import HeaderState, header_text
from rdstui.ui.palette import Palette


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar {
        height: auto;
        background: $panel;
        color: $foreground;
    }
    """

    state: var[HeaderState] = var(HeaderState(), init=False)

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.palette = Palette.from_variables({})
        self._lines = 1

    def watch_state(self) -> None:
        self.tick()

    def tick(self) -> None:
        """The ages move every second: redraw the header alone (a layout only if its height changes)."""
        lines = self._text().plain.count("\n") + 1
        self.refresh(layout=lines != self._lines)
        self._lines = lines

    def _text(self) -> Text:
        width = max(20, self.size.width or self.app.size.width)
        return header_text(self.state, self.clock(), width, self.palette)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return self._text().plain.count("\n") + 1

    def render(self) -> Text:
        return self._text()
