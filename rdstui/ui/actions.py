"""The node action layer: keys that act on the selected database.

The console itself only reads. Actions that change a database (take a snapshot,
fail over, promote) plug in here: add a `NodeAction` to `NODE_ACTIONS` and an
`action_<name>` method on the app (see `RdsApp.run_node_action`). The app then

- binds the key and shows it in the footer only when `applies(node)` is true
  for the selected node;
- greys it out (and refuses it) when the console is read-only and the action
  is `mutating`.

`s`, `f` and `p` are reserved for snapshot, failover and promote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual.binding import Binding

from rdstui.core.model import Node

RESERVED_KEYS = {"s": "snapshot", "f": "failover", "p": "promote"}


@dataclass(frozen=True)
class NodeAction:
    key: str
    name: str  # the app runs action_<name>(node)
    description: str  # footer / help text
    applies: Callable[[Node], bool]
    mutating: bool = True
    help: str = ""

    def check(self, node: Node | None, read_only: bool) -> bool | None:
        """Textual's check_action answer: False hides, None greys, True allows."""
        if node is None or not self.applies(node):
            return False
        if self.mutating and read_only:
            return None
        return True

    def binding(self) -> Binding:
        return Binding(self.key, f"node_action('{self.name}')", self.description)


# Filled in by the actions issue (snapshot, failover, promote).
NODE_ACTIONS: list[NodeAction] = []


def find(name: str) -> NodeAction | None:
    return next((action for action in NODE_ACTIONS if action.name == name), None)


def bindings() -> list[Binding]:
    return [action.binding() for action in NODE_ACTIONS]
