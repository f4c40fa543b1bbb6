"""The incident timeline: every event of the polled regions and the console's own lines.

A virtual list: only the rows in view are drawn (Textual's Line API), so five
hundred events cost what twenty do, and the ages that tick every second
redraw twenty rows, not all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rdstui.core.format import clean
from rdstui.core.model import Event, Fleet
from rdstui.ui.events.rows import event_row
from rdstui.ui.palette import Palette


class EventsList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    EventsList {
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    """

    fleet: var[Fleet | None] = var(None, init=False)
    lines: var[tuple[Event, ...]] = var((), init=False)  # the console's own lines
    highlight: var[frozenset[str]] = var(frozenset(), init=False)  # the selected database's identifiers

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.palette = Palette.from_variables({})
        self._notes: list[Text] = []  # errors and "reading…" rows above the events
        self.events: list[Event] = []  # in the order shown, newest first

    def watch_fleet(self) -> None:
        self._rebuild()

    def watch_lines(self) -> None:
        self._rebuild()

    def watch_highlight(self) -> None:
        self.refresh()

    def _rebuild(self) -> None:
        fleet, palette = self.fleet, self.palette
        notes: list[Text] = []
        events = list(fleet.events) if fleet is not None else []
        if fleet is not None:
            for region, error in sorted(fleet.events_errors.items()):
                notes.append(Text(clean(f"⚠ {region}: events unavailable: {error}"), palette.busy))
            if not fleet.events_loaded:
                notes.append(Text("reading events…", palette.muted))
            elif not events:
                notes.append(Text("no RDS events in the last 24 hours", palette.muted))
        if self.lines:
            events = sorted([*events, *self.lines], key=lambda e: e.time, reverse=True)
        if (notes, events) == (self._notes, self.events):
            return  # most polls bring no new event: the rows in view stay drawn (the ages tick apart)
        self._notes, self.events = notes, events
        self.virtual_size = Size(0, len(notes) + len(events))  # rows are cut to the width: never a horizontal bar
        self.refresh()

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row < len(self._notes):
            text = self._notes[row].copy()
            text.truncate(width)
        elif row - len(self._notes) < len(self.events):
            event = self.events[row - len(self._notes)]
            text = event_row(
                event, marked=event.source_id in self.highlight, now=self.clock(), palette=self.palette, width=width
            )
        else:
            return Strip.blank(width, self.rich_style)
        base = self.rich_style
        segments = [Segment(s.text, base + s.style if s.style else base) for s in text.render(self.app.console, end="")]
        return Strip(segments, text.cell_len).extend_cell_length(width, base).crop(0, width)

    def tick(self) -> None:
        """The ages move: redraw the rows in view."""
        if self.events:
            self.refresh()
