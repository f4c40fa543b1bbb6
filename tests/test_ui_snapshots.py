"""Snapshots of the console's main screens (pytest-textual-snapshot).

Time is frozen, the demo seeded and the cursor still, so they are stable;
update with `pytest tests/test_ui_snapshots.py -n 0 --snapshot-update` after a
deliberate UI change (and regenerate screenshots/ with
`python -m rdstui.ui.screenshots`: the same scenes).
"""

from __future__ import annotations

import pytest

from rdstui.ui.screenshots import SHOTS, shot_app, stage
from rdstui.ui.testing import start_demo_on


@pytest.fixture(autouse=True)
def usual_state(monkeypatch) -> None:
    """The help names the audit log: at its usual place (~/.local/state), the same on every
    machine (no scene confirms or cancels anything, so nothing is written there)."""
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)


@pytest.fixture(scope="module")
def demo(moto_endpoint: str):
    fleet = start_demo_on(moto_endpoint)
    yield fleet
    fleet.stop()


@pytest.mark.parametrize("shot", SHOTS, ids=[shot.name for shot in SHOTS])
def test_screen(snap_compare, demo, shot) -> None:
    async def run_before(pilot) -> None:
        await stage(shot, pilot)

    assert snap_compare(shot_app(demo, shot), terminal_size=shot.size, run_before=run_before)
