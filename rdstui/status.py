"""`rdstui status`: the fleet once, as a tree of text lines or as JSON."""

from __future__ import annotations

import json
from typing import Any

from rdstui.core.format import duration
from rdstui.core.model import Fleet, Node, RegionState


def node_json(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "type": node.type.value,
        "role": node.role.value,
        "region": node.region,
        "az": node.az,
        "status": node.status,
        "engine": node.engine,
        "engine_version": node.engine_version,
        "multi_az": node.multi_az,
        "arn": node.arn,
        "lag_seconds": node.lag_seconds,
        "lag_metric": node.lag_metric,
        "children": [node_json(child) for child in node.children],
    }


def region_json(state: RegionState) -> dict[str, Any]:
    return {
        "name": state.name,
        "ok": state.ok,
        "error": state.error,
        "polled_at": state.polled_at.isoformat() if state.polled_at else None,
    }


def fleet_json(fleet: Fleet) -> str:
    document = {
        "regions": [region_json(state) for state in fleet.regions],
        "nodes": [node_json(root) for root in fleet.roots],
    }
    return json.dumps(document, indent=2)


def _where(node: Node) -> str:
    return node.az or node.region


def _engine(node: Node) -> str:
    return " ".join(part for part in (node.engine, node.engine_version) if part) or "-"


def _lag(node: Node) -> str:
    if not node.lag_metric:
        return ""
    return f"lag {duration(node.lag_seconds)}" if node.lag_seconds is not None else "lag ?"


def tree_rows(roots: list[Node]) -> list[tuple[str, Node]]:
    """(indented name, node) pairs drawn with box characters, depth first."""
    rows: list[tuple[str, Node]] = []

    def visit(node: Node, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└─ " if last else "├─ ")
        rows.append((prefix + branch + node.id, node))
        child_prefix = prefix if top else prefix + ("   " if last else "│  ")
        for i, child in enumerate(node.children):
            visit(child, child_prefix, i == len(node.children) - 1, False)

    for root in roots:
        visit(root, "", True, True)
    return rows


def fleet_text(fleet: Fleet) -> str:
    lines = []
    for state in fleet.regions:
        mark = "ok" if state.ok else f"FAILED: {state.error}"
        stale = " (showing stale data)" if state.stale else ""
        lines.append(f"region {state.name}: {mark}{stale}")
    rows = [
        [name, node.role.value, node.status, _engine(node), _where(node), _lag(node)]
        for name, node in tree_rows(fleet.roots)
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(6)]
    lines.append("")
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if not rows:
        lines.append("no databases in the polled regions")
    return "\n".join(lines)
