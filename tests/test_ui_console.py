"""The console against the demo fleet on the moto server, driven like a user would."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from rich.text import Text
from textual.containers import VerticalScroll

from rdstui.core.config import Settings
from rdstui.core.errors import SetupError
from rdstui.ui.app import RdsApp
from rdstui.ui.events.widget import EventsList
from rdstui.ui.filter_bar import FilterBar
from rdstui.ui.screens.help import HelpScreen, help_sections
from rdstui.ui.testing import (
    FROZEN_NOW,
    frozen_app,
    node_key,
    poll_now,
    ready,
    screen_text,
    start_demo_on,
    tree_rows,
)
from rdstui.ui.tree.widget import FleetTree

SPARK = re.compile(r"[▁▂▃▄▅▆▇█]{6,}")
LAG = re.compile(r"(\d+ms|\d+\.\d+s|\d+s|\d+m\d\ds|\d+h\d\dm)( [▲▼→])?\s*$")  # the value, then its trend


@pytest.fixture(scope="module")
def demo(moto_endpoint: str):
    fleet = start_demo_on(moto_endpoint)
    yield fleet
    fleet.stop()


def row(app: RdsApp, ident: str, role: str | None = None) -> str:
    """The tree line of `ident` (and `role`, for a standby sharing its primary's name)."""
    for _, text in tree_rows(app):
        words = text.split()
        if words and words[0] == ident and (role is None or words[1] == role):
            return text
    raise AssertionError(f"{ident} ({role}) not in the tree:\n" + "\n".join(t for _, t in tree_rows(app)))


def depth_of(app: RdsApp, ident: str) -> int:
    return next(depth for depth, text in tree_rows(app) if text.split()[0] == ident)


def cursor_id(app: RdsApp) -> str:
    tree = app.query_one(FleetTree)
    assert tree.cursor_node is not None
    return tree.line_text(tree.cursor_node).plain.split()[0]


def tree_line(app: RdsApp, ident: str) -> Text:
    """The styled tree line of `ident`, as drawn."""
    tree = app.query_one(FleetTree)
    return tree.line_text(tree.nodes_by_key[node_key(app, ident)])


def lag_span(line: Text):
    """The span of the lag value (the trend arrow may follow it)."""
    return next(span for span in reversed(line.spans) if any(c.isdigit() for c in line.plain[span.start : span.end]))


def filter_text(app: RdsApp) -> str:
    return app.query_one(FilterBar).text


async def test_tree_shows_every_node_shape(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        shapes = {
            ("payments-global", "global"): 0,  # Aurora global database
            ("payments-use1", "primary"): 1,  # its primary cluster
            ("payments-usw2", "secondary"): 1,  # a secondary cluster
            ("payments-use1-a", "writer"): 2,
            ("payments-use1-b", "reader"): 2,
            ("search-aurora-euw1", "replica"): 1,  # a cross-region replica cluster
            ("inventory-maz", "cluster"): 0,  # Multi-AZ DB cluster
            ("orders-pg", "primary"): 0,  # instance with replicas
            ("orders-pg-ro1", "replica"): 1,
            ("orders-pg-ro1-cascade", "replica"): 2,  # cascading replica
            ("orders-pg-dr", "replica"): 1,  # cross-region replica
            ("legacy-reports", "instance"): 0,
        }
        rows = tree_rows(app)
        for (ident, role), depth in shapes.items():
            line = row(app, ident, role)
            assert line.split()[1] == role
            assert (depth, line) in rows, f"{ident} not at depth {depth}"
        standby = row(app, "orders-pg", "standby")
        assert "us-east-1b" in standby  # the standby's own AZ, not the primary's
        assert "us-west-2b" in row(app, "orders-pg-dr")
        # What is on screen at 80x24: the header and the top of the tree, nothing cut mid-column.
        text = screen_text(app)
        header = text.splitlines()[0]
        assert "demo 123456789012" in header
        # What needs attention keeps its words; the three regions shrink to a count.
        assert "1 lagging · 1 no PITR" in header and " 3✓ " in header
        assert "payments-global" in text and "available" in text
        for line in text.splitlines():
            assert len(line) <= 80


async def test_external_placeholders_when_a_region_is_not_polled(demo) -> None:
    app = frozen_app(demo, regions=["us-west-2"])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        orders = row(app, "orders-pg", "external")
        assert "not polled" in orders and "us-east-1" in orders
        assert depth_of(app, "orders-pg-dr") == 1  # under its placeholder source
        assert "not polled" in row(app, "payments-use1", "external")
        assert "secondary" in row(app, "payments-usw2")
        text = screen_text(app)
        assert "us-west-2✓" in text and "us-east-1" not in text.splitlines()[0]
        app.jump_to(node_key(app, "orders-pg"))
        await ready(app, pilot)
        assert "add --region us-east-1" in screen_text(app)


async def test_sparklines_and_lag_values_for_replicas(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for ident in (
            "orders-pg-ro1",
            "orders-pg-ro1-cascade",
            "orders-pg-dr",
            "catalog-mysql-ro-drift",
            "catalog-mysql-ro-spiky",
            "payments-usw2",
            "inventory-maz-instance-2",
        ):
            line = row(app, ident)
            assert SPARK.search(line), f"no sparkline: {line}"
            assert LAG.search(line), f"no lag value: {line}"
        for ident in ("orders-pg", "legacy-reports", "payments-use1-a"):
            assert not SPARK.search(row(app, ident, "writer" if ident.endswith("-a") else None))
        # The drifting replica is past the 30 s warning: its value has the warning colour.
        drift = tree_line(app, "catalog-mysql-ro-drift")
        assert drift.plain.rstrip().endswith("1m53s ▲")  # and rising against five minutes ago
        value, arrow = drift.spans[-2:]
        assert drift.plain[value.start : value.end].strip() == "1m53s"
        assert value.style == arrow.style == app.palette.lag_warning
        # The whole drift is visible: the sparkline climbs left to right.
        spark = SPARK.search(drift.plain).group()
        assert spark[0] == "▁" and spark[-1] == "█"


async def test_lag_thresholds_come_from_settings(demo) -> None:
    app = frozen_app(demo, settings=Settings(lag_warning=0.5, lag_critical=1.0))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert lag_span(tree_line(app, "orders-pg-dr")).style == app.palette.lag_critical  # 1.5 s
        assert lag_span(tree_line(app, "orders-pg-ro1-cascade")).style == app.palette.lag_warning  # 700 ms


async def test_filter_keeps_ancestors_and_escape_clears(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        everything = len(tree_rows(app))
        await pilot.press("slash", *"cascade")
        await pilot.pause()
        assert [text.split()[0] for _, text in tree_rows(app)] == ["orders-pg", "orders-pg-ro1", "orders-pg-ro1-cascade"]
        assert cursor_id(app) == "orders-pg-ro1-cascade"  # the match, not its ancestor
        assert "1 match" in screen_text(app)
        await pilot.press("enter", "k")  # filter kept, keys move the cursor again
        assert app.query_one(FleetTree).has_focus
        assert cursor_id(app) == "orders-pg-ro1" and filter_text(app) == "cascade"
        await pilot.press("j", "escape")
        await pilot.pause()
        assert len(tree_rows(app)) == everything
        assert cursor_id(app) == "orders-pg-ro1-cascade"  # still where the user was
        # Engine, region and status filter too; words must all match.
        for text, expected in (
            ("aurora-mysql", {"search-aurora", "search-aurora-a", "search-aurora-b", "search-aurora-euw1", "search-aurora-euw1-a"}),
            ("eu-west-1 reader", {"payments-euw1-a"}),
            ("nothing-like-this", set()),
        ):
            await pilot.press("slash", *[{" ": "space"}.get(c, c) for c in text])
            await pilot.pause()
            shown = {t.split()[0] for _, t in tree_rows(app)}
            assert expected <= shown
            if not expected:
                assert not shown and "no match" in screen_text(app)
            await pilot.press("escape")
        await pilot.pause()
        assert len(tree_rows(app)) == everything


async def test_help_lists_every_binding(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "rdstui keys" in text
        help_text = "\n".join(
            f"{keys} {what}" for _, rows in help_sections() for keys, what in rows
        )
        names = {"slash": "/", "question_mark": "?", "exclamation_mark": "!", "colon": ":", "escape": "escape", "enter": "enter",
                 "space": "space", "right_square_bracket": "]", "left_square_bracket": "[",
                 "right_curly_bracket": "}", "left_curly_bracket": "{"}
        for binding in [*RdsApp.BINDINGS, *FleetTree.BINDINGS]:
            key = names.get(binding.key, binding.key)  # type: ignore[union-attr]
            shown = {"up": "↑", "down": "↓", "left": "←", "right": "→"}.get(key, key)
            assert shown in help_text, f"{key} missing from help"
        scroll = app.screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0  # at 80x24 the help scrolls, and g/G move through it as in the tree
        await pilot.press("G")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y and "Colours" in screen_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_poll_keeps_cursor_and_expand_state(demo) -> None:
    now = [FROZEN_NOW]
    app = frozen_app(demo, clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        tree = app.query_one(FleetTree)
        before = dict(tree.nodes_by_key)
        # Collapse the global database, put the cursor on a replica further down.
        app.jump_to(node_key(app, "payments-global"))
        await pilot.press("enter")
        app.jump_to(node_key(app, "catalog-mysql-ro-drift"))
        await pilot.pause()
        line_before = row(app, "catalog-mysql-ro-drift")
        # Three minutes pass: new datapoints, a new poll.
        now[0] = FROZEN_NOW + timedelta(minutes=3)
        demo.tick(now[0])
        await pilot.press("r")
        await ready(app, pilot)
        assert all(state.polled_at == now[0] for state in app.fleet.regions)  # polled again
        assert cursor_id(app) == "catalog-mysql-ro-drift"
        assert not tree.nodes_by_key[node_key(app, "payments-global")].is_expanded
        assert all(tree.nodes_by_key[key] is node for key, node in before.items())  # updated in place
        assert row(app, "catalog-mysql-ro-drift") != line_before  # the lag moved on
        assert screen_text(app).splitlines()[0].rstrip().endswith(" now")  # at 80 columns "updated just" goes
    demo.tick(FROZEN_NOW)


async def test_a_line_that_changed_out_of_view_is_new_when_scrolled_back(demo) -> None:
    """A line that changed while out of view shows its new state when it comes back into view."""
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        app.jump_to(node_key(app, "reports-pg-staging"))
        await pilot.pause()
        assert "reports-pg-staging" in screen_text(app) and "stopped" in row(app, "reports-pg-staging")
        tree = app.query_one(FleetTree)
        tree.scroll_home(animate=False)
        app.jump_to(tree.nodes_by_key[next(iter(tree.shown))].data)  # the first line: the stopped one out of view
        await pilot.pause()
        assert "reports-pg-staging" not in screen_text(app).split("Events")[0]
        demo.client("rds", "eu-west-1").start_db_instance(DBInstanceIdentifier="reports-pg-staging")
        await poll_now(app, pilot)
        app.jump_to(node_key(app, "reports-pg-staging"))
        await pilot.pause()
        line = next(line for line in screen_text(app).splitlines() if "reports-pg-staging" in line)
        assert "stopped" not in line and ("start" in line or "available" in line), line


async def test_failing_region_shows_its_error_while_the_rest_update(demo) -> None:
    now = [FROZEN_NOW]
    app = frozen_app(demo, clock=lambda: now[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        demo.break_region("eu-west-1", "Throttling", "Rate exceeded")
        try:
            now[0] = FROZEN_NOW + timedelta(minutes=2)
            await pilot.press("r")
            await ready(app, pilot)
            header = screen_text(app).splitlines()[:3]
            # At 80 columns the regions are a count, the failing one named; its age on the line below.
            assert "2✓ 1✗ eu-west-1" in header[0]
            assert "✗ eu-west-1 (data from 2m00s ago): throttled by AWS past retries (Throttling)" in header[1]
            states = {state.name: state for state in app.fleet.regions}
            assert states["us-east-1"].polled_at == now[0]  # the others did update
            assert states["eu-west-1"].stale
            # eu-west-1's databases are still shown, marked stale.
            assert "stale" in row(app, "legacy-reports")
        finally:
            demo.heal_region("eu-west-1")
        await pilot.press("r")
        await ready(app, pilot)
        assert " 3✓ " in screen_text(app).splitlines()[0]


async def test_detail_pane_backup_posture_and_chart(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        app.jump_to(node_key(app, "orders-pg"))
        await ready(app, pilot)
        text = screen_text(app)
        assert "Multi-AZ   Yes, standby us-east-1b" in text
        # Retention, the latest restorable time and how far behind now it is (the RPO now).
        assert re.search(r"Backups    7 days, restorable to 09:\d\d:\d\d UTC, RPO now \d+m\d\ds", text)
        assert re.search(r"Snapshot   \S+  \d+h\d\dm ago", text)
        app.jump_to(node_key(app, "legacy-reports"))
        await ready(app, pilot)
        assert "retention 0: no point-in-time recovery" in screen_text(app)
        # The chart: 1 is lag, 2 CPU; in a small terminal the lower pane switches to it.
        app.jump_to(node_key(app, "orders-pg-ro1"))
        await ready(app, pilot)
        await pilot.press("1")
        await pilot.pause()
        text = screen_text(app)
        assert "ReplicaLag (s)" in text and "latest 1.1s" in text and "now" in text
        await pilot.press("2")
        await pilot.pause()
        assert "CPUUtilization (%)" in screen_text(app)
        # A writer has no lag: `1` charts it all the same, saying why (and brings the lag
        # chart back after `2`).
        app.jump_to(node_key(app, "payments-use1-a"))
        await ready(app, pilot)
        assert "CPUUtilization (%)" in screen_text(app)
        await pilot.press("1")
        await pilot.pause()
        said = " ".join(screen_text(app).split())
        assert "Not published: payments-use1-a does not replicate from anything: no lag." in said
        assert "Keys 2, 3, 4 chart what payments-use1-a has." in said
        # (Small terminal: the footer leaves the chart keys to the chart pane; the hidden
        # twin binding takes them.) A cluster publishes nothing per instance: no chart keys.
        assert app.check_action("chart", ("lag",)) is False and app.check_action("show_chart", ("lag",)) is True
        app.jump_to(node_key(app, "payments-use1"))
        await pilot.pause()
        assert app.check_action("show_chart", ("lag",)) is False and app.check_action("show_chart", ("cpu",)) is False
        app.jump_to(node_key(app, "payments-use1-a"))
        # A writer's backups are its cluster's.
        await ready(app, pilot)
        await pilot.press("v", "v", "v")  # chart -> events -> none -> detail
        await pilot.pause()
        assert re.search(r"\(of cluster\s+payments-use1\)", screen_text(app))


async def test_events_newest_first_and_the_selected_nodes_marked(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(app, pilot)
        times = [event.time for event in app.query_one(EventsList).events]
        assert times and times == sorted(times, reverse=True)
        app.jump_to(node_key(app, "orders-pg-ro1"))
        await ready(app, pilot)
        lines = [line for line in screen_text(app).splitlines() if "Replication for the Read Replica resumed" in line]
        marked = [line for line in lines if "▶" in line]
        assert marked and all("orders-pg-ro1" in line for line in marked)
        assert any("▶" not in line for line in lines)


async def test_palette_jumps_to_a_database(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"cascade")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await ready(app, pilot)
        assert cursor_id(app) == "orders-pg-ro1-cascade"


async def test_theme_cycles_and_layout_stacks_when_small(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.theme == "rdstui-dark"
        assert not app.wide
        await pilot.press("t")
        assert app.theme == "rdstui-light"
        await pilot.press("t")
        assert app.theme == "rdstui-16"
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert app.wide
        assert "Events (UTC)" in screen_text(app) and "Topology" in screen_text(app)


async def test_startup_never_waits_for_the_login(demo) -> None:
    gate = asyncio.Event()

    async def slow(options):
        await gate.wait()

    app = RdsApp(Settings(profile="prod"), opener=slow, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "connecting…" in text and "Connecting to AWS" in text and "prod" in text
        await pilot.press("q")
    assert app.return_code == 0


async def test_setup_error_is_shown_then_exits_2(demo) -> None:
    async def broken(options):
        raise SetupError("The SSO session for profile 'prod' has expired. Run: aws sso login --profile prod")

    app = RdsApp(Settings(profile="prod"), opener=broken, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.settle()
        await pilot.pause()
        text = " ".join(screen_text(app).split())  # the message wraps to the screen
        assert "has expired. Run: aws sso login --profile prod" in text and "Press any key to exit" in text
        assert "Traceback" not in text
        await pilot.press("x")
    assert app.return_code == 2


async def test_read_only_badge(demo) -> None:
    app = frozen_app(demo, settings=Settings(read_only=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert "READ-ONLY" in screen_text(app).splitlines()[0]
        assert app.runtime.desk.read_only


async def test_keys_typed_in_one_burst_after_slash_go_to_the_filter(demo) -> None:
    """Over SSH (or a paste, or tmux send-keys) keys arrive together: "/" then the
    text then enter then j must filter by the text and then move the cursor."""
    app = frozen_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        theme = app.theme
        await pilot.press("slash", *"eu-west", "enter", "j")  # 't' is also the theme key
        await pilot.pause()
        assert filter_text(app) == "eu-west" and app.theme == theme
        tree = app.query_one(FleetTree)
        first = next(line for line in range(tree.last_line + 1) if tree.get_node_at_line(line).data in tree.matched)
        assert tree.cursor_line == first + 1  # the first match, then one down
        assert "/ eu-west" in screen_text(app)
        await pilot.press("slash", "backspace", "backspace", "backspace", "backspace", "escape")
        await pilot.pause()
        assert filter_text(app) == "" and "/ " not in screen_text(app).splitlines()[1]
