"""Several AWS accounts in one tree: `--profile a,b,c`.

Two moto server processes stand for two accounts (moto takes the account id from
MOTO_ACCOUNT_ID, process-wide), each behind a fault proxy that counts what reaches it
and whose keys signed it. The profiles live in a test AWS config file, each with its own
`endpoint_url` and keys: prod and prod-admin reach account A, staging account B (its keys
from a credential_process), and broken has no credentials at all.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from faultproxy import FaultProxy, error, slow
from support import footer_keys, key_names
from textual.command import CommandPalette

from rdstui.cli import main, parse, settings_from
from rdstui.core.actions import ActionKind, ActionPlan, Refusal
from rdstui.core.audit import read_entries
from rdstui.core.errors import SetupError
from rdstui.core.model import Fleet, Node, NodeType
from rdstui.demo.process import moto_server
from rdstui.runtime import Options, open_runtime
from rdstui.ui.actions.modal import ActionModal
from rdstui.ui.app import RdsApp
from rdstui.ui.screens.commands import FleetCommands
from rdstui.ui.testing import ready, screen_text, tree_rows
from rdstui.ui.tree.widget import FleetTree

ACCOUNT_A, ACCOUNT_B = "111111111111", "222222222222"
KEYS = {"prod": "AKIAPRODEXAMPLE", "prod-admin": "AKIAPRODADMINEXAMPLE", "staging": "AKIASTAGINGEXAMPLE"}
REGION = "us-east-1"


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """Account id -> its moto server's URL."""
    started = {account: moto_server({"MOTO_ACCOUNT_ID": account}) for account in (ACCOUNT_A, ACCOUNT_B)}
    yield {account: url for account, (_, url) in started.items()}
    for proc, _ in started.values():
        proc.terminate()
        proc.wait(10)


def rds(url: str) -> Any:
    return boto3.client(
        "rds", region_name=REGION, endpoint_url=url, aws_access_key_id="seed", aws_secret_access_key="seed",
        config=Config(retries={"total_max_attempts": 1}),
    )


@pytest.fixture
def accounts(servers: dict[str, str]) -> Iterator[dict[str, FaultProxy]]:
    """Both accounts emptied and seeded (each has an `orders-db`; A's has a replica, B has a
    `scratch-db` without backups: a warning), each behind its own proxy: account id -> proxy."""
    for url in servers.values():
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).read()
        client = rds(url)
        client.create_db_instance(
            DBInstanceIdentifier="orders-db", DBInstanceClass="db.t3.micro", Engine="postgres",
            MasterUsername="admin", MasterUserPassword="secret-password", AllocatedStorage=20,
            BackupRetentionPeriod=7,
        )
    rds(servers[ACCOUNT_A]).create_db_instance_read_replica(
        DBInstanceIdentifier="orders-db-ro1", SourceDBInstanceIdentifier="orders-db",
    )
    rds(servers[ACCOUNT_B]).create_db_instance(
        DBInstanceIdentifier="scratch-db", DBInstanceClass="db.t3.micro", Engine="mysql",
        MasterUsername="admin", MasterUserPassword="secret-password", AllocatedStorage=20, BackupRetentionPeriod=0,
    )
    proxies = {account: FaultProxy(url).start() for account, url in servers.items()}
    yield proxies
    for proxy in proxies.values():
        proxy.stop()


@pytest.fixture
def aws_config(accounts: dict[str, FaultProxy], tmp_path: Path, monkeypatch) -> Path:
    """~/.aws/config with the four profiles, and nothing else of the machine's AWS set-up."""
    a, b = accounts[ACCOUNT_A].url, accounts[ACCOUNT_B].url
    path = tmp_path / "aws-config"
    profiles = [("prod", a, KEYS["prod"]), ("prod-admin", a, KEYS["prod-admin"])]
    text = "".join(
        f"[profile {name}]\nregion = {REGION}\nendpoint_url = {url}\n"
        f"aws_access_key_id = {key}\naws_secret_access_key = secret\n\n"
        for name, url, key in profiles
    )
    process = tmp_path / "staging-credentials.py"  # staging's keys come from a credential_process
    process.write_text(f"import json\nprint(json.dumps({{'Version': 1, 'AccessKeyId': '{KEYS['staging']}', "
                       f"'SecretAccessKey': 'secret'}}))\n")
    text += f"[profile staging]\nregion = {REGION}\nendpoint_url = {b}\n"
    text += f"credential_process = {sys.executable} {process}\n\n"
    text += f"[profile broken]\nregion = {REGION}\nendpoint_url = {b}\n"  # no credentials anywhere
    path.write_text(text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # "no credentials" at once, not after IMDS
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                 "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no rdstui config unless a test writes one
    return path


def rdstui_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xdg" / "rdstui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def options_for(*argv: str) -> Options:
    return Options.from_settings(*settings_from(parse(list(argv))), demo=False)


def by_account(fleet: Fleet) -> dict[str | None, Node]:
    return {root.account: root for root in fleet.roots}


def find(fleet: Fleet, account: str, ident: str) -> Node:
    return next(n for n in fleet.walk() if n.account == account and n.id == ident and n.type is NodeType.INSTANCE)


def signed_by(proxy: FaultProxy, operation: str) -> list[str | None]:
    return [call.access_key for call in proxy.calls if call.operation == operation]


# -- status ----------------------------------------------------------------------


def test_status_json_has_the_accounts_and_every_entry_says_its_account(aws_config, accounts, capsys):
    code = main(["status", "--json", "--profile", "prod,prod-admin", "--profile", "staging", "--profile", "broken"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1  # a profile failed: the others are still shown
    assert [(a["profile"], a["account"], a["ok"], a["read_only"]) for a in document["accounts"]] == [
        ("prod", ACCOUNT_A, True, False),
        ("prod-admin", ACCOUNT_A, True, False),
        ("staging", ACCOUNT_B, True, False),
        ("broken", None, False, False),
    ]
    broken = document["accounts"][3]
    assert broken["error"] == "No AWS credentials for profile broken: run `aws configure --profile broken` (or sso login)"
    assert [(r["profile"], r["account"], r["name"], r["ok"]) for r in document["regions"]] == [
        ("prod", ACCOUNT_A, REGION, True), ("staging", ACCOUNT_B, REGION, True),
    ]
    tops = [(n["profile"], n["account"], n["id"]) for n in document["nodes"]]
    assert sorted(tops) == [
        ("prod", ACCOUNT_A, "orders-db"), ("staging", ACCOUNT_B, "orders-db"), ("staging", ACCOUNT_B, "scratch-db")
    ]
    replica = next(n for n in document["nodes"] if n["account"] == ACCOUNT_A)["children"]
    assert [(c["id"], c["account"], c["profile"]) for c in replica if c["type"] == "instance"] == [
        ("orders-db-ro1", ACCOUNT_A, "prod")
    ]
    # One account, two profiles: polled once, with the first profile's keys.
    assert set(signed_by(accounts[ACCOUNT_A], "DescribeDBInstances")) == {KEYS["prod"]}
    assert signed_by(accounts[ACCOUNT_A], "GetCallerIdentity").count(KEYS["prod-admin"]) == 1
    assert set(signed_by(accounts[ACCOUNT_B], "DescribeDBInstances")) == {KEYS["staging"]}


def test_status_text_prints_the_accounts_as_roots(aws_config, accounts, capsys):
    assert main(["status", "--profile", "prod,staging"]) == 0
    out = capsys.readouterr().out
    assert f"account prod ({ACCOUNT_A}): ok" in out and f"account staging ({ACCOUNT_B}): ok" in out
    assert f"region {REGION} ({ACCOUNT_A}): ok" in out
    rows = [line for line in out.splitlines() if line.startswith(("prod", "staging", "├─", "└─", "   "))]
    assert rows[0].split()[:3] == ["prod", "account", "ok"] and ACCOUNT_A in rows[0]
    assert rows[1].startswith("└─ orders-db ") or rows[1].startswith("├─ orders-db ")
    assert any(row.split()[:3] == ["staging", "account", "ok"] for row in rows)


def test_one_profile_changes_nothing(aws_config, accounts, capsys):
    assert main(["status", "--json", "--profile", "staging"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert sorted(n["id"] for n in document["nodes"]) == ["orders-db", "scratch-db"]  # databases, not an account
    assert document["accounts"] == [
        {"profile": "staging", "account": ACCOUNT_B, "ok": True, "error": None, "read_only": False}
    ]


def test_every_profile_failing_is_one_setup_error(aws_config, accounts, capsys):
    assert main(["status", "--profile", "broken,nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rdstui: no profile could be opened (profile broken: ")
    assert "profile nowhere: " in err and err.count("\n") == 1


# -- independence ----------------------------------------------------------------


async def test_a_slow_account_never_holds_back_another(aws_config, accounts):
    accounts[ACCOUNT_B].add(slow(20), operation="DescribeDBInstances")
    runtime = await open_runtime(options_for("--profile", "prod,staging"))
    try:
        began = time.monotonic()
        fleets = runtime.watch.fleets()

        async def first_with_prod() -> Fleet:
            async for fleet in fleets:
                if by_account(fleet)[ACCOUNT_A].children:
                    return fleet
            raise AssertionError("no fleet")

        fleet = await asyncio.wait_for(first_with_prod(), 10)
        assert time.monotonic() - began < 10
        roots = by_account(fleet)
        assert [c.id for c in roots[ACCOUNT_A].children] == ["orders-db"] and roots[ACCOUNT_A].status == "ok"
        assert roots[ACCOUNT_B].children == () and roots[ACCOUNT_B].status == "polling"
        await fleets.aclose()
    finally:
        await runtime.close()


# -- actions ----------------------------------------------------------------------


async def test_actions_go_with_the_nodes_own_profile_and_obey_its_read_only(aws_config, accounts, tmp_path, state_home):
    rdstui_config(tmp_path, "[profiles.prod]\nread_only = true\nlabel = \"PRODUCTION\"\n")
    runtime = await open_runtime(options_for("--profile", "prod,staging"))
    try:
        fleet = await runtime.watch.once(metrics=False)
        refused = runtime.desk.plan(ActionKind.SNAPSHOT, find(fleet, ACCOUNT_A, "orders-db"), fleet)
        assert isinstance(refused, Refusal)
        assert refused.reason.startswith(f"profile prod (account {ACCOUNT_A}) is read-only (read_only = true for profile prod")
        planned = runtime.desk.plan(ActionKind.SNAPSHOT, find(fleet, ACCOUNT_B, "orders-db"), fleet)
        assert isinstance(planned, ActionPlan) and planned.target.account == ACCOUNT_B
        assert runtime.desk.begin(planned) is None
        sent = await runtime.desk.send(planned)
        assert sent.outcome.ok, sent.line
    finally:
        await runtime.close()
    assert signed_by(accounts[ACCOUNT_B], "CreateDBSnapshot") == [KEYS["staging"]]
    assert signed_by(accounts[ACCOUNT_A], "CreateDBSnapshot") == []
    snapshots = rds(f"http://{accounts[ACCOUNT_B].upstream[0]}:{accounts[ACCOUNT_B].upstream[1]}").describe_db_snapshots(
        SnapshotType="manual"
    )["DBSnapshots"]
    assert [s["DBInstanceIdentifier"] for s in snapshots] == ["orders-db"]
    lines = list(read_entries(state_home / "actions.jsonl"))
    assert [(e["profile"], e["account"], e["outcome"]) for e in lines] == [
        ("prod", ACCOUNT_A, "refused"), ("staging", ACCOUNT_B, "sent"), ("staging", ACCOUNT_B, "succeeded"),
    ]


async def test_write_lifts_the_config_read_only_of_one_profile(aws_config, accounts, tmp_path):
    rdstui_config(tmp_path, "read_only = true\n")
    runtime = await open_runtime(options_for("--profile", "prod,staging", "--write", "staging"))
    try:
        fleet = await runtime.watch.once(metrics=False)
        assert isinstance(runtime.desk.plan(ActionKind.SNAPSHOT, find(fleet, ACCOUNT_A, "orders-db"), fleet), Refusal)
        assert isinstance(runtime.desk.plan(ActionKind.SNAPSHOT, find(fleet, ACCOUNT_B, "orders-db"), fleet), ActionPlan)
        states = {state.account: state for state in fleet.accounts}
        assert states[ACCOUNT_A].read_only and not states[ACCOUNT_A].write_flag
        assert not states[ACCOUNT_B].read_only and states[ACCOUNT_B].write_flag
        # The palette's switch turns everything off and back on, but never lifts the file's read-only.
        assert runtime.desk.set_read_only(True) and runtime.desk.read_only
        assert runtime.desk.set_read_only(False)
        assert runtime.desk.read_only_for(ACCOUNT_A) and not runtime.desk.read_only_for(ACCOUNT_B)
    finally:
        await runtime.close()


def test_write_and_profile_mistakes_are_usage_errors(aws_config, accounts, tmp_path, capsys):
    assert main(["--profile", "prod", "--write", "staging", "status"]) == 2
    assert "rdstui: --write staging: not one of the profiles shown (prod)\n" == capsys.readouterr().err
    for argv, said in (
        (["--profile", "prod", "--write", "prod", "--read-only", "status"], "give one of them"),
        (["--profile", "prod,staging", "--record", str(tmp_path / "r.jsonl"), "status"], "--record records one profile"),
        (["--profile", "prod,staging", "--demo", "status"], "--demo is one demo account"),
        (["--profile", ",", "status"], "--profile needs a profile name"),
    ):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2 and said in capsys.readouterr().err


def test_profiles_shown_in_the_config_is_the_default_set(aws_config, accounts, tmp_path):
    rdstui_config(tmp_path, 'profiles_shown = ["staging", "prod"]\n\n[profiles.staging]\nregions = ["eu-west-1"]\n')
    options = options_for("--region", "us-east-1")
    assert [(p.name, p.regions) for p in options.profiles] == [("staging", ("eu-west-1",)), ("prod", ("us-east-1",))]
    one = options_for("--profile", "staging", "--region", "us-east-1")  # one profile: the flag wins, as before
    assert [(p.name, p.regions) for p in one.profiles] == [("staging", ("us-east-1",))]
    rdstui_config(tmp_path, 'profiles_shown = "prod"\n')
    with pytest.raises(SetupError, match=r"config.toml:1: 'profiles_shown' must be a list of profile names"):
        options_for()


# -- the console ---------------------------------------------------------------------


def console(*argv: str) -> RdsApp:
    every = settings_from(parse(list(argv)))
    return RdsApp(every[0], Options.from_settings(*every, demo=False), cursor_blink=False)


def key_in(app: RdsApp, account: str | None, ident: str) -> str:
    return next(n.key for n in app.fleet.walk() if n.account == account and n.id == ident)


async def test_the_console_draws_the_accounts_as_roots_at_80x24(aws_config, accounts, tmp_path):
    rdstui_config(tmp_path, '[profiles.prod]\nread_only = true\nlabel = "PRODUCTION"\n')
    app = console("--profile", "prod,prod-admin,staging,broken")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        rows = tree_rows(app)
        tops = [text for depth, text in rows if depth == 0]
        assert tops[0].startswith(f"prod, prod-admin  {ACCOUNT_A}  ok  PRODUCTION  RO  2 databases")
        assert tops[1].startswith(f"staging  {ACCOUNT_B}  ok  2 databases")
        assert tops[2].startswith("broken  account ?  failed  No AWS credentials for profile broken")
        assert [text.split()[0] for depth, text in rows if depth == 1] == ["orders-db", "scratch-db", "orders-db"]
        header = screen_text(app).splitlines()
        assert "prod, prod-…✓ PRODUCTION RO" in header[0] or "prod, prod-admin✓ PRODUCTION RO" in header[0]
        assert "staging✓" in header[0] and "broken✗" in header[0] and "READ-ONLY" not in header[0]
        assert header[1].startswith(" ✗ broken: No AWS credentials for profile broken")
        screen = "\n".join(header)
        assert f"prod, prod-admin  {ACCOUNT_A}" in screen and f"staging  {ACCOUNT_B}" in screen


async def test_what_one_accounts_region_could_not_tell_is_a_header_line(aws_config, accounts):
    denied = "User is not authorized to perform: rds:DescribeBlueGreenDeployments"
    accounts[ACCOUNT_B].add(error("AccessDenied", denied, 403), operation="DescribeBlueGreenDeployments")
    app = console("--profile", "prod,staging")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        header = screen_text(app).splitlines()
        assert header[1].startswith(" ⚠ us-east-1 staging: blue/green deployments not read: access denied")
        assert "prod" not in header[1] and not header[2].startswith(" ⚠")  # prod's region told everything
        assert [text.split()[0] for depth, text in tree_rows(app) if depth == 1] == ["orders-db", "scratch-db", "orders-db"]


async def test_filter_problems_and_the_account_jump_work_across_accounts(aws_config, accounts):
    app = console("--profile", "prod,staging")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash", *"staging orders", "enter")
        await pilot.pause()
        shown = [text.split()[0] for _, text in tree_rows(app)]
        assert shown == ["staging", "orders-db"]  # prod's orders-db is not staging's
        assert app.query_one(FleetTree).cursor_key == key_in(app, ACCOUNT_B, "orders-db")
        await pilot.press("escape")
        await pilot.press("slash", *"ro1", "enter")
        await pilot.pause()
        assert [text.split()[0] for _, text in tree_rows(app)] == ["prod", "orders-db", "orders-db-ro1"]
        await pilot.press("escape")
        await pilot.press("exclamation_mark")  # problems only: across accounts
        await pilot.pause()
        assert [text.split()[0] for _, text in tree_rows(app)] == ["staging", "scratch-db"]
        await pilot.press("exclamation_mark")
        # ctrl+p's jump: two orders-db, each saying its account
        hits = [(text, words) for text, words, _ in FleetCommands(app.screen)._targets() if text == "orders-db"]
        assert sorted(words.split(" · ")[0] for _, words in hits) == [f"prod ({ACCOUNT_A})", f"staging ({ACCOUNT_B})"]
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"staging")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(FleetTree).cursor_key == f"account:{ACCOUNT_B}"
        assert "Account" in screen_text(app) and ACCOUNT_B in screen_text(app)


async def test_keys_act_with_the_nodes_own_profile_and_the_modal_names_it(aws_config, accounts, tmp_path, state_home):
    rdstui_config(tmp_path, "[profiles.prod]\nread_only = true\n")
    app = console("--profile", "prod,staging")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        app.jump_to(key_in(app, ACCOUNT_A, "orders-db"))
        await ready(app, pilot)
        assert "s" not in footer_keys(app)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, ActionModal)
        assert app.notices[-1].startswith(f"profile prod (account {ACCOUNT_A}) is read-only")
        app.jump_to(key_in(app, ACCOUNT_B, "orders-db"))
        await ready(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ActionModal)
        assert f"{ACCOUNT_B} (profile staging)" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
    entries = list(read_entries(state_home / "actions.jsonl"))
    assert [(e["profile"], e["account"], e["outcome"]) for e in entries] == [
        ("prod", ACCOUNT_A, "refused"), ("staging", ACCOUNT_B, "cancelled"),
    ]


async def test_the_header_says_which_profile_write_lifted(aws_config, accounts, tmp_path):
    rdstui_config(tmp_path, "read_only = true\n")
    app = console("--profile", "prod,staging", "--write", "staging")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert "prod✓ RO" in header and "staging✓ WRITE" in header
        tops = [text for depth, text in tree_rows(app) if depth == 0]
        assert tops[0].startswith(f"prod  {ACCOUNT_A}  ok  RO") and tops[1].startswith(f"staging  {ACCOUNT_B}  ok  WRITE")


async def test_the_palette_switch_turns_every_account_line_read_only(aws_config, accounts, tmp_path):
    rdstui_config(tmp_path, "[profiles.prod]\nread_only = true\n")
    app = console("--profile", "prod,staging", "--write", "prod")
    account_lines = lambda: [text for depth, text in tree_rows(app) if depth == 0]  # noqa: E731

    async def palette(command: str) -> None:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*key_names(command))
        await pilot.pause(0.5)
        await pilot.press("enter")
        await ready(app, pilot)

    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert account_lines()[0].startswith(f"prod  {ACCOUNT_A}  ok  WRITE")
        await palette("read-only: on")
        header = screen_text(app).splitlines()[0]
        assert "prod✓ RO" in header and "staging✓ RO" in header and "WRITE" not in header
        tops = account_lines()
        assert tops[0].startswith(f"prod  {ACCOUNT_A}  ok  RO  ") and tops[1].startswith(f"staging  {ACCOUNT_B}  ok  RO  ")
        app.jump_to(f"account:{ACCOUNT_B}")
        await ready(app, pilot)
        assert "Read-only  turned on from the command palette" in screen_text(app)
        await palette("read-only: off")
        tops = account_lines()
        assert tops[0].startswith(f"prod  {ACCOUNT_A}  ok  WRITE") and tops[1].startswith(f"staging  {ACCOUNT_B}  ok  2 ")
        assert "Read-only" not in screen_text(app)


async def test_a_failed_accounts_detail_says_its_error_once(aws_config, accounts, tmp_path):
    rdstui_config(tmp_path, '[profiles.staging]\nlabel = "STAGING"\n')
    app = console("--profile", "staging,broken")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        app.jump_to("account:broken")
        await ready(app, pilot)
        detail = screen_text(app)
        assert detail.count("No AWS credentials for profile broken") == 3  # header, tree line, detail
        assert "\n Failed     No AWS credentials" in detail and "Note" not in detail
        app.jump_to(f"account:{ACCOUNT_B}")
        await ready(app, pilot)
        rows = {line.split()[0]: line for line in screen_text(app).splitlines() if line.startswith((" Account ", " Label "))}
        assert rows["Account"].index(ACCOUNT_B) == rows["Label"].index("STAGING")  # one column for the values
