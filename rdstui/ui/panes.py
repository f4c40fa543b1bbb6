"""The console's panes: header line, detail, chart, events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Sequence

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from rdstui.core.events import Event
from rdstui.core.format import duration
from rdstui.ui.chart import CHART_METRICS, ORDER, chart_text, latest_label
from rdstui.ui.render import Palette, cut, elide


class HeaderBar(Static):
    """Line one: profile, account, region health, freshness, READ-ONLY; then one line per problem."""

    DEFAULT_CSS = """
    HeaderBar {
        height: auto;
        background: $panel;
        color: $foreground;
    }
    """


class DetailPane(VerticalScroll):
    DEFAULT_CSS = """
    DetailPane {
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    DetailPane > Static { width: 1fr; }
    """
    can_focus = False

    def compose(self):
        yield Static(id="detail-body")

    def show(self, content: Text | str) -> None:
        self.query_one("#detail-body", Static).update(content)


@dataclass
class ChartData:
    node_id: str
    metric: str  # key of CHART_METRICS
    cloudwatch: str | None  # the CloudWatch metric name, None when not available
    points: Sequence[tuple[datetime, float]]
    thresholds: Sequence[float] = ()
    note: str | None = None  # why there is nothing to chart
    available: tuple[str, ...] = ORDER  # the metrics this node has
    label: str = ""  # what this node's chart is called ("free local storage" on Aurora)


class ChartPane(Widget):
    """plotext chart of the selected metric; drawn in render(), so it follows resizes."""

    DEFAULT_CSS = """
    ChartPane {
        padding: 0 1;
        height: 1fr;
    }
    """

    data: reactive[ChartData | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.now: datetime = datetime.now(timezone.utc)
        self.palette: Palette | None = None
        self.foreground: str | None = None

    def render(self) -> Text:
        data = self.data
        width, height = self.content_size.width, self.content_size.height
        palette = self.palette
        if data is None or palette is None:
            return Text("select a database to chart its metrics", style=Style(dim=True))
        line = Text()
        for index, key in enumerate(ORDER):
            if index:
                line.append(" ")
            chosen = key == data.metric
            label = f"{index + 1} {CHART_METRICS[key].label}"
            if chosen:
                style = Style(bold=True, reverse=True)
            elif key in data.available:
                style = Style()
            else:
                style = palette.muted + Style(dim=True)
            line.append(label, style)
        head = Text(elide(data.node_id, 28), Style(bold=True))
        if data.cloudwatch:
            unit = CHART_METRICS[data.metric].unit
            head.append(f"  {data.cloudwatch}" + (f" ({unit})" if unit else ""), palette.muted)
            latest = data.points[-1][1] if data.points else None
            head.append("  latest ", palette.muted)
            head.append(latest_label(data.metric, latest), Style(bold=True))
        if head.cell_len + line.cell_len + 2 <= width:
            head.append(" " * (width - head.cell_len - line.cell_len))
            head.append_text(line)
            top = [head]
        elif height >= 12:
            top = [head, line]
        else:
            top = [head]
        if data.note or data.cloudwatch is None:
            body = Text(data.note or "nothing to chart", palette.muted)
            return Text("\n").join([*top, Text(""), body])
        if not data.points:
            body = Text(f"no {data.label or CHART_METRICS[data.metric].label} datapoints yet", palette.muted)
            return Text("\n").join([*top, Text(""), body])
        chart = chart_text(
            data.points,
            data.metric,
            width=width,
            height=max(1, height - len(top)),
            now=self.now,
            line_colour=palette.chart_line,
            threshold_colour=palette.chart_threshold,
            foreground=self.foreground,
            thresholds=data.thresholds,
        )
        return Text("\n").join([*top, chart])


class EventsPane(VerticalScroll):
    """The incident timeline: newest first, the selected database's events marked."""

    DEFAULT_CSS = """
    EventsPane {
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    EventsPane > Static { width: 1fr; }
    """

    def compose(self):
        yield Static(id="events-body")

    def show(
        self,
        events: Sequence[Event],
        *,
        errors: dict[str, str],
        highlight: set[str],
        now: datetime,
        palette: Palette,
        width: int,
        loaded: bool,
        limit: int = 200,
    ) -> None:
        self.query_one("#events-body", Static).update(
            events_text(events, errors=errors, highlight=highlight, now=now, palette=palette,
                        width=width, loaded=loaded, limit=limit)
        )


def events_text(
    events: Sequence[Event],
    *,
    errors: dict[str, str],
    highlight: set[str],
    now: datetime,
    palette: Palette,
    width: int,
    loaded: bool,
    limit: int = 200,
) -> Text:
    rows: list[Text] = []
    for region, error in sorted(errors.items()):
        rows.append(Text(cut(f"⚠ {region}: events unavailable: {error}", width), palette.busy))
    if not loaded:
        rows.append(Text("reading events…", palette.muted))
    elif not events:
        rows.append(Text("no RDS events in the last 24 hours", palette.muted))
    wide = width >= 110
    source_width = 24 if wide else 20
    for event in list(events)[:limit]:
        marked = event.source_id in highlight
        when = event.time.astimezone(timezone.utc)
        ago = duration(max(0.0, (now - when).total_seconds()))
        row = Text()
        row.append("▶" if marked else " ", palette.accent)
        stamp = when.strftime("%m-%d %H:%M") if wide else when.strftime("%H:%M")
        row.append(f"{stamp} ", palette.accent if marked else Style())
        row.append(f"{ago:>6} ", palette.muted)
        if wide:
            row.append(f"{event.region:<14} ", palette.muted)
        row.append(elide(event.source_id, source_width).ljust(source_width) + " ", palette.accent if marked else Style(bold=True))
        room = width - row.cell_len
        if event.source_type == "rdstui":  # the console's own line: an action sent, failed, settled
            row.append(cut(f"rdstui: {event.message}", room), palette.busy + Style(bold=True))
        else:
            row.append(cut(event.message, room), palette.accent if marked else Style())
        rows.append(row)
    if len(events) > limit:
        rows.append(Text(f"… {len(events) - limit} older events not shown", palette.muted))
    return Text("\n").join(rows)
