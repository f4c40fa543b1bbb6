"""The action history (`a`), results that stay on their node, and toasts that leave the detail pane alone.

Driven like a user on the demo fleet (the moto server), with a clock the test moves;
AWS's refusals come from the fault proxy in front of moto, as a real HTTP error.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from faultproxy import Rule, error, fault_proxy  # noqa: F401
from support import Clock, follow, footer_keys, key_names
from textual.widgets._toast import Toast

from rdstui.core.action_exec import Outcome
from rdstui.core.action_history import ActionHistory, Settled, Stage
from rdstui.core.actions import ActionKind, ActionPlan, Target
from rdstui.core.audit_tail import last_actions, read_tail
from rdstui.core.model import NodeType
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.demo import DemoFleet
from rdstui.ui.actions.modal import ActionModal
from rdstui.ui.app import RdsApp
from rdstui.ui.detail.widget import DetailPane
from rdstui.ui.screens.history import HistoryScreen
from rdstui.ui.testing import FROZEN_NOW, frozen_app, poll_now, ready, screen_text, tree_rows

SIZE = (80, 24)
AWS_SAYS = "Database instance is not in [bold]available[/bold] state."


@pytest.fixture
def clock() -> Clock:
    """The console's moment, moved by the test (the conftest `demo` runs on it too)."""
    return Clock(FROZEN_NOW)


class Proxied:
    """The demo fleet as the console sees it through the fault proxy (what open_runtime asks of a demo)."""

    REGIONS = DemoFleet.REGIONS

    def __init__(self, url: str) -> None:
        self.url = url

    @property
    def target(self) -> AwsTarget:
        return AwsTarget(endpoint_url=self.url, credentials=dict(DEMO_CREDENTIALS))


# --------------------------------------------------------------------------- helpers


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


async def select(app: RdsApp, pilot, ident: str) -> None:
    key = next(n.key for n in app.fleet.walk() if n.id == ident and n.type is not NodeType.STANDBY)
    app.jump_to(key)
    await ready(app, pilot)


async def fail_over(app: RdsApp, pilot, ident: str) -> None:
    """f on `ident`, the identifier typed, confirmed."""
    await pilot.press("f")
    await pilot.pause()
    assert isinstance(app.screen, ActionModal), app.notices[-1:]
    await pilot.press(*key_names(ident), "enter")
    await pilot.pause()
    await pilot.press("enter")
    await ready(app, pilot)


async def open_history(app: RdsApp, pilot) -> str:
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(app.screen, HistoryScreen)
    return screen_text(app)


async def close_history(app: RdsApp, pilot, key: str = "escape") -> None:
    await pilot.press(key)
    await pilot.pause()
    assert not isinstance(app.screen, HistoryScreen)


def row(app: RdsApp, ident: str, role: str | None = None) -> str:
    for _, text in tree_rows(app):
        words = text.split()
        if words and words[0] == ident and (role is None or words[1] == role):
            return text
    raise AssertionError(f"{ident} not in the tree")


def detail_text(app: RdsApp) -> str:
    return str(app.query_one("#detail-body").render())


# --------------------------------------------------------------------------- a: this session


@pytest.mark.parametrize(
    ("ident", "role", "seconds", "result"),
    [
        ("orders-pg", "primary", 40, "failover done in 30s: now in us-east-1b"),
        ("search-aurora", None, 30, "failover done in 20s: search-aurora-b is now the writer"),
    ],
    ids=["multi-az-instance", "aurora-cluster"],
)
async def test_a_lists_a_settled_failover_with_its_duration(demo, clock, ident, role, seconds, result) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, ident)
        await fail_over(app, pilot, ident)
        text = flat(await open_history(app, pilot))  # in flight: listed already
        assert f"running failover of {ident} (us-east-1) 0s so far" in text
        await close_history(app, pilot)
        await follow(app, pilot, demo, clock, seconds)
        (record,) = app.runtime.desk.history()
        assert record.stage is Stage.DONE and record.line == result
        text = flat(await open_history(app, pilot))
        took = result.split("done in ")[1].split(":")[0]
        assert f"This session {FROZEN_NOW:%H:%M:%S} done failover of {ident} (us-east-1) took {took} on its node" in text
        assert result in text
        assert "esc Close" in screen_text(app).splitlines()[-1]
        await close_history(app, pilot, "a")  # a closes it too
        # The result stays on its node: the tree line and the detail pane.
        assert f"✓ {seconds - int(took[:-1])}s ago" in row(app, ident, role)
        assert f"✓ {result} · " in detail_text(app)


async def test_the_history_fits_at_40x12(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await fail_over(app, pilot, "orders-pg")
        lines = (await open_history(app, pilot)).splitlines()
        assert lines[0].startswith("╭") and "Action history" in lines[0]
        assert lines[-2].startswith("╰") and lines[-1].startswith("esc Close")
        assert all(len(line.rstrip()) <= 40 for line in lines)
        assert "running  failover of" in "\n".join(lines)
        await close_history(app, pilot, "q")
        assert app.is_running  # q closed the history, it did not quit


# --------------------------------------------------------------------------- refused by AWS


async def test_a_refused_failover_shows_the_aws_error_and_stays_until_dismissed(demo, clock, fault_proxy) -> None:
    fault_proxy.add(Rule(error("InvalidDBInstanceState", AWS_SAYS), operation="RebootDBInstance"))
    app = frozen_app(Proxied(fault_proxy.url), clock=clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await fail_over(app, pilot, "orders-pg")
        assert fault_proxy.count("RebootDBInstance") == 1 and fault_proxy.forwarded("RebootDBInstance") == 0
        assert app.notices[-1].startswith("failover of orders-pg failed: orders-pg is not in a state")
        (toast,) = app.screen.query(Toast)  # the refusal's toast: three lines, none over the detail pane
        assert toast.region.height >= 3 and not covers(toast.region, app.query_one(DetailPane).region)
        text = flat(await open_history(app, pilot))
        assert "refused by AWS failover of orders-pg (us-east-1)" in text
        assert f"InvalidDBInstanceState: failover of orders-pg failed: orders-pg is not in a state that allows " \
               f"this right now (AWS: {AWS_SAYS})" in text  # AWS's words as they are: no markup
        assert "x Dismiss results" in screen_text(app).splitlines()[-1]
        await close_history(app, pilot)
        assert "✗ refused" in row(app, "orders-pg", "primary")
        assert detail_text(app).startswith("✗ refused by AWS (InvalidDBInstanceState) 0s ago: failover of orders-pg")
        assert f"(AWS: {AWS_SAYS})  (x dismisses, a: history)" in detail_text(app)  # plain text
        assert "x" in footer_keys(app)  # a failure on screen: x dismisses it, here too
        # Long after, polls later: a failure stays.
        clock.now += timedelta(minutes=30)
        await poll_now(app, pilot)
        await pilot.pause(1.2)
        assert "✗ refused" in row(app, "orders-pg", "primary")
        assert detail_text(app).startswith("✗ refused by AWS (InvalidDBInstanceState) 30m00s ago")
        # Dismissed from the history: gone from the node, still listed.
        await open_history(app, pilot)
        assert "x" in footer_keys(app)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen) and "x" not in footer_keys(app)
        text = flat(screen_text(app))
        assert "refused by AWS failover of orders-pg" in text and "on its node" not in text
        await close_history(app, pilot)
        assert "✗ refused" not in row(app, "orders-pg", "primary")
        assert "refused by AWS" not in detail_text(app) and detail_text(app).startswith("orders-pg  primary")
        assert "x" not in footer_keys(app)  # nothing left to dismiss


async def test_x_on_the_main_screen_dismisses_a_failure(demo, clock, fault_proxy) -> None:
    fault_proxy.add(Rule(error("InvalidDBInstanceState", AWS_SAYS), operation="RebootDBInstance"))
    app = frozen_app(Proxied(fault_proxy.url), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await fail_over(app, pilot, "orders-pg")
        assert "✗ refused" in row(app, "orders-pg", "primary")
        await pilot.press("x")
        await pilot.pause()
        assert "✗ refused" not in row(app, "orders-pg", "primary") and "x" not in footer_keys(app)
        assert "refused by AWS failover of orders-pg" in flat(await open_history(app, pilot))  # still listed


# --------------------------------------------------------------------------- a: earlier sessions


def logged(**fields: Any) -> str:
    entry = {
        "time": "2025-03-13T08:01:02.000Z", "profile": "prod-admin", "account": "123456789012",
        "action": "failover", "region": "us-east-1", "target": "orders-pg", "target_arn": None,
        "api": "RebootDBInstance", "params": {}, "outcome": "succeeded", "error_code": None,
        "message": "failover of orders-pg started: it is rebooting", "duration_s": 0.4,
    }
    return json.dumps(entry | fields) + "\n"


async def test_earlier_sessions_are_listed_from_the_audit_log(demo, clock, state_home) -> None:
    state_home.mkdir(parents=True)
    log = state_home / "demo-actions.jsonl"
    log.write_text(
        logged(outcome="sent", message="sent; outcome not known yet", duration_s=0.0)
        + logged()  # its outcome: one action, accepted
        + "{not json at all\n"
        + "\x00\x01\xff binary\n"
        + "[1, 2, 3]\n"
        + logged(action="promote", api=None, outcome="refused", message="not a replica")  # a key: no plan
        + logged(time="2025-03-13T09:00:00Z", action="promote", target="orders-pg-ro1", api="PromoteReadReplica",
                 outcome="failed", error_code="AccessDenied",
                 message="access denied [red]boom[/red]\x1b]0;owned\x07\x1b[2J (AWS: not authorized)")
        + logged(time="2025-03-13T09:05:00Z", target="search-aurora", api="FailoverDBCluster", outcome="cancelled",
                 message="cancelled at the confirmation", duration_s=0.0)
        + logged(time="2025-03-13T09:10:00Z", target="inventory-maz", api="FailoverDBCluster", outcome="sent",
                 message="sent; outcome not known yet", duration_s=0.0)
        + '{"time": "2025-03-13T09:11:00Z", "outcome": "fail\n'  # cut mid-line (a crash): skipped
    )
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: this session's, written to the same log
        await ready(app, pilot)
        text = await open_history(app, pilot)
    lines = [line.strip("│ ") for line in text.splitlines()]
    session = lines.index("This session")
    earlier = lines.index("Earlier sessions (the last 4)")
    assert lines[session + 1].startswith(f"{FROZEN_NOW:%H:%M:%S}  cancelled  failover of orders-pg")
    # "from <the log's path>": a long path (under a test runner's temporary directory) wraps.
    first = next(i for i in range(earlier + 1, len(lines)) if lines[i].startswith("2025-"))
    assert "".join(lines[earlier + 1 : first]).replace(" ", "") == f"from{log}".replace(" ", "")
    shown = lines[first : first + 8]
    assert shown == [
        "2025-03-13 09:10  no outcome logged  failover of inventory-maz (us-east-1)  profile prod-admin",
        "sent; outcome not known yet",
        "2025-03-13 09:05  cancelled  failover of search-aurora (us-east-1)  profile prod-admin",
        "cancelled at the confirmation",
        "2025-03-13 09:00  failed  promote of orders-pg-ro1 (us-east-1)  call 400ms  profile prod-admin",
        "AccessDenied: access denied [red]boom[/red] (AWS: not authorized)",  # data: no markup, no escapes
        "2025-03-13 08:01  accepted  failover of orders-pg (us-east-1)  call 400ms  profile prod-admin",
        "failover of orders-pg started: it is rebooting",
    ], "\n".join(lines)
    assert "not a replica" not in text and "\x1b" not in text
    written = read_tail(log, 100)
    assert [e["outcome"] for e in written if str(e.get("time")).startswith("2025-03-14")] == ["cancelled"]


def test_the_tail_is_the_last_twenty_and_ends_where_the_session_began(tmp_path) -> None:
    log = tmp_path / "actions.jsonl"
    log.write_text("".join(logged(target=f"db-{n}", message=f"number {n}") for n in range(30)))
    began = log.stat().st_size
    with log.open("a") as handle:
        handle.write(logged(target="this-session"))
        handle.write("garbage\n")
    found = last_actions(log, 20, end=began)
    assert [a.target for a in found] == [f"db-{n}" for n in range(29, 9, -1)]  # newest first
    assert last_actions(log, 1)[0].target == "this-session"  # the malformed last line is skipped
    assert last_actions(tmp_path / "missing.jsonl") == []


# --------------------------------------------------------------------------- results on nodes


async def test_a_result_stays_on_its_node_until_the_first_poll_ten_minutes_after(demo, clock) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await fail_over(app, pilot, "orders-pg")
        await follow(app, pilot, demo, clock, 30)
        assert "✓ 0s ago" in row(app, "orders-pg", "primary")
        assert detail_text(app).startswith("✓ failover done in 30s: now in us-east-1b · 0s ago")
        clock.now += timedelta(seconds=34)  # no poll: the age ticks all the same
        await pilot.pause(1.2)
        assert "✓ 34s ago" in row(app, "orders-pg", "primary")
        assert detail_text(app).startswith("✓ failover done in 30s: now in us-east-1b · 34s ago")
        clock.now += timedelta(minutes=9)
        await poll_now(app, pilot)
        await pilot.pause(1.2)
        assert "✓ 9m ago" in row(app, "orders-pg", "primary")  # before its ten minutes: still there
        clock.now += timedelta(seconds=30)  # past ten minutes, but no poll yet
        await pilot.pause(1.2)
        assert "✓ 10m ago" in row(app, "orders-pg", "primary")
        await poll_now(app, pilot)  # the first poll after: it goes
        await pilot.pause(1.2)
        assert "✓" not in row(app, "orders-pg", "primary")
        assert "failover done" not in detail_text(app) and detail_text(app).startswith("orders-pg  primary")
        (record,) = app.runtime.desk.history()
        assert record.stage is Stage.DONE and not record.on_node  # still listed in `a`
        assert "done  failover of orders-pg (us-east-1)  took 30s" in await open_history(app, pilot)


def plan_on(key: str) -> ActionPlan:
    target = Target(key, key, "DB instance", "us-east-1")
    return ActionPlan(ActionKind.FAILOVER, f"Fail over {key}", "Fail over", target, "RebootDBInstance", {}, (), ())


def test_history_keeps_the_newest_result_per_node_and_retires_successes_only() -> None:
    history = ActionHistory()
    start = FROZEN_NOW
    a, b = plan_on("a"), plan_on("b")
    history.begun(a, "failover", start)
    history.answered(a, Outcome(True, "started"), "started", start)
    history.settled(Settled(a, True, "failover done in 30s: now in us-east-1b", 30.0), start + timedelta(seconds=30))
    history.retire({(None, "us-east-1"): start + timedelta(minutes=10, seconds=29)})  # not yet ten minutes
    assert history.on_nodes()["a"].stage is Stage.DONE
    history.begun(b, "failover", start)
    history.answered(b, Outcome(False, "no", "AccessDenied", 0.2), "failover of b failed: no", start)
    history.begun(a, "failover", start + timedelta(minutes=1))  # again on a: its result waits for this one
    history.answered(a, Outcome(False, "gone", "Timeout", 30.0), "failover of a failed: gone", start)
    shown = history.on_nodes()
    assert (shown["a"].stage, shown["b"].stage) == (Stage.NO_ANSWER, Stage.REFUSED)
    assert shown["b"].error_code == "AccessDenied" and shown["b"].duration_s(start) == 0.2
    history.retire({(None, "us-east-1"): start + timedelta(minutes=10, seconds=30)})
    assert set(history.on_nodes()) == {"a", "b"}  # failures stay
    assert [r.on_node for r in history.records()] == [True, True, False]  # the success is retired
    assert history.dismiss("a") == 1 and set(history.on_nodes()) == {"b"}
    assert [r.stage for r in history.records()] == [Stage.NO_ANSWER, Stage.REFUSED, Stage.DONE]


# --------------------------------------------------------------------------- toasts


def covers(widget_region: Any, other: Any) -> bool:
    return widget_region.intersection(other).area > 0


@pytest.mark.parametrize("size", [(80, 24), (40, 12), (81, 25)], ids=["80x24", "40x12", "81x25"])
async def test_toasts_leave_the_detail_pane_alone(demo, clock, size) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=size, notifications=True) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await pilot.press("p")  # a primary: the refusal's one line is a toast
        await select(app, pilot, "legacy-reports")
        await pilot.press("p", "f")
        app._notify("failover of orders-pg failed: " + "a long AWS message that wraps " * 6, severity="error")
        await pilot.pause(0.5)
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 4
        detail, lower = app.query_one(DetailPane), app.query_one("#right")
        assert detail.region.height >= 4 and "legacy-reports" in detail_text(app)
        for toast in toasts:
            assert toast.region.height >= 1
            assert not covers(toast.region, detail.region), (toast.region, detail.region)
            assert not covers(toast.region, lower.region), (toast.region, lower.region)  # nor its title
        newest = toasts[-1].region
        assert newest.bottom > 1 and newest.bottom <= lower.region.y  # on screen, right above the pane
        if size == (80, 24):
            visible = screen_text(app)
            assert "legacy-reports is single-AZ: there" in visible and "failover of orders-pg failed" in visible
