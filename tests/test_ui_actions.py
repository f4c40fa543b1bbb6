"""s, f and p in the console against the demo fleet on the moto server, driven like a user.

Each test starts its own demo fleet (the actions change it) with a clock the
test moves: the demo plays each action out over that time (operations.py), the
console polls, and the tree shows the result. Every RDS call the server gets is
recorded server side (`wire`), so "nothing was sent" is measured where it counts.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from support import ACCOUNT, Clock, arn, find_node, follow, footer_keys, key_names
from textual.events import Key

from rdstui.core.action_exec import ReadOnlyError, execute
from rdstui.core.actions import ActionPlan, plan
from rdstui.core.audit import read_entries
from rdstui.core.config import Settings, load_config
from rdstui.core.model import NodeType
from rdstui.ui.actions.modal import ActionModal
from rdstui.ui.app import RdsApp
from rdstui.ui.detail.widget import DetailPane
from rdstui.ui.testing import (
    FROZEN_NOW,
    frozen_app,
    ready,
    screen_text,
    tree_rows,
)
from rdstui.ui.tree.widget import FleetTree

SIZE = (80, 24)


@pytest.fixture
def clock() -> Clock:
    """The console's frozen moment (the conftest `demo` runs on this clock too)."""
    return Clock(FROZEN_NOW)


@pytest.fixture
def wire(monkeypatch) -> list[tuple[str, dict[str, str]]]:
    """Every modifying RDS call the moto server receives, with its parameters (server side)."""
    from moto.rds.responses import RDSResponse

    seen: list[tuple[str, dict[str, str]]] = []
    original = RDSResponse.call_action

    def recording(self: Any) -> Any:
        action = self._get_action()
        if not action.startswith(("Describe", "List")):
            params = {k: v[0] for k, v in self.querystring.items() if k not in ("Action", "Version")}
            seen.append((action, params))
        return original(self)

    monkeypatch.setattr(RDSResponse, "call_action", recording)
    return seen


# --------------------------------------------------------------------------- helpers


def node_key(app: RdsApp, ident: str) -> str:
    return next(n.key for n in app.fleet.walk() if n.id == ident and n.type is not NodeType.STANDBY)


async def select(app: RdsApp, pilot, ident: str) -> None:
    app.jump_to(node_key(app, ident))
    await ready(app, pilot)


async def open_modal(app: RdsApp, pilot, key: str) -> ActionModal:
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(app.screen, ActionModal), f"no modal after {key}: {app.notices[-1:]}"
    return app.screen


def flat(text: str) -> str:
    """Screen text with the wrapping undone (modal borders and runs of spaces removed)."""
    return " ".join(text.replace("│", " ").split())


def squeezed(text: str) -> str:
    """No spaces at all: for long values (ARNs) that wrap mid-word."""
    return "".join(text.replace("│", " ").split())


async def cancel_first(app: RdsApp, pilot, key: str, wire: list) -> ActionModal:
    """Open the modal, press enter (focus starts on Cancel: it cancels), check nothing
    was sent, and open it again."""
    await open_modal(app, pilot, key)
    await pilot.press("enter")
    await ready(app, pilot)
    assert not isinstance(app.screen, ActionModal)
    assert wire == [] and app.notices[-1] == "cancelled: nothing was sent"
    return await open_modal(app, pilot, key)


async def confirm(app: RdsApp, pilot, phrase: str | None) -> None:
    """Type the identifier (focus is on Cancel: typing goes to the field), enter, enter."""
    modal = app.screen
    assert isinstance(modal, ActionModal)
    if phrase is not None:
        await pilot.press(*key_names(phrase))
        await pilot.press("enter")  # moves to the confirm button; never confirms by itself
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "confirm"
    else:
        await pilot.press("tab")  # Cancel -> the confirm button
    await pilot.press("enter")
    await ready(app, pilot)


def row(app: RdsApp, ident: str, role: str | None = None) -> tuple[int, str]:
    for depth, text in tree_rows(app):
        words = text.split()
        if words and words[0] == ident and (role is None or words[1] == role):
            return depth, text
    raise AssertionError(f"{ident} not in the tree")


def audit(state_home) -> list[dict[str, Any]]:
    return list(read_entries(state_home / "demo-actions.jsonl"))  # the demo never writes the real trail


# --------------------------------------------------------------------------- f: instance


async def test_instance_failover_cancel_then_confirm_then_settles(demo, clock, wire, state_home) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        assert {"s", "f"} <= footer_keys(app) and "p" not in footer_keys(app)
        modal = await open_modal(app, pilot, "f")
        text = flat(screen_text(app))
        assert "Fail over orders-pg to its standby" in text
        assert "Target orders-pg (DB instance, postgres 16.4, us-east-1)" in text
        assert "about 60 s of downtime while DNS moves to the standby" in text
        assert "API call RebootDBInstance in us-east-1" in text
        assert "DBInstanceIdentifier='orders-pg' ForceFailover=True" in text
        assert "Type orders-pg to confirm" in text
        assert app.focused is not None and app.focused.id == "cancel"  # focus starts on Cancel
        confirm_button = modal.query_one("#confirm")
        assert confirm_button.disabled and str(confirm_button.label) == "Fail over"
        await pilot.press(*key_names("orders-p"))  # not yet the identifier
        await pilot.pause()
        assert confirm_button.disabled
        await pilot.press("escape")  # cancels
        await ready(app, pilot)
        assert not isinstance(app.screen, ActionModal)
        assert wire == [] and app.notices[-1] == "cancelled: nothing was sent"

        await open_modal(app, pilot, "f")
        await confirm(app, pilot, "orders-pg")
        assert wire == [("RebootDBInstance", {"DBInstanceIdentifier": "orders-pg", "ForceFailover": "true"})]
        assert "failover of orders-pg started: it is rebooting" in app.notices
        _, line = row(app, "orders-pg", "primary")
        assert "rebooting" in line and "⟳" in line and "failover" in line
        assert "⟳ failover of orders-pg: rebooting" in screen_text(app)
        # In flight: the key is greyed in the footer, and pressed it says why; nothing more is sent.
        assert "f" not in footer_keys(app)
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, ActionModal)
        assert app.notices[-1].startswith("a failover of orders-pg is already in progress")
        assert len(wire) == 1
        # The demo swaps the zones at 18 s and is available at 30 s; polls follow it.
        await follow(app, pilot, demo, clock, 20)
        assert "us-east-1b" in row(app, "orders-pg", "primary")[1] and "⟳" in row(app, "orders-pg", "primary")[1]
        await follow(app, pilot, demo, clock, 15)
        _, line = row(app, "orders-pg", "primary")
        assert "available" in line and "us-east-1b" in line and "⟳" not in line
        assert "us-east-1a" in row(app, "orders-pg", "standby")[1]
        settled = [n for n in app.notices if n.startswith("failover done in")]
        assert settled and settled[0].endswith("now in us-east-1b")
        assert any(e.message == settled[0] for e in app.runtime.desk.lines)  # and in the events pane
        assert "f" in footer_keys(app)  # offered again
    entries = audit(state_home)
    assert [e["outcome"] for e in entries] == ["cancelled", "sent", "succeeded", "refused"]
    assert entries[1]["params"] == entries[2]["params"]  # "sent" is on disk before the call
    done = entries[2]
    assert (done["profile"], done["account"], done["region"], done["target"]) == ("demo", ACCOUNT, "us-east-1", "orders-pg")
    assert done["api"] == "RebootDBInstance"
    assert done["params"] == {"DBInstanceIdentifier": "orders-pg", "ForceFailover": True}
    assert done["duration_s"] >= 0 and done["time"].endswith("Z")
    assert "already in progress" in entries[3]["message"]


# --------------------------------------------------------------------------- f: clusters


async def test_mysql_multi_az_db_cluster_failover_lets_aws_choose(demo, clock, wire) -> None:
    """TargetDBInstanceIdentifier "isn't supported for RDS for MySQL Multi-AZ DB clusters": no picker."""
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "inventory-maz")
        await cancel_first(app, pilot, "f", wire)
        text = flat(screen_text(app))
        assert "Target inventory-maz (Multi-AZ DB cluster," in text
        assert "New writer" not in text and "AWS chooses which readable standby becomes the writer" in text
        assert "API call FailoverDBCluster in us-east-1 DBClusterIdentifier='inventory-maz'" in text
        assert "TargetDBInstanceIdentifier" not in text
        await confirm(app, pilot, "inventory-maz")
        assert wire == [("FailoverDBCluster", {"DBClusterIdentifier": "inventory-maz"})]
        await follow(app, pilot, demo, clock, 20)
        assert row(app, "inventory-maz-instance-2")[1].split()[1] == "writer"
        assert row(app, "inventory-maz-instance-1")[1].split()[1] == "reader"
        assert any(n.endswith("inventory-maz-instance-2 is now the writer") for n in app.notices)


@pytest.mark.parametrize(
    ("cluster", "readers", "pick", "writer_before"),
    [
        ("search-aurora", ["search-aurora-b"], 0, "search-aurora-a"),
        ("payments-use1", ["payments-use1-b", "payments-use1-c"], 1, "payments-use1-a"),
    ],
    ids=["aurora", "global-primary-in-region"],
)
async def test_cluster_failover_picks_a_reader(demo, clock, wire, cluster, readers, pick, writer_before) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, cluster)
        modal = await cancel_first(app, pilot, "f", wire)
        text = flat(screen_text(app))
        assert f"Target {cluster} (Aurora DB cluster," in text
        assert f"Account {ACCOUNT} (the demo)" in text  # which account the call would change
        assert "New writer" in text
        for reader in readers:
            assert reader in text
        assert f"API call FailoverDBCluster in us-east-1 DBClusterIdentifier='{cluster}' " in text
        assert f"TargetDBInstanceIdentifier='{readers[0]}'" in text
        if pick:
            await pilot.press("tab")  # Cancel -> (confirm is disabled) -> the reader picker
            assert app.focused is modal.query_one("#choice-target")
            await pilot.press("down", "enter")
            await pilot.pause()
            assert f"TargetDBInstanceIdentifier='{readers[pick]}'" in flat(screen_text(app))  # updated live
        await confirm(app, pilot, cluster)
        assert wire == [
            ("FailoverDBCluster", {"DBClusterIdentifier": cluster, "TargetDBInstanceIdentifier": readers[pick]})
        ]
        await follow(app, pilot, demo, clock, 20)
        assert row(app, readers[pick])[1].split()[1] == "writer"
        assert row(app, writer_before)[1].split()[1] == "reader"
        assert any(n.endswith(f"{readers[pick]} is now the writer") for n in app.notices)


@pytest.mark.parametrize("mode", ["switchover", "failover"])
async def test_global_database_switchover_or_failover(demo, clock, wire, mode) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "payments-global")
        modal = await cancel_first(app, pilot, "f", wire)
        text = flat(screen_text(app))
        assert "Switch over payments-global to payments-usw2" in text
        assert "Target payments-global (global database, aurora-postgresql" in text
        # The secondaries with their lag; switchover (no data loss) is the default.
        assert "payments-usw2 (us-west-2, lag" in text and "payments-euw1 (eu-west-1, lag" in text
        assert modal.plan.operation == "SwitchoverGlobalCluster" and not modal.plan.data_loss
        await pilot.press("tab", "tab")  # target picker, then how
        assert app.focused is modal.query_one("#choice-mode")
        await pilot.pause()
        text = flat(screen_text(app))
        assert "Switch over (no data loss)" in text and "Fail over with DATA LOSS" in text
        assert "pgdn: more" in text  # at 80x24 the API call is below: page down to it
        await pilot.press("pagedown")
        await pilot.pause()
        text = squeezed(screen_text(app))
        # Sent where AWS runs a switchover: the current primary's region, and the modal says so.
        assert "APIcallSwitchoverGlobalClusterinus-east-1(theregionofthecurrentprimarycluster" in text
        assert "GlobalClusterIdentifier='payments-global'" in text
        assert f"TargetDbClusterIdentifier='{arn('us-west-2', 'cluster', 'payments-usw2')}'" in text
        if mode == "failover":
            await pilot.press("down", "space")  # space selects the highlighted option, focus stays
            await pilot.pause()
            assert app.focused is modal.query_one("#choice-mode")
            assert "Fail over payments-global to payments-usw2 (DATA LOSS)" in flat(screen_text(app))
            assert str(modal.query_one("#confirm").label) == "Fail over with data loss"
            await pilot.press("pagedown")
            await pilot.pause()
            text = squeezed(screen_text(app))
            assert "APIcallFailoverGlobalClusterinus-west-2(thetarget'sregion" in text and "AllowDataLoss=True" in text
            await pilot.press("pageup", "pageup")
            await pilot.pause()
            text = flat(screen_text(app))
            assert "DATA LOSS · IRREVERSIBLE" in text
            assert "DATA LOSS: writes to payments-use1 not yet replicated to payments-usw2 (RPO lag" in text
        await confirm(app, pilot, "payments-global")
        expected = {
            "GlobalClusterIdentifier": "payments-global",
            "TargetDbClusterIdentifier": arn("us-west-2", "cluster", "payments-usw2"),
        }
        if mode == "failover":
            assert wire == [("FailoverGlobalCluster", expected | {"AllowDataLoss": "true"})]
        else:
            assert wire == [("SwitchoverGlobalCluster", expected)]
        assert "⟳" in row(app, "payments-global")[1]
        await follow(app, pilot, demo, clock, 55)
        assert row(app, "payments-usw2")[1].split()[1] == "primary"
        assert row(app, "payments-use1")[1].split()[1] == "secondary"
        assert "⟳" not in row(app, "payments-global")[1]
        assert any("payments-usw2 is now primary (us-west-2)" in n for n in app.notices)


# --------------------------------------------------------------------------- p


@pytest.mark.parametrize(
    ("ident", "operation", "params", "seconds"),
    [
        ("orders-pg-ro1", "PromoteReadReplica", {"DBInstanceIdentifier": "orders-pg-ro1"}, 65),
        ("search-aurora-euw1", "PromoteReadReplicaDBCluster", {"DBClusterIdentifier": "search-aurora-euw1"}, 50),
        (
            "payments-euw1",
            "RemoveFromGlobalCluster",
            {"GlobalClusterIdentifier": "payments-global", "DbClusterIdentifier": arn("eu-west-1", "cluster", "payments-euw1")},
            35,
        ),
    ],
    ids=["instance-replica", "replica-cluster", "global-secondary"],
)
async def test_promote_stands_alone(demo, clock, wire, state_home, ident, operation, params, seconds) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, ident)
        depth_before, _ = row(app, ident)
        assert depth_before >= 1 and "p" in footer_keys(app)
        modal = await cancel_first(app, pilot, "p", wire)
        text = flat(screen_text(app))
        assert "IRREVERSIBLE" in text and "stops" in text
        assert f"API call {operation}" in text
        for name, value in params.items():
            assert squeezed(f"{name}={value!r}") in squeezed(screen_text(app))
        assert modal.query_one("#confirm").disabled
        await confirm(app, pilot, ident)
        assert wire == [(operation, params)]
        await follow(app, pilot, demo, clock, seconds)
        depth, line = row(app, ident)
        assert depth == 0, f"{ident} still under its source: {line}"
        assert "⟳" not in line and "available" in line
        assert any(n.endswith(f"{ident} stands alone") for n in app.notices)
    assert [(e["outcome"], e["api"]) for e in audit(state_home)] == [
        ("cancelled", operation),
        ("sent", operation),
        ("succeeded", operation),
    ]


# --------------------------------------------------------------------------- s


@pytest.mark.parametrize(
    ("ident", "operation", "id_param", "name_param", "seconds"),
    [
        ("legacy-reports", "CreateDBSnapshot", "DBInstanceIdentifier", "DBSnapshotIdentifier", 30),
        ("inventory-maz", "CreateDBClusterSnapshot", "DBClusterIdentifier", "DBClusterSnapshotIdentifier", 40),
    ],
    ids=["instance", "cluster"],
)
async def test_snapshot_with_an_edited_name(demo, clock, wire, ident, operation, id_param, name_param, seconds) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, ident)
        modal = await cancel_first(app, pilot, "s", wire)
        proposed = f"{ident}-2025-03-14-0926"
        text = flat(screen_text(app))
        assert f"Take a snapshot of {ident}" in text
        assert f"{name_param}='{proposed}'" in text and f"{id_param}='{ident}'" in text
        confirm_button = modal.query_one("#confirm")
        assert not confirm_button.disabled and str(confirm_button.label) == "Take snapshot"
        assert app.focused is not None and app.focused.id == "cancel"
        name = modal.query_one("#name")
        # Typing on Cancel goes to the name, replacing the proposal (as the failover modal's
        # identifier field takes typing at once): keys in a burst, as over SSH, each reaching
        # Cancel before the focus has moved.
        cancel = app.focused
        for name_, char in zip(key_names("9-before--upgrade"), "9-before--upgrade"):
            cancel.post_message(Key(name_, char))
        await pilot.pause()
        assert app.focused is name and name.value == "9-before--upgrade"
        text = flat(screen_text(app))
        assert "must start with a letter" in text and confirm_button.disabled
        # The call shows the name as typed, marked, never the last valid one.
        assert f"{name_param}='9-before--upgrade' not valid" in text and proposed not in text
        await pilot.press("home", "delete", *key_names("pre"))
        await pilot.pause()
        assert "can't contain two consecutive hyphens" in flat(screen_text(app))
        await pilot.press("end", "ctrl+u", *key_names("pre-upgrade-1"))
        await pilot.pause()
        text = flat(screen_text(app))
        assert f"{name_param}='pre-upgrade-1'" in text and not confirm_button.disabled
        await pilot.press("enter", "enter")  # enter leaves the field for the button, then presses it
        await ready(app, pilot)
        assert wire == [(operation, {id_param: ident, name_param: "pre-upgrade-1"})]
        assert "⟳" in row(app, ident)[1] and "snapshot" in row(app, ident)[1]
        await follow(app, pilot, demo, clock, seconds)
        assert "⟳" not in row(app, ident)[1]
        assert any(n.startswith("snapshot pre-upgrade-1 available after") for n in app.notices)
        await ready(app, pilot)
        # The detail's backups are read again: its newest snapshot is this one.
        (view,) = app.query_one(DetailPane).postures.values()
        assert view.posture is not None and view.posture.newest_snapshot == "pre-upgrade-1"


# --------------------------------------------------------------------------- refusals, read-only, errors


async def test_keys_where_an_action_does_not_apply_say_why_and_send_nothing(demo, clock, wire, state_home) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        cases = [
            ("legacy-reports", "f", "legacy-reports is single-AZ: there is no standby to fail over to"),
            ("legacy-reports", "p", "legacy-reports is not a read replica: there is nothing to promote"),
            ("payments-global", "s", "a global database has no snapshots of its own"),
            ("payments-usw2", "f", "payments-usw2 is a secondary cluster of payments-global"),
            ("payments-use1-b", "p", "payments-use1-b is a reader of payments-use1"),
        ]
        for ident, key, reason in cases:
            await select(app, pilot, ident)
            assert key not in footer_keys(app)
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ActionModal)
            assert app.notices[-1].startswith(reason), app.notices[-1]
            assert "\n" not in app.notices[-1]
        # The standby line: select it in the tree itself.
        tree = app.query_one(FleetTree)
        standby = next(n for n in tree.nodes_by_key.values() if tree.line_text(n).plain.split()[:2] == ["orders-pg", "standby"])
        tree.move_cursor(standby)
        await ready(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert app.notices[-1] == "a standby is not a DB instance: select its primary orders-pg"
    assert wire == []
    entries = audit(state_home)
    assert len(entries) == len(cases) + 1 and {e["outcome"] for e in entries} == {"refused"}
    assert entries[0]["target"] == "legacy-reports" and entries[0]["region"] == "eu-west-1"


async def test_read_only_offers_nothing_explains_and_cannot_send(demo, clock, wire, state_home) -> None:
    settings = Settings(read_only=True, read_only_source="read_only = true for profile prod in config.toml")
    app = frozen_app(demo, clock=clock, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert "READ-ONLY" in screen_text(app).splitlines()[0]
        for ident in ("orders-pg", "orders-pg-ro1", "inventory-maz"):
            await select(app, pilot, ident)
            assert not {"s", "f", "p"} & footer_keys(app)
            footer = screen_text(app).splitlines()[-1]
            assert "Snapshot" not in footer and "Fail over" not in footer and "Promote" not in footer
            for key in ("s", "f", "p"):
                await pilot.press(key)
                await pilot.pause()
                assert not isinstance(app.screen, ActionModal)
                assert app.notices[-1] == (
                    "the console is read-only (read_only = true for profile prod in config.toml): "
                    "nothing that changes a database can be sent"
                )
        # Even a plan sent straight through the runtime's factory is stopped by the guard.
        fleet = app.fleet
        failover = plan("failover", find_node(fleet, "orders-pg"), fleet)
        assert isinstance(failover, ActionPlan)
        outcome = await execute(app.runtime.factory_for(None), failover)
        assert not outcome.ok and outcome.error_code == "ReadOnly"
        client = await app.runtime.factory_for(None).action_client("rds", "us-east-1")
        with pytest.raises(ReadOnlyError):
            await client.reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
        assert app.runtime.desk.seats[0].guard.blocked == ["RebootDBInstance", "RebootDBInstance"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert "READ-ONLY (read_only = true for profile prod in config.toml)" in flat(screen_text(app))
    assert wire == []
    assert {e["outcome"] for e in audit(state_home)} == {"refused"}


async def test_read_only_switch_from_the_palette(demo, clock, wire) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        titles = lambda: [c.title for c in app.get_system_commands(app.screen)]  # noqa: E731
        assert "Read-only: on" in titles() and "Read-only: off" not in titles()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*key_names("read-only: on"))
        await pilot.pause(0.5)
        await pilot.press("enter")
        await ready(app, pilot)
        assert app.runtime.desk.read_only and app.runtime.desk.seats[0].guard.enabled
        assert "READ-ONLY" in screen_text(app).splitlines()[0]
        assert "f" not in footer_keys(app)
        await pilot.press("f")
        await pilot.pause()
        assert app.notices[-1].startswith("the console is read-only (turned on from the command palette)")
        assert "Read-only: off" in titles()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*key_names("read-only: off"))
        await pilot.pause(0.5)
        await pilot.press("enter")
        await ready(app, pilot)
        assert not app.runtime.desk.read_only and not app.runtime.desk.seats[0].guard.enabled and "f" in footer_keys(app)
        assert "READ-ONLY" not in screen_text(app).splitlines()[0]
    assert wire == []
    # Read-only from the flag or the config file can't be switched off in the session.
    app = frozen_app(demo, clock=clock, settings=Settings(read_only=True, read_only_source="--read-only"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert not {"Read-only: on", "Read-only: off"} & set(titles())
        assert not app.runtime.desk.set_read_only(False)
        assert app.runtime.desk.read_only and app.runtime.desk.seats[0].guard.enabled


async def test_aws_errors_in_plain_words_and_the_console_goes_on(demo, clock, wire, state_home) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await open_modal(app, pilot, "f")
        demo.break_region("us-east-1", "AccessDenied", "User: arn:aws:iam::123456789012:user/oncall is not authorized")
        try:
            await confirm(app, pilot, "orders-pg")
        finally:
            demo.heal_region("us-east-1")
        assert [call for call, _ in wire] == ["RebootDBInstance"]  # sent, and refused by AWS
        line = app.notices[-1]
        assert line.startswith("failover of orders-pg failed: access denied: these credentials may not call "
                               "rds:RebootDBInstance on orders-pg (AWS: User: arn:aws:iam::")
        assert app.is_running and not app.runtime.desk.in_flight()
        assert "f" in footer_keys(app)  # not in flight: the key is offered again
        # Someone else reboots it after the console's last poll: AWS refuses ours (invalid state).
        await open_modal(app, pilot, "f")
        demo.client("rds", "us-east-1").reboot_db_instance(DBInstanceIdentifier="orders-pg")
        await confirm(app, pilot, "orders-pg")
        assert app.notices[-1].startswith("failover of orders-pg failed: orders-pg is not in a state that allows")
        assert [call for call, _ in wire] == ["RebootDBInstance"] * 3
        assert not app.runtime.desk.in_flight() and app.is_running
    outcomes = [(e["outcome"], e["error_code"]) for e in audit(state_home)]
    assert outcomes == [("sent", None), ("failed", "AccessDenied"), ("sent", None), ("failed", "InvalidDBInstanceState")]


async def test_double_confirm_and_fast_keys_send_one_call(demo, clock, wire) -> None:
    """The key, the identifier and enter typed twice in one burst (a paste, a laggy SSH)."""
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        burst = ["f", *key_names("orders-pg"), "enter", "enter"]
        await pilot.press(*burst, *burst)
        await ready(app, pilot)
        assert not isinstance(app.screen, ActionModal)
        assert [call for call, _ in wire] == ["RebootDBInstance"]
        assert any("already in progress" in n for n in app.notices)


# --------------------------------------------------------------------------- polling


async def test_a_key_typed_ahead_acts_on_the_row_the_cursor_reached(demo, clock, wire) -> None:
    """`down s` in one burst (a laggy SSH): the snapshot is of the row below, not the one left."""
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        tree = app.query_one(FleetTree)
        for start, below in (("orders-pg-ro1", "orders-pg-ro1-cascade"), ("catalog-mysql-ro-drift", "catalog-mysql-ro-spiky")):
            await select(app, pilot, start)
            assert tree.line_text(tree.cursor_node).plain.split()[0] == start
            await pilot.press("down", "s")
            await pilot.pause()
            assert isinstance(app.screen, ActionModal), app.notices[-1:]
            assert app.screen.plan.target.id == below
            await pilot.press("escape")
            await pilot.pause()
    assert wire == []


async def test_a_filter_matching_nothing_selects_nothing_and_the_keys_say_so(demo, clock, wire, state_home) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "inventory-maz")
        await pilot.press("slash", "z", "z", "z", "enter")
        await pilot.pause()
        assert "no match" in screen_text(app)
        assert app.selected_node() is None
        assert not {"s", "f", "p"} & footer_keys(app)
        for key in ("f", "s", "p"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ActionModal)
            assert app.notices[-1] == "select a database first: none is shown"
        assert "inventory-maz" not in screen_text(app)  # the detail pane let go of it too
    assert wire == []


async def test_on_a_tiny_terminal_the_modal_says_so_and_confirms_nothing(demo, clock, wire) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=(20, 8)) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await open_modal(app, pilot, "f")
        words = " ".join(line.strip("│╭╮╰╯─ ") for line in screen_text(app).splitlines())
        assert "Terminal 20x8: too small to confirm (needs 36x10). Esc cancels." in words
        await pilot.press("tab", *key_names("orders-pg"), "enter", "enter")
        await pilot.pause()
        assert wire == []
        await pilot.resize_terminal(80, 24)  # made bigger: the dialog is back, still unconfirmed
        await pilot.pause()
        assert isinstance(app.screen, ActionModal) and "too small" not in screen_text(app)
        assert "RebootDBInstance" in screen_text(app)
    assert wire == []


async def test_at_40x12_the_typed_identifier_and_the_buttons_show(demo, clock, wire) -> None:
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=(40, 12)) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "payments-global")
        await open_modal(app, pilot, "f")
        await pilot.press("tab", "tab", "tab", *key_names("payments-glo"))
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert any(line.strip("│ ") == "payments-glo" for line in lines), "\n".join(lines)
        assert "Switch over" in lines[-2] and "Cancel" in lines[-2]


async def test_a_slow_region_does_not_hold_back_the_first_tree(demo, clock, monkeypatch) -> None:
    import rdstui.core.watch as watch_module

    gate = asyncio.Event()
    original = watch_module.describe_region

    async def slow_in_europe(factory, region):
        if region == "eu-west-1":
            await gate.wait()
        return await original(factory, region)

    monkeypatch.setattr(watch_module, "describe_region", slow_in_europe)
    app = frozen_app(demo, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.fleet is not None and find_node(app.fleet, "orders-pg") and find_node(app.fleet, "catalog-mysql"):
                break
        shown = {text.split()[0] for _, text in tree_rows(app)}
        assert {"orders-pg", "catalog-mysql", "payments-global"} <= shown
        assert "legacy-reports" not in shown
        header = screen_text(app).splitlines()[0]
        assert ("eu-west-1…" in header or "2✓ 1…" in header) and "✗" not in header  # waiting, not failed
        gate.set()
        await ready(app, pilot)
        assert "legacy-reports" in {text.split()[0] for _, text in tree_rows(app)}
        header = screen_text(app).splitlines()[0]
        assert "eu-west-1✓" in header or "3✓" in header


async def test_polls_come_faster_while_an_action_is_in_flight(demo, clock) -> None:
    app = frozen_app(demo, clock=clock, settings=Settings(refresh=600))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        loops = app.runtime.watch.loops
        await select(app, pilot, "orders-pg")
        await open_modal(app, pilot, "f")
        await confirm(app, pilot, "orders-pg")
        assert loops["us-east-1"].hurried  # its region every few seconds while it runs
        assert not loops["eu-west-1"].hurried and not loops["us-west-2"].hurried
        before = loops["us-east-1"].snapshot.state.attempted_at
        clock.now += timedelta(seconds=5)
        await ready(app, pilot, since=clock.now)  # polled again well before the 600 s refresh
        assert loops["us-east-1"].snapshot.state.attempted_at > before


def test_read_only_source_names_the_flag_or_the_config_line(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[profiles.prod]\nread_only = true\n")
    config = load_config(path)
    assert config.settings({"profile": "prod"}).read_only_source == f"read_only = true for profile prod in {path}"
    assert config.settings({"profile": "dev"}).read_only_source is None
    assert config.settings({"profile": "dev", "read_only": True}).read_only_source == "--read-only"
