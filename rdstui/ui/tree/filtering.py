"""The `/` filter over the tree: every word must match; matches keep their ancestors.
The `!` view (problems only) is one more condition on a match."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rdstui.core.model import Node, NodeType


def matches(node: Node, terms: list[str], account: str = "") -> bool:
    """Every term is found in the identifier, engine, region/AZ, status or role, or in the
    `account` (its profiles and id, with several accounts: "prod orders" finds prod's orders-db)."""
    fields = " ".join(
        part
        for part in (
            account,
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


def filter_roots(
    roots: tuple[Node, ...], text: str, keep: Callable[[Node], bool] | None = None
) -> tuple[tuple[Node, ...], frozenset[str] | None]:
    """Copies of the matching nodes (every term, and `keep` when given) and their
    ancestors, in the same order, and the keys that matched; (roots, None) when there is
    nothing to filter by."""
    terms = text.lower().split()
    if not terms and keep is None:
        return roots, None
    found: set[str] = set()

    def visit(node: Node, account: str) -> Node | None:
        if node.type is NodeType.ACCOUNT:
            account = f"{node.id} {node.account or ''}"
        kept = tuple(copy for copy in (visit(child, account) for child in node.children) if copy is not None)
        if node.type is NodeType.ACCOUNT:  # an account is shown for what it holds, not matched itself
            return replace(node, children=kept) if kept else None
        if matches(node, terms, account) and (keep is None or keep(node)):
            found.add(node.key)
        elif not kept:
            return None
        return replace(node, children=kept) if kept != node.children else node

    return tuple(copy for copy in (visit(root, "") for root in roots) if copy is not None), frozenset(found)
