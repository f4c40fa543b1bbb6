"""The topology tree, updated in place: expand state and cursor survive every fleet.

The tree holds the structure only (one TreeNode per model node key); a line's
text is drawn when the line is drawn, from the fleet the tree was last given,
so a new fleet costs a walk over its keys and a repaint of the rows in view,
whatever the fleet's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from types import MappingProxyType
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import var
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from rdstui.core.attention import trend
from rdstui.core.catalog import lag_series
from rdstui.core.model import Fleet, Node, NodeType
from rdstui.core.words import role_word
from rdstui.ui.palette import Palette
from rdstui.ui.tree.filtering import filter_roots
from rdstui.ui.tree.lines import Columns, account_label, tree_label
from rdstui.ui.tree.ordering import is_problem, ordered_roots

GUIDE_DEPTH = 3
TOGGLE_WIDTH = 2  # "▼ " / "▶ " / two spaces for a leaf
TOGGLE_STYLE = Style.from_meta({"toggle": True})  # as Tree's own: a click on the icon toggles
EMPTY_LABEL = Text()


class FleetTree(Tree[str]):
    """A Tree whose node data is the model key."""

    class Selected(Message):
        """The cursor is on another database (None: nothing is shown)."""

        def __init__(self, key: str | None) -> None:
            super().__init__()
            self.key = key

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "toggle_here", "Toggle", tooltip="Expand or collapse the selected node", show=False),
        Binding("space", "toggle_here", "Toggle", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("right", "expand_or_child", "Expand", show=False),
        Binding("l", "expand_or_child", "Expand", show=False),
        Binding("left", "collapse_or_parent", "Collapse", show=False),
        Binding("h", "collapse_or_parent", "Collapse", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]

    DEFAULT_CSS = """
    FleetTree {
        scrollbar-size-vertical: 1;
        padding: 0;
    }
    """

    fleet: var[Fleet | None] = var(None, init=False)
    filter_text: var[str] = var("", init=False)
    order: var[str] = var("attention", init=False)  # see ordering.ORDERS
    problems_only: var[bool] = var(False, init=False)  # `!`: only what has a warning or worse
    marks: var[Mapping[str, str]] = var(MappingProxyType({}), init=False)  # key -> "⟳12s failover"
    read_only_accounts: var[Mapping[str | None, str]] = var(MappingProxyType({}), init=False)  # account -> why

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("fleet", id=id)
        self.show_root = False
        self.guide_depth = GUIDE_DEPTH
        self.auto_expand = False
        self.palette = Palette.from_variables({})
        self.warning, self.critical = 30.0, 300.0
        self.trend_window = 300.0
        self.nodes_by_key: dict[str, TreeNode[str]] = {}
        self.expanded: dict[str, bool] = {}  # the user's expand state, kept while filtering
        self.shown: dict[str, Node] = {}  # the nodes in view, filtered copies while filtering
        self.matched: frozenset[str] | None = None  # filter matches (None: no filter)
        self._labels: dict[tuple[str, int], Text] = {}
        self._shape: tuple[object, ...] | None = None  # (matches, _shape(roots)) the tree was built from
        self._selected: str | None = None
        # Until the user moves the cursor it stays on the first line: the first fleets come before
        # their findings, and problems-first order then moves the database the cursor was on.
        self.follow_top = True

    # -- state ---------------------------------------------------------------

    def watch_fleet(self) -> None:
        self._sync()

    def watch_order(self) -> None:
        self._sync()

    def watch_problems_only(self) -> None:
        self.watch_filter_text()

    def watch_filter_text(self) -> None:
        self._sync()
        if self.matched and self.cursor_key not in self.matched:
            first = next((key for key in self.shown if key in self.matched), None)
            if first is not None:  # the cursor goes to the first match, not to an ancestor
                self.select_key(first)

    def watch_marks(self) -> None:
        self.redraw()

    def watch_read_only_accounts(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Lines are drawn again (the palette, the thresholds or a mark changed)."""
        self._labels.clear()
        self._invalidate()

    @property
    def cursor_key(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else None

    # -- drawing -------------------------------------------------------------

    def get_label_width(self, node: TreeNode[str]) -> int:
        return 0  # every line is drawn to the width there is: never a horizontal scrollbar

    def label_width(self) -> int:
        """Cells a depth-0 label may use (the guides of deeper nodes are taken off per node)."""
        # The vertical scrollbar may come and go: always leave its column free.
        scrollbar = self.styles.scrollbar_size_vertical if self.show_vertical_scrollbar else 0
        width = self.scrollable_content_region.width + scrollbar - 1
        return max(20, width - TOGGLE_WIDTH)

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        label = self.line_text(node).copy()
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            return Text.assemble((icon, base_style + TOGGLE_STYLE), label)
        return Text.assemble((" " * TOGGLE_WIDTH, base_style), label)

    def line_text(self, tree_node: TreeNode[str], width: int | None = None) -> Text:
        """The node's line at `width` (default: the tree's label width now), cached."""
        key = tree_node.data or ""
        width = self.label_width() if width is None else width
        cached = self._labels.get((key, width))
        if cached is not None:
            return cached
        shown, fleet = self.shown.get(key), self.fleet
        if shown is None or fleet is None:
            return EMPTY_LABEL
        node = fleet.node(key) or shown  # the whole node: its role word counts children a filter hid
        if node.type is NodeType.ACCOUNT:
            read_only = node.account in self.read_only_accounts
            text = account_label(node, fleet.account_of(node), read_only, width, self.palette)
            self._labels[(key, width)] = text
            return text
        parent = fleet.parent(node)
        series = lag_series(node, parent)
        held = fleet.series.get(series, ()) if series else ()
        region = fleet.region_of(node)
        text = tree_label(
            shown,
            role=role_word(node, parent),
            columns=Columns.fit(width),
            indent=depth_of(tree_node) * GUIDE_DEPTH,
            lag_values=[value for _, value in held],
            lag=fleet.lag(node),
            replication=fleet.replication(node),
            warning=self.warning,
            critical=self.critical,
            palette=self.palette,
            stale=region is not None and region.stale and node.type is not NodeType.EXTERNAL,
            progress=self.marks.get(key),
            trend=trend(held, self.trend_window),
        )
        if self.matched is not None and key not in self.matched:
            text.stylize(Style(dim=True))  # an ancestor kept for context, not a match
        self._labels[(key, width)] = text
        return text

    # -- the diff ------------------------------------------------------------

    def _sync(self) -> None:
        """Show the fleet (filtered): add, move and remove nodes, never rebuild the rest."""
        fleet = self.fleet
        roots = ordered_roots(fleet, self.order) if fleet is not None else ()
        keep = partial(is_problem, fleet=fleet) if self.problems_only and fleet is not None else None
        roots, matched = filter_roots(roots, self.filter_text, keep)
        filtering = matched is not None
        restoring = self.matched is not None and not filtering
        shape = (matched, _shape(roots))
        if shape == self._shape and not restoring:  # most polls: same nodes, same places
            self.shown = {}
            self._index_shown(roots)
            self._refresh_changed()
            return
        if not filtering and self.matched is None:
            self._remember_expanded()  # before the rebuild: what the user opened and closed
        self._shape = shape
        self.matched = matched
        self.shown = {}
        cursor_key, cursor_line = self.cursor_key, self.cursor_line
        self._sync_children(self.root, roots, set(), restoring)
        self._refresh_changed()
        self._settle_cursor(cursor_key, cursor_line)

    def _index_shown(self, nodes: tuple[Node, ...]) -> None:
        """`shown` for a tree whose shape did not change: the new Node objects, in tree order."""
        for node in nodes:
            if node.key not in self.shown:  # a placeholder shown twice: once, as _sync_children does
                self.shown[node.key] = node
                self._index_shown(node.children)

    def _refresh_changed(self) -> None:
        """Draw again only the lines whose text changed. Textual's line cache keeps the
        rest: redrawing every line on every poll was most of a poll's cost at fleet scale.
        Lines out of view are not worked out again: their labels are dropped and Textual's
        copy of them is outdated (refresh), so they are made anew when they come into view."""
        width = self.label_width()
        top = self.scroll_offset.y
        in_view = {line.node.data for line in self._tree_lines[top : top + self.size.height]}
        drawn, self._labels = self._labels, {}
        for (key, at), before in drawn.items():
            tree_node = self.nodes_by_key.get(key)
            if tree_node is None:
                continue
            if key not in in_view or at != width or self.line_text(tree_node, width) != before:
                tree_node.refresh()

    def _remember_expanded(self) -> None:
        for key, tree_node in self.nodes_by_key.items():
            if tree_node.allow_expand:
                self.expanded[key] = tree_node.is_expanded

    def _want_expanded(self, key: str) -> bool:
        return True if self.matched is not None else self.expanded.get(key, True)

    def _drop(self, tree_node: TreeNode[str]) -> None:
        stack = [tree_node]
        while stack:
            current = stack.pop()
            if current.data is not None and self.nodes_by_key.get(current.data) is current:
                del self.nodes_by_key[current.data]
            stack.extend(current.children)
        tree_node.remove()

    def _sync_children(self, parent: TreeNode[str], desired: tuple[Node, ...], seen: set[str], restoring: bool) -> None:
        wanted = [node for node in desired if node.key not in seen]  # a placeholder shown twice: once
        wanted_keys = {node.key for node in wanted}
        current = [child for child in parent.children if child.data in wanted_keys]
        for child in list(parent.children):  # a copy: dropping a child removes it from the list
            if child.data not in wanted_keys:
                self._drop(child)
        for index, node in enumerate(wanted):
            seen.add(node.key)
            self.shown[node.key] = node
            has_children = bool(node.children)
            here = current[index] if index < len(current) else None
            if here is None or here.data != node.key:
                existing = self.nodes_by_key.get(node.key)
                if existing is not None:  # moved: out of order here, or under another parent
                    if existing in current:
                        current.remove(existing)
                    self._drop(existing)
                here = parent.add(
                    EMPTY_LABEL,
                    data=node.key,
                    before=index if index < len(parent.children) else None,
                    expand=has_children and self._want_expanded(node.key),
                    allow_expand=has_children,
                )
                current.insert(index, here)
                self.nodes_by_key[node.key] = here
            if here.allow_expand != has_children:
                here.allow_expand = has_children
                if has_children and self._want_expanded(node.key):
                    here.expand()
            if has_children and (self.matched is not None or restoring):
                if self._want_expanded(node.key) != here.is_expanded:
                    here.toggle()
            self._sync_children(here, node.children, seen, restoring)

    def _settle_cursor(self, key: str | None, line: int) -> None:
        _ = self.last_line  # rebuild the line index now
        target = self.nodes_by_key.get(key) if key else None
        if self.follow_top and self.last_line >= 0:
            self.move_cursor_to_line(0)
        elif target is not None:
            self._open_to(target)
            self.move_cursor(target)
        elif self.last_line >= 0:
            self.move_cursor_to_line(max(0, min(line, self.last_line)))
        self._say_selected()

    def _open_to(self, target: TreeNode[str]) -> None:
        parent = target.parent
        while parent is not None and not parent.is_root:
            if not parent.is_expanded:
                parent.expand()
            parent = parent.parent
        _ = self.last_line

    def _say_selected(self) -> None:
        key = self.cursor_key if self.last_line >= 0 else None
        if key != self._selected:
            self._selected = key
            self.post_message(self.Selected(key))

    def select_key(self, key: str) -> bool:
        """Put the cursor on a node (opening its ancestors); False when not shown."""
        target = self.nodes_by_key.get(key)
        if target is None:
            return False
        self.follow_top = False
        self._open_to(target)
        centre, self.center_scroll = self.center_scroll, True
        try:
            self.move_cursor(target, animate=False)
            self.scroll_to_node(target, animate=False)
        finally:
            self.center_scroll = centre
        return True

    # -- keys ----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_here":
            node = self.cursor_node
            return bool(node is not None and node.allow_expand)
        return True

    def _set_expanded(self, node: TreeNode[str], expanded: bool) -> None:
        if expanded != node.is_expanded:
            node.toggle()
        if self.matched is None and node.data:
            self.expanded[node.data] = node.is_expanded

    def action_toggle_here(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            self._set_expanded(node, not node.is_expanded)

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            self._set_expanded(node, True)
        elif node.children:
            self.action_cursor_down()

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            self._set_expanded(node, False)
        elif node.parent is not None and not node.parent.is_root:
            self.move_cursor(node.parent)

    def on_mouse_down(self) -> None:
        self.follow_top = False  # a click moves the cursor: the user's from now on

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        self._say_selected()


def depth_of(tree_node: TreeNode[str]) -> int:
    """0 for a top-level database (the hidden root's children)."""
    depth, parent = 0, tree_node.parent
    while parent is not None and not parent.is_root:
        depth, parent = depth + 1, parent.parent
    return depth


def _shape(roots: tuple[Node, ...]) -> tuple[tuple[str, int], ...]:
    """The tree's shape: every key with its depth, in order (what _sync_children builds from)."""
    shape: list[tuple[str, int]] = []
    stack = [(node, 0) for node in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        shape.append((node.key, depth))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return tuple(shape)
