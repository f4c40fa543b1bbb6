"""The live console: it routes what the core reports to the widgets that show it.

Data flows one way. Workers open the runtime and run the fleet watch; every
region step becomes a `FleetUpdated` message carrying an immutable Fleet, which
the app hands to the tree, the detail, the chart, the events and the header;
each draws itself from what it holds. Keys that act on a database go to the
core's ActionDesk (plan, audit, send, follow); the app shows its answers.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import tzinfo
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import SimpleCommand
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Key, Paste, Resize
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Static

from rdstui.core import errors
from rdstui.core.actions import ActionKind, ActionPlan, Refusal
from rdstui.core.attention import summary
from rdstui.core.backups import fetch_posture
from rdstui.core.catalog import gauges
from rdstui.core.clock import Clock, utcnow
from rdstui.core.config import Settings
from rdstui.core.desk import ActionDesk
from rdstui.core.format import clean
from rdstui.core.model import Fleet, Node, NodeType
from rdstui.core.replay import Replay
from rdstui.logs import quiet_logging
from rdstui.runtime import Options, Runtime, open_replay, open_runtime
from rdstui.ui.actions.keys import bindings
from rdstui.ui.actions.modal import ActionModal, Decision
from rdstui.ui.detail.chart import ORDER
from rdstui.ui.detail.text import PostureView
from rdstui.ui.detail.widget import ChartPane, DetailPane
from rdstui.ui.events.widget import EventsList
from rdstui.ui.filter_bar import FilterBar
from rdstui.ui.header.text import AccountBadge, HeaderState
from rdstui.ui.header.widget import HeaderBar
from rdstui.ui.messages import (
    ActionSent,
    ActionsSettled,
    Connected,
    FleetUpdated,
    PostureRead,
    SetupFailed,
    WatchStopped,
)
from rdstui.ui.palette import Palette
from rdstui.ui.replay import BINDINGS as REPLAY_BINDINGS
from rdstui.ui.replay import REPLAY_ACTIONS, ReplayDriver
from rdstui.ui.screens.commands import FleetCommands
from rdstui.ui.screens.help import HelpScreen
from rdstui.ui.screens.history import HistoryScreen
from rdstui.ui.text import home_relative
from rdstui.ui.themes import ThemeSet, fill_variables, load_themes
from rdstui.ui.tree.ordering import ORDERS
from rdstui.ui.tree.widget import FleetTree

log = logging.getLogger(__name__)

Opener = Callable[[Options], Awaitable[Runtime]]

WIDE_MIN_WIDTH = 120
WIDE_MIN_HEIGHT = 30
VIEWS = ("detail", "chart", "events", "none")
CHART_GROUP = Binding.Group("Chart", compact=True)
NOTICE_SECONDS = 8
ERROR_SECONDS = 15
FOOTER_ROOMY = 100  # columns from which the footer also offers r and e (and the palette)
FREE_REPLACED_AFTER = 0.25  # seconds: well after the next screen update (60 a second at most)


class RdsApp(App[int]):
    """The console. `opener(options)` returns a Runtime (default: the real one)."""

    TITLE = "rdstui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {FleetCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: taken as the key arrives, so whatever is typed after it
        # lands in the filter (see on_event), however fast it comes.
        Binding("slash", "filter", "Filter", tooltip="Filter by identifier, engine, region, status", priority=True),
        Binding("escape", "clear_filter", "Clear"),
        Binding("enter", "filter_done", "Done"),
        # r and e: in the footer from FOOTER_ROOMY columns; below, their hidden twins take the key
        # (80 columns hold the action keys, `!` and `a`; the lower pane's title says "e: events").
        Binding("r", "refresh('footer')", "Refresh"),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("o", "cycle_order", "Order", tooltip="Order the tree: attention, name, region, lag", show=False),
        Binding("exclamation_mark", "problems_only", "Problems", tooltip="Only databases with a warning or worse"),
        Binding("t", "cycle_theme", "Theme", show=False),
        # Not in the footer: the lower pane's title says "v: chart" (80 columns are few).
        Binding("v", "cycle_view", "View", tooltip="Lower pane: detail, chart, events, none", show=False),
        Binding("e", "focus_events('footer')", "Events", tooltip="The events list: j/k move, enter opens an event"),
        Binding("e", "focus_events", "Events", show=False),
        # In the footer when wide (the chart is always there); when small the chart
        # pane lists them itself, and the hidden twin takes the key and brings it up.
        Binding("1", "chart('lag')", "lag", group=CHART_GROUP, show=True),
        Binding("2", "chart('cpu')", "CPU", group=CHART_GROUP),
        Binding("3", "chart('connections')", "conns", group=CHART_GROUP),
        Binding("4", "chart('storage')", "storage", group=CHART_GROUP),
        Binding("5", "chart('capacity')", "ACU", group=CHART_GROUP),
        *(Binding(str(n), f"show_chart('{key}')", key, show=False) for n, key in enumerate(ORDER, 1)),
        *bindings(),
        Binding("colon", "jump_account", "Accounts", tooltip="Jump to an account (with several profiles)", show=False),
        Binding("a", "history", "History", tooltip="Every action of the session, then earlier ones (the audit log)"),
        Binding("x", "dismiss_results", "Dismiss", tooltip="The action results shown on their nodes go"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        *REPLAY_BINDINGS,
    ]

    def __init__(
        self,
        settings: Settings,
        options: Options | None = None,
        *,
        opener: Opener | None = None,
        clock: Clock = utcnow,
        themes: ThemeSet | None = None,
        cursor_blink: bool = True,
        local_zone: tzinfo | None = None,
        replay: Replay | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.options = options or Options.from_settings(settings, demo=False)
        self.replay = ReplayDriver(replay) if replay is not None else None  # --replay: its clock is the console's
        self.clock = replay.clock.now if replay is not None else clock
        self._opener: Opener = opener or open_runtime
        self.themes = themes if themes is not None else load_themes()
        self.cursor_blink = cursor_blink  # False: still text cursors (tests, screenshots)
        self.local_zone = local_zone  # the zone shown besides UTC (None: the machine's; screenshots: UTC)
        for theme in self.themes.themes.values():
            self.register_theme(theme)
        self.theme = self.themes.resolve(settings.theme)
        self.palette = Palette.from_variables({})
        self.runtime: Runtime | None = None
        self.fleet: Fleet | None = None  # the latest snapshot, as routed
        self.selected_key: str | None = None
        self.setup_error: str | None = None
        self._message: Text | None = None  # what the body's message line says
        self.view = "detail"
        self.wide = False
        self.notices: list[str] = []  # every one-line notice shown, oldest first (tests, the curious)
        self._noticed: set[str] = set()  # fleet notices already said
        self._replaced: deque[Fleet | None] = deque()  # fleets a poll replaced, freed once it is painted
        self._keys_shown: tuple[Any, ...] = ()
        self._closed = False
        self.recording_failure: str | None = None  # --record could not write its file (said on exit)

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(clock=self.clock, id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield FilterBar(id="filter-bar")
                yield Static("", id="message")
                yield FleetTree(id="tree")
            with Vertical(id="right"):
                yield DetailPane(clock=self.clock, id="detail")
                yield ChartPane(clock=self.clock, id="chart")
        events = EventsList(clock=self.clock, id="events")
        events.local_zone = self.local_zone
        yield events
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._apply_palette()
        names = ", ".join(profile.name or "default" for profile in self.options.profiles)
        self._set_header(label="demo" if self.options.demo else names)
        if self.replay is not None:
            self._set_header(replay=self.replay.badge())
        self._apply_layout(self.size.width, self.size.height)
        self._show_message(
            "Starting the demo fleet…" if self.options.demo else
            "Reading the recording…" if self.replay is not None else "Connecting to AWS…"
        )
        self.query_one(FleetTree).focus()
        self.set_interval(1.0, self._tick)
        for problem in self.themes.problems.values():
            self._notify(f"theme ignored: {problem}", severity="warning", timeout=8)
        self._connect()

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        screen = self._main_screen()
        wide = width >= WIDE_MIN_WIDTH and height >= WIDE_MIN_HEIGHT
        self.wide = wide
        screen.set_class(wide, "-wide")
        for footer in screen.query(Footer):
            footer.show_command_palette = width >= FOOTER_ROOMY  # room for the action keys at 80
        for view in VIEWS:
            screen.set_class(not wide and self.view == view, f"view-{view}")
        self._set_titles()
        self._refresh_keys(force=True)

    def _main_screen(self) -> Screen[Any]:
        return self.screen_stack[0] if self.screen_stack else self.screen

    def _set_titles(self) -> None:
        shown = sum(1 for node in self.fleet.nodes.values() if node.type is not NodeType.ACCOUNT) if self.fleet else 0
        count = f" ({shown})" if shown else ""
        tree = self.query_one(FleetTree)
        view = " · problems (!)" if tree.problems_only else ""
        titles = {
            "#left": f"Topology{count} · by {tree.order}{view}",
            "#detail": "Detail",
            "#chart": "Chart",
            "#events": "Events (UTC)",
        }
        if self.wide:
            titles["#right"] = ""
        else:
            names = {"detail": "Detail", "chart": "Chart", "events": "Events (UTC)"}
            following = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
            hint = f"v: {following}" if following != "none" else "v: hide"
            events = " · e: events" if "events" not in (self.view, following) else ""  # not said twice
            titles["#right"] = f"{names.get(self.view, '')} · {hint}{events}"
            titles["#events"] = f"Events (UTC) · {hint}"
        for selector, title in titles.items():
            widget = self.query_one(selector)
            if widget.border_title != title:  # setting it, even unchanged, redraws the whole pane
                widget.border_title = title

    def _show_message(self, message: str | Text | None) -> None:
        text = message if isinstance(message, Text) else Text(message or "")
        if text == self._message:  # every poll says "no message": an update would lay out the screen
            return
        self._message = text
        widget = self.query_one("#message", Static)
        widget.update(text)
        widget.set_class(bool(message), "-shown")

    # -- themes ----------------------------------------------------------------

    def get_css_variables(self) -> dict[str, str]:
        variables = fill_variables(super().get_css_variables())
        self.theme_variables = variables
        return variables

    def _apply_palette(self) -> None:
        variables = fill_variables(dict(self.theme_variables or self.get_css_variables()))
        self.palette = Palette.from_variables(variables, ansi=self.current_theme.ansi)
        settings = self.settings
        for widget in (self.query_one(FleetTree), self.query_one(DetailPane), self.query_one(ChartPane)):
            widget.palette = self.palette
            widget.warning, widget.critical = settings.lag_warning, settings.lag_critical
        self.query_one(FleetTree).trend_window = settings.trend_window
        detail = self.query_one(DetailPane)
        detail.rpo_warning, detail.trend_window = settings.rpo_warning, settings.trend_window
        for other in (self.query_one(HeaderBar), self.query_one(EventsList), self.query_one(FilterBar)):
            other.palette = self.palette
        self.query_one(ChartPane).foreground = variables.get("foreground")
        self.query_one(FleetTree).redraw()
        self.query_one(DetailPane).redraw()
        self.query_one(HeaderBar).tick()
        self.query_one(EventsList).refresh()

    def _on_theme_changed(self, _theme: Any) -> None:
        self.call_after_refresh(self._apply_palette)

    def action_cycle_theme(self) -> None:
        names = self.themes.cycle or [self.theme]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self._notify(f"theme: {self.theme}", timeout=2)

    # -- connecting and watching -----------------------------------------------

    # Every worker names itself: without a description Textual labels it with the repr of its
    # arguments, and a Runtime's or a Fleet's is megabytes at fleet scale (a replay's, hundreds).
    @work(exclusive=True, group="connect", exit_on_error=False, description="connect")
    async def _connect(self) -> None:
        try:
            runtime = await self._opener(self.options)
        except errors.SetupError as exc:
            self.post_message(SetupFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - never a traceback on screen
            log.exception("opening the runtime failed")
            self.post_message(SetupFailed(errors.describe(exc)))
            return
        self.post_message(Connected(runtime))

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        runtime = self.runtime = message.runtime
        self._set_header(
            label=runtime.label,
            account_id=runtime.account_id,
            connecting=False,
            profile_label=runtime.accounts[0].label if len(runtime.accounts) == 1 else None,
            write_flag=any(account.write_flag for account in runtime.accounts),
        )
        self._show_message("Reading the fleet…")
        if self.replay is not None:
            self.replay.begin()  # the recording plays from its first poll now, not from while it loaded
        for warning in runtime.warnings:
            self._notify(warning, severity="warning", timeout=ERROR_SECONDS)
        self._show_read_only(runtime.desk)
        self._refresh_keys(force=True)
        self._watch(runtime)

    @on(SetupFailed)
    def _setup_failed(self, message: SetupFailed) -> None:
        self.setup_error = message.message
        self._set_header(setup_error=message.message, connecting=False)
        self._show_message(
            Text.assemble(
                ("Could not start\n\n", Style(bold=True)),
                (message.message + "\n\n", self.palette.bad),
                ("Press any key to exit.", self.palette.muted),
            )
        )
        self._main_screen().add_class("-failed")
        self._refresh_keys(force=True)

    def on_key(self, event: Key) -> None:
        if self.setup_error is not None:
            event.stop()
            event.prevent_default()
            self.exit(return_code=2)

    @work(exclusive=True, group="watch", exit_on_error=False, description="watch the fleet")
    async def _watch(self, runtime: Runtime) -> None:
        try:
            first = True
            async for fleet in runtime.watch.fleets():
                self.post_message(FleetUpdated(fleet))
                if first and any(region.ok for region in fleet.regions):
                    first = False
                    # The objects made so far (botocore's service models above all) live as long
                    # as the console: moving them out of the collector's way keeps full
                    # collections, every few keypresses at fleet scale, short.
                    gc.freeze()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the console keeps its last fleet and says why
            log.exception("watching the fleet failed")
            self.post_message(WatchStopped(errors.describe(exc)))

    @on(FleetUpdated)
    def _fleet_updated(self, message: FleetUpdated) -> None:
        try:
            self._show_fleet(message.fleet)
        except NoMatches:  # the console is closing: a last poll's fleet came while its widgets went
            pass

    def _show_fleet(self, fleet: Fleet) -> None:
        # Freeing a replaced fleet (a thousand nodes and their describe records) takes
        # milliseconds: spend them after the new one is on screen, not before.
        self._replaced.append(self.fleet)
        self.set_timer(FREE_REPLACED_AFTER, self._free_replaced)
        self.fleet = fleet
        self._set_header(
            regions=fleet.regions, accounts=self._badges(fleet), attention=tuple(summary(fleet.attention))
        )
        for notice in fleet.notices:  # records left out or skipped: said once a session
            if notice not in self._noticed:
                self._noticed.add(notice)
                self._notify(notice, severity="warning", timeout=12)
        if not fleet.roots and all(r.attempted_at for r in fleet.regions):
            regions = ", ".join(state.name for state in fleet.regions)
            self._show_message(f"No databases in the polled regions ({regions}).\nTry --region all.")
        elif fleet.roots:
            self._show_message(None)
        self.query_one(FleetTree).fleet = fleet
        for pane in (self.query_one(DetailPane), self.query_one(ChartPane), self.query_one(EventsList)):
            pane.fleet = fleet
        self._set_titles()
        self._show_in_view()  # the node under the cursor may have moved in the tree
        self.call_after_refresh(self._refresh_keys)  # the tree first; the footer a frame later
        runtime = self.runtime
        if runtime is not None and runtime.desk.in_flight():
            self._follow(runtime, fleet)

    def _badges(self, fleet: Fleet) -> tuple[AccountBadge, ...]:
        """What the header says of each account, with several (read-only as the desk has it now)."""
        if len(fleet.accounts) < 2 or not any(root.type is NodeType.ACCOUNT for root in fleet.roots):
            return ()
        desk = self.runtime.desk if self.runtime is not None else None
        return tuple(
            AccountBadge.of(
                state, fleet, state.error is None and desk is not None and desk.read_only_for(state.account)
            )
            for state in fleet.accounts
        )

    def _free_replaced(self) -> None:
        self._replaced.popleft()

    @on(WatchStopped)
    def _watch_stopped(self, message: WatchStopped) -> None:
        self._set_header(poll_error=message.error)

    def _set_header(self, **changes: Any) -> None:
        header = self.query_one(HeaderBar)
        values = {**header.state.__dict__, **changes}
        header.state = HeaderState(**values)

    def _tick(self) -> None:
        """Every second: the ages in the header and the events, the elapsed time of actions in flight."""
        try:
            header, events = self.query_one(HeaderBar), self.query_one(EventsList)
        except NoMatches:  # the console is closing: the timer outlived the widgets by a tick
            return
        if self.replay is not None and self.runtime is not None and self.replay.poll_due():
            self.action_refresh()  # the recording polled here (its backups' reads too)
        header.tick()
        events.tick()
        self.query_one(DetailPane).redraw()  # "RPO now" and the alarms' ages move between reads
        desk = self.runtime.desk if self.runtime is not None else None
        if desk is not None and (desk.in_flight() or desk.showing()):  # results on nodes age ("✓34s ago")
            self._show_progress()

    # -- selection and backups -------------------------------------------------

    @on(FleetTree.Selected)
    def _selected(self, message: FleetTree.Selected) -> None:
        self.selected_key = message.key
        detail, chart = self.query_one(DetailPane), self.query_one(ChartPane)
        detail.selected = chart.selected = message.key
        node = self.selected_node()
        self.query_one(EventsList).highlight = frozenset(
            (n.account, n.id) for n in node.walk() if n.type not in (NodeType.EXTERNAL, NodeType.ACCOUNT)
        ) if node is not None else frozenset()
        detail.progress = self.runtime.desk.tracker.progress(message.key) if self.runtime and message.key else None
        self._show_in_view()
        self._refresh_keys()

    def _show_in_view(self) -> None:
        """Tell the watch which node's charts to read (the others' are not polled)."""
        if self.runtime is not None and self.fleet is not None:
            node = self.selected_node()
            self.runtime.watch.show(node, self.fleet.parent(node) if node is not None else None)

    def selected_node(self) -> Node | None:
        """The database under the tree's cursor right now (a key typed ahead acts on it)."""
        key = self.query_one(FleetTree).cursor_key
        return self.fleet.node(key) if self.fleet is not None and key else None

    @on(DetailPane.PostureWanted)
    def _posture_wanted(self, message: DetailPane.PostureWanted) -> None:
        if self.runtime is not None:
            self._read_posture(self.runtime, message.owner)

    @work(exclusive=True, group="posture", exit_on_error=False, description="read backups")
    async def _read_posture(self, runtime: Runtime, owner: Node) -> None:
        now = self.clock()
        factory = runtime.factory_for(owner.account)
        try:
            posture = await fetch_posture(factory, owner, now)
            view = PostureView("ok", owner=owner, posture=posture, fetched_at=now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            view = PostureView("error", owner=owner, error=errors.describe(exc, factory.sso_profile), fetched_at=now)
        self.post_message(PostureRead(owner.key, view))

    @on(PostureRead)
    def _posture_read(self, message: PostureRead) -> None:
        self.query_one(DetailPane).posture_read(message.owner_key, message.view)

    def action_jump_account(self) -> None:
        """`:`: a list of the accounts (with several profiles); the one chosen gets the cursor."""
        fleet = self.fleet
        accounts = [root for root in fleet.roots if root.type is NodeType.ACCOUNT] if fleet is not None else []
        if fleet is None or not accounts:
            self._notify("one account: `:` jumps between accounts when several profiles are shown", timeout=4)
            return
        commands = []
        for root in accounts:
            state = fleet.account_of(root)
            said = f"{root.account or 'account unknown'} · {root.status}"
            if state is not None and state.label:
                said += f" · {state.label}"
            commands.append(
                SimpleCommand(escape(clean(f"{root.id}")), partial(self.jump_to, root.key), escape(clean(said)))
            )
        self.search_commands(commands, placeholder="Jump to an account…")

    def jump_to(self, key: str) -> None:
        """Put the cursor on a database (clearing a filter that hides it)."""
        tree = self.query_one(FleetTree)
        if key not in tree.nodes_by_key and self.query_one(FilterBar).text:
            self.action_clear_filter()
        if tree.select_key(key):
            tree.focus()

    # -- the filter ------------------------------------------------------------

    async def on_event(self, event: Any) -> None:
        if isinstance(event, Key) and self.screen_stack and self.screen is self._main_screen():
            self.query_one(FleetTree).follow_top = False  # any key: the cursor is the user's now
        if isinstance(event, (Key, Paste)) and not event.is_forwarded and self._filter_takes(event):
            return
        await super().on_event(event)

    def _filter_takes(self, event: Key | Paste) -> bool:
        """While the filter is edited, keys on the main screen type into it."""
        if not self.screen_stack or self.screen is not self._main_screen():
            return False
        bar = self.query_one(FilterBar)
        return bar.editing and bar.type(event)

    def action_filter(self) -> None:
        self.query_one(FilterBar).start()

    def action_filter_done(self) -> None:
        self.query_one(FilterBar).done()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBar).clear()

    @on(FilterBar.Changed)
    def _filter_changed(self, message: FilterBar.Changed) -> None:
        tree = self.query_one(FleetTree)
        if tree.filter_text != message.text:
            tree.filter_text = message.text
            self._count_matches()
        self._refresh_keys()

    def _count_matches(self) -> None:
        matched = self.query_one(FleetTree).matched
        self.query_one(FilterBar).count = len(matched) if matched is not None else None

    # -- the tree's order and view ----------------------------------------------

    def action_cycle_order(self) -> None:
        tree = self.query_one(FleetTree)
        tree.order = ORDERS[(ORDERS.index(tree.order) + 1) % len(ORDERS)]
        self._show_view()

    def action_problems_only(self) -> None:
        tree = self.query_one(FleetTree)
        tree.problems_only = not tree.problems_only
        self._count_matches()
        self._show_view()

    def _show_view(self) -> None:
        """The tree's order and view, where the user sees them: its title when wide, the bar
        above it (at 80x24 the tree has no title) unless they are the usual ones."""
        tree = self.query_one(FleetTree)
        parts = ["problems only (!)"] if tree.problems_only else []
        if tree.order != ORDERS[0]:
            parts.append(f"by {tree.order} (o)")
        self.query_one(FilterBar).view = " · ".join(parts)
        self._set_titles()

    # -- panes -----------------------------------------------------------------

    def action_cycle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self._apply_layout(self.size.width, self.size.height)

    def action_focus_events(self, _footer: str = "") -> None:
        """e: the events list takes the keys (at 80x24 the lower pane shows it first)."""
        if not self.wide and self.view != "events":
            self.view = "events"
            self._apply_layout(self.size.width, self.size.height)
        events = self.query_one(EventsList)
        self.call_after_refresh(events.focus)  # once the layout shows it: a hidden widget takes no focus

    def action_chart(self, metric: str) -> None:
        self.query_one(ChartPane).metric = metric
        if not self.wide and self.view != "chart":
            self.view = "chart"
            self._apply_layout(self.size.width, self.size.height)
        self._refresh_keys()

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
            ("", Text("broken: replication is not running (StatusInfos error, ReplicaLag -1)", palette.bad)),
            ("stale", Text("a failing region's last good data", palette.busy)),
        ]
        desk = self.runtime.desk if self.runtime is not None else None
        read_only = desk.read_only_why if desk is not None and desk.read_only else None
        audit = home_relative(desk.audit.path) if desk is not None and desk.audit is not None else None
        self.push_screen(HelpScreen(read_only, legend, audit))

    def action_history(self) -> None:
        """a: this session's actions and what became of them, then earlier sessions' (the audit log)."""
        if self.runtime is None:
            self._notify("not connected yet: no action has been sent", severity="warning")
            return
        if self.screen is not self._main_screen():
            return  # from a dialog or the help: not on top of them
        self.push_screen(HistoryScreen(self.runtime.desk, self.palette, self.clock, changed=self._show_progress))

    def action_dismiss_results(self) -> None:
        """x: the results (a failure above all) shown on their nodes go; the history keeps them."""
        if self.runtime is not None and self.runtime.desk.dismiss():
            self._show_progress()

    # -- keys ------------------------------------------------------------------

    def _refresh_keys(self, force: bool = False) -> None:
        """Redraw the footer only when what it offers changed: rebuilding it costs a layout."""
        shown = tuple(self.check_action(b.action, ()) for b in self._bindings_to_check()) + (
            self.wide,
            self.screen is self._main_screen(),
        )
        if force or shown != self._keys_shown:
            self._keys_shown = shown
            self.refresh_bindings()

    def _bindings_to_check(self) -> Iterable[Binding]:
        for binding in self.BINDINGS:
            if isinstance(binding, Binding):
                yield binding

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        name, params = _split(action, parameters)
        if self.setup_error is not None and name not in ("quit", "help"):
            return False
        on_main = self.screen is self._main_screen()
        editing = self._editing()
        if name == "filter":
            return on_main and not editing
        if name == "filter_done":
            return editing
        if name == "jump_account":
            return on_main and not editing
        if name in REPLAY_ACTIONS:
            return self.replay is not None and on_main and not editing
        if name == "clear_filter":
            bar = self.query_one(FilterBar)
            return on_main and (bool(bar.text) or bar.editing)
        if editing and name in (
            "refresh", "cycle_theme", "cycle_view", "chart", "show_chart", "help", "node_action", "explain_action",
            "cycle_order", "problems_only", "history", "dismiss_results", "jump_account",
        ):
            return False  # those keys type into the filter now
        if name == "dismiss_results":
            return on_main and not editing and self.runtime is not None and self.runtime.desk.showing()
        if name in ("refresh", "focus_events") and bool(params) != (self.size.width >= FOOTER_ROOMY):
            return False  # the other twin has the key at this width
        if name == "focus_events":
            return on_main and not editing and not isinstance(self.focused, EventsList)
        if name == "cycle_view":
            return not self.wide
        if name in ("chart", "show_chart"):
            node = self.selected_node()
            if node is None or not params or self.fleet is None:
                return False
            charts = {g.key: g.series is not None for g in gauges(node, self.fleet.parent(node))}
            if not any(charts.values()):
                return False
            # The footer offers what the node publishes; a metric it does not publish still
            # charts (through the hidden twin): its note says why and which keys chart what it
            # has, and `1` brings the lag chart back after `2`.
            published = charts[str(params[0])]
            return self.wide and published if name == "chart" else not (self.wide and published)
        if name in ("node_action", "explain_action"):
            if not on_main or not params:
                return False
            offered = self._offered(ActionKind(str(params[0])))
            return offered if name == "node_action" else offered is not True
        return True

    def _editing(self) -> bool:
        try:
            return self.query_one(FilterBar).editing
        except NoMatches:  # asked before the screen is composed
            return False

    def _offered(self, kind: ActionKind) -> bool | None:
        desk = self.runtime.desk if self.runtime is not None else None
        return desk.offered(kind, self.selected_node(), self.fleet) if desk is not None else False

    def action_node_action(self, kind: str) -> None:
        """s, f, p: the confirmation modal for the database under the cursor (see actions/keys.py)."""
        self._press(ActionKind(kind))

    def action_explain_action(self, kind: str) -> None:
        """s, f, p where they do not apply: one line saying why; nothing is sent."""
        self._press(ActionKind(kind))

    # -- actions ---------------------------------------------------------------

    def _press(self, kind: ActionKind) -> None:
        node = self.selected_node()
        if self.runtime is None:
            self._notify("not connected yet: nothing was sent", severity="warning")
            return
        if node is None:
            self._notify("select a database first: none is shown", severity="warning")
            return
        result = self.runtime.desk.plan(kind, node, self.fleet)
        if isinstance(result, Refusal):
            self._notify(result.reason, severity="warning")
            return
        words, label = self._account_words(result)
        modal = ActionModal(result, self.palette, words, label)
        self.push_screen(modal, callback=self._decided)

    def _account_words(self, plan: ActionPlan) -> tuple[str, str | None]:
        """Which account a call would change, "123456789012 (profile prod)", "… (the demo)",
        and the config's label for its profile."""
        runtime = self.runtime
        if runtime is None:
            return "", None
        state = self.fleet.account(plan.target.account) if self.fleet is not None else None
        if state is None:  # pragma: no cover - a planned node is in the fleet that planned it
            state = runtime.accounts[0]
        where = "the demo" if runtime.on_demo else f"profile {state.profiles[0]}"
        return f"{state.account or 'account unknown'} ({where})", state.label

    def _decided(self, decision: Decision | None) -> None:
        runtime = self.runtime
        if decision is None or runtime is None:
            return
        plan = decision.plan
        if not decision.confirmed:
            runtime.desk.cancelled(plan)
            self._notify("cancelled: nothing was sent", timeout=3)
            return
        refused = runtime.desk.begin(plan)  # before the worker: a second keypress is refused
        if refused is not None:
            self._notify(refused.reason, severity="warning")
            return
        self._send(runtime, plan)
        self._show_progress()

    @work(group="action", exit_on_error=False, description="send an action")
    async def _send(self, runtime: Runtime, plan: ActionPlan) -> None:
        self.post_message(ActionSent(await runtime.desk.send(plan)))

    @on(ActionSent)
    def _action_sent(self, message: ActionSent) -> None:
        sent = message.sent
        self._notify(sent.line, severity="information" if sent.outcome.ok else "error",
                     timeout=NOTICE_SECONDS if sent.outcome.ok else ERROR_SECONDS)
        if sent.outcome.ok and self.runtime is not None:
            self.runtime.watch.hurry(self.runtime.desk.busy_places())  # its first step shows at once
        self._show_progress()

    @work(exclusive=True, group="follow", exit_on_error=False, description="follow actions")
    async def _follow(self, runtime: Runtime, fleet: Fleet) -> None:
        settled = await runtime.desk.follow(fleet)
        if settled:
            self.post_message(ActionsSettled(settled))

    @on(ActionsSettled)
    def _actions_settled(self, message: ActionsSettled) -> None:
        for done in message.settled:
            self._notify(done.line, severity="information" if done.ok else "warning", timeout=NOTICE_SECONDS + 4)
            if done.plan.action is ActionKind.SNAPSHOT:
                self.query_one(DetailPane).forget_postures()  # the detail's newest snapshot changed
        if self.runtime is not None:
            self.runtime.watch.hurry(self.runtime.desk.busy_places())
        self._show_progress()

    def _show_progress(self) -> None:
        """Marks on the tree lines, the detail's progress line, the console's lines in the events."""
        desk = self.runtime.desk if self.runtime is not None else None
        if desk is None:
            return
        desk.retire(self.fleet)  # a success leaves its node at the first poll ten minutes after it settled
        self.query_one(FleetTree).marks = MappingProxyType(desk.marks())
        detail = self.query_one(DetailPane)
        detail.progress = desk.tracker.progress(self.selected_key) if self.selected_key else None
        detail.results = MappingProxyType(desk.results())
        self.query_one(EventsList).lines = tuple(desk.lines)
        self._refresh_keys()

    def _notify(self, message: str, severity: str = "information", timeout: float = NOTICE_SECONDS) -> None:
        """A one-line notice, plain text (AWS's words are never markup)."""
        self.notices.append(message)
        del self.notices[:-50]
        self.notify(clean(message), severity=severity, timeout=timeout, markup=False)  # type: ignore[arg-type]

    # -- refresh, palette, quit ------------------------------------------------

    def action_replay_pause(self) -> None:
        if self.replay is not None:
            self.replay.toggle()
            self._set_header(replay=self.replay.badge())

    def action_replay_step(self, polls: str) -> None:
        """Jump `polls` recorded polls on (back when negative): a new watch at the new time."""
        if self.replay is None or self.runtime is None:
            return
        self.replay.step(int(polls))
        self._set_header(replay=self.replay.badge())
        self.runtime.rewatch()
        self.query_one(DetailPane).forget_postures()  # what the backups were then, not at the last read
        self._watch(self.runtime)  # exclusive: the old watch's worker is cancelled
        self._show_in_view()

    def action_refresh(self, _footer: str = "") -> None:
        if self.runtime is not None:
            self.runtime.watch.refresh()
            self.query_one(DetailPane).forget_postures()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Refresh now", "Poll topology, metrics and events now (r)", self.action_refresh)
        for name in self.themes.cycle:
            yield SystemCommand(f"Theme: {name}", f"Switch to the {name} theme", lambda n=name: setattr(self, "theme", n))
        if self.query_one(FilterBar).text:
            yield SystemCommand("Clear filter", "Show the whole fleet again", self.action_clear_filter)
        desk = self.runtime.desk if self.runtime is not None else None
        if desk is None:
            return
        # k9s users asked for a runtime switch: on is always safe; off only undoes this session's on.
        if not desk.read_only:
            yield SystemCommand("Read-only: on", "Turn s, f and p off until you turn them back on", lambda: self._read_only(True))
        if desk.switched_on:
            yield SystemCommand("Read-only: off", "Allow snapshot, fail over and promote again", lambda: self._read_only(False))

    def _read_only(self, on: bool) -> None:
        if self.runtime is None or not self.runtime.desk.set_read_only(on):
            return
        self._show_read_only(self.runtime.desk)
        self._refresh_keys(force=True)
        self._notify("read-only: s, f and p are off" if on else "read-only off: s, f and p are back", timeout=4)

    def _show_read_only(self, desk: ActionDesk) -> None:
        """The header, the account lines and the account detail say RO as the desk has it now."""
        self._set_header(read_only=desk.read_only)
        if self.fleet is not None:
            self._set_header(accounts=self._badges(self.fleet))
        accounts = MappingProxyType(desk.read_only_accounts())
        self.query_one(FleetTree).read_only_accounts = accounts
        self.query_one(DetailPane).read_only_accounts = accounts

    async def action_quit(self) -> None:
        await self._close_runtime()
        self.exit(return_code=0)

    async def on_unmount(self) -> None:
        await self._close_runtime()

    async def _close_runtime(self) -> None:
        if self._closed:
            return
        self._closed = True
        for worker in list(self.workers):
            worker.cancel()
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            try:
                await asyncio.wait_for(runtime.close(), timeout=5)
            except Exception:  # noqa: BLE001 - closing never blocks quitting
                log.exception("closing the runtime failed")
            if runtime.recorder is not None:
                self.recording_failure = runtime.recorder.failure

    async def settle(self) -> None:
        """Wait until no connect, posture read, action, follow or first read of the node in view
        is running (tests, screenshots)."""
        for _ in range(200):
            busy = [w for w in self.workers if w.group in ("connect", "posture", "action", "follow") and not w.is_finished]
            if not busy and not (self.runtime is not None and self.runtime.watch.reading_in_view):
                return
            await asyncio.sleep(0.02)


def _split(action: str, parameters: tuple[object, ...]) -> tuple[str, tuple[object, ...]]:
    """check_action gets "chart" with its parameters from Textual, "chart('lag')" from _refresh_keys."""
    if "(" not in action:
        return action, parameters
    name, _, rest = action.partition("(")
    return name, tuple(part.strip("'\" ") for part in rest.rstrip(")").split(",") if part)


def run_console(settings: Settings, options: Options, demo: Any = None, replay: Replay | None = None) -> int:
    """Open the console (on `demo`, a started demo fleet, or on `replay`, when given); returns the
    exit code. An unknown theme is a SetupError before it starts."""
    themes = load_themes()
    themes.resolve(settings.theme)  # raises SetupError listing the choices
    quiet_logging()
    opener = partial(open_replay, replay) if replay is not None else partial(open_runtime, demo=demo)
    app = RdsApp(settings, options, themes=themes, opener=opener, replay=replay)
    app.run()
    if app.recording_failure:
        print(f"rdstui: {app.recording_failure}", file=sys.stderr)
    if app.setup_error:
        print(f"rdstui: {app.setup_error}", file=sys.stderr)
        return 2
    return app.return_code or 0
