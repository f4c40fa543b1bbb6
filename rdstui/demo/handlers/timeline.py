"""The steps an action still has to play out, each due at a moment of demo time."""

from __future__ import annotations

import heapq
import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from rdstui.demo.fidelity import aware_utc

# Held while a handler runs or steps are applied: moto serves requests on threads.
LOCK = threading.RLock()


@dataclass(order=True)
class _Step:
    due: datetime
    seq: int
    run: Callable[[datetime], None] = field(compare=False)
    label: str = field(compare=False, default="")


class _Timeline:
    def __init__(self) -> None:
        self.active = False
        self.clock: Callable[[], datetime] | None = None
        self.owner: object = None
        self.steps: list[_Step] = []
        self.counter = itertools.count()

    def now(self) -> datetime:
        assert self.clock is not None
        return aware_utc(self.clock())

    def at(self, start: datetime, seconds: float, label: str, run: Callable[[datetime], None]) -> None:
        heapq.heappush(self.steps, _Step(start + timedelta(seconds=seconds), next(self.counter), run, label))

    def pop_due(self, now: datetime) -> _Step | None:
        """The oldest step due at or before `now`, taken off the timeline; None if none is."""
        if self.steps and self.steps[0].due <= now:
            return heapq.heappop(self.steps)
        return None


TIMELINE = _Timeline()
