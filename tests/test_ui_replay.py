"""The console on a recording (`rdstui --replay FILE`): the header says REPLAY and when it was
recorded, the recording's clock plays, pauses and jumps poll by poll, and nothing can be sent."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from support import START, find_node
from test_recording import PROMOTED, record_session

from rdstui.core.config import Settings
from rdstui.core.replay import Recording, Replay, ReplayClock
from rdstui.runtime import Options, open_replay
from rdstui.ui.app import RdsApp
from rdstui.ui.testing import ready, screen_text


class Monotonic:
    """The replay's real-time source, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def replay(demo, clock, tmp_path):
    path = tmp_path / "incident.jsonl"
    await record_session(demo, clock, path)
    recording = Recording.load(path)
    monotonic = Monotonic()
    yield Replay(recording, ReplayClock(recording, monotonic=monotonic)), monotonic
    recording.close()


def console(replay: Replay) -> RdsApp:
    return RdsApp(Settings(), Options(), opener=partial(open_replay, replay), replay=replay, cursor_blink=False)


def header(app: RdsApp) -> list[str]:
    return screen_text(app).splitlines()[:2]


def parent_of(app: RdsApp, ident: str) -> str | None:
    assert app.fleet is not None
    parent = app.fleet.parent(find_node(app.fleet, ident))
    return parent.id if parent is not None else None


async def test_the_header_says_replay_and_the_keys_move_through_it(replay):
    replay, _ = replay
    app = console(replay)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        first, second = header(app)
        assert "READ-ONLY" in first
        assert second.startswith(" REPLAY  recorded 2025-06-02 12:00:30Z  at 12:00:30Z 0%  ▶  space pause")
        assert parent_of(app, PROMOTED) == "orders-pg"
        await pilot.press("space")
        assert "❚❚ paused" in header(app)[1] and "space play" in header(app)[1]
        await pilot.press("right_square_bracket", "right_square_bracket")
        await ready(app, pilot, since=START + timedelta(seconds=60))
        assert "at 12:01:30Z 40%" in header(app)[1]
        assert find_node(app.fleet, PROMOTED).status == "modifying"  # the promote was sent at 12:01:00
        await pilot.press("right_curly_bracket")
        await ready(app, pilot)
        assert "at 12:03:00Z 100%" in header(app)[1]
        assert parent_of(app, PROMOTED) is None  # it stands alone by the end
        await pilot.press("left_square_bracket")
        await ready(app, pilot)
        assert "at 12:02:30Z 80%" in header(app)[1]
        await pilot.press("left_curly_bracket")
        await ready(app, pilot)
        assert "at 12:00:30Z 0%" in header(app)[1] and parent_of(app, PROMOTED) == "orders-pg"
        await pilot.press("s")
        await pilot.pause()
        assert app.notices[-1] == "the console is read-only (--replay): nothing that changes a database can be sent"


async def test_it_plays_at_the_recordings_speed(replay):
    replay, monotonic = replay
    app = console(replay)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert find_node(app.fleet, PROMOTED).status == "available"
        monotonic.now += 61  # a minute of the recording: the tree polls when it polled
        for _ in range(40):
            await pilot.pause(0.1)
            if find_node(app.fleet, PROMOTED).status == "modifying":
                break
        assert find_node(app.fleet, PROMOTED).status == "modifying"
        assert "at 12:01:31Z" in header(app)[1]
