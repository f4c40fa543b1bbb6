"""Short human forms shared by `rdstui status` and the console."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# ESC/CSI/OSC sequences (what would set a terminal's title or clear its screen), then any other
# C0 or C1 control character. Text from AWS, the config or the user is data, never terminal control.
_SEQUENCES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"\s*[\r\n\t]+\s*")


def clean(text: object) -> str:
    """One line of plain text: escape sequences and control characters removed, line breaks folded."""
    value = _SEQUENCES.sub("", str(text))
    value = _BREAKS.sub(" ", value)
    return _CONTROL.sub("", value)


def duration(seconds: float | None) -> str:
    """1.2s, 45s, 3m05s, 2h04m, 3d02h: short enough for a tree line."""
    if seconds is None:
        return "-"
    if seconds < 0:
        return "n/a"  # ReplicaLag -1: replication is not running
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 10:
        return f"{seconds:.1f}s"
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def whole_seconds(delta: timedelta) -> str:
    """Elapsed time in whole seconds for a clock that ticks: 0s, 12s, 1m05s, 1h02m."""
    seconds = max(0, round(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def age(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    return duration(max(0.0, (now - then).total_seconds())) + " ago"


def bytes_(value: float | None) -> str:
    if value is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
