"""The action history (`a`): this session's actions newest first, then earlier sessions' from the audit log.

The desk keeps the list (core/action_tracker.py, core/audit.py); this screen only
draws it, again every second while it is open (an action in flight ticks, one
settles). `x` dismisses the results still shown on their nodes; it is in the
footer only while there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from rdstui.core.action_history import ActionRecord, Stage
from rdstui.core.audit_tail import LoggedAction
from rdstui.core.desk import ActionDesk
from rdstui.core.format import clean, duration, whole_seconds
from rdstui.ui.palette import Palette
from rdstui.ui.screens.panel import TextPanel
from rdstui.ui.text import home_relative

INDENT = "  "


def _when(moment: datetime | None, now: datetime) -> str:
    """09:26:53 today, 2025-03-13 09:26 another day (UTC)."""
    if moment is None:
        return "time unknown"
    moment, now = moment.astimezone(timezone.utc), now.astimezone(timezone.utc)
    return moment.strftime("%H:%M:%S") if moment.date() == now.date() else moment.strftime("%Y-%m-%d %H:%M")


def _stage_style(record: ActionRecord, palette: Palette) -> Style:
    if record.failed:
        return palette.bad + Style(bold=True)
    if record.stage is Stage.DONE:
        return palette.ok + Style(bold=True)
    if record.in_flight:
        return palette.busy + Style(bold=True)
    return palette.muted


def record_text(record: ActionRecord, now: datetime, palette: Palette, profile: str | None = None) -> Text:
    """Two lines: when, what became of it, what on which database (in which profile's account,
    with several), how long; then what was said."""
    text = Text()
    text.append(_when(record.started, now), palette.muted)
    text.append("  ")
    text.append(record.stage.value, _stage_style(record, palette))
    text.append(f"  {record.noun} of ")
    text.append(clean(record.target_id), Style(bold=True))
    where = f"{record.region}, profile {profile} {record.account}" if profile else record.region
    text.append(f" ({clean(where)})", palette.muted)
    took = record.duration_s(now)
    if took is not None:
        text.append(f"  {whole_seconds(timedelta(seconds=took))} so far" if record.in_flight else f"  took {duration(took)}")
    if record.on_node:
        text.append("  on its node", palette.muted)
    said = clean(record.line) or record.operation
    if record.error_code and record.failed:
        said = f"{clean(record.error_code)}: {said}"
    text.append("\n" + INDENT)
    text.append(said, palette.bad if record.failed else palette.muted)
    return text


def logged_text(action: LoggedAction, now: datetime, palette: Palette, profile: str | None = None) -> Text:
    """An earlier session's action, as its audit line says (every word there is data);
    its profile when it is not `profile` (this session's)."""
    text = Text()
    text.append(_when(action.time, now), palette.muted)
    text.append("  ")
    text.append(action.words, palette.bad if action.failed else Style(bold=True))
    text.append(f"  {action.action} of ")
    text.append(action.target, Style(bold=True))
    if action.region:
        text.append(f" ({action.region})", palette.muted)
    if action.duration_s is not None and action.outcome in ("succeeded", "failed"):  # a call that was answered
        text.append(f"  call {duration(action.duration_s)}")
    if action.profile and action.profile != profile:
        text.append(f"  profile {action.profile}", palette.muted)
    said = action.message or action.api
    if action.error_code:
        said = f"{action.error_code}: {said}"
    text.append("\n" + INDENT)
    text.append(said, palette.bad if action.failed else palette.muted)
    return text


def history_text(
    records: Sequence[ActionRecord],
    earlier: Sequence[LoggedAction],
    now: datetime,
    palette: Palette,
    audit_path: str | None = None,
    profile: str | None = None,
    profiles: Mapping[str | None, str] | None = None,
) -> Text:
    """The whole list: this session's actions newest first, then the earlier ones. `profiles`:
    with several accounts, the profile of each (its actions say it)."""
    heading = Style(bold=True, underline=True)
    parts = [Text("This session", heading)]
    if records:
        parts.extend(
            record_text(record, now, palette, profiles.get(record.account) if profiles else None) for record in records
        )
    else:
        parts.append(Text("No action yet: s, f and p act on the selected database.", palette.muted))
    parts.append(Text(""))
    parts.append(Text(f"Earlier sessions (the last {len(earlier)})" if earlier else "Earlier sessions", heading))
    if audit_path:
        parts.append(Text(f"from {clean(audit_path)}", palette.muted))
    if earlier:
        parts.extend(logged_text(action, now, palette, profile) for action in earlier)
    else:
        parts.append(Text("No earlier action in the audit log.", palette.muted))
    return Text("\n").join(parts)


class HistoryScreen(TextPanel):
    """Every action of the session and the last ones before it; escape, q or a closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "close", "Close", show=False),
        Binding("x", "dismiss_results", "Dismiss results", tooltip="Results shown on their nodes go"),
    ]

    DEFAULT_CSS = """
    HistoryScreen > VerticalScroll { width: 100; }
    """

    def __init__(
        self,
        desk: ActionDesk,
        palette: Palette,
        clock: Callable[[], datetime],
        changed: Callable[[], None] | None = None,
    ) -> None:
        """`changed`: called after `x` dismissed results (the main screen draws its marks again)."""
        super().__init__()
        self.desk = desk
        self.palette = palette
        self.clock = clock
        self.changed = changed
        self._shown: Text | None = None
        self._showing: bool | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Action history (UTC)"
            scroll.border_subtitle = "escape closes"
            yield Static(id="history-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.redraw()
        self.set_interval(1.0, self.redraw)

    def text(self) -> Text:
        audit = self.desk.audit
        return history_text(
            self.desk.history(),
            self.desk.earlier(),
            self.clock(),
            self.palette,
            home_relative(audit.path) if audit is not None else None,
            audit.profile if audit is not None else None,
            {s.account: s.audit.profile or "" for s in self.desk.seats if s.audit} if len(self.desk.seats) > 1 else None,
        )

    def redraw(self) -> None:
        text = self.text()
        if text != self._shown:
            self._shown = text
            self.query_one("#history-body", Static).update(text)
        showing = self.desk.showing()
        if showing != self._showing:
            self._showing = showing
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "dismiss_results":
            return self.desk.showing()
        return True

    def action_dismiss_results(self) -> None:
        if self.desk.dismiss() and self.changed is not None:
            self.changed()
        self.redraw()
