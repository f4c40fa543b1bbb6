"""Recording a session (`--record`) and replaying it (`--replay`, `status --replay --at`):
the replay shows what the live session showed, at the moments it showed it."""

from __future__ import annotations

import asyncio
import gzip
import json
import urllib.request
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support import ACCOUNT, START, Clock, find_node, json_nodes, strings

from rdstui.cli import main
from rdstui.core.actions import ActionKind, ActionPlan
from rdstui.core.errors import SetupError
from rdstui.core.recording import iso
from rdstui.core.replay import Recording, Replay
from rdstui.core.watch import FleetWatch, assemble
from rdstui.runtime import Options, Runtime, open_replay, open_runtime
from rdstui.status import fleet_json

POLLS = 6  # 30 s apart; the promote is sent after the second
PROMOTED = "orders-pg-ro1"


async def poll(watch: FleetWatch) -> Any:
    """One cycle of every region, as the console's loops run it: describes and events, then CloudWatch."""
    for loop in watch.loops.values():
        await loop.describe(lambda _: None)
        await loop.read_metrics(lambda _: None)
    snapshots = [loop.snapshot for loop in watch.loops.values()]
    return assemble(snapshots, watch.account_id, watch.rules, watch.clock(), (watch.account,) if watch.account else ())


def picture(fleet: Any) -> tuple[Any, ...]:
    """What the console shows of a fleet: the tree (with statuses and lags), the lags, the events."""
    document = json.loads(fleet_json(fleet))
    for account in document["accounts"]:
        account.pop("read_only")  # a replay is read-only, the live session was not (tested apart)
    return document, dict(fleet.lags), [(e.time, e.source_id, e.message) for e in fleet.events]


async def record_session(demo: Any, clock: Clock, path: Path, **options: Any) -> dict[Any, tuple[Any, ...]]:
    """A demo session of POLLS polls with a promote in it; what it showed, by moment."""
    runtime = await open_runtime(Options(demo=True, record=path, **options), clock=clock, demo=demo)
    seen: dict[Any, tuple[Any, ...]] = {}
    try:
        for step in range(POLLS):
            fleet = await poll(runtime.watch)
            seen[clock.now] = picture(fleet)
            if step == 1:
                await promote(runtime, fleet)
            clock.now += timedelta(seconds=30)
            demo.tick()
    finally:
        await runtime.close()
    return seen


async def promote(runtime: Runtime, fleet: Any) -> None:
    plan = runtime.desk.plan(ActionKind.PROMOTE, find_node(fleet, PROMOTED), fleet)
    assert isinstance(plan, ActionPlan)
    assert runtime.desk.begin(plan) is None
    await runtime.desk.send(plan)


def lines(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


@pytest.fixture
async def recorded(demo, clock, tmp_path) -> tuple[Path, dict[Any, tuple[Any, ...]]]:
    path = tmp_path / "incident.jsonl.gz"
    return path, await record_session(demo, clock, path)


async def test_the_file_holds_every_call_in_time_order_with_the_promote_and_its_outcome(recorded):
    path, seen = recorded
    header, *calls = lines(path)
    assert header == {"rdstui_recording": 1, "started": iso(START), "profile": None, "account": ACCOUNT,
                      "regions": ["us-east-1", "us-west-2", "eu-west-1"]}
    assert [c["t"] for c in calls] == sorted(c["t"] for c in calls)
    assert {c["t"] for c in calls} >= {iso(moment) for moment in seen}
    assert calls[0]["operation"] == "GetCallerIdentity" and calls[0]["response"]["Account"] == ACCOUNT
    operations = {(c["service"], c["operation"]) for c in calls}
    assert operations >= {("rds", "DescribeDBInstances"), ("rds", "DescribeDBClusters"), ("rds", "DescribeEvents"),
                          ("cloudwatch", "GetMetricData"), ("cloudwatch", "DescribeAlarms")}
    (promoted,) = [c for c in calls if c["operation"] == "PromoteReadReplica"]
    assert promoted["params"] == {"DBInstanceIdentifier": PROMOTED} and promoted["region"] == "us-east-1"
    assert promoted["response"]["DBInstance"]["DBInstanceStatus"] == "modifying"
    metrics = next(c for c in calls if c["operation"] == "GetMetricData")
    assert metrics["params"]["StartTime"].endswith("Z") and metrics["response"]["MetricDataResults"][0]["Timestamps"]
    assert "ResponseMetadata" not in calls[1]["response"]


async def test_a_replay_shows_the_same_trees_lags_and_events_at_the_same_moments(recorded):
    """Played through (one watch, polled as the clock passes each poll) and jumped to (a new
    watch at each moment): both as the live session saw it."""
    path, seen = recorded
    replay = Replay.open(path, START)
    assert replay.recording.polls == sorted(seen)
    assert [c for c in replay.recording.calls if c.spooled] and [c for c in replay.recording.calls if not c.spooled]
    assert len(repr(replay)) < 2000  # Textual's workers and tracebacks print it: never the calls
    runtime = await open_replay(replay, Options())
    try:
        assert runtime.desk.read_only and runtime.account_id == ACCOUNT
        for moment, shown in seen.items():
            replay.clock.seek(moment)
            assert picture(await poll(runtime.watch)) == shown, f"played, at {moment}"
            assert picture(await poll(runtime.rewatch())) == shown, f"jumped, at {moment}"
    finally:
        await runtime.close()
    before, after = seen[START + timedelta(seconds=30)], seen[START + timedelta(seconds=150)]
    assert PROMOTED in json.dumps(node(before[0], "orders-pg")) and PROMOTED not in json.dumps(node(after[0], "orders-pg"))
    assert any("Promoted Read Replica" in message for _, _, message in after[2])


def node(document: dict[str, Any], ident: str) -> dict[str, Any] | None:
    return next((n for _, n in json_nodes(document["nodes"]) if n["id"] == ident and n["type"] != "standby"), None)


async def test_a_replay_sends_no_modifying_call(recorded):
    path, seen = recorded
    replay = Replay.open(path)
    runtime = await open_replay(replay, Options())
    try:
        fleet = await poll(runtime.watch)
        refusal = runtime.desk.plan(ActionKind.SNAPSHOT, find_node(fleet, "orders-pg"), fleet)
        assert refusal.reason == "the console is read-only (--replay): nothing that changes a database can be sent"
        rds = await runtime.factory_for(None).action_client("rds", "us-east-1")
        with pytest.raises(Exception, match="ReplayIsReadOnly.*a replay sends no modifying call"):
            await rds.promote_read_replica(DBInstanceIdentifier=PROMOTED)
    finally:
        await runtime.close()


async def status(*argv: str) -> int:
    """`rdstui status ...` (it runs its own event loop: on a thread here)."""
    return await asyncio.to_thread(main, list(argv))


async def test_status_replay_at_a_time_and_at_the_end(recorded, capsys):
    path, seen = recorded
    moments = sorted(seen)
    for moment in (moments[1], moments[-1]):
        assert await status("status", "--replay", str(path), "--at", iso(moment), "--json") == 0
        assert as_live(json.loads(capsys.readouterr().out)) == seen[moment][0]
    assert await status("status", "--replay", str(path), "--json") == 0  # the end: the last poll's
    assert as_live(json.loads(capsys.readouterr().out)) == seen[moments[-1]][0]
    assert await status("status", "--replay", str(path)) == 0
    said = capsys.readouterr()
    assert "orders-pg-ro1" in said.out and "region us-east-1: ok" in said.out
    assert said.err == f"rdstui: the fleet as recorded in {path} at {iso(moments[-1])}\n"


def as_live(document: dict[str, Any]) -> dict[str, Any]:
    """A replay's JSON as `picture` has the live session's: a replay is read-only."""
    assert [account.pop("read_only") for account in document["accounts"]] == [True]
    return document


async def test_a_time_outside_the_recording_is_refused(recorded, capsys):
    path, _ = recorded
    assert await status("status", "--replay", str(path), "--at", "2020-01-01T00:00:00Z") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"rdstui: {path}: --at 2020-01-01T00:00:00Z is outside the recording "
                   f"(its first poll {iso(START)} to its end {iso(START + timedelta(seconds=150))})"]
    assert await status("status", "--replay", str(path), "--at", "noon") == 2
    assert "not an ISO 8601 time" in capsys.readouterr().err


async def test_a_redacted_recording_keeps_nothing_of_the_account_and_still_replays(
    demo, clock, moto_endpoint, tmp_path, capsys
):
    """The same session twice (the demo seeded afresh): plain, then with --redact."""
    plain, redacted = tmp_path / "plain.jsonl", tmp_path / "redacted.jsonl"
    await record_session(demo, clock, plain)
    demo.stop()
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).read()
    clock.now = START
    again = type(demo)(endpoint_url=moto_endpoint, clock=clock, backfill_minutes=5).start()
    try:
        await record_session(again, clock, redacted, redact=True)
    finally:
        again.stop()
    original, text = plain.read_text(), redacted.read_text()
    hosts = {line["response"]["DBInstances"][0]["Endpoint"]["Address"].split(".", 1)[1]
             for line in lines(plain)[1:] if line["operation"] == "DescribeDBInstances" and line.get("response")}
    arns = {a for line in lines(plain)[1:] for a in strings(line.get("response", {})) if a.startswith("arn:aws:rds:")}
    assert ACCOUNT in original and hosts and arns
    assert ACCOUNT not in text
    assert not [host for host in hosts if host in text]
    assert not [a for a in arns if a in text]
    assert await status("status", "--replay", str(redacted), "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert await status("status", "--replay", str(plain), "--json") == 0
    live = json.loads(capsys.readouterr().out)
    assert _ids(shown) == _ids(live)  # identifiers stay: the same tree


def _ids(document: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(depth, item["id"], item["type"]) for depth, item in json_nodes(document["nodes"])]


# --------------------------------------------------------------------------- by hand

HEADER = {"rdstui_recording": 1, "started": "2026-12-02T10:00:00Z", "profile": "prod", "account": "111122223333",
          "regions": ["eu-west-1"]}
INSTANCE = {
    "DBInstanceIdentifier": "billing", "DBInstanceArn": "arn:aws:rds:eu-west-1:111122223333:db:billing",
    "DBInstanceClass": "db.r6g.large", "Engine": "postgres", "EngineVersion": "16.3", "DBInstanceStatus": "available",
    "AvailabilityZone": "eu-west-1a", "MultiAZ": False, "BackupRetentionPeriod": 7,
    "LatestRestorableTime": "2026-12-02T09:59:30Z",
}


def by_hand(*calls: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines a status needs: identity, the describes, empty metrics (no "params": any)."""
    t = "2026-12-02T10:00:01Z"
    needed = [
        {"t": t, "service": "sts", "region": "eu-west-1", "operation": "GetCallerIdentity",
         "response": {"Account": "111122223333"}},
        {"t": t, "service": "rds", "region": "eu-west-1", "operation": "DescribeDBInstances",
         "response": {"DBInstances": [INSTANCE]}},
        *({"t": t, "service": "rds", "region": "eu-west-1", "operation": operation, "response": {key: []}}
          for operation, key in (("DescribeDBClusters", "DBClusters"), ("DescribeGlobalClusters", "GlobalClusters"),
                                 ("DescribeBlueGreenDeployments", "BlueGreenDeployments"))),
        {"t": t, "service": "cloudwatch", "region": "eu-west-1", "operation": "GetMetricData",
         "response": {"MetricDataResults": []}},
        {"t": t, "service": "cloudwatch", "region": "eu-west-1", "operation": "DescribeAlarms",
         "response": {"MetricAlarms": []}},
    ]
    return [HEADER, *needed, *calls]


def write(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_a_file_written_by_hand_replays(tmp_path, capsys):
    path = write(tmp_path / "case.jsonl", by_hand())
    assert main(["status", "--replay", str(path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["ok"]) for r in shown["regions"]] == [("eu-west-1", True)]
    (billing,) = shown["nodes"]
    assert (billing["id"], billing["engine"], billing["status"]) == ("billing", "postgres", "available")


def test_a_call_not_recorded_is_an_error_that_names_it(tmp_path, capsys):
    records = [r for r in by_hand() if r.get("operation") != "DescribeGlobalClusters"]
    path = write(tmp_path / "case.jsonl", records)
    assert main(["status", "--replay", str(path)]) == 1
    out = capsys.readouterr().out
    assert "NotRecorded" in out or "the recording has no rds DescribeGlobalClusters in eu-west-1 at or before" in out
    assert "DescribeGlobalClusters" in out and "eu-west-1" in out


def test_a_recorded_aws_error_is_replayed_as_aws_said_it(tmp_path, capsys):
    denied = {"t": "2026-12-02T10:00:31Z", "service": "rds", "region": "eu-west-1", "operation": "DescribeDBInstances",
              "params": {"MaxRecords": 100}, "error": {"Code": "AccessDenied", "Message": "User: x is not authorized"},
              "http_status": 403}
    path = write(tmp_path / "case.jsonl", by_hand(denied))
    assert main(["status", "--replay", str(path), "--at", "2026-12-02T10:00:10Z", "--json"]) == 0
    capsys.readouterr()
    assert main(["status", "--replay", str(path), "--json"]) == 1
    region = json.loads(capsys.readouterr().out)["regions"][0]
    assert not region["ok"] and "AccessDenied" in region["error"] and "not authorized" in region["error"]


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        (b"", 1, "empty: not an rdstui recording"),
        (b'{"hello": 1}\n', 1, 'not an rdstui recording (its first line has no "rdstui_recording")'),
        (b'{"rdstui_recording": 2, "started": "2026-12-02T10:00:00Z"}\n', 1,
         "recording format 2; this rdstui reads format 1"),
        (b"%HEADER%\n{not json}\n%CALL%\n", 2, "not JSON"),
        (b'%HEADER%\n%CALL%\n{"t": "2026-12-02T10:00:01Z", "service": "rds", "region": "eu-we', 3,
         "truncated: the last line ends before its JSON does"),
        (b'%HEADER%\n%CALL%\n{"t": "2026-12-02T09:00:00Z", "service": "rds", "region": "eu-west-1", '
         b'"operation": "DescribeDBInstances", "response": {}}\n', 3,
         "a call out of time order (2026-12-02T09:00:00Z is before the line above, 2026-12-02T10:00:01Z)"),
        (b'%HEADER%\n{"t": "2026-12-02T10:00:01Z", "service": "rds"}\n', 2,
         'a call needs "t", "service", "region" and "operation" (strings)'),
    ],
    ids=["empty", "not-a-recording", "wrong-version", "not-json", "truncated", "out-of-order", "not-a-call"],
)
@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_a_bad_file_gets_one_line_naming_the_file_and_line(tmp_path, capsys, content, line, problem, suffix):
    content = content.replace(b"%HEADER%", json.dumps(HEADER).encode()).replace(
        b"%CALL%", json.dumps(by_hand()[1]).encode()
    )
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(gzip.compress(content) if suffix.endswith(".gz") else content)
    assert main(["status", "--replay", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"rdstui: {path}:{line}: {problem}"]


def test_a_gzip_recording_cut_off_mid_line(tmp_path, capsys):
    """The gzip stream stops inside the last line: that line, by number, is truncated."""
    records = by_hand()
    text = "".join(json.dumps(r) + "\n" for r in records)
    inflate = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    cut = inflate.compress(text[: len(text) - 40].encode()) + inflate.flush(zlib.Z_SYNC_FLUSH)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    assert main(["status", "--replay", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"rdstui: {path}:{len(records)}: truncated: the last line ends before its JSON does"
    ]


def test_record_and_replay_do_not_mix(tmp_path, capsys):
    path = write(tmp_path / "case.jsonl", by_hand())
    for argv, words in (
        (["--replay", str(path), "--record", str(tmp_path / "x.jsonl"), "status"], "it takes no --record"),
        (["--replay", str(path), "--demo"], "it takes no --demo"),
        (["--redact", "status", "--demo"], "--redact applies to --record FILE"),
        (["status", "--demo", "--at", "2026-12-02T10:00:00Z"], "--at applies to --replay FILE"),
    ):
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 2
        assert words in capsys.readouterr().err


def test_the_recordings_polls_are_where_the_describes_ended(tmp_path):
    records = by_hand()
    later = [dict(r, t="2026-12-02T10:00:31Z") for r in records[1:]]
    path = write(tmp_path / "case.jsonl", [*records, *later])
    recording = Recording.load(path)
    assert [iso(m) for m in recording.polls] == ["2026-12-02T10:00:01Z", "2026-12-02T10:00:31Z"]



async def test_recording_changes_nothing_that_is_sent(demo, clock, tmp_path, monkeypatch):
    """The same poll, recorded and not: the same requests reach the server (counted there)."""
    from moto.core.responses import BaseResponse

    received: list[tuple[str, str]] = []
    original = BaseResponse.call_action

    def counting(self: Any) -> Any:
        received.append((self._get_action(), json.dumps(sorted(self.querystring.items()), default=str)))
        return original(self)

    monkeypatch.setattr(BaseResponse, "call_action", counting)
    sent = []
    for record in (None, tmp_path / "poll.jsonl"):
        received.clear()
        runtime = await open_runtime(Options(demo=True, record=record), clock=clock, demo=demo)
        try:
            await runtime.watch.once()
        finally:
            await runtime.close()
        sent.append(sorted(received))
    assert sent[0] and sent[0] == sent[1]


async def test_a_recording_is_a_new_file_or_the_session_does_not_start(demo, clock, tmp_path):
    """Before anything is polled: a second session's header in the middle would make the file unreadable."""
    existing = write(tmp_path / "earlier.jsonl", by_hand())
    for path, words in (
        (tmp_path / "missing" / "x.jsonl", f"--record {tmp_path / 'missing' / 'x.jsonl'}: cannot write it: "),
        (existing, f"--record {existing}: the file exists; a recording starts a file of its own"),
        (tmp_path, f"--record {tmp_path}: the file exists"),
    ):
        with pytest.raises(SetupError) as refused:
            await open_runtime(Options(demo=True, record=path), clock=clock, demo=demo)
        assert str(refused.value).startswith(words)
    assert Recording.load(existing).calls  # left as it was


def test_a_gzip_recording_of_a_killed_session_replays_up_to_its_last_whole_line(tmp_path, capsys):
    """Killed while recording, the gzip stream has no trailer: every whole line still replays."""
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in by_hand()).encode())
    path = tmp_path / "killed.jsonl.gz"
    path.write_bytes(whole[:-8])  # the CRC and size that close() writes
    assert main(["status", "--replay", str(path), "--json"]) == 0
    assert [n["id"] for n in json.loads(capsys.readouterr().out)["nodes"]] == ["billing"]
