"""What needs attention, at 80x24 from launch: the header's counts, problems first, `!`, `o`, trends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from rdstui.core.config import Settings
from rdstui.ui.app import RdsApp
from rdstui.ui.filter_bar import FilterBar
from rdstui.ui.header.widget import HeaderBar
from rdstui.ui.testing import FROZEN_NOW, frozen_app, ready, screen_text, start_demo_on
from rdstui.ui.tree.widget import FleetTree

PROBLEMS = {"catalog-mysql", "catalog-mysql-ro-broken", "catalog-mysql-ro-drift", "legacy-reports"}


@pytest.fixture(scope="module")
def demo(moto_endpoint: str):
    fleet = start_demo_on(moto_endpoint)
    yield fleet
    fleet.stop()


def shown_ids(app: RdsApp) -> list[str]:
    """The identifiers in the tree, in order (not the labels: a long one is cut)."""
    tree = app.query_one(FleetTree)
    found: list[str] = []

    def visit(parent) -> None:
        for child in parent.children:
            found.append(app.fleet.node(child.data).id)
            visit(child)

    visit(tree.root)
    return found


def roots(app: RdsApp) -> list[str]:
    return [app.fleet.node(child.data).id for child in app.query_one(FleetTree).root.children]


def header_line(app: RdsApp) -> str:
    return screen_text(app).splitlines()[0]


async def test_at_80x24_the_header_counts_what_needs_attention_and_it_is_on_the_first_screen(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        header = header_line(app)
        assert "1 lagging" in header and "1 no PITR" in header and "1 alarm" in header, header
        assert "123456789012" in header  # the account stays
        screen = screen_text(app).splitlines()
        tree_part = screen[: next(i for i, line in enumerate(screen) if "Detail" in line)]
        drift = next(line for line in tree_part if "catalog-mysql-ro-drift" in line)
        assert "1m5" in drift or "2m" in drift, drift  # its lag, on the first screen without a key
        assert roots(app)[:2] == ["catalog-mysql", "legacy-reports"]  # critical, then warning
        assert drift.rstrip().endswith("▲")  # rising against five minutes ago


async def test_problems_only_keeps_ancestors_combines_with_the_filter_and_says_so(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert set(shown_ids(app)) == PROBLEMS
        bar = screen_text(app).splitlines()[1]
        assert "problems only (!)" in bar and "3 matches" in bar
        tree = app.query_one(FleetTree)
        assert tree.cursor_key in tree.matched  # on a database with a finding, not its ancestor
        await pilot.press("slash", *"legacy", "enter")
        await pilot.pause()
        assert shown_ids(app) == ["legacy-reports"]
        await pilot.press("escape", "exclamation_mark")
        await pilot.pause()
        assert len(shown_ids(app)) == len(list(app.fleet.walk()))  # every database again
        assert not app.query_one(FilterBar).has_class("-active")


async def test_o_cycles_the_order_and_the_title_or_bar_says_which(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(app, pilot)
        assert app.query_one("#left").border_title.endswith("· by attention")
        await pilot.press("o")
        await pilot.pause()
        assert roots(app) == sorted(roots(app), key=str.lower)
        assert app.query_one("#left").border_title.endswith("· by name")
        assert "by name (o)" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        regions = [app.fleet.node(key).region for key in (n.data for n in app.query_one(FleetTree).root.children)]
        assert regions == sorted(regions)
        await pilot.press("o")
        await pilot.pause()
        assert roots(app)[0] == "catalog-mysql"  # by lag: broken replication above every lag
        await pilot.press("o")
        await pilot.pause()
        assert app.query_one(FleetTree).order == "attention"
        assert not app.query_one(FilterBar).has_class("-active")


async def test_the_detail_lists_findings_and_the_alarm_with_its_reason(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(200, 50)) as pilot:
        await ready(app, pilot)
        app.jump_to(next(n.key for n in app.fleet.walk() if n.id == "catalog-mysql-ro-drift"))
        await ready(app, pilot)
        text = screen_text(app)
        assert "✗ alarm catalog-mysql-ro-drift-replica-lag in ALARM for 11m00s" in text
        assert "⚠ ReplicaLag" in text and "at or above 30s" in text
        assert "catalog-mysql-ro-drift-replica-lag ALARM since" in text
        assert "1m53s ▲ up from 1m36s 5m00s ago (ReplicaLag)" in text  # the lag against five minutes ago


async def test_a_profile_label_is_in_the_header_and_the_confirmation(demo) -> None:
    app = frozen_app(demo, settings=Settings(label="PRODUCTION"))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        header = app.query_one(HeaderBar).render()
        assert "PRODUCTION" in header.plain.splitlines()[0]
        span = next(s for s in header.spans if header.plain[s.start : s.end].strip() == "PRODUCTION")
        assert span.style.bgcolor == app.palette.lag_critical.color  # the critical colour
        app.jump_to(next(n.key for n in app.fleet.walk() if n.id == "orders-pg"))
        await pilot.press("f")
        await pilot.pause()
        modal = screen_text(app)
        assert "123456789012 (the demo)" in modal and "PRODUCTION" in modal
        await pilot.press("escape")


async def test_rpo_now_ticks_every_second_between_reads(demo) -> None:
    now = [FROZEN_NOW]
    app = frozen_app(demo, clock=lambda: now[0])
    async with app.run_test(size=(80, 40)) as pilot:
        await ready(app, pilot)
        app.jump_to(next(n.key for n in app.fleet.walk() if n.id == "orders-pg"))
        await ready(app, pilot)
        rpo = re.compile(r"RPO now (\d+)m(\d\d)s")

        def shown() -> int:
            minutes, seconds = rpo.search(screen_text(app)).groups()
            return int(minutes) * 60 + int(seconds)

        before = shown()
        now[0] = FROZEN_NOW + timedelta(seconds=7)  # no poll: the latest restorable time stays as read
        await pilot.pause(1.3)
        assert shown() == before + 7


def test_at_80_columns_a_labelled_read_only_profile_keeps_its_account_and_its_counts() -> None:
    from datetime import datetime, timezone

    from rdstui.core.model import RegionState, Severity
    from rdstui.ui.header.text import HeaderState, header_text
    from rdstui.ui.palette import Palette

    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    regions = tuple(RegionState(r, ok=True, polled_at=now, attempted_at=now) for r in ("us-east-1", "us-west-2", "eu-west-1"))
    found = (("alarm", 1, Severity.CRITICAL), ("lagging", 2, Severity.WARNING), ("no PITR", 1, Severity.WARNING))
    state = HeaderState(label="prod-admin", account_id="123456789012", regions=regions, read_only=True,
                        connecting=False, attention=found, profile_label="PRODUCTION")
    line = header_text(state, now, 80, Palette.from_variables({})).plain
    assert len(line) <= 80
    assert "PRODUCTION" in line and "123456789012" in line and "1 crit 3 warn" in line and "READ-ONLY" in line
