"""The audit log read from its end: the last actions of earlier sessions, for the console's `a`.

Robust to whatever the file holds (a cut line, a hand edit, binary): a line that is not
a JSON object is skipped, and every text kept is one clean line.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

from rdstui.core.audit import CANCELLED, FAILED, REFUSED, SENT, SUCCEEDED, default_path
from rdstui.core.format import clean

TAIL_BYTES = 1 << 20  # the tail read never goes further back than this
_BLOCK = 1 << 16
MESSAGE_KEPT = 400  # characters of a message kept for the screen
OUTCOMES = (SENT, SUCCEEDED, FAILED, CANCELLED, REFUSED)


def read_tail(
    path: Path | None = None,
    count: int = 20,
    *,
    end: int | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """The last `count` entries (oldest first) among the log's first `end` bytes (all of it by
    default) that `keep` accepts. Read from the end, at most TAIL_BYTES back; a line that is not
    a JSON object (cut, hand-edited, binary) is skipped; a missing or unreadable log is empty."""
    path = Path(path) if path is not None else default_path()
    found: list[dict[str, Any]] = []
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            stop = size if end is None else max(0, min(end, size))
            start = max(0, stop - TAIL_BYTES)
            position, rest = stop, b""
            while position > start and len(found) < count:
                step = min(_BLOCK, position - start)
                position -= step
                handle.seek(position)
                lines = (handle.read(step) + rest).split(b"\n")
                rest = lines.pop(0) if position > 0 else b""  # a line begun before this block
                for raw in reversed(lines):
                    entry = _parse(raw)
                    if entry is not None and (keep is None or keep(entry)):
                        found.append(entry)
                        if len(found) == count:
                            break
    except OSError:
        return []
    found.reverse()
    return found


def _parse(raw: bytes) -> dict[str, Any] | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        entry = json.loads(raw.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    return entry if isinstance(entry, dict) else None


@dataclass(frozen=True)
class LoggedAction:
    """One confirmed action as the audit log holds it (an earlier session's). Every text is
    one clean line: what AWS or a hand-edited file says is data, never markup or control."""

    time: datetime | None
    profile: str | None
    account: str | None
    action: str
    region: str | None
    target: str
    api: str
    outcome: str  # sent (no outcome followed) | succeeded | failed | cancelled | refused
    error_code: str | None
    message: str
    duration_s: float | None  # the call's, not its settling (the log does not follow it)

    @property
    def words(self) -> str:
        """What became of it, as far as the log knows."""
        return {
            SUCCEEDED: "accepted",  # AWS took the call; how it settled was not logged
            FAILED: "failed",
            CANCELLED: "cancelled",
            REFUSED: "not sent",
            SENT: "no outcome logged",
        }.get(self.outcome, self.outcome)

    @property
    def failed(self) -> bool:
        return self.outcome in (FAILED, REFUSED, SENT)

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> LoggedAction | None:
        """None for a line that is no confirmed action (a key refused before any plan: no api)."""
        api, outcome = _text(entry.get("api")), _text(entry.get("outcome"))
        if not api or outcome not in OUTCOMES:
            return None
        message = _text(entry.get("message")) or ""
        if len(message) > MESSAGE_KEPT:
            message = message[: MESSAGE_KEPT - 1] + "…"
        duration = entry.get("duration_s")
        seconds = float(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool) else None
        return cls(
            time=_time(entry.get("time")),
            profile=_text(entry.get("profile")),
            account=_text(entry.get("account")),
            action=_text(entry.get("action")) or "action",
            region=_text(entry.get("region")),
            target=_text(entry.get("target")) or "?",
            api=api,
            outcome=outcome,
            error_code=_text(entry.get("error_code")),
            message=message,
            duration_s=seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None,
        )


def _text(value: Any) -> str | None:
    """One clean line, or None for nothing (or for a structure where a word was expected)."""
    if value is None or isinstance(value, (dict, list)):
        return None
    return clean(value).strip()[: MESSAGE_KEPT * 2] or None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def last_actions(path: Path | None = None, count: int = 20, *, end: int | None = None) -> list[LoggedAction]:
    """The last `count` confirmed actions in the log's first `end` bytes, newest first. A call
    logged "sent" and then its outcome is one action (its outcome); a "sent" with none after it
    stays (the console stopped, or the log could not be written, mid-call)."""
    entries = read_tail(path, 2 * count + 1, end=end, keep=lambda e: bool(e.get("api")))
    actions: list[LoggedAction] = []
    pending: dict[tuple[Any, ...], int] = {}  # a "sent" waiting for its outcome -> its index
    for entry in entries:  # oldest first
        action = LoggedAction.from_entry(entry)
        if action is None:
            continue
        key = (action.profile, action.account, action.region, action.target, action.api)
        if action.outcome == SENT:
            pending[key] = len(actions)
        elif action.outcome != CANCELLED and key in pending:
            actions[pending.pop(key)] = action  # the outcome takes the place of its "sent"
            continue
        actions.append(action)
    return list(reversed(actions))[:count]
