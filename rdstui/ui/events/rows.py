"""One line of the events pane (pure: Rich Text out)."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.style import Style
from rich.text import Text

from rdstui.core.desk import CONSOLE_SOURCE
from rdstui.core.format import clean, duration
from rdstui.core.model import Event
from rdstui.ui.palette import Palette
from rdstui.ui.text import cut, elide

WIDE_FROM = 110  # cells: the date and the region show from here
MESSAGE_ROOM = 48  # cells the message keeps when a long source widens its column


def event_row(
    event: Event,
    *,
    marked: bool,
    now: datetime,
    palette: Palette,
    width: int,
    account: str | None = None,
    longest_source: int = 0,
) -> Text:
    """time, age, (region), source, message: cut to `width`, the message last. `account`: the
    profile of the event's account, with several (wide: before the region). `longest_source`:
    the longest source in the list: wide, the column grows to it while the message keeps room
    (a snapshot's name is whole, and every row's message starts in one column)."""
    wide = width >= WIDE_FROM
    when = event.time.astimezone(timezone.utc)
    seconds = (now - when).total_seconds()
    ago = duration(seconds) if seconds >= 1 else "now"  # not "0ms": milliseconds are for lag
    row = Text()
    row.append("▶" if marked else " ", palette.accent)
    row.append(f"{when:%m-%d %H:%M} " if wide else f"{when:%H:%M} ", palette.accent if marked else Style())
    row.append(f"{ago:>6} ", palette.muted)
    if wide and account is not None:
        row.append(elide(clean(account), 10).ljust(10) + " ", palette.muted)
    if wide:
        row.append(f"{event.region:<14} ", palette.muted)
    source_width = max(24, min(longest_source, width - row.cell_len - 1 - MESSAGE_ROOM)) if wide else 20
    source = elide(clean(event.source_id), source_width).ljust(source_width)
    row.append(source + " ", palette.accent if marked else Style(bold=True))
    room = width - row.cell_len
    if event.source_type == CONSOLE_SOURCE:  # the console's own line: an action sent, failed, settled
        row.append(cut(f"rdstui: {clean(event.message)}", room), palette.busy + Style(bold=True))
    else:
        row.append(cut(clean(event.message), room), palette.accent if marked else Style())
    return row
