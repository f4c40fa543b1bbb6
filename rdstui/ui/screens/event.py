"""One event, whole: `enter` on a row of the events list.

The list cuts a message to its row; this shows all of it, wrapped (and
scrolled when the terminal is small), with the time in UTC and in the
machine's local time, the source (identifier, source type, region, ARN), the
categories and the RDS-EVENT id. DescribeEvents gives no id: it is looked up
from the message in the user guides' tables (core/event_ids.py), and the
screen says when no documented message matches. The console's own lines (an
action sent, failed, settled) open here too; they have no id.

Everything shown comes from AWS or the user: plain Text, never markup, and
terminal control sequences removed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from rdstui.core.desk import CONSOLE_SOURCE
from rdstui.core.event_ids import lookup
from rdstui.core.format import clean
from rdstui.core.model import Event
from rdstui.ui.palette import Palette
from rdstui.ui.screens.panel import TextPanel

LABEL_WIDTH = 10
NO_ID = "not given by DescribeEvents (no documented message matches)"


def when_words(moment: datetime, local: tzinfo | None = None) -> str:
    """"2026-12-02 04:31:07 UTC (05:31:07 CET)": the local date too when it is another day.
    `local`: the zone to show besides UTC (default: the machine's)."""
    utc = moment.astimezone(timezone.utc)
    here = utc.astimezone(local) if local is not None else utc.astimezone()
    name = here.tzname() or here.strftime("%z")
    if here.utcoffset() == timedelta(0) and name.upper() in ("UTC", "GMT", "Z", "UCT"):
        return f"{utc:%Y-%m-%d %H:%M:%S} UTC (local time is UTC)"
    shown = f"{here:%H:%M:%S}" if here.date() == utc.date() else f"{here:%Y-%m-%d %H:%M:%S}"
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC ({shown} {name})"


def whole_message(message: str) -> str:
    """The message as AWS sent it, line breaks kept, each line cleaned of terminal control."""
    lines = [clean(line) for line in message.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def id_words(event: Event) -> str:
    """The RDS-EVENT id by the message, or why there is none."""
    if event.source_type == CONSOLE_SOURCE:
        return "none: this console's own line, not an RDS event"
    row = lookup(event.message, event.source_type)
    if row is None:
        return NO_ID
    return f"{row.id} (DescribeEvents gives none: matched by its message in the user guides' event tables)"


def event_details(event: Event, palette: Palette, local: tzinfo | None = None) -> RenderableType:
    """Every field of the event, labelled, then the whole message; nothing cut (long words fold)."""
    own = event.source_type == CONSOLE_SOURCE
    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(width=LABEL_WIDTH, no_wrap=True, style=Style(bold=True))
    table.add_column(ratio=1, overflow="fold")

    def row(label: str, value: str, style: Style | None = None) -> None:
        table.add_row(label, Text(value, style or Style(), overflow="fold"))

    row("time", when_words(event.time, local))
    row("region", clean(event.region))
    if own:
        row("source", f"rdstui (this console), about {clean(event.source_id)}")
    else:
        kind = clean(event.source_type) or "source type not given"
        row("source", f"{clean(event.source_id) or '(no identifier)'} ({kind})")
        row("arn", clean(event.arn) if event.arn else "not given", None if event.arn else palette.muted)
        categories = ", ".join(clean(c) for c in event.categories)
        row("category", categories or "none given", None if categories else palette.muted)
    row("event id", id_words(event), palette.muted if own or id_words(event) == NO_ID else None)
    message = whole_message(event.message)
    body = Text(f"rdstui: {message}" if own else message, overflow="fold")
    if own:
        body.stylize(palette.busy + Style(bold=True))
    return Group(table, Text(""), body)


class EventScreen(TextPanel):
    """The whole event over the console; escape, enter or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "close", "Close", show=False)]

    def __init__(self, event: Event, palette: Palette, local: tzinfo | None = None) -> None:
        super().__init__()
        self.event = event
        self.palette = palette
        self.local = local

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            own = self.event.source_type == CONSOLE_SOURCE
            scroll.border_title = "Console line" if own else "RDS event"
            scroll.border_subtitle = "escape closes"
            yield Static(event_details(self.event, self.palette, self.local), id="event-details")
