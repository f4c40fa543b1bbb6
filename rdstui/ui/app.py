"""The live console: topology tree, detail with charts, events, themes, actions.

The app renders the core model and never talks to AWS itself. Its parts:
polling.py (connecting, the poll loop, backup postures), filtering.py (the `/`
filter), action_flow.py and action_modal.py (s, f, p: plan, confirm, send,
follow), tree.py, panes.py, detail.py, header.py, screens.py.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, ClassVar, Iterable

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, Tree

from rdstui.core.actions import ActionKind
from rdstui.core.config import Settings, state_home
from rdstui.core.events import EventsResult
from rdstui.core.model import Fleet, Node, NodeType, RegionState
from rdstui.ui import actions
from rdstui.ui.action_flow import ActionFlow
from rdstui.core.catalog import gauge, gauges, lag_series
from rdstui.ui.chart import ORDER
from rdstui.ui.detail import DetailContext, PostureView, detail_text
from rdstui.ui.filtering import FilterMixin
from rdstui.ui.header import HeaderState, header_text
from rdstui.ui.panes import ChartData, ChartPane, DetailPane, EventsPane, HeaderBar
from rdstui.ui.polling import PollingMixin
from rdstui.ui.render import Columns, Palette, tree_label
from rdstui.ui.screens import FleetCommands, HelpScreen
from rdstui.ui.themes import ThemeSet, fill_variables, load_themes
from rdstui.ui.tree import FleetTree, TreeView, filter_roots

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Opener = Callable[[Any], Awaitable[Any]]  # Options -> Runtime

WIDE_MIN_WIDTH = 120
WIDE_MIN_HEIGHT = 30
VIEWS = ("detail", "chart", "events", "none")
CHART_GROUP = Binding.Group("Chart", compact=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def usable_width(widget: Any) -> int:
    """Cells for text in a scrolling pane, leaving the scrollbar's column free
    whether or not it is showing (so text does not reflow when it appears)."""
    width = widget.scrollable_content_region.width
    if not width:
        return 0
    if widget.show_vertical_scrollbar:
        width += widget.styles.scrollbar_size_vertical
    return max(1, width - 1)


class RdsApp(FilterMixin, PollingMixin, App[int]):
    """The console. `opener(options)` returns a Runtime (default: the real one)."""

    TITLE = "rdstui"
    COMMANDS = App.COMMANDS | {FleetCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: taken as the key arrives, so whatever is typed after it
        # lands in the filter (see on_event), however fast it comes.
        Binding("slash", "filter", "Filter", tooltip="Filter by identifier, engine, region, status", priority=True),
        Binding("escape", "clear_filter", "Clear"),
        Binding("enter", "filter_done", "Done"),
        Binding("r", "refresh", "Refresh"),
        Binding("t", "cycle_theme", "Theme", show=False),
        # Not in the footer: the lower pane's title says "v: chart" (80 columns are few).
        Binding("v", "cycle_view", "View", tooltip="Lower pane: detail, chart, events, none", show=False),
        # In the footer when wide (the chart is always there); when small the chart
        # pane lists them itself, and the hidden twin takes the key and brings it up.
        Binding("1", "chart('lag')", "lag", group=CHART_GROUP, show=True),
        Binding("2", "chart('cpu')", "CPU", group=CHART_GROUP),
        Binding("3", "chart('connections')", "conns", group=CHART_GROUP),
        Binding("4", "chart('storage')", "storage", group=CHART_GROUP),
        Binding("5", "chart('capacity')", "ACU", group=CHART_GROUP),
        *(Binding(str(n), f"show_chart('{key}')", key, show=False) for n, key in enumerate(ORDER, 1)),
        *actions.bindings(),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    CSS = """
    Screen { layout: vertical; }
    #body { height: 1fr; layout: vertical; }
    #left { height: 1fr; }
    #right { height: 1fr; border-top: solid $primary; border-title-color: $primary; }
    #filter-bar { height: 1; display: none; background: $panel; }
    #filter-bar.-active { display: block; }
    #filter-bar > #filter-field { width: 1fr; height: 1; padding: 0 1; }
    #filter-bar > #filter-count { width: auto; padding: 0 1; color: $text-muted; }
    #message { height: auto; padding: 1 2; display: none; }
    #message.-shown { display: block; }
    #tree { height: 1fr; }
    #detail { height: 1fr; }
    #chart { height: 1fr; display: none; }
    #events { height: 1fr; border-top: solid $primary; border-title-color: $primary; display: none; }

    Screen.view-chart #detail { display: none; }
    Screen.view-chart #chart { display: block; }
    Screen.view-events #right { display: none; }
    Screen.view-events #events { display: block; }
    Screen.view-none #right { display: none; }

    Footer.-compact FooterLabel { margin: 0 1 0 0; }
    Footer.-compact KeyGroup.-compact { padding-left: 0; }

    Screen.-failed #tree, Screen.-failed #right, Screen.-failed #events { display: none; }

    Screen.-wide #body { layout: horizontal; }
    Screen.-wide #left { width: 55%; height: 1fr; border: round $primary 60%; border-title-color: $primary; }
    Screen.-wide #left:focus-within { border: round $primary; }
    Screen.-wide #right { width: 1fr; height: 1fr; border: none; }
    Screen.-wide #detail { height: 1fr; border: round $primary 60%; border-title-color: $primary; }
    Screen.-wide #chart { height: 45%; min-height: 10; display: block; border: round $primary 60%; border-title-color: $primary; }
    Screen.-wide #events { height: 30%; min-height: 6; display: block; border: round $primary 60%; }
    Screen.-wide #events:focus-within { border: round $primary; }
    """

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        opener: Opener | None = None,
        clock: Clock = utcnow,
        themes: ThemeSet | None = None,
        cursor_blink: bool = True,
        simulate: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.demo = demo
        self.clock = clock
        self._opener = opener
        self.read_only = settings.read_only
        self.themes = themes if themes is not None else load_themes()
        self.cursor_blink = cursor_blink  # False: still text cursors (tests, screenshots)
        self._simulate = simulate
        for theme in self.themes.themes.values():
            self.register_theme(theme)
        self.theme = self.themes.resolve(settings.theme)

        self.runtime: Any = None
        self.fleet: Fleet | None = None
        self.by_key: dict[str, Node] = {}
        self.parents: dict[str, Node] = {}
        self.events = EventsResult([], {})
        self.events_loaded = False
        self._events_at: datetime | None = None  # when events were last read without error
        self.header_state = HeaderState(label="demo" if demo else (settings.profile or ""), read_only=self.read_only)
        self.selected_key: str | None = None
        self.postures: dict[str, PostureView] = {}
        self.chart_metric = "lag"
        self.view = "detail"
        self.wide = False
        self.filter_text = ""
        self.filter_editing = False
        self._matched: list[str] = []
        self.setup_error: str | None = None
        self.polls = 0  # completed polls, for tests and the header
        self._polling = False
        self._refresh_wanted = False
        self._poll_timer: Timer | None = None
        self._posture_timer: Timer | None = None
        self._last_metrics: datetime | None = None
        self._runtime_closed = False
        self._full_fleet = False  # a complete poll has been drawn (partial ones before)
        self._marked: set[str] = set()  # tree nodes drawn with an action in flight
        self._noticed: set[str] = set()  # fleet notices already shown
        self._dimmed: set[str] | None = None  # while filtering: the matches (the rest is dimmed)
        self.palette = Palette.from_variables({})
        self.flow = ActionFlow(self)

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Horizontal(id="filter-bar"):
                    yield Static("", id="filter-field")
                    yield Static("", id="filter-count")
                yield Static("", id="message")
                yield FleetTree(id="tree")
            with Vertical(id="right"):
                yield DetailPane(id="detail")
                yield ChartPane(id="chart")
        yield EventsPane(id="events")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._refresh_palette()
        self._apply_layout(self.size.width, self.size.height)
        self._show_message("Connecting to AWS…" if not self.demo else "Starting the demo fleet…")
        self.query_one(FleetTree).focus()
        self._render_header()
        self._render_detail()
        self.set_interval(1.0, self._tick)
        for problem in self.themes.problems.values():
            self.notify(f"theme ignored: {problem}", severity="warning", timeout=8)
        self._connect()

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        screen = self.screen
        if not isinstance(screen, Screen) or screen is not self._main_screen():
            screen = self._main_screen()
        wide = width >= WIDE_MIN_WIDTH and height >= WIDE_MIN_HEIGHT
        self.wide = wide
        screen.set_class(wide, "-wide")
        for footer in screen.query(Footer):
            footer.show_command_palette = width >= 100  # room for the action keys at 80
        for view in VIEWS:
            screen.set_class(not wide and self.view == view, f"view-{view}")
        self._set_titles()
        self.refresh_bindings()  # the chart keys show with the chart
        self.call_after_refresh(self._rerender_all)

    def _main_screen(self) -> Screen:
        return self.screen_stack[0] if self.screen_stack else self.screen

    def _set_titles(self) -> None:
        try:
            left = self.query_one("#left")
            right = self.query_one("#right")
            detail = self.query_one("#detail")
            chart = self.query_one("#chart")
            events = self.query_one("#events")
        except Exception:  # noqa: BLE001 - not composed yet
            return
        count = f" ({len(self.by_key)})" if self.by_key else ""
        left.border_title = f"Topology{count}"
        detail.border_title = "Detail"
        chart.border_title = "Chart"
        events.border_title = "Events (UTC)"
        if not self.wide:
            names = {"detail": "Detail", "chart": "Chart", "events": "Events (UTC)"}
            following = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
            hint = f"v: {following}" if following != "none" else "v: hide"
            right.border_title = f"{names.get(self.view, '')} · {hint}"
            events.border_title = f"Events (UTC) · {hint}"
        else:
            right.border_title = ""

    # -- themes ----------------------------------------------------------------

    def get_css_variables(self) -> dict[str, str]:
        variables = super().get_css_variables()
        variables = fill_variables(variables)
        self.theme_variables = variables
        return variables

    def _refresh_palette(self) -> None:
        variables = fill_variables(dict(self.theme_variables or self.get_css_variables()))
        self.palette = Palette.from_variables(variables, ansi=self.current_theme.ansi)

    def _on_theme_changed(self, _theme: Any) -> None:
        self._refresh_palette()
        self.call_after_refresh(self._rerender_all)

    def action_cycle_theme(self) -> None:
        names = self.themes.cycle or [self.theme]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"theme: {self.theme}", timeout=2)

    # -- the model -------------------------------------------------------------

    def fleet_nodes(self) -> list[Node]:
        return list(self.fleet.walk()) if self.fleet else []

    def _apply_fleet(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.by_key = dict(fleet.nodes)
        self.parents = {key: parent for key in self.by_key if (parent := fleet.parent(self.by_key[key])) is not None}
        runtime = self.runtime
        self.header_state.account_id = fleet.account_id or self.header_state.account_id
        self.header_state.regions = list(fleet.regions)
        metrics = getattr(runtime.poller, "last_metrics", None) if runtime else None
        self.header_state.metrics_errors = dict(metrics.errors) if metrics else {}
        for notice in fleet.notices:  # records left out or skipped: said once a session
            if notice not in self._noticed:
                self._noticed.add(notice)
                self.notify(notice, severity="warning", timeout=12, markup=False)
        if not fleet.roots:
            regions = ", ".join(state.name for state in fleet.regions)
            self._show_message(f"No databases in the polled regions ({regions}).\nTry --region all.")
        else:
            self._show_message(None)
        self._set_titles()
        self._sync_tree()
        self._render_detail()
        self._render_events()
        # The selection may be the same node but its backups' owner new (a partial
        # fleet had only some regions): read the posture if it is not cached.
        self._want_posture()

    def region_state(self, region: str) -> RegionState | None:
        if self.fleet is None:
            return None
        return next((state for state in self.fleet.regions if state.name == region), None)

    def selected_node(self) -> Node | None:
        return self.by_key.get(self.selected_key) if self.selected_key else None

    # -- rendering -------------------------------------------------------------

    def _rerender_all(self) -> None:
        self._render_header()
        self._sync_tree()
        self._render_detail()
        self._render_events()

    def _show_message(self, message: str | Text | None) -> None:
        try:
            widget = self.query_one("#message", Static)
        except Exception:  # noqa: BLE001
            return
        widget.update(message or "")
        widget.set_class(bool(message), "-shown")

    def _tick(self) -> None:
        """Every second: the header's ages, and the elapsed time of actions in flight."""
        self._render_header()
        if self.flow.busy():
            self._refresh_progress()

    def action_state_changed(self) -> None:
        """An action began, was sent or settled (or read-only switched): footer, tree, detail, events."""
        self._render_header()
        self.refresh_bindings()
        self._refresh_progress()
        self._render_events()

    def _refresh_progress(self) -> None:
        """Relabel only the nodes with an action in flight (and those that just settled)."""
        if self.fleet is None:
            return
        keys = self.flow.in_flight_keys()
        tree = self.query_one(FleetTree)
        marked, self._marked = self._marked, keys
        for key in keys | marked:
            node = self.by_key.get(key)
            tree_node = tree.nodes_by_key.get(key)
            if node is None or tree_node is None:
                continue
            label = self._tree_label(node, tree.indent(tree.depth_of(tree_node)), Columns.fit(tree.label_width()))
            if tree_node.label != label:
                tree_node.set_label(label)
        selected = self.selected_key
        if selected in keys or selected in marked:
            self._render_detail()

    def _render_header(self) -> None:
        try:
            header = self.query_one(HeaderBar)
        except Exception:  # noqa: BLE001
            return
        width = max(20, header.size.width or self.size.width)
        header.update(header_text(self.header_state, self.clock(), width, self.palette))

    def _lag_values(self, node: Node) -> list[float]:
        key = lag_series(node, self.fleet)
        if key is None or self.runtime is None:
            return []
        return [value for _, value in self.runtime.poller.store.series(key)]

    def _tree_label(self, node: Node, indent: int, columns: Columns) -> Text:
        settings = self.settings
        stale = self.fleet is not None and any(s.stale and s.name == node.region for s in self.fleet.regions)
        text = tree_label(
            node,
            columns=columns,
            indent=indent,
            lag_values=self._lag_values(node),
            lag=self.fleet.lag(node) if self.fleet else None,
            replication=self.fleet.replication(node) if self.fleet else None,
            warning=settings.lag_warning,
            critical=settings.lag_critical,
            palette=self.palette,
            stale=stale and node.type is not NodeType.EXTERNAL,
            progress=self.flow.tree_progress(node.key, self.clock()),
        )
        if self._dimmed is not None and node.key not in self._dimmed:
            text.stylize(Style(dim=True))  # an ancestor kept for context, not a match
        return text

    def _sync_tree(self) -> None:
        if self.fleet is None:
            return
        tree = self.query_one(FleetTree)
        columns = Columns.fit(tree.label_width())
        roots, matched = filter_roots(self.fleet.roots, self.filter_text)
        filtering = bool(self.filter_text.strip())
        self._dimmed = matched if filtering else None

        def label(node: Node, indent: int) -> Text:
            return self._tree_label(node, indent, columns)

        self._marked = self.flow.in_flight_keys()
        tree.sync(TreeView(roots, label, filtering=filtering, matches=matched))
        self._update_filter_count(len(matched))
        self._matched = [node.key for root in roots for node in root.walk() if node.key in matched]
        if tree.cursor_node is not None and tree.cursor_node.data != self.selected_key:
            self._select(tree.cursor_node.data)

    def _render_detail(self) -> None:
        detail = self.query_one(DetailPane)
        chart = self.query_one(ChartPane)
        chart.palette = self.palette
        chart.now = self.clock()
        chart.foreground = self.theme_variables.get("foreground") if self.theme_variables else None
        node = self.selected_node()
        if node is None:
            detail.show(Text("No database selected." if self.fleet else "", self.palette.muted))
            chart.data = None
            chart.refresh()
            return
        width = usable_width(detail) or max(30, self.size.width - 4)
        context = DetailContext(
            node=node,
            fleet=self.fleet,
            region=self.region_state(node.region),
            store=self.runtime.poller.store if self.runtime else None,  # type: ignore[arg-type]
            posture=self._posture_view(node),
            now=self.clock(),
            warning=self.settings.lag_warning,
            critical=self.settings.lag_critical,
            palette=self.palette,
            width=width,
        )
        text = detail_text(context)
        progress = self.flow.progress(node.key, self.clock())
        if progress:
            text = Text.assemble((f"⟳ {progress}", self.palette.busy + Style(bold=True)), "\n", text)
        detail.show(text)
        chart.data = self._chart_data(node)
        chart.refresh()

    def _chart_data(self, node: Node) -> ChartData:
        metric = self.chart_metric
        thresholds = (self.settings.lag_warning, self.settings.lag_critical)
        charts = gauges(node, self.fleet)
        available = tuple(g.key for g in charts if g.series is not None)
        chosen = next(g for g in charts if g.key == metric)
        if chosen.series is None:
            note = f"Not published: {chosen.why_not}."
            if available:
                keys = ", ".join(str(ORDER.index(key) + 1) for key in available)
                note += f" Keys {keys} chart what {node.id} has."
            return ChartData(node.id, metric, None, [], thresholds, note, available, chosen.label)
        points = self.runtime.poller.store.series(chosen.series) if self.runtime is not None else []
        limits = thresholds if metric == "lag" else ()
        return ChartData(node.id, metric, chosen.series.metric, points, limits, None, available, chosen.label)

    def _render_events(self) -> None:
        pane = self.query_one(EventsPane)
        node = self.selected_node()
        highlight = {n.id for n in node.walk() if n.type is not NodeType.EXTERNAL} if node else set()
        width = usable_width(pane) or self.size.width - 2
        events = self.events.events
        if self.flow.lines:  # the console's own lines (sent, failed, settled) among AWS's
            events = sorted([*events, *self.flow.lines], key=lambda e: e.time, reverse=True)
        pane.show(
            events,
            errors=self.events.errors,
            highlight=highlight,
            now=self.clock(),
            palette=self.palette,
            width=max(30, width),
            loaded=self.events_loaded,
        )

    # -- selection and backups -------------------------------------------------

    @on(Tree.NodeHighlighted)
    def _on_highlight(self, event: Tree.NodeHighlighted[str]) -> None:
        if event.node.data:
            self._select(event.node.data)

    def _select(self, key: str | None) -> None:
        if key == self.selected_key:
            return
        self.selected_key = key
        self._render_detail()
        self._render_events()
        self.refresh_bindings()
        self._want_posture()

    def jump_to(self, key: str) -> None:
        """Put the cursor on a database (clearing a filter that hides it)."""
        tree = self.query_one(FleetTree)
        if key not in tree.nodes_by_key and self.filter_text:
            self.action_clear_filter()
        if tree.select_key(key):
            tree.focus()
            self._select(key)

    # -- panes -----------------------------------------------------------------

    def action_cycle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self._apply_layout(self.size.width, self.size.height)

    def action_chart(self, metric: str) -> None:
        self.chart_metric = metric
        if not self.wide and self.view != "chart":
            self.view = "chart"
            self._apply_layout(self.size.width, self.size.height)
        self._render_detail()
        self.refresh_bindings()

    def action_show_chart(self, metric: str) -> None:
        self.action_chart(metric)

    def action_help(self) -> None:
        palette, settings = self.palette, self.settings
        legend = [
            ("status", Text("available", palette.ok)),
            ("", Text("modifying, rebooting, backing-up, …", palette.busy)),
            ("", Text("failed, stopped, storage-full, incompatible-…", palette.bad)),
            ("lag", Text(f"below {settings.lag_warning:g}s", palette.lag_ok)),
            ("", Text(f"from {settings.lag_warning:g}s (warning)", palette.lag_warning)),
            ("", Text(f"from {settings.lag_critical:g}s (critical)", palette.lag_critical)),
            ("stale", Text("a failing region's last good data", palette.busy)),
        ]
        read_only = (self.settings.read_only_source or "--read-only") if self.read_only else None
        audit = str(self.flow.audit.path) if self.flow.audit else None
        self.push_screen(HelpScreen(read_only, legend, audit))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.setup_error is not None and action not in ("quit", "help"):
            return False
        on_main = self.screen is self._main_screen()
        if action == "filter":
            return on_main and not self.filter_editing
        if action == "filter_done":
            return self.filter_editing
        if action == "clear_filter":
            return on_main and (bool(self.filter_text) or self.filter_editing)
        if self.filter_editing and action in (
            "refresh", "cycle_theme", "cycle_view", "chart", "show_chart", "help", "node_action", "explain_action"
        ):
            return False  # those keys type into the filter now
        if action == "cycle_view":
            return not self.wide
        if action in ("chart", "show_chart"):
            node = self.selected_node()
            if node is None or not parameters or gauge(node, str(parameters[0]), self.fleet).series is None:
                return False
            return self.wide if action == "chart" else not self.wide
        if action in ("node_action", "explain_action"):
            if not on_main or not parameters:
                return False
            offered = self.flow.key_state(ActionKind(str(parameters[0])), self.selected_node())
            if action == "node_action":
                return offered
            return offered is not True  # the hidden twin: says why the key does nothing here
        return True

    def action_node_action(self, kind: str) -> None:
        """s, f, p: the confirmation modal for the selected database (see ui/actions.py)."""
        self.flow.press(ActionKind(kind))

    def action_explain_action(self, kind: str) -> None:
        """s, f, p where they do not apply: one line saying why; nothing is sent."""
        self.flow.press(ActionKind(kind))

    # -- palette ---------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Refresh now", "Poll topology, metrics and events now (r)", self.action_refresh)
        for name in self.themes.cycle:
            yield SystemCommand(f"Theme: {name}", f"Switch to the {name} theme", lambda n=name: self._set_theme(n))
        if self.filter_text:
            yield SystemCommand("Clear filter", "Show the whole fleet again", self.action_clear_filter)
        # k9s users asked for a runtime switch: on is always safe; off only undoes this session's on.
        if not self.read_only:
            yield SystemCommand(
                "Read-only: on", "Turn s, f and p off until you turn them back on", lambda: self.flow.set_read_only(True)
            )
        elif not self.settings.read_only:
            yield SystemCommand(
                "Read-only: off", "Allow snapshot, fail over and promote again", lambda: self.flow.set_read_only(False)
            )

    def _set_theme(self, name: str) -> None:
        self.theme = name

    # -- shutdown --------------------------------------------------------------

    async def action_quit(self) -> None:
        await self._close_runtime()
        self.exit(return_code=0)

    async def on_unmount(self) -> None:
        await self._close_runtime()


def _quiet_logging() -> None:
    """Nothing may write to the terminal under the console: logs go to a file."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("moto").setLevel(logging.ERROR)
    logging.captureWarnings(True)
    root = logging.getLogger()
    handler: logging.Handler
    try:
        directory = state_home()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # the audit log lives here too
        handler = logging.FileHandler(directory / "console.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
    except OSError:
        handler = logging.NullHandler()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)


def run_console(settings: Settings, demo: bool = False) -> int:
    """Open the console; returns the exit code. An unknown theme is a SetupError before it starts."""
    themes = load_themes()
    themes.resolve(settings.theme)  # raises SetupError listing the choices
    _quiet_logging()
    app = RdsApp(settings, demo=demo, themes=themes)
    app.run()
    if app.setup_error:
        print(f"rdstui: {app.setup_error}", file=sys.stderr)
        return 2
    return app.return_code or 0
