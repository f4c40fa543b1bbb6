"""The help screen, and the command palette's fleet commands."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from rdstui.ui.actions.keys import NODE_ACTIONS
from rdstui.ui.screens.panel import TextPanel

# (keys, what they do) by section; tests check every binding of the app and
# the tree is listed here.
HELP_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Topology tree",
        [
            ("↑ ↓  j k", "move the cursor"),
            ("→  l", "expand, or go to the first child"),
            ("←  h", "collapse, or go to the parent"),
            ("enter  space", "expand or collapse the selected node"),
            ("home end  g G", "first / last line"),
            ("shift+↑ shift+↓", "previous / next sibling"),
            ("shift+←", "go to the parent"),
            ("tab  shift+tab", "move focus between the tree and the events"),
        ],
    ),
    (
        "Finding things",
        [
            ("/", "filter by identifier, engine, region, status, role or account (words AND)"),
            ("escape", "clear the filter"),
            ("!", "only databases with a warning or worse (with the filter, both apply)"),
            ("o", "order the tree: attention (problems first), name, region, lag"),
            (":", "jump to an account (with several profiles: --profile a,b)"),
            ("ctrl+p", "command palette: jump to a database, switch theme, refresh"),
        ],
    ),
    (
        "Panes",
        [
            ("1", "chart replication lag"),
            ("2", "chart CPU"),
            ("3", "chart connections"),
            ("4", "chart free storage (free local storage on Aurora)"),
            ("5", "chart capacity in ACUs (Aurora Serverless v2)"),
            ("v", "small terminal: cycle the lower pane (detail, chart, events, none)"),
            ("e", "the events list: ↑ ↓ j k move, home end, enter opens the whole event"),
            ("j k  g G", "in this help, the history and an event: scroll, top, end (escape closes)"),
        ],
    ),
    (
        "Console",
        [
            ("r", "refresh now (topology, metrics and events)"),
            ("a", "action history: this session's actions and results, then earlier ones (the audit log)"),
            ("x", "dismiss the action results shown on their nodes (they stay in the history)"),
            ("t", "next theme"),
            ("?", "this help"),
            ("q  ctrl+q", "quit"),
        ],
    ),
    (
        "Replay (--replay FILE)",
        [
            ("space", "pause or play the recording (enter still expands and collapses)"),
            ("] [", "next / previous recorded poll"),
            ("} {", "ten polls on / back"),
        ],
    ),
]


ACTION_NOTES = [
    ("", "each asks first: what happens, what it costs, the exact API call; focus starts on Cancel"),
    ("", "fail over and promote: type the identifier to enable the button"),
    ("", "where an action does not apply, its key says why and sends nothing"),
    ("", "a result stays on its node 10 minutes; a failure until x dismisses it (also in the history, a)"),
]


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    sections = list(HELP_SECTIONS)
    node_actions = [(a.key, a.help) for a in NODE_ACTIONS]
    sections.insert(1, ("Actions on the selected database", node_actions + ACTION_NOTES))
    return sections


KEYS_WIDTH = 17


def _section(title: str, rows: list[tuple[str, str | Text]]) -> list[RenderableType]:
    table = Table.grid(padding=(0, 1))
    table.add_column(style=Style(bold=True), no_wrap=True, width=KEYS_WIDTH)
    table.add_column(ratio=1)
    for keys, what in rows:
        table.add_row(keys, what)
    return [Text(title, Style(bold=True, underline=True)), table, Text("")]


def help_table(
    read_only: str | None, legend: list[tuple[str, Text]] | None = None, audit_path: str | None = None
) -> Group:
    """Every binding, by section (and the colour legend).

    `read_only`: why the console is read-only (None: it is not)."""
    parts: list[RenderableType] = []
    if read_only:
        parts.append(Text(f"READ-ONLY ({read_only}): s, f and p are off.\n", Style(bold=True)))
    if audit_path:
        parts.append(Text(f"Every action tried, cancelled or refused is logged to {audit_path}\n"))
    for title, rows in help_sections():
        parts.extend(_section(title, list(rows)))
    if legend:
        parts.extend(_section("Colours", list(legend)))
    return Group(*parts)


class HelpScreen(TextPanel):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "close", "Close", show=False)]

    def __init__(
        self, read_only: str | None, legend: list[tuple[str, Text]] | None = None, audit_path: str | None = None
    ) -> None:
        super().__init__()
        self.read_only = read_only
        self.legend = legend
        self.audit_path = audit_path

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "rdstui keys"
            scroll.border_subtitle = "escape closes"
            yield Static(help_table(self.read_only, self.legend, self.audit_path))
