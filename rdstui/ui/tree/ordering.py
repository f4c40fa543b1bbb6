"""The order of the tree's top-level databases: what needs attention first, or by name, region, lag.

With several accounts the accounts stay in the order the profiles were given;
each account's databases are ordered beneath it."""

from __future__ import annotations

from dataclasses import replace

from rdstui.core.model import Fleet, Node, NodeType, Severity

ORDERS = ("attention", "name", "region", "lag")


def ordered_roots(fleet: Fleet, order: str) -> tuple[Node, ...]:
    """The top databases in `order` (under their accounts, with several)."""
    if not any(root.type is NodeType.ACCOUNT for root in fleet.roots):
        return _ordered(fleet, fleet.roots, order)
    return tuple(
        replace(root, children=ordered) if (ordered := _ordered(fleet, root.children, order)) != root.children else root
        for root in fleet.roots
    )


def _ordered(fleet: Fleet, roots: tuple[Node, ...], order: str) -> tuple[Node, ...]:
    """`roots` in `order`; Python's sort is stable, so ties keep the poll's order."""
    if order == "attention":
        ranks = _root_ranks(fleet)
        return tuple(sorted(roots, key=lambda root: -ranks.get(root.key, 0))) if ranks else roots
    if order == "name":
        return tuple(sorted(roots, key=lambda root: root.id.lower()))
    if order == "region":
        return tuple(sorted(roots, key=lambda root: root.region))
    if order == "lag":
        return tuple(sorted(roots, key=lambda root: -_worst_lag(root, fleet)))
    return roots


def _root_ranks(fleet: Fleet) -> dict[str, int]:
    """Each root's worst warning-or-worse finding under it, from the few nodes that have one
    (walking up to their roots, not down every tree); info ranks as nothing."""
    ranks: dict[str, int] = {}
    for key, findings in fleet.attention.items():
        worst = max(f.severity for f in findings)
        node = fleet.node(key)
        if worst < Severity.WARNING or node is None:
            continue
        while (parent := fleet.parent(node)) is not None and parent.type is not NodeType.ACCOUNT:
            node = parent
        ranks[node.key] = max(ranks.get(node.key, 0), int(worst))
    return ranks


def _worst_lag(root: Node, fleet: Fleet) -> float:
    """The highest lag under the root; broken replication (-1) above every lag."""
    lags = [lag for node in root.walk() if (lag := fleet.lag(node)) is not None]
    if any(lag < 0 for lag in lags):
        return float("inf")
    return max(lags, default=-1.0)


def is_problem(node: Node, fleet: Fleet) -> bool:
    """A finding at warning or worse (the `!` view)."""
    return any(f.severity >= Severity.WARNING for f in fleet.findings(node))
