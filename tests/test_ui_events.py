"""The events list (issue #10): a row cursor, `e`, the whole event on enter, the RDS-EVENT id.

The pilot tests run the console on the demo fleet on the moto server, as the
other UI tests do. New events come the way they come from AWS: an RDS call
(reboot with failover, promote) that the demo plays out over demo time, then a
poll. The id lookup (core/event_ids.py) is tested on its own first.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console
from support import ACCOUNT, Clock, footer_keys

from rdstui.core.event_ids import DOCUMENTED, event_id, lookup
from rdstui.core.model import Event
from rdstui.demo import DemoFleet
from rdstui.demo.fidelity import EVENTS as DEMO_HISTORY
from rdstui.ui.app import RdsApp
from rdstui.ui.events.widget import EventsList
from rdstui.ui.filter_bar import FilterBar
from rdstui.ui.palette import Palette
from rdstui.ui.screens.event import NO_ID, EventScreen, event_details, when_words
from rdstui.ui.testing import FROZEN_NOW, frozen_app, poll_now, ready, screen_text
from rdstui.ui.tree.widget import FleetTree

SMALL = (80, 24)
WIDE = (160, 48)
STANDBY_DONE = "Multi-AZ failover to standby complete - DNS propagation may take a few minutes."  # RDS-EVENT-0015
PROMOTED = "Promoted Read Replica to a stand-alone database instance."  # the demo's; not in the guides' tables


# --------------------------------------------------------------------------- the id lookup


@pytest.mark.parametrize(
    ("message", "source_type", "expected"),
    [
        ("Multi-AZ instance failover started.", "db-instance", "RDS-EVENT-0013"),
        (STANDBY_DONE, "db-instance", "RDS-EVENT-0015"),
        ("Multi-AZ instance failover completed.", "db-instance", "RDS-EVENT-0049"),
        # As AWS sends them too (recorded in the field): no full stop, other case, other spacing.
        ("Multi-AZ instance failover completed", "db-instance", "RDS-EVENT-0049"),
        ("DB instance restarted", "db-instance", "RDS-EVENT-0006"),
        ("Finished DB Instance backup", "db-instance", "RDS-EVENT-0002"),
        ("  Backing up   DB instance.  ", "db-instance", "RDS-EVENT-0001"),
        ("DB instance shutdown.", "db-instance", "RDS-EVENT-0004"),
        ("DB instance stopped.", "db-instance", "RDS-EVENT-0087"),
        ("DB instance started.", "db-instance", "RDS-EVENT-0088"),
        ("Replication has stopped.", "db-instance", "RDS-EVENT-0045"),
        ("Replication for the Read Replica resumed.", "db-instance", "RDS-EVENT-0046"),
        ("Disabled automated backups.", "db-instance", "RDS-EVENT-0028"),
        ("Allocated storage has been exhausted. Allocate additional storage to resolve.", "db-instance",
         "RDS-EVENT-0007"),
        ("DB instance has reached the storage-full threshold, and the database has been shut down. You can "
         "increase the allocated storage to address this issue.", "db-instance", "RDS-EVENT-0221"),
        # Placeholders: a name, a percentage, sizes.
        ("The free storage capacity for DB instance: orders-pg is low at 9% of the provisioned storage "
         "[Provisioned Storage: 200 GiB, Free Storage: 18 GiB]. You may want to increase the provisioned "
         "storage to address this issue.", "db-instance", "RDS-EVENT-0089"),
        ("Error restarting mysql: out of memory.", "db-instance", "RDS-EVENT-0022"),
        ("Restored from snapshot pre-upgrade-1.", "db-instance", "RDS-EVENT-0043"),
        ("Completed failover to DB instance: payments-use1-b.", "db-cluster", "RDS-EVENT-0071"),
        ("Started cross AZ failover to DB instance: inventory-maz-instance-2.", "db-cluster", "RDS-EVENT-0073"),
        ("Started same AZ failover to DB instance: search-aurora-b.", "db-cluster", "RDS-EVENT-0072"),
        ("Global switchover to DB cluster payments-usw2 in Region us-west-2 started.", "db-cluster",
         "RDS-EVENT-0181"),
        ("Global failover to DB cluster payments-euw1 in Region eu-west-1 completed.", "db-cluster",
         "RDS-EVENT-0238"),
        ("Global failover to DB cluster payments-euw1 in Region eu-west-1 failed.", "db-cluster", "RDS-EVENT-0239"),
        ("Global switchover to DB cluster payments-usw2 in Region us-west-2 failed.", "db-cluster",
         "RDS-EVENT-0187"),
        # 0183: AWS appends the lag it waits for; its first sentence alone is still 0183.
        ("Waiting for data synchronization across global cluster members. Current lags behind primary DB "
         "cluster: payments-usw2 12 ms.", "db-cluster", "RDS-EVENT-0183"),
        ("Waiting for data synchronization across global cluster members.", "db-cluster", "RDS-EVENT-0183"),
        ("Database cluster has been patched: source version 15.7 => 15.8", "db-cluster", "RDS-EVENT-0290"),
        ("DB cluster stopped.", "db-cluster", "RDS-EVENT-0150"),
        ("Manual snapshot created.", "db-snapshot", "RDS-EVENT-0042"),
        ("Creating manual snapshot", "db-snapshot", "RDS-EVENT-0040"),  # moto's wording: no full stop
        ("Manual cluster snapshot created.", "db-cluster-snapshot", "RDS-EVENT-0075"),
        # The most specific row wins: "primary" is 0250, not 0247's "{} to {}".
        ("Switchover from primary orders to orders-green started.", "blue-green-deployment", "RDS-EVENT-0250"),
        ("Switchover from orders to orders-green started.", "blue-green-deployment", "RDS-EVENT-0247"),
    ],
)
def test_documented_messages_have_their_ids(message: str, source_type: str, expected: str) -> None:
    assert event_id(message, source_type) == expected


@pytest.mark.parametrize(
    ("message", "source_type"),
    [
        (PROMOTED, "db-instance"),  # the demo says it; the guides list no such message
        ("Streaming replication has stopped.", "db-instance"),  # RDS for PostgreSQL sends it; undocumented
        ("DB instance restarted.", "db-cluster"),  # a documented text, of another source type
        ("DB cluster stopped.", "db-instance"),
        ("Multi-AZ instance failover", "db-instance"),  # part of a message is not the message
        ("DB instance restarted. Then it shut down again.", "db-instance"),  # nor is more than one
        ("Completed failover to DB instance: .", "db-cluster"),  # a placeholder stands for something
        ("", "db-instance"),
        ("Manual snapshot created.", ""),  # no source type: no guess
    ],
)
def test_undocumented_messages_have_no_id(message: str, source_type: str) -> None:
    assert event_id(message, source_type) is None


def test_the_table_is_well_formed() -> None:
    ids = {row.id for row in DOCUMENTED}
    assert all(len(i) == len("RDS-EVENT-0000") and i.startswith("RDS-EVENT-") for i in ids)
    keys = [(row.source_type, row.text.casefold()) for row in DOCUMENTED]
    assert len(keys) == len(set(keys)), "a message listed twice"
    for row in DOCUMENTED:  # each row finds itself, with its placeholders filled in
        sample = row.text.replace("{}", "x1")
        found = lookup(sample, row.source_type)
        assert found is not None and found.id == row.id, row.text


def test_what_the_demo_history_says_is_documented_except_where_it_is_not() -> None:
    """The demo's seeded events: each message is AWS's (an id is found) or is listed here."""
    undocumented = {
        (message, source_type)
        for region in DEMO_HISTORY.values()
        for _, source_type, _, _, message in region
        if event_id(message, source_type) is None
    }
    assert undocumented == set()


# --------------------------------------------------------------------------- the modal's words


def test_when_words_utc_then_local() -> None:
    moment = datetime(2026, 12, 2, 4, 31, 7, tzinfo=timezone.utc)
    assert when_words(moment, ZoneInfo("Europe/Paris")) == "2026-12-02 04:31:07 UTC (05:31:07 CET)"
    # Another day locally: the local date is said too.
    assert when_words(moment, ZoneInfo("America/New_York")) == "2026-12-02 04:31:07 UTC (2026-12-01 23:31:07 EST)"
    assert when_words(moment, timezone.utc) == "2026-12-02 04:31:07 UTC (local time is UTC)"
    summer = datetime(2026, 7, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert when_words(summer, ZoneInfo("Europe/Paris")) == "2026-07-01 12:00:00 UTC (14:00:00 CEST)"


def rendered(event: Event, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), force_terminal=True, record=True, color_system="truecolor")
    console.print(event_details(event, Palette.from_variables({}), ZoneInfo("Europe/Paris")))
    return console.export_text(styles=False)


def test_details_show_all_of_a_hostile_message_as_text() -> None:
    words = " ".join(f"word{n}" for n in range(60))
    message = f"[bold red]not markup[/] \x1b]0;owned\x07\x1b[2J{words}\nsecond line\x07"
    arn = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-pg"
    event = Event(FROZEN_NOW, "us-east-1", "orders-pg", "db-instance", message, ("failover",), arn)
    text = rendered(event, 40)
    assert all(len(line) <= 40 for line in text.splitlines())
    flat = " ".join(text.split())
    assert "[bold red]not markup[/]" in flat  # shown as sent, never parsed
    assert "\x1b" not in text and "\x07" not in text and "owned" not in flat  # control sequences removed
    assert all(f"word{n}" in flat for n in range(60)) and "second line" in flat  # wrapped, never cut
    assert arn in "".join(text.split())  # folded, not cut
    assert "2025-03-14 09:26:53 UTC (10:26:53 CET)" in flat
    assert NO_ID in flat and "failover" in flat and "db-instance" in flat


# --------------------------------------------------------------------------- the console


@pytest.fixture
def clock() -> Clock:
    """The console's frozen moment (the conftest `demo` runs on this clock too)."""
    return Clock(FROZEN_NOW)


@pytest.fixture
def paris(monkeypatch):
    """The machine's local time zone is Paris (CET in March)."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def events_of(app: RdsApp) -> EventsList:
    return app.query_one(EventsList)


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def squeezed(text: str) -> str:
    return "".join(text.replace("│", " ").split())


def events_rows(app: RdsApp) -> list[str]:
    """The screen lines of the events pane, below its title."""
    lines = screen_text(app).splitlines()
    start = next(i for i, line in enumerate(lines) if "Events (UTC)" in line)
    return lines[start + 1 : -1]  # the footer last


async def snapshot_legacy_reports(app: RdsApp, pilot) -> None:
    """s on legacy-reports, the proposed name taken: a console line and AWS's snapshot event."""
    app.jump_to(next(n.key for n in app.fleet.walk() if n.id == "legacy-reports"))
    await ready(app, pilot)
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("tab", "enter")  # Cancel -> Take snapshot
    await ready(app, pilot)


async def play(app: RdsApp, pilot, demo: DemoFleet, clock: Clock, seconds: float) -> None:
    """Demo time passes (the demo plays its steps), then the console polls."""
    end = clock.now + timedelta(seconds=seconds)
    while clock.now < end:
        clock.now = min(end, clock.now + timedelta(seconds=10))
        demo.tick()
    await poll_now(app, pilot)


def reboot_with_failover(demo: DemoFleet, ident: str = "orders-pg") -> None:
    demo.client("rds", "us-east-1").reboot_db_instance(DBInstanceIdentifier=ident, ForceFailover=True)


async def go_to(app: RdsApp, pilot, wanted) -> Event:
    """Press j until the cursor is on the first event `wanted(event)` holds."""
    listed = events_of(app)
    index = next(i for i, e in enumerate(listed.events) if wanted(e))
    await pilot.press("home", *["j"] * index)
    await pilot.pause()
    assert listed.cursor == index
    event = listed.cursor_event
    assert event is not None
    return event


async def test_e_focuses_the_events_and_brings_the_pane_up_at_80x24(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        assert app.view == "detail" and isinstance(app.focused, FleetTree)
        assert "e" not in footer_keys(app)  # 80 columns: the action keys have the footer,
        assert "e: events" in screen_text(app)  # the lower pane's title says it
        assert "Events (UTC)" not in screen_text(app)
        await pilot.press("v")  # the chart: `v` leads to the events, and the title says so once
        await pilot.pause()
        assert "Chart · v: events─" in screen_text(app) and "e: events" not in screen_text(app)
        await pilot.press("v", "v", "v")  # events, none, the detail again
        await pilot.pause()
        assert app.view == "detail"
        await pilot.press("e")
        await pilot.pause()
        assert app.view == "events" and isinstance(app.focused, EventsList)
        assert "Events (UTC)" in screen_text(app)
        newest = events_of(app).events[0]
        assert newest.message[:20] in events_rows(app)[0]  # the newest on top
        keys = footer_keys(app)
        assert "e" not in keys and "enter" in keys  # the list has it; enter opens an event
        assert "Open" in screen_text(app).splitlines()[-1]
        # The filter takes the key while it is edited: e types, nothing moves.
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, FleetTree)
        await pilot.press("slash", "e")
        await pilot.pause()
        assert app.query_one(FilterBar).text == "e" and not isinstance(app.focused, EventsList)


async def test_e_when_wide_focuses_the_events_and_changes_no_pane(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=WIDE) as pilot:
        await ready(app, pilot)
        assert app.wide
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.focused, EventsList) and app.view == "detail"


async def test_wide_the_sources_are_whole_and_the_messages_start_in_one_column(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=WIDE) as pilot:
        await ready(app, pilot)
        await snapshot_legacy_reports(app, pilot)
        listed = events_of(app)
        longest = max(listed.events, key=lambda event: len(event.source_id))
        assert len(longest.source_id) > 24  # a snapshot's name: longer than the narrow column
        rows = [row for row in events_rows(app) if row.startswith("│")]  # the pane's rows, not its border
        shown = listed.events[: len(rows)]
        assert all(event.source_id in row for event, row in zip(shown, rows))
        starts = {row.index(event.source_id) + len(longest.source_id) for event, row in zip(shown, rows)}
        assert len(starts) == 1  # each message after the longest source's column
        assert " now eu-west-1      legacy-reports-2025-03-14-0926 Creating manual snapshot." in rows[0]


async def test_j_k_home_end_move_the_cursor_and_it_is_drawn_while_focused(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        app.jump_to(next(n.key for n in app.fleet.walk() if n.id == "catalog-mysql"))  # its replicas' events mark
        await ready(app, pilot)
        listed = events_of(app)
        assert len(listed.events) >= 4
        await pilot.press("e")
        await pilot.pause()
        assert listed.cursor == 0
        await pilot.press("j", "j")
        assert listed.cursor == 2 and listed.cursor_event is listed.events[2]
        await pilot.press("k")
        assert listed.cursor == 1
        await pilot.press("down", "down", "up")
        assert listed.cursor == 2
        await pilot.press("end")
        assert listed.cursor == len(listed.events) - 1
        assert listed.scroll_y > 0  # the oldest is in view
        await pilot.press("j")
        assert listed.cursor == len(listed.events) - 1  # no further
        await pilot.press("home")
        assert listed.cursor == 0 and listed.scroll_y == 0
        await pilot.press("k")
        assert listed.cursor == 0
        await pilot.press("j")
        await pilot.pause()
        # Drawn: the cursor's row has the cursor's background, the others not.
        cursor_style = listed.get_component_rich_style("events-list--cursor", partial=True)
        row = listed.cursor_row - round(listed.scroll_y)
        drawn = listed.render_line(row)
        other = listed.render_line(row + 1)
        assert cursor_style.bgcolor is not None
        assert all(seg.style is not None and seg.style.bgcolor == cursor_style.bgcolor for seg in drawn)
        assert not any(seg.style is not None and seg.style.bgcolor == cursor_style.bgcolor for seg in other)
        # The selected database's events keep their mark under the cursor.
        assert listed.cursor_event is not None and (listed.cursor_event.account, listed.cursor_event.source_id) in listed.highlight
        assert "".join(seg.text for seg in drawn).lstrip().startswith("▶")
        # Not while the tree has the keys (the cursor is kept, not drawn).
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, FleetTree) and listed.cursor == 1
        assert not any(seg.style is not None and seg.style.bgcolor == cursor_style.bgcolor
                       for seg in listed.render_line(row))


async def test_enter_shows_the_whole_event_utc_local_and_its_id(demo, clock, paris) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        reboot_with_failover(demo)
        await play(app, pilot, demo, clock, 30)
        await pilot.press("e")
        await pilot.pause()
        event = await go_to(app, pilot, lambda e: e.message == STANDBY_DONE)
        # The list cuts it to its row.
        row = next(line for line in events_rows(app) if "Multi-AZ failover to standby" in line)
        assert row.rstrip().endswith("…") and "a few minutes." not in row
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EventScreen) and app.screen.event == event
        text = screen_text(app)
        assert all(len(line) <= 80 for line in text.splitlines())
        words = flat(text)
        assert STANDBY_DONE in words  # whole
        when = event.time.astimezone(timezone.utc)
        local = event.time.astimezone(ZoneInfo("Europe/Paris"))
        assert f"{when:%Y-%m-%d %H:%M:%S} UTC ({local:%H:%M:%S} CET)" in words
        assert "RDS-EVENT-0015" in words and "orders-pg (db-instance)" in words and "failover" in words
        assert f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-pg" in squeezed(text)
        for key in ("escape", "q", "enter"):  # each closes it; enter opens it again
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, EventScreen), key
            assert isinstance(app.focused, EventsList) and events_of(app).cursor_event == event
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, EventScreen)


async def test_the_modal_fits_40x12_and_scrolls_to_the_end_of_the_message(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        reboot_with_failover(demo)
        await play(app, pilot, demo, clock, 30)
        await pilot.press("e")
        await go_to(app, pilot, lambda e: e.message == STANDBY_DONE)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert len(lines) == 12 and all(len(line) <= 40 for line in lines)
        assert "RDS event" in lines[0] and "escape closes" in lines[-1]
        assert "DNS propagation may take a few minutes." not in flat("\n".join(lines))  # below, for now
        await pilot.press(*["j"] * 12)
        await pilot.pause()
        assert "DNS propagation may take a few minutes." in flat(screen_text(app))


async def test_an_undocumented_message_says_it_has_no_id(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        demo.client("rds", "us-east-1").promote_read_replica(DBInstanceIdentifier="orders-pg-ro1")
        await play(app, pilot, demo, clock, 70)
        await pilot.press("e")
        await go_to(app, pilot, lambda e: e.message == PROMOTED)
        await pilot.press("enter")
        await pilot.pause()
        words = flat(screen_text(app))
        assert PROMOTED in words
        assert "event id not given by DescribeEvents (no documented message matches)" in words


async def test_the_consoles_own_line_opens_too_without_an_id(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        await snapshot_legacy_reports(app, pilot)
        assert app.runtime is not None and app.runtime.desk.lines
        line = app.runtime.desk.lines[-1]
        await pilot.press("e")
        await go_to(app, pilot, lambda e: e == line)
        await pilot.press("enter")
        await pilot.pause()
        words = flat(screen_text(app))
        assert "Console line" in words and f"rdstui: {line.message}" in words
        assert "none: this console's own line, not an RDS event" in words
        assert "RDS-EVENT" not in words


async def test_new_events_take_the_top_while_the_cursor_is_there(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        listed = events_of(app)
        before = list(listed.events)
        reboot_with_failover(demo)
        await play(app, pilot, demo, clock, 30)
        assert len(listed.events) > len(before)
        newest = listed.events[0]
        assert newest not in before and newest.source_id == "orders-pg"
        assert listed.cursor == 0 and listed.cursor_event == newest and listed.scroll_y == 0
        assert newest.message[:20] in events_rows(app)[0]


async def test_a_moved_cursor_stays_on_its_event_when_new_ones_arrive(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        await pilot.press("e", "j", "j")
        await pilot.pause()
        listed = events_of(app)
        held = listed.cursor_event
        assert held is not None and listed.cursor == 2
        on_screen = listed.cursor_row - round(listed.scroll_y)
        count = len(listed.events)
        reboot_with_failover(demo)
        await play(app, pilot, demo, clock, 30)
        came = len(listed.events) - count
        assert came >= 3
        assert listed.cursor_event == held and listed.cursor == 2 + came  # the same event, not the same row
        assert listed.cursor_row - round(listed.scroll_y) == on_screen  # at the same place on screen
        assert held.message[:20] in events_rows(app)[on_screen]
        # Back on top, the list follows the newest again.
        await pilot.press("home")
        assert listed.cursor == 0 and listed.following


async def test_scrolled_away_from_the_top_keeps_the_cursor_on_its_event(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        listed = events_of(app)
        held = listed.cursor_event
        assert held is not None
        listed.scroll_to(y=1, animate=False, immediate=True)  # the mouse wheel, one row
        assert not listed.following
        reboot_with_failover(demo)
        await play(app, pilot, demo, clock, 30)
        assert listed.cursor_event == held and listed.cursor > 0


async def test_a_click_puts_the_cursor_on_the_row_and_a_double_click_opens_it(demo) -> None:
    app = frozen_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        await ready(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        listed = events_of(app)
        top = listed.content_region.y - listed.region.y  # the pane's border above its rows
        await pilot.click(EventsList, offset=(10, top + 2))
        await pilot.pause()
        assert listed.cursor == 2 and not isinstance(app.screen, EventScreen)
        await pilot.click(EventsList, offset=(10, top + 1), times=2)
        await pilot.pause()
        assert listed.cursor == 1
        assert isinstance(app.screen, EventScreen) and app.screen.event == listed.events[1]
