"""The keys that act on the selected database: s snapshot, f fail over, p promote.

Each key has two bindings on the app:

- `node_action(kind)`, shown in the footer only when the action applies to the
  selected node and the console is not read-only (greyed while that action is
  in flight for the node);
- `explain_action(kind)`, never shown, which takes the key when the first one
  is hidden or greyed and says why in one line (not applicable, read-only,
  already in flight). It never calls AWS.

Textual tries a key's bindings in order and runs the first whose
`check_action` allows it, so exactly one of the two runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from rdstui.core.actions import ActionKind


@dataclass(frozen=True)
class NodeAction:
    key: str
    kind: ActionKind
    description: str  # the footer
    help: str  # the help screen


NODE_ACTIONS: list[NodeAction] = [
    NodeAction(
        "s",
        ActionKind.SNAPSHOT,
        "Snapshot",
        "take a snapshot (an instance, or a cluster): no downtime, asks for the name",
    ),
    NodeAction(
        "f",
        ActionKind.FAILOVER,
        "Fail over",
        "fail over: a Multi-AZ instance to its standby, a cluster to a reader, "
        "a global database to a secondary (switchover, or failover with data loss)",
    ),
    NodeAction(
        "p",
        ActionKind.PROMOTE,
        "Promote",
        "promote a read replica (instance or cluster) or detach a global secondary "
        "to stand alone: irreversible",
    ),
]

def bindings() -> list[Binding]:
    found: list[Binding] = []
    for action in NODE_ACTIONS:
        found.append(Binding(action.key, f"node_action('{action.kind.value}')", action.description))
        found.append(Binding(action.key, f"explain_action('{action.kind.value}')", action.description, show=False))
    return found
