"""The topology tree, updated in place: expand state and cursor survive polls."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

TOGGLE_STYLE = Style.from_meta({"toggle": True})  # as Tree's own: a click on the icon toggles

from rdstui.core.model import Node

GUIDE_DEPTH = 3
TOGGLE_WIDTH = 2  # "▼ " / "▶ " / two spaces for a leaf


@dataclass
class TreeView:
    """What the tree should show: roots (possibly a filtered copy) and labels."""

    roots: list[Node]
    label: Callable[[Node, int], Text]  # (node, indent cells) -> label
    filtering: bool = False
    matches: set[str] = field(default_factory=set)  # keys that matched the filter


def matches(node: Node, terms: list[str]) -> bool:
    """Every term is found in the identifier, engine, region/AZ, status or role."""
    fields = " ".join(
        part
        for part in (
            node.id,
            node.engine or "",
            node.engine_version or "",
            node.region,
            node.az or "",
            node.status,
            node.role.value,
        )
    ).lower()
    return all(term in fields for term in terms)


def filter_roots(roots: list[Node], text: str) -> tuple[list[Node], set[str]]:
    """Copies of the matching nodes and their ancestors, in the same order."""
    terms = text.lower().split()
    found: set[str] = set()
    if not terms:
        return roots, found

    def visit(node: Node) -> Node | None:
        kept = [copy for copy in (visit(child) for child in node.children) if copy is not None]
        hit = matches(node, terms)
        if hit:
            found.add(node.key)
        if not hit and not kept:
            return None
        return replace(node, children=tuple(kept))

    return [copy for copy in (visit(root) for root in roots) if copy is not None], found


class FleetTree(Tree[str]):
    """A Tree whose node data is the model key; `sync()` diffs it to a new view."""

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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("fleet", id=id)
        self.show_root = False
        self.guide_depth = GUIDE_DEPTH
        self.auto_expand = False
        self.nodes_by_key: dict[str, TreeNode[str]] = {}
        self.expanded: dict[str, bool] = {}  # the user's expand state, kept while filtering
        self._filtered = False
        self._cursor_key: str | None = None

    # -- rendering -----------------------------------------------------------

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """Leaves get the toggle's width in spaces, so every column lines up."""
        label = node._label.copy()
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            return Text.assemble((icon, base_style + TOGGLE_STYLE), label)
        return Text.assemble((" " * TOGGLE_WIDTH, base_style), label)

    def label_width(self) -> int:
        """Cells a depth-0 label may use (the guides of deeper nodes are taken off per node)."""
        # The vertical scrollbar may come and go: always leave its column free.
        scrollbar = self.styles.scrollbar_size_vertical if self.show_vertical_scrollbar else 0
        width = self.scrollable_content_region.width + scrollbar - 1
        return max(20, width - TOGGLE_WIDTH)

    @staticmethod
    def indent(depth: int) -> int:
        return depth * GUIDE_DEPTH

    @staticmethod
    def depth_of(tree_node: TreeNode[str]) -> int:
        """0 for a top-level database (the hidden root's children)."""
        depth, parent = 0, tree_node.parent
        while parent is not None and not parent.is_root:
            depth, parent = depth + 1, parent.parent
        return depth

    # -- the diff ------------------------------------------------------------

    @property
    def cursor_key(self) -> str | None:
        node = self.cursor_node
        return node.data if node is not None else self._cursor_key

    def _remember_expanded(self) -> None:
        for key, tree_node in self.nodes_by_key.items():
            if tree_node.allow_expand:
                self.expanded[key] = tree_node.is_expanded

    def _drop(self, tree_node: TreeNode[str]) -> None:
        stack = [tree_node]
        while stack:
            current = stack.pop()
            if current.data is not None and self.nodes_by_key.get(current.data) is current:
                del self.nodes_by_key[current.data]
            stack.extend(current.children)
        tree_node.remove()

    def sync(self, view: TreeView) -> None:
        """Make the tree show `view`: relabel, add, move and remove nodes, never rebuild."""
        cursor_key = self.cursor_key
        cursor_line = self.cursor_line
        if not view.filtering and not self._filtered:
            self._remember_expanded()
        restoring = self._filtered and not view.filtering
        self._filtered = view.filtering
        seen: set[str] = set()
        self._sync_children(self.root, view.roots, 0, view, seen, restoring)
        self._settle_cursor(cursor_key, cursor_line)

    def _want_expanded(self, key: str, view: TreeView) -> bool:
        if view.filtering:
            return True
        return self.expanded.get(key, True)

    def _sync_children(
        self,
        parent: TreeNode[str],
        desired: list[Node],
        depth: int,
        view: TreeView,
        seen: set[str],
        restoring: bool,
    ) -> None:
        wanted = [node for node in desired if node.key not in seen]
        wanted_keys = {node.key for node in wanted}
        for child in list(parent.children):
            if child.data not in wanted_keys:
                self._drop(child)
        for index, node in enumerate(wanted):
            seen.add(node.key)
            label = view.label(node, self.indent(depth))
            has_children = bool(node.children)
            children = list(parent.children)
            existing = self.nodes_by_key.get(node.key)
            if existing is not None and index < len(children) and children[index] is existing:
                if existing.label != label:
                    existing.set_label(label)
                tree_node = existing
            else:
                if existing is not None:  # moved: out of order here, or under another parent
                    self._drop(existing)
                    children = list(parent.children)
                before = index if index < len(children) else None
                tree_node = parent.add(
                    label,
                    data=node.key,
                    before=before,
                    expand=has_children and self._want_expanded(node.key, view),
                    allow_expand=has_children,
                )
                self.nodes_by_key[node.key] = tree_node
            if tree_node.allow_expand != has_children:
                tree_node.allow_expand = has_children
                if has_children and self._want_expanded(node.key, view):
                    tree_node.expand()
            if has_children and (view.filtering or restoring):
                if self._want_expanded(node.key, view) != tree_node.is_expanded:
                    tree_node.toggle()
            self._sync_children(tree_node, node.children, depth + 1, view, seen, restoring)

    def _settle_cursor(self, key: str | None, line: int) -> None:
        _ = self.last_line  # rebuild the line index now
        target = self.nodes_by_key.get(key) if key else None
        if target is not None:
            # Inside a collapsed parent (filter cleared): open the way to it.
            parent = target.parent
            while parent is not None and not parent.is_root:
                if not parent.is_expanded:
                    parent.expand()
                parent = parent.parent
            _ = self.last_line
            self.move_cursor(target)
        elif self.last_line >= 0:
            self.move_cursor_to_line(max(0, min(line, self.last_line)))
        if self.cursor_node is not None:
            self._cursor_key = self.cursor_node.data

    def select_key(self, key: str) -> bool:
        """Put the cursor on a node (opening its ancestors); False when not shown."""
        target = self.nodes_by_key.get(key)
        if target is None:
            return False
        parent = target.parent
        while parent is not None and not parent.is_root:
            parent.expand()
            parent = parent.parent
        _ = self.last_line
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
            if getattr(self.app, "filter_editing", False):
                return False  # enter ends the filter instead
            node = self.cursor_node
            return bool(node is not None and node.allow_expand)
        return True

    def action_toggle_here(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand:
            node.toggle()
            if not self._filtered and node.data:
                self.expanded[node.data] = node.is_expanded

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
            if not self._filtered and node.data:
                self.expanded[node.data] = True
        elif node.children:
            self.action_cursor_down()

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
            if not self._filtered and node.data:
                self.expanded[node.data] = False
        elif node.parent is not None and not node.parent.is_root:
            self.move_cursor(node.parent)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        self._cursor_key = event.node.data
        self.app.refresh_bindings()

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[str]) -> None:
        self.app.refresh_bindings()

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[str]) -> None:
        self.app.refresh_bindings()
