"""The console's time: always UTC (AWS's timestamps are), and injected where it is read,
so tests freeze it and the demo drives it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
