"""The console on a recording: its keys, and when its regions poll.

A replay's regions never poll on a timer: they poll as the replay's clock passes a
moment a recorded poll had been sent in full, so the tree changes when it changed
in the recording. A jump starts a new watch at the new time (what a region knew
before the jump is not what it knew after it).
"""

from __future__ import annotations

import bisect

from textual.binding import Binding

from rdstui.core.replay import Replay
from rdstui.ui.header.text import ReplayBadge

BINDINGS = [
    # space toggles a tree node elsewhere; in a replay, enter still does.
    Binding("space", "replay_pause", "Pause", show=False, priority=True),
    Binding("right_square_bracket", "replay_step(1)", "Next poll", show=False),
    Binding("left_square_bracket", "replay_step(-1)", "Previous poll", show=False),
    Binding("right_curly_bracket", "replay_step(10)", "Ten polls on", show=False),
    Binding("left_curly_bracket", "replay_step(-10)", "Ten polls back", show=False),
]
REPLAY_ACTIONS = ("replay_pause", "replay_step")


class ReplayDriver:
    """Which recorded polls the replay's clock has passed since it last looked."""

    def __init__(self, replay: Replay) -> None:
        self.replay = replay
        self._passed = self._count()

    def _count(self) -> int:
        return bisect.bisect_right(self.replay.clock.polls, self.replay.clock.now())

    def begin(self) -> None:
        clock = self.replay.clock
        clock.seek(clock.start if clock.playing else clock.now())
        self._passed = self._count()

    def poll_due(self) -> bool:
        """A recorded poll was passed since the last look (playing on its own)."""
        passed = self._count()
        due, self._passed = passed > self._passed, passed
        return due

    def toggle(self) -> None:
        self.replay.clock.pause(self.replay.clock.playing)

    def step(self, polls: int) -> None:
        self.replay.clock.step(polls)
        self._passed = self._count()

    def badge(self) -> ReplayBadge:
        recording, clock = self.replay.recording, self.replay.clock
        return ReplayBadge(
            recorded=recording.started, start=clock.start, end=clock.end, paused=not clock.playing
        )
