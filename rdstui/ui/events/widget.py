"""The incident timeline: every event of the polled regions and the console's own lines.

A virtual list: only the rows in view are drawn (Textual's Line API), so five
hundred events cost what twenty do, and the ages that tick every second
redraw twenty rows, not all of them.

A row cursor (drawn while the list has focus): j/k or the arrows move it,
home/end (g/G) go to the newest/oldest, page up/down a page, enter opens the
event whole (screens/event.py), as does a double click. The newest event is on
top; while the cursor is on it and the list is scrolled to the top, events
that arrive take the top and the cursor with it. Once the user has moved the
cursor or scrolled away, an arrival keeps the cursor on the same event, at
the same place on screen, however many rows came in above it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rdstui.core.format import clean
from rdstui.core.model import Event, Fleet
from rdstui.ui.events.rows import event_row
from rdstui.ui.palette import Palette
from rdstui.ui.screens.event import EventScreen


class EventsList(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", tooltip="The whole event: message, UTC and local time, source, id"),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home", "first", "Newest", show=False),
        Binding("end", "last", "Oldest", show=False),
        Binding("g", "first", "Newest", show=False),
        Binding("G", "last", "Oldest", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"events-list--cursor"}

    DEFAULT_CSS = """
    EventsList {
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    EventsList > .events-list--cursor {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    """

    fleet: var[Fleet | None] = var(None, init=False)
    lines: var[tuple[Event, ...]] = var((), init=False)  # the console's own lines
    # The selected database's (account, identifier)s: two accounts' orders-db are two databases.
    highlight: var[frozenset[tuple[str | None, str]]] = var(frozenset(), init=False)

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.palette = Palette.from_variables({})
        self.local_zone: tzinfo | None = None  # the zone shown besides UTC (None: the machine's)
        self._notes: list[Text] = []  # errors and "reading…" rows above the events
        self.events: list[Event] = []  # in the order shown, newest first
        self.cursor = 0  # index in `events`
        self._longest_source = 0  # cells of the longest source id listed

    # -- what is shown ---------------------------------------------------------

    @property
    def cursor_event(self) -> Event | None:
        return self.events[self.cursor] if 0 <= self.cursor < len(self.events) else None

    @property
    def cursor_row(self) -> int:
        """The cursor's row in the list (the notes come first)."""
        return len(self._notes) + self.cursor

    @property
    def following(self) -> bool:
        """On the newest event and scrolled to the top: arrivals take the cursor with them."""
        return self.cursor == 0 and round(self.scroll_y) == 0

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
            for state in fleet.regions:
                if state.events_error:
                    where = f"{state.name} ({state.account})" if len(fleet.accounts) > 1 else state.name
                    notes.append(Text(clean(f"⚠ {where}: events unavailable: {state.events_error}"), palette.busy))
            if not fleet.events_loaded:
                notes.append(Text("reading events…", palette.muted))
            elif not events:
                notes.append(Text("no RDS events in the last 24 hours", palette.muted))
        if self.lines:
            events = sorted([*events, *self.lines], key=lambda e: e.time, reverse=True)
        if (notes, events) == (self._notes, self.events):
            return  # most polls bring no new event: the rows in view stay drawn (the ages tick apart)
        following, anchor, row_before = self.following, self.cursor_event, self.cursor_row
        self._notes, self.events = notes, events
        self._longest_source = max((len(clean(event.source_id)) for event in events), default=0)
        self.virtual_size = Size(0, len(notes) + len(events))  # rows are cut to the width: never a horizontal bar
        if following or anchor is None:
            self.cursor = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            self.cursor = _index(events, anchor, self.cursor)
            # The same event at the same place on screen: scroll by the rows that came in above it.
            self.scroll_to(y=self.scroll_y + self.cursor_row - row_before, animate=False, immediate=True)
        self.refresh()

    def _account_name(self, event: Event) -> str | None:
        """The profile an event's account is shown by, with several accounts."""
        fleet = self.fleet
        if fleet is None or len(fleet.accounts) < 2:
            return None
        state = fleet.account(event.account)
        return state.profiles[0] if state is not None else None

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row < len(self._notes):
            text = self._notes[row].copy()
            text.truncate(width)
        elif row - len(self._notes) < len(self.events):
            event = self.events[row - len(self._notes)]
            text = event_row(
                event, marked=(event.account, event.source_id) in self.highlight, now=self.clock(),
                palette=self.palette, width=width, account=self._account_name(event),
                longest_source=self._longest_source,
            )
        else:
            return Strip.blank(width, base)
        cursor: Style | None = None
        if self.has_focus and row == self.cursor_row and self.events:
            cursor = self.get_component_rich_style("events-list--cursor", partial=True)
            base = base + cursor
        segments = [
            Segment(s.text, (base + s.style + cursor if cursor else base + s.style) if s.style else base)
            for s in text.render(self.app.console, end="")
        ]
        return Strip(segments, text.cell_len).extend_cell_length(width, base).crop(0, width)

    def tick(self) -> None:
        """The ages move: redraw the rows in view."""
        if self.events:
            self.refresh()

    # -- the cursor ------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        """Put the cursor on the event at `index` (clamped) and scroll it into view."""
        if not self.events:
            return
        self.cursor = max(0, min(index, len(self.events) - 1))
        height = max(1, self.scrollable_content_region.height)
        top, row = round(self.scroll_y), self.cursor_row
        if self.cursor == 0:
            top = 0  # the notes above the newest event come back into view with it
        elif row < top:
            top = row
        elif row >= top + height:
            top = row - height + 1
        self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.events) - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self._page())

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self._page())

    def action_open(self) -> None:
        event = self.cursor_event
        if event is not None:
            self.app.push_screen(EventScreen(event, self.palette, self.local_zone))

    def on_click(self, click: Click) -> None:
        offset = click.get_content_offset(self)
        if offset is None:
            return
        index = round(self.scroll_y) + offset.y - len(self._notes)
        if 0 <= index < len(self.events):
            self.move_cursor(index)
            if click.chain >= 2:
                self.action_open()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _index(events: list[Event], anchor: Event, before: int) -> int:
    """Where `anchor` is now (near where it was when it is there more than once); where it
    was, clamped, when it is gone."""
    places = [i for i, event in enumerate(events) if event == anchor]
    if places:
        return min(places, key=lambda i: abs(i - before))
    return max(0, min(before, len(events) - 1))
