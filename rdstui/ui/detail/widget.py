"""The detail pane and the chart pane: each holds its own state and draws itself from it.

Both are given the latest fleet and the selected key (by the app) and redraw
when either changes. The detail pane also keeps the backup postures it has
read, and asks for a posture (`PostureWanted`) when the selection needs one
it does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.reactive import var
from textual.timer import Timer
from textual.widget import Widget

from rdstui.core.action_history import ActionRecord
from rdstui.core.backups import backup_owner
from rdstui.core.catalog import gauges
from rdstui.core.format import clean
from rdstui.core.model import Fleet, Node, Point
from rdstui.ui.detail.chart import CHART_METRICS, ORDER, chart_text, latest_label
from rdstui.ui.detail.text import DetailContext, PostureView, detail_text
from rdstui.ui.palette import Palette
from rdstui.ui.text import elide

POSTURE_TTL = timedelta(seconds=60)
POSTURE_DEBOUNCE = 0.25  # seconds the cursor rests before a posture is read
EMPTY_POSTURES: Mapping[str, PostureView] = MappingProxyType({})
EMPTY_RESULTS: Mapping[str, ActionRecord] = MappingProxyType({})
DISMISS_HINT = "  (x dismisses, a: history)"


def usable_width(widget: Widget) -> int:
    """Cells for text in a scrolling pane, leaving the scrollbar's column free
    whether or not it is showing (so text does not reflow when it appears)."""
    width = widget.scrollable_content_region.width
    if not width:
        return 0
    if widget.show_vertical_scrollbar:
        width += widget.styles.scrollbar_size_vertical
    return max(1, width - 1)


class DetailBody(Widget):
    """The detail's text. Most seconds only "RPO now" or an age moves: a repaint, and a layout
    only when the text takes another number of lines (as the header does)."""

    DEFAULT_CSS = "DetailBody { height: auto; width: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self._lines: list[Text] = []

    def show(self, text: Text) -> None:
        width = max(1, self.size.width or self.app.size.width)
        lines = list(text.wrap(self.app.console, width))
        before, self._lines, self.text = self._lines, lines, text
        if len(lines) != len(before):
            self.refresh(layout=True)
            return
        # The same shape: repaint only the lines that changed (the second that ticks), not the pane.
        changed = [Region(0, y, width, 1) for y, (old, new) in enumerate(zip(before, lines)) if old != new]
        if changed:
            self.refresh(*changed)

    def render(self) -> Text:
        return self.text


class DetailPane(VerticalScroll):
    """Everything about the selected database, its backups included."""

    class PostureWanted(Message):
        """Read this backup owner's posture (its snapshots)."""

        def __init__(self, owner: Node) -> None:
            super().__init__()
            self.owner = owner

    DEFAULT_CSS = """
    DetailPane {
        scrollbar-size-vertical: 1;
        padding: 0 1;
    }
    """
    can_focus = False

    fleet: var[Fleet | None] = var(None, init=False)
    selected: var[str | None] = var(None, init=False)
    postures: var[Mapping[str, PostureView]] = var(EMPTY_POSTURES, init=False)
    progress: var[str | None] = var(None, init=False)  # an action in flight on the selection
    results: var[Mapping[str, ActionRecord]] = var(EMPTY_RESULTS, init=False)  # node key -> its last result
    read_only_accounts: var[Mapping[str | None, str]] = var(MappingProxyType({}), init=False)  # account -> why

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.palette = Palette.from_variables({})
        self.warning, self.critical = 30.0, 300.0
        self.rpo_warning, self.trend_window = 900.0, 300.0
        self._shown: Text | None = None
        self._wait: Timer | None = None

    def compose(self) -> ComposeResult:
        yield DetailBody(id="detail-body")

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick_result)  # "done 34s ago" ages while it shows

    def watch_fleet(self) -> None:
        self.redraw()
        self._want_posture()

    def watch_selected(self) -> None:
        self.redraw()
        self._want_posture()

    def watch_postures(self) -> None:
        self.redraw()

    def watch_progress(self) -> None:
        self.redraw()

    def watch_results(self) -> None:
        self.redraw()

    def watch_read_only_accounts(self) -> None:
        self.redraw()

    def _tick_result(self) -> None:
        if not self.progress and self.selected is not None and self.selected in self.results:
            self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def forget_postures(self) -> None:
        """A snapshot was taken (or `r`): read the selection's backups again."""
        self.postures = EMPTY_POSTURES
        self._want_posture()

    def node(self) -> Node | None:
        return self.fleet.node(self.selected) if self.fleet is not None else None

    def redraw(self) -> None:
        if not self.is_mounted:
            return
        node, fleet = self.node(), self.fleet
        if node is None or fleet is None:
            text = Text("No database selected." if fleet is not None else "", self.palette.muted)
        else:
            context = DetailContext(
                node=node,
                fleet=fleet,
                region=fleet.region_of(node),
                posture=self._posture(node),
                now=self.clock(),
                warning=self.warning,
                critical=self.critical,
                palette=self.palette,
                width=usable_width(self) or max(30, self.app.size.width - 4),
                rpo_warning=self.rpo_warning,
                trend_window=self.trend_window,
                read_only_why=self.read_only_accounts.get(node.account),
            )
            text = detail_text(context)
            record = self.results.get(node.key)
            if self.progress:
                text = Text.assemble((f"⟳ {self.progress}", self.palette.busy + Style(bold=True)), "\n", text)
            elif record is not None:
                text = Text.assemble(result_line(record, context.now, self.palette), "\n", text)
        if text != self._shown:  # an unchanged pane costs no layout
            self._shown = text
            self.query_one(DetailBody).show(text)

    def _owner(self, node: Node) -> Node | None:
        return backup_owner(node, self.fleet.parent(node)) if self.fleet is not None else None

    def _posture(self, node: Node) -> PostureView:
        owner = self._owner(node)
        if owner is None:
            return PostureView("none")
        return self.postures.get(owner.key) or PostureView("loading", owner=owner)

    def _want_posture(self) -> None:
        node = self.node()
        owner = self._owner(node) if node is not None else None
        if owner is None:
            return
        held = self.postures.get(owner.key)
        if held is not None and held.fetched_at is not None and self.clock() - held.fetched_at < POSTURE_TTL:
            return
        if self._wait is not None:
            self._wait.stop()
        self._wait = self.set_timer(POSTURE_DEBOUNCE, lambda: self.post_message(self.PostureWanted(owner)))

    def posture_read(self, owner_key: str, view: PostureView) -> None:
        self.postures = MappingProxyType({**self.postures, owner_key: view})


def result_line(record: ActionRecord, now: datetime, palette: Palette) -> Text:
    """A settled action's result on its node: "✓ failover done in 30s: now in us-east-1b · 34s ago";
    a failure in the bad colour, with how to dismiss it. AWS's words are plain text."""
    if record.failed:
        line = Text(f"✗ {clean(record.summary(now))}", palette.bad + Style(bold=True))
        line.append(DISMISS_HINT, palette.muted)
        return line
    return Text(f"✓ {clean(record.summary(now))}", palette.ok + Style(bold=True))


@dataclass(frozen=True)
class ChartData:
    node_id: str
    metric: str  # key of CHART_METRICS
    cloudwatch: str | None  # the CloudWatch metric name, None when not available
    points: tuple[Point, ...]
    thresholds: tuple[float, ...] = ()
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

    fleet: var[Fleet | None] = var(None, init=False)
    selected: var[str | None] = var(None, init=False)
    metric: var[str] = var("lag", init=False)

    def __init__(self, *, clock: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.palette = Palette.from_variables({})
        self.foreground: str | None = None
        self.warning, self.critical = 30.0, 300.0
        self._drawn: ChartData | None = None  # what the last render drew

    def watch_fleet(self) -> None:
        if self.data() != self._drawn:  # most polls bring no new point for the chart: no plotext then
            self.refresh()

    def watch_selected(self) -> None:
        self.refresh()

    def watch_metric(self) -> None:
        self.refresh()

    def data(self) -> ChartData | None:
        fleet = self.fleet
        node = fleet.node(self.selected) if fleet is not None else None
        if node is None or fleet is None:
            return None
        charts = gauges(node, fleet.parent(node))
        available = tuple(g.key for g in charts if g.series is not None)
        chosen = next(g for g in charts if g.key == self.metric)
        thresholds = (self.warning, self.critical)
        if chosen.series is None:
            note = f"Not published: {chosen.why_not}."
            if available:
                keys = ", ".join(str(ORDER.index(key) + 1) for key in available)
                note += f" Keys {keys} chart what {node.id} has."
            return ChartData(node.id, self.metric, None, (), thresholds, note, available, chosen.label)
        points = fleet.series.get(chosen.series, ())
        limits = thresholds if self.metric == "lag" else ()
        return ChartData(node.id, self.metric, chosen.series.metric, points, limits, None, available, chosen.label)

    def render(self) -> Text:
        data = self._drawn = self.data()
        width, height = self.content_size.width, self.content_size.height
        palette = self.palette
        if data is None:
            return Text("select a database to chart its metrics", style=Style(dim=True))
        line = Text()
        for index, key in enumerate(ORDER):
            if index:
                line.append(" ")
            if key == data.metric:
                style = Style(bold=True, reverse=True)
            elif key in data.available:
                style = Style()
            else:
                style = palette.muted + Style(dim=True)
            line.append(f"{index + 1} {CHART_METRICS[key].label}", style)
        head = Text.assemble((elide(data.node_id, 28), Style(bold=True)))  # bold for the id only, not a base style
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
            now=self.clock().astimezone(timezone.utc),
            line_colour=palette.chart_line,
            threshold_colour=palette.chart_threshold,
            foreground=self.foreground,
            thresholds=data.thresholds,
        )
        return Text("\n").join([*top, chart])
