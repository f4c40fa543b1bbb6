"""Snapshot identifiers: what AWS accepts, and a unique default to propose."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterable

# AWS limits on snapshot identifiers (CreateDBSnapshot / CreateDBClusterSnapshot).
SNAPSHOT_NAME_MAX = 255
CLUSTER_SNAPSHOT_NAME_MAX = 63

_NAME_CHARS = re.compile(r"^[A-Za-z0-9-]*$")


def name_limit(cluster: bool) -> int:
    return CLUSTER_SNAPSHOT_NAME_MAX if cluster else SNAPSHOT_NAME_MAX


def validate_snapshot_name(name: str, *, cluster: bool = False) -> str | None:
    """The reason AWS would refuse this snapshot identifier, or None if it is valid.

    DBSnapshotIdentifier: 1-255 letters, digits or hyphens; DBClusterSnapshotIdentifier:
    1-63. Both: first a letter, no trailing hyphen, no two consecutive hyphens.
    """
    limit = name_limit(cluster)
    what = "a cluster snapshot name" if cluster else "a snapshot name"
    if not name or not name.strip():
        return f"{what} can't be empty"
    if len(name) > limit:
        return f"{what} has at most {limit} characters; this one has {len(name)}"
    if not _NAME_CHARS.match(name):
        bad = list(dict.fromkeys(c for c in name if not (c.isascii() and (c.isalnum() or c == "-"))))
        shown = [("a space" if c == " " else repr(c)) for c in bad[:5]]  # all (a few): one edit fixes the name
        if len(bad) > 5:
            shown.append(f"{len(bad) - 5} more")
        words = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}"
        return f"{what} has only letters, digits and hyphens: {words} {'is' if len(shown) == 1 else 'are'} not allowed"
    if not (name[0].isascii() and name[0].isalpha()):
        return f"{what} must start with a letter"
    if name.endswith("-"):
        return f"{what} can't end with a hyphen"
    if "--" in name:
        return f"{what} can't contain two consecutive hyphens"
    return None


def propose_snapshot_name(
    identifier: str, now: datetime, *, cluster: bool = False, taken: Iterable[str] = ()
) -> str:
    """identifier + UTC time, e.g. orders-pg-2026-11-24-1042; valid and not in `taken`."""
    limit = name_limit(cluster)
    used = {t.lower() for t in taken}
    base = _name_base(identifier)
    for stamp in _stamps(now):
        head = base[: max(1, limit - len(stamp) - 1)].rstrip("-")
        name = f"{head}-{stamp}"
        if name not in used and validate_snapshot_name(name, cluster=cluster) is None:
            return name
    raise ValueError(f"no free snapshot name for {identifier}")  # pragma: no cover


def _name_base(identifier: str) -> str:
    """The identifier cut down to what a snapshot name may hold, starting with a letter."""
    base = re.sub(r"[^a-z0-9-]", "-", identifier.lower())
    base = re.sub(r"-{2,}", "-", base).strip("-")
    if not base or not base[0].isalpha():
        base = f"snap-{base}".rstrip("-")
    return base


def _stamps(now: datetime) -> list[str]:
    """Minute first; seconds and a counter only when the shorter name is taken."""
    stamps = [f"{now:%Y-%m-%d-%H%M}", f"{now:%Y-%m-%d-%H%M%S}"]
    return stamps + [f"{now:%Y-%m-%d-%H%M%S}-{n}" for n in range(2, 100)]
