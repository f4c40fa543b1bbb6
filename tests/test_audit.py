"""The audit log: one JSON line per attempt, every outcome, 0600, nothing secret."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from rdstui.core.action_exec import Outcome
from rdstui.core.actions import ActionKind, ActionPlan, Refusal, Target
from rdstui.core.audit import REDACTED, AuditLog, default_path, read_entries, redact
from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS

ACCOUNT = "123456789012"
WHEN = datetime(2026, 11, 24, 10, 42, 7, 123456, tzinfo=timezone.utc)


def make_plan(**params) -> ActionPlan:
    return ActionPlan(
        action=ActionKind.FAILOVER,
        title="Fail over orders-pg to its standby",
        verb="Fail over",
        target=Target(
            "arn:aws:rds:us-east-1:123456789012:db:orders-pg",
            "orders-pg",
            "DB instance",
            "us-east-1",
            "postgres",
            "16.4",
            "arn:aws:rds:us-east-1:123456789012:db:orders-pg",
        ),
        operation="RebootDBInstance",
        params=params or {"DBInstanceIdentifier": "orders-pg", "ForceFailover": True},
        effects=(),
        costs=(),
        confirm_phrase="orders-pg",
    )


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "state" / "rdstui" / "actions.jsonl", profile="prod-admin", account=ACCOUNT, clock=lambda: WHEN)


def test_every_outcome_is_one_json_line(log):
    plan = make_plan()
    log.attempt(plan, Outcome(True, "failover of orders-pg started: it is rebooting", None, 0.4123))
    log.attempt(plan, Outcome(False, "access denied: ...", "AccessDenied", 0.05))
    log.cancelled(plan)
    log.refused(Refusal(ActionKind.FAILOVER, "orders-pg-ro1 is single-AZ: there is no standby to fail over to", "k", "orders-pg-ro1"))
    log.attempt(plan, Outcome(False, "the console is read-only: RebootDBInstance was not sent", "ReadOnly", 0.0, sent=False))
    lines = log.path.read_text().splitlines()
    assert len(lines) == 5
    entries = [json.loads(line) for line in lines]
    assert [e["outcome"] for e in entries] == ["succeeded", "failed", "cancelled", "refused", "refused"]
    first = entries[0]
    assert first == {
        "time": "2026-11-24T10:42:07.123Z",
        "profile": "prod-admin",
        "account": ACCOUNT,
        "action": "failover",
        "region": "us-east-1",
        "target": "orders-pg",
        "target_arn": "arn:aws:rds:us-east-1:123456789012:db:orders-pg",
        "api": "RebootDBInstance",
        "params": {"DBInstanceIdentifier": "orders-pg", "ForceFailover": True},
        "outcome": "succeeded",
        "error_code": None,
        "message": "failover of orders-pg started: it is rebooting",
        "duration_s": 0.412,
    }
    assert entries[1]["error_code"] == "AccessDenied" and entries[1]["message"] == "access denied: ..."
    assert entries[2]["message"] == "cancelled at the confirmation" and entries[2]["api"] == "RebootDBInstance"
    assert entries[3]["target"] == "orders-pg-ro1" and entries[3]["api"] is None
    assert list(read_entries(log.path)) == entries == log.entries()


def test_file_is_private_and_directories_are_made(log):
    log.cancelled(make_plan())
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(log.path.parent).st_mode) == 0o700
    os.chmod(log.path, 0o644)  # someone loosened it: the next write tightens it again
    log.cancelled(make_plan())
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    assert len(log.entries()) == 2


def test_nothing_secret_is_written(log):
    plan = make_plan(
        DBInstanceIdentifier="orders-pg",
        MasterUserPassword="hunter2-hunter2",
        Tags=[{"Key": "note", "Value": "key AKIAABCDEFGHIJKLMNOP leaked"}],
        PreSignedUrl="https://rds.amazonaws.com/?X-Amz-Signature=abc",
        Nested={"SecretString": "s3cr3t", "ClientToken": "tok", "Fine": "ok"},
    )
    log.attempt(plan, Outcome(True, "sent"))
    text = log.path.read_text()
    for secret in ("hunter2", "AKIAABCDEFGHIJKLMNOP", "X-Amz-Signature", "s3cr3t", "tok\""):
        assert secret not in text
    params = log.entries()[0]["params"]
    assert params["MasterUserPassword"] == REDACTED and params["PreSignedUrl"] == REDACTED
    assert params["Tags"] == [{"Key": "note", "Value": REDACTED}]
    assert params["Nested"] == {"SecretString": REDACTED, "ClientToken": REDACTED, "Fine": "ok"}
    assert params["DBInstanceIdentifier"] == "orders-pg"
    assert redact({"DBSnapshotIdentifier": "orders-pg-2026", "ForceFailover": True}) == {
        "DBSnapshotIdentifier": "orders-pg-2026",
        "ForceFailover": True,
    }


def test_default_path_follows_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "rdstui" / "actions.jsonl"
    AuditLog(profile=None).cancelled(make_plan())
    assert (tmp_path / "xdg" / "rdstui" / "actions.jsonl").exists()
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / ".local" / "state" / "rdstui" / "actions.jsonl"


def test_an_unwritable_log_never_raises(tmp_path):
    blocked = tmp_path / "actions.jsonl"
    blocked.mkdir()  # a directory where the file should be
    log = AuditLog(blocked)
    entry = log.cancelled(make_plan())
    assert entry["outcome"] == "cancelled"
    assert log.last_error and str(blocked) in log.last_error


async def test_the_desk_writes_sent_then_the_outcome(tmp_path, moto_url):
    """Against moto: "sent" is on disk before the call, then the failure (no such
    instance) with AWS's error code; the credentials never reach the log."""
    from rdstui.core.desk import ActionDesk
    from rdstui.core.target import AwsTarget

    log = AuditLog(tmp_path / "actions.jsonl", profile="demo", account=ACCOUNT)
    plan = make_plan(DBInstanceIdentifier="ghost", ForceFailover=True)
    async with SessionFactory(AwsTarget(endpoint_url=moto_url, credentials=DEMO_CREDENTIALS)) as factory:
        desk = ActionDesk(factory, log)
        assert desk.begin(plan) is None
        sent = await desk.send(plan)
    assert not sent.outcome.ok
    before, after = log.entries()
    assert before["outcome"] == "sent" and before["params"] == plan.params
    assert after["outcome"] == "failed" and after["error_code"] == sent.outcome.error_code == "DBInstanceNotFound"
    assert after["params"] == {"DBInstanceIdentifier": "ghost", "ForceFailover": True}
    assert after["duration_s"] >= 0
    assert desk.in_flight() == []
    text = log.path.read_text()
    assert "aws_secret_access_key" not in text and "aws_access_key_id" not in text


async def test_an_action_that_cannot_be_audited_is_not_sent(tmp_path, moto_url):
    from rdstui.core.desk import ActionDesk
    from rdstui.core.target import AwsTarget

    blocked = tmp_path / "actions.jsonl"
    blocked.mkdir()
    plan = make_plan(DBInstanceIdentifier="ghost", ForceFailover=True)
    async with SessionFactory(AwsTarget(endpoint_url=moto_url, credentials=DEMO_CREDENTIALS)) as factory:
        desk = ActionDesk(factory, AuditLog(blocked))
        desk.begin(plan)
        sent = await desk.send(plan)
    assert (sent.outcome.ok, sent.outcome.sent, sent.outcome.error_code) == (False, False, "AuditLog")
    assert sent.line.endswith(": an action that can't be audited is not sent")
    assert desk.in_flight() == []  # nothing to follow: no call went out (moto would have said DBInstanceNotFound)
