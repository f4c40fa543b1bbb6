"""`rdstui status`: the fleet once, as a tree of text lines or as JSON.

With several profiles the accounts are the tree's roots; the JSON's `nodes`
stay the databases (every one says its "profile" and "account"), and
"accounts" says how each profile's account is doing."""

from __future__ import annotations

import json
from typing import Any

from rdstui.core.attention import summary
from rdstui.core.format import clean, duration
from rdstui.core.model import AccountState, Alarm, BlueGreen, Fleet, Node, NodeType, RegionState, Replication, Severity
from rdstui.core.words import role_word


def _replication_json(replication: Replication | None) -> dict[str, Any] | None:
    if replication is None:
        return None
    return {"status": replication.status, "normal": replication.normal, "message": replication.message}


def _blue_green_json(blue_green: BlueGreen | None) -> dict[str, Any] | None:
    if blue_green is None:
        return None
    return {"id": blue_green.id, "role": blue_green.role, "status": blue_green.status}


def _alarm_json(alarm: Alarm) -> dict[str, Any]:
    since = alarm.since.isoformat() if alarm.since else None
    return {"name": alarm.name, "state": alarm.state, "reason": alarm.reason, "since": since, "metric": alarm.metric}


def profile_of(fleet: Fleet, account: str | None) -> str | None:
    """The profile whose credentials poll `account` (the first of those that reach it)."""
    state = fleet.account(account)
    return state.profiles[0] if state is not None else None


def node_json(node: Node, fleet: Fleet) -> dict[str, Any]:
    lag = fleet.lag(node)
    return {
        "profile": profile_of(fleet, node.account),
        "account": node.account,
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
        "lag_seconds": round(lag, 3) if lag is not None else None,
        "lag_metric": node.lag_metric,
        "replication": _replication_json(fleet.replication(node)),
        "blue_green": _blue_green_json(node.blue_green),
        "notes": list(node.notes),
        "attention": [{"severity": f.severity.word, "reason": f.reason} for f in fleet.findings(node)],
        "alarms": [_alarm_json(alarm) for alarm in fleet.alarms_of(node)],
        "children": [node_json(child, fleet) for child in node.children],
    }


def region_json(state: RegionState, fleet: Fleet) -> dict[str, Any]:
    """`ok`/`error`: the describes. CloudWatch and events fail apart from them, and say so."""
    return {
        "profile": profile_of(fleet, state.account),
        "account": state.account,
        "name": state.name,
        "ok": state.ok,
        "error": state.error,
        "polled_at": state.polled_at.isoformat() if state.polled_at else None,
        "notes": list(state.notes),
        "metrics_error": state.metrics_error,
        "events_error": state.events_error,
        "alarms_error": state.alarms_error,
    }


def account_problem(state: AccountState, fleet: Fleet) -> str | None:
    """Why the account is not fine: it could not start, or which regions fail."""
    if state.error is not None:
        return state.error
    failing = [f"{r.name}: {r.error}" for r in fleet.regions if r.account == state.account and not r.ok and r.error]
    return "; ".join(failing) or None


def accounts_json(fleet: Fleet) -> list[dict[str, Any]]:
    """One entry a profile (two profiles of one account: two entries, one account)."""
    return [
        {
            "profile": profile,
            "account": state.account,
            "ok": (problem := account_problem(state, fleet)) is None,
            "error": problem,
            "read_only": state.read_only,
        }
        for state in fleet.accounts
        for profile in state.profiles
    ]


def database_roots(fleet: Fleet) -> list[Node]:
    """The top databases, every account's (under the accounts' roots, with several)."""
    return [node for root in fleet.roots for node in (root.children if root.type is NodeType.ACCOUNT else (root,))]


def fleet_json(fleet: Fleet) -> str:
    document = {
        "accounts": accounts_json(fleet),
        "regions": [region_json(state, fleet) for state in fleet.regions],
        "nodes": [node_json(root, fleet) for root in database_roots(fleet)],
        "notices": list(fleet.notices),
    }
    return json.dumps(document, indent=2)


def _where(node: Node) -> str:
    if node.type is NodeType.ACCOUNT:
        return node.account or "account ?"
    return node.az or node.region


def _engine(node: Node) -> str:
    return " ".join(part for part in (node.engine, node.engine_version) if part) or "-"


def _lag(node: Node, fleet: Fleet) -> str:
    if not node.lag_metric:
        return ""
    lag = fleet.lag(node)
    return f"lag {duration(lag)}" if lag is not None else "lag ?"


def _marks(node: Node, fleet: Fleet) -> str:
    """What needs saying on the node's line: broken replication, blue/green, notes."""
    marks = []
    replication = fleet.replication(node)
    if replication is not None and not replication.normal:
        said = f": {replication.message}" if replication.message else ""
        marks.append(f"REPLICATION {replication.status.upper()}{said}")
    if node.blue_green is not None:
        marks.append(f"{node.blue_green.role} of {node.blue_green.name or node.blue_green.id} ({node.blue_green.status})")
    marks.extend(node.notes)
    marks.extend(
        f"{f.severity.word.upper()}: {clean(f.reason)}" for f in fleet.findings(node) if f.severity >= Severity.WARNING
        and f.kind != "broken"  # said above, in AWS's words
    )
    return "; ".join(marks)


def tree_rows(roots: tuple[Node, ...] | list[Node]) -> list[tuple[str, Node]]:
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


def _account_line(state: AccountState, fleet: Fleet) -> str:
    problem = account_problem(state, fleet)
    mark = "ok" if problem is None else f"FAILED: {problem}" if state.error else "regions failing"
    extra = "".join(
        f"; {word}" for word, shown in (
            (f"read-only ({state.read_only_why})", state.read_only),
            ("writable for this session (--write)", state.write_flag),
            (f"label {state.label}", state.label),
        ) if shown
    )
    return f"account {state.name} ({state.account or 'unknown'}): {mark}{extra}"


def _region_line(state: RegionState, several: bool) -> str:
    mark = "ok" if state.ok else f"FAILED: {state.error}"
    stale = " (showing stale data)" if state.stale else ""
    notes = "".join(f"; {note}" for note in state.notes)
    for source, failure in (("CloudWatch", state.metrics_error), ("events", state.events_error)):
        if failure:
            notes += f"; {source} failed: {failure}"
    where = f"{state.name} ({state.account})" if several else state.name
    return f"region {where}: {mark}{stale}{notes}"


def fleet_text(fleet: Fleet) -> str:
    several = any(root.type is NodeType.ACCOUNT for root in fleet.roots)
    lines = [clean(_account_line(state, fleet)) for state in fleet.accounts] if several else []
    lines.extend(_region_line(state, several) for state in fleet.regions)
    lines.extend(f"note: {notice}" for notice in fleet.notices)
    counts = summary(fleet.attention)
    if counts:
        lines.append("attention: " + " · ".join(f"{count} {kind}" for kind, count, _ in counts))
    tree = tree_rows(fleet.roots)
    rows = [
        [name, role_word(node, fleet.parent(node)), node.status, _engine(node), _where(node), _lag(node, fleet),
         _marks(node, fleet)]
        for name, node in tree
    ]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(7)]
    lines.append("")
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if not any(node.type is not NodeType.ACCOUNT for _, node in tree):
        lines.append("no databases in the polled regions")
    return "\n".join(lines)
