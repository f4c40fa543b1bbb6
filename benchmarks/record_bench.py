"""--record and --replay at fleet scale: the recorder's cost, an hour's file, replaying it.

    pip install -e '.[bench]' && python benchmarks/record_bench.py [--instances 1000] [--regions 4]

Seeds the fleet on a moto server in its own process (fleet.py) and polls it through the
real code path (open_runtime with Options(record=...), watch.once(), close), with and
without recording, alternately, in the same run. The last recorded session is the
template of an hour: its calls repeated on the console's schedule (describes and events
every 30 s, CloudWatch every 60 s, free storage every 10 min), with what changes in real
life changed (each instance's and cluster's LatestRestorableTime, every 5 min at its own
phase; GetMetricData windows and datapoints, one a minute a series, values that depend
only on series and minute), written through the real Recorder's writer thread (its JSON,
its gzip level, its flushes). Then the hour is loaded and replayed. Prints ONE JSON line,
every figure from the same run (notes go to stderr):

  instances           DB instances seeded
  poll_s              median of REPS: wall time of a session's first watch.once() (describes and
                      metrics, free storage included), without recording
  poll_recorded_s     the same with --record FILE.jsonl.gz
  record_overhead_pct poll_recorded_s over poll_s, in % (the poll's own wall time)
  record_cpu_s        median process CPU (every thread) of two once() and close(), recorded,
                      minus the same without: what the recorder adds to a poll
  hour_calls          calls in the synthesized hour (every line but the header)
  hour_gz_mb          the hour's file as the recorder writes it (gzip), MB (10^6 bytes)
  hour_raw_mb         the same lines uncompressed, MB
  load_s              Recording.load of the hour's file, wall time, in a process of its own
  load_rss_mb         that process's peak RSS (VmHWM: the interpreter, rdstui.core.replay's
                      imports and the loaded recording)
  status_s            `python -m rdstui status --replay FILE --json` (the fleet at the hour's end),
  status_rss_mb       wall time and peak RSS (wait4's ru_maxrss) of that process
  first_tree_s        `python -m rdstui --replay FILE` in tmux at 160x48: launch until every region
                      has its ✓ and the tree has rows (as ui_bench.py's first_tree_s for the demo),
                      captured every 20 ms; the recording is loaded before the console starts,
                      so this includes load_s
  key_to_paint_ms     then, replay paused (space), the window resized to 80x24 as ui_bench.py's:
  key_to_paint_max_ms median and slowest of KEYS `j` presses, send-keys to the first capture whose
                      tree differs
  key_after_rest_ms   median of RESTS presses of `j`, each POSTURE_DEBOUNCE + 0.25 s after another `j`
                      (the cursor rested on a database, so its detail pane asked for its backup
                      posture): send-keys to paint. key_to_paint_ms waits, as ui_bench.py's does, for
                      the console to be quiet before each press, which hides what a rest sets off
                      (the slowest on stderr)
  idle_cpu_pct        the paused console's CPU over IDLE_SECONDS, % of one core
  replay_rss_mb       the console's VmRSS after that (on stderr, its VmHWM)

Left out: the tree update (ui_bench.py's tree_update_ms needs the headless app driven on a
replay's runtime; a replay's tree update is the live one on a Fleet from recorded answers).

What the hour is not: moto's DescribeDBInstances entries are smaller than AWS's (no subnet
group, no certificate details, fewer fields: about 1.4 kB an instance here), and moto has no
CloudWatch data (the datapoints are synthesized) and fails DescribeBlueGreenDeployments (its
error is recorded and replayed as such). Each region's first DescribeEvents (a day) is moto's
fleet-creation events as recorded; later reads (the last poll's window) find none. A real
hour at 1,000 instances is larger.

Budgets: a recording of an hour at 1,000 instances stays under 50 MB gzipped and replays
within the live budgets: first tree <= 2 s, key to paint <= 50 ms median and <= 100 ms max,
idle CPU <= 1 %, RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fleet import REGIONS, seed
from ui_bench import (
    POLL_EVERY,
    RDSTUI,
    Tmux,
    body_changed,
    idle_cpu,
    key_moves,
    quiet_env,
    regions_ok,
    tree_part,
    wait_quiet,
    wait_until,
)

from rdstui.demo.process import moto_server
from rdstui.ui.detail.widget import POSTURE_DEBOUNCE

REPS = 5  # sessions with and without recording, alternately
HOUR = 3600
REFRESH = 30  # the console's schedule (Schedule): describes and events
METRICS_REFRESH = 60  # CloudWatch: the tree's lags and the alarms
STORAGE_REFRESH = 600  # every instance's FreeStorageSpace (watch.STORAGE_REFRESH)
RESTORABLE_EVERY = 300  # LatestRestorableTime moves every 5 min (log backups), each instance at its phase
PERIOD = 60
RESTS = 5  # key presses after the cursor rested on a database
REPLAY_SIZE = (160, 48)
TERMINAL_SIZE = (80, 24)
QUEUED = 64  # lines handed to the recorder's writer ahead of it (bounds this process's memory)
VM = re.compile(r"Vm(HWM|RSS):\s+(\d+) kB")


def vm(pid: int | str = "self") -> dict[str, float]:
    """VmHWM and VmRSS of a process, MB."""
    return {kind: int(kb) / 1024 for kind, kb in VM.findall(Path(f"/proc/{pid}/status").read_text())}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- 1. a poll, recorded and not ----------------------------------------------------------------


async def session(url: str, regions: list[str], record: Path | None) -> dict[str, Any]:
    """One session as `rdstui status` opens it: two polls, one read of every region's events, close.
    The marks (UTC, the recorder's clock) say which recorded call belongs to which part."""
    from rdstui.core.events import fetch_region_events
    from rdstui.core.watch import EVENTS_WINDOW
    from rdstui.runtime import Options, open_runtime

    runtime = await open_runtime(Options(regions=tuple(regions), endpoint_url=url, record=record))
    marks = {"first": datetime.now(timezone.utc)}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await runtime.watch.once()
    first = time.perf_counter() - wall0
    marks["second"] = datetime.now(timezone.utc)
    wall0 = time.perf_counter()
    await runtime.watch.once()
    second = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    marks["events"] = until = datetime.now(timezone.utc)
    await asyncio.gather(*(fetch_region_events(runtime.factory, region, since=until - EVENTS_WINDOW, until=until)
                           for region in regions))  # a console reads them with every describe
    cpu0 = time.process_time()
    await runtime.close()  # the recorder's last lines written, its file closed
    cpu += time.process_time() - cpu0
    return {"first": first, "second": second, "cpu": cpu, "marks": marks}


def polls(url: str, regions: list[str], home: Path) -> tuple[dict[str, Any], Path, dict[str, datetime]]:
    plain, recorded = [], []
    template = home / "poll.jsonl.gz"
    for _ in range(REPS):
        plain.append(asyncio.run(session(url, regions, None)))
        template.unlink(missing_ok=True)
        recorded.append(asyncio.run(session(url, regions, template)))

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    figures = {
        "poll_s": round(median(plain, "first"), 3),
        "poll_recorded_s": round(median(recorded, "first"), 3),
        "record_cpu_s": round(median(recorded, "cpu") - median(plain, "cpu"), 3),
    }
    figures["record_overhead_pct"] = round((figures["poll_recorded_s"] / figures["poll_s"] - 1) * 100, 1)
    print(f"polls, first/second once() wall s: plain {[(round(r['first'], 2), round(r['second'], 2)) for r in plain]}, "
          f"recorded {[(round(r['first'], 2), round(r['second'], 2)) for r in recorded]}; CPU s: plain "
          f"{[round(r['cpu'], 2) for r in plain]}, recorded {[round(r['cpu'], 2) for r in recorded]}", file=sys.stderr)
    return figures, template, recorded[-1]["marks"]


# -- 2. an hour from that session ---------------------------------------------------------------


class Template:
    """The recorded session's calls, by part, each with its offset (s) from its part's start."""

    def __init__(self, path: Path, marks: dict[str, datetime]) -> None:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            self.header = json.loads(next(lines))
            calls = [json.loads(line) for line in lines]
        for call in calls:
            call["t"] = moment(call["t"])
        self.start = marks["first"]
        self.before = [c for c in calls if c["t"] < marks["first"]]  # GetCallerIdentity
        first = [c for c in calls if marks["first"] <= c["t"] < marks["second"]]
        second = [c for c in calls if marks["second"] <= c["t"] < marks["events"]]

        def offsets(part: list[dict[str, Any]], start: datetime, service: str) -> list[tuple[float, dict[str, Any]]]:
            return [((c["t"] - start).total_seconds(), c) for c in part if c["service"] == service]

        self.describes = offsets(first, marks["first"], "rds")
        self.metrics_storage = offsets(first, marks["first"], "cloudwatch")  # lags and free storage
        self.metrics = offsets(second, marks["second"], "cloudwatch")  # lags only
        self.events = [(0.0, c) for c in calls if c["t"] >= marks["events"] and c["operation"] == "DescribeEvents"]
        spans = [offset for part in (self.describes, self.metrics_storage, self.metrics) for offset, _ in part]
        if not self.describes or not self.metrics or max(spans) >= REFRESH:
            raise SystemExit(f"the recorded session is not one poll a part (offsets up to {max(spans, default=0):.1f} s)")


def phase(identifier: str, every: int) -> int:
    return zlib.crc32(identifier.encode()) % every


def restorable(identifier: str, now: datetime) -> str:
    """When the instance's (or cluster's) last log backup landed: every 5 min, at its own phase."""
    seconds = int(now.timestamp()) - RESTORABLE_EVERY
    shift = phase(identifier, RESTORABLE_EVERY)
    at = seconds - (seconds - shift) % RESTORABLE_EVERY
    return datetime.fromtimestamp(at, timezone.utc).isoformat().replace("+00:00", "Z")


def described(call: dict[str, Any], now: datetime) -> dict[str, Any]:
    response = call.get("response")
    for key, name in (("DBInstances", "DBInstanceIdentifier"), ("DBClusters", "DBClusterIdentifier")):
        if response and key in response:
            items = [{**item, "LatestRestorableTime": restorable(item[name], now)}
                     if "LatestRestorableTime" in item else item for item in response[key]]
            return {**call, "response": {**response, key: items}}
    return call


def value(metric: str, series: str, minute: int, origin: int) -> float:
    """A datapoint that depends only on the series and the minute (re-reads agree)."""
    noise = zlib.crc32(f"{series}/{minute}".encode()) % 1000 / 1000
    if metric == "ReplicaLag":
        return float(int(noise * noise * 4))  # seconds: mostly 0, now and then up to 3
    if metric == "FreeStorageSpace":  # bytes of the seeded 20 GiB, 6 to 14 GB free, draining slowly
        return float(6_000_000_000 + phase(series, 8_000) * 1_000_000 - (minute - origin) * 50_000 - int(noise * 4096) * 4096)
    return round(5 + noise * 30, 3)  # Aurora lags: milliseconds


def metric_read(call: dict[str, Any], now: datetime, window: int, origin: datetime) -> dict[str, Any]:
    """A GetMetricData of the recorded queries at `now` over `window` seconds: a point a minute."""
    if call["operation"] != "GetMetricData" or "response" not in call:
        return call
    end = int(now.timestamp()) // PERIOD * PERIOD
    start = end - window
    minutes = range(start // PERIOD, end // PERIOD)
    first = int(origin.timestamp()) // PERIOD - HOUR // PERIOD
    stamps = [datetime.fromtimestamp(m * PERIOD, timezone.utc) for m in minutes]
    queries = {query["Id"]: query for query in call["params"]["MetricDataQueries"]}
    results = []
    for result in call["response"]["MetricDataResults"]:
        metric = queries[result["Id"]]["MetricStat"]["Metric"]
        series = metric["MetricName"] + "".join(d["Value"] for d in metric["Dimensions"])
        values = [value(metric["MetricName"], series, m, first) for m in minutes]
        results.append({**result, "Timestamps": stamps, "Values": values})
    params = {**call["params"], "StartTime": datetime.fromtimestamp(start, timezone.utc),
              "EndTime": datetime.fromtimestamp(end, timezone.utc)}
    return {**call, "params": params, "response": {**call["response"], "MetricDataResults": results}}


def events_read(call: dict[str, Any], now: datetime, first: bool) -> dict[str, Any]:
    """The first read covers a day (the fleet's creation events, as recorded); each later one the
    last poll's window and two minutes more (watch.RegionLoop._events), where nothing happened."""
    since = now - (timedelta(days=1) if first else timedelta(seconds=REFRESH + 120))
    call = {**call, "params": {**call["params"], "StartTime": since, "EndTime": now}}
    if not first and "response" in call:
        call["response"] = {key: item for key, item in call["response"].items() if key != "Marker"} | {"Events": []}
    return call


def hour_poll(template: Template, k: int) -> list[dict[str, Any]]:
    """The calls of the console's k-th poll (every REFRESH s) of the hour, in time order."""
    start = template.start + timedelta(seconds=k * REFRESH)
    calls = []
    for offset, call in template.describes:
        at = start + timedelta(seconds=offset)
        calls.append({**described(call, at), "t": at})
    calls += [{**events_read(call, start, k == 0), "t": start + timedelta(seconds=offset)}
              for offset, call in template.events]
    if k * REFRESH % METRICS_REFRESH == 0:
        minute = k * REFRESH // METRICS_REFRESH
        storage = minute * METRICS_REFRESH % STORAGE_REFRESH == 0
        part = template.metrics_storage if storage else template.metrics
        window = HOUR - PERIOD if minute == 0 else (STORAGE_REFRESH if storage else METRICS_REFRESH)
        for offset, call in part:
            at = start + timedelta(seconds=offset)
            calls.append({**metric_read(call, at, window, template.start), "t": at})
    calls.sort(key=lambda call: call["t"])
    return calls


def write_hour(template: Template, path: Path) -> dict[str, Any]:
    """The hour through the real Recorder's writer (its JSON, its gzip level, its flushes)."""
    from rdstui.core.recording import Recorder

    head = template.header
    recorder = Recorder(path, clock=lambda: template.start)
    recorder.begin(head["profile"], head["account"], head["regions"])
    wall0, cpu0 = time.perf_counter(), time.process_time()
    count = 0
    for k in range(-1, HOUR // REFRESH):
        for call in template.before if k < 0 else hour_poll(template, k):
            while recorder._lines.qsize() > QUEUED:  # the writer's queue (private): bounded here
                time.sleep(0.001)
            recorder._lines.put(call)
            count += 1
    asyncio.run(recorder.close())
    if recorder.failure:
        raise SystemExit(recorder.failure)
    raw = 0
    with gzip.open(path, "rb") as lines:
        for line in lines:
            raw += len(line)
    print(f"the hour written in {time.perf_counter() - wall0:.1f} s, {time.process_time() - cpu0:.1f} s CPU "
          f"(synthesis and the recorder's writer)", file=sys.stderr)
    return {"hour_calls": count, "hour_gz_mb": round(path.stat().st_size / 1e6, 1), "hour_raw_mb": round(raw / 1e6, 1)}


# -- 3. replaying the hour -------------------------------------------------------------------------


def load_child(path: Path) -> None:
    """In a process of its own (--load): Recording.load's wall time and the process's peak RSS."""
    from rdstui.core.replay import Recording

    before = vm()["RSS"]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    recording = Recording.load(path)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    spooled = sum(1 for call in recording.calls if call.spooled is not None)
    print(json.dumps({"load_s": round(wall, 2), "load_cpu_s": round(cpu, 2), "load_rss_mb": round(vm()["HWM"], 1),
                      "rss_before_mb": round(before, 1), "calls": len(recording.calls), "spooled": spooled,
                      "polls": len(recording.polls)}))


def measure_load(path: Path) -> dict[str, Any]:
    answer = subprocess.run([sys.executable, __file__, "--load", str(path)], check=True, stdout=subprocess.PIPE,
                            text=True)
    return json.loads(answer.stdout)


def measure_status(path: Path, env: dict[str, str], home: Path, regions: list[str]) -> dict[str, Any]:
    """`rdstui status --replay FILE --json`: wall time and peak RSS (wait4, this child alone)."""
    out = home / "status.json"
    wall0 = time.perf_counter()
    with out.open("w") as stdout:
        child = subprocess.Popen([*RDSTUI, "status", "--replay", str(path), "--json"], env=env, cwd=home,
                                 stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - wall0
    child.returncode = os.waitstatus_to_exitcode(status)
    document = json.loads(out.read_text() or "{}")
    failed = [r["name"] for r in document.get("regions", []) if not r["ok"]]
    if child.returncode not in (0,) or failed or {r["name"] for r in document.get("regions", [])} != set(regions):
        print(f"status --replay exited {child.returncode}; regions failed: {failed}", file=sys.stderr)

    def count(nodes: list[dict[str, Any]]) -> int:
        return sum((node["type"] == "instance") + count(node["children"]) for node in nodes)

    return {"status_s": round(wall, 2), "status_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "status_instances": count(document.get("nodes", []))}


def tree_rows(tmux: Tmux, session: str) -> list[str]:
    """The rows inside the Topology box (as ui_bench.py's demo_figures reads them)."""
    lines = tmux.capture(session)
    top = next((i for i, line in enumerate(lines) if "─ Topology (" in line), None)
    if top is None:
        return []
    right = lines[top].index("╮")
    rows = [line[:right] for line in lines[top + 1:]]
    rows = rows[: next((i for i, row in enumerate(rows) if row.startswith("╰")), len(rows))]
    return [row for row in rows if row.strip("│ ")]


def console_figures(tmux: Tmux, path: Path, regions: list[str]) -> dict[str, Any]:
    """The console on the replay: first tree at 160x48; paused, at 80x24: key to paint, idle CPU, RSS."""
    start = time.perf_counter()
    tmux.start("replay", REPLAY_SIZE, [*RDSTUI, "--replay", str(path)])
    wait_until(lambda: regions_ok(tmux.capture("replay")[0], regions) and bool(tree_rows(tmux, "replay")), 300,
               "the replay's tree", POLL_EVERY)
    tree = time.perf_counter() - start
    pid = tmux.console_pid("replay")
    tmux.run("send-keys", "-t", "replay", "Space")  # pause: the header's replay time stands still
    tmux.run("resize-window", "-t", "replay", "-x", str(TERMINAL_SIZE[0]), "-y", str(TERMINAL_SIZE[1]))
    wait_until(lambda: "paused" in "\n".join(tmux.capture("replay")[:3]), 30, "the replay to pause", POLL_EVERY)
    moves = key_moves(tmux, "replay", pid)
    rested = []
    for _ in range(RESTS):
        wait_quiet(tmux, "replay", pid)
        tmux.run("send-keys", "-t", "replay", "j")  # the cursor comes to rest on the next database
        time.sleep(POSTURE_DEBOUNCE + 0.25)  # its detail pane has asked for its backup posture
        before = tree_part(tmux.capture("replay", True))
        start = time.perf_counter()
        tmux.run("send-keys", "-t", "replay", "j")
        wait_until(body_changed(tmux, "replay", before), 60, "a key to paint after a rest")
        rested.append((time.perf_counter() - start) * 1000)
    idle = idle_cpu(tmux, "replay", pid)
    memory = vm(pid)
    tmux.run("kill-session", "-t", "replay")
    return {"first_tree_s": round(tree, 2), "key_to_paint_ms": round(statistics.median(moves), 1),
            "key_to_paint_max_ms": round(max(moves), 1), "key_after_rest_ms": round(statistics.median(rested), 1),
            "key_after_rest_max_ms": round(max(rested), 1), "idle_cpu_pct": round(idle, 2),
            "replay_rss_mb": round(memory["RSS"], 1), "replay_hwm_mb": round(memory["HWM"], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--keep", type=Path, metavar="FILE", help="also keep the hour's recording at FILE")
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)  # the loading child's part
    args = parser.parse_args()
    if args.load:
        load_child(args.load)
        return
    regions = REGIONS[: args.regions]
    with tempfile.TemporaryDirectory(prefix="rdstui-bench-") as name:
        home = Path(name)
        env = quiet_env(home)
        for variable in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(variable, None)
        os.environ.clear()
        os.environ.update(env)  # open_runtime takes no credentials: demo keys, no AWS config, state in home
        phases: dict[str, float] = {}
        clock = time.perf_counter()

        def done(name: str) -> None:
            nonlocal clock
            phases[name], clock = time.perf_counter() - clock, time.perf_counter()

        moto, url = moto_server()
        try:
            seed(url, regions, args.instances)
            done("seed")
            poll, template_path, marks = polls(url, regions, home)
            done("polls")
        finally:
            moto.terminate()
            moto.wait()
        template = Template(template_path, marks)
        hour = home / "hour.jsonl.gz"
        written = write_hour(template, hour)
        done("hour")
        if args.keep:
            args.keep.write_bytes(hour.read_bytes())
        load = measure_load(hour)
        done("load")
        status = measure_status(hour, env, home, regions)
        done("status")
        tmux = Tmux(home, env)
        try:
            console = console_figures(tmux, hour, regions)
        finally:
            tmux.close()
        done("console")
    print(f"phases: {', '.join(f'{name} {seconds:.0f} s' for name, seconds in phases.items())}", file=sys.stderr)
    print(f"notes: {len(template.describes)} describe and {len(template.metrics_storage)}/{len(template.metrics)} "
          f"CloudWatch calls a poll (with/without free storage); the hour: {load['calls']} calls, {load['polls']} "
          f"polls, {load['spooled']} lines spooled; load CPU {load['load_cpu_s']} s, RSS before the load "
          f"{load['rss_before_mb']} MB; status shows {status['status_instances']} instances; the replaying "
          f"console's VmHWM {console['replay_hwm_mb']} MB; the slowest key after a rest "
          f"{console['key_after_rest_max_ms']} ms", file=sys.stderr)
    print(json.dumps({
        "instances": args.instances, **poll, **written,
        "load_s": load["load_s"], "load_rss_mb": load["load_rss_mb"],
        "status_s": status["status_s"], "status_rss_mb": status["status_rss_mb"],
        "first_tree_s": console["first_tree_s"], "key_to_paint_ms": console["key_to_paint_ms"],
        "key_to_paint_max_ms": console["key_to_paint_max_ms"], "key_after_rest_ms": console["key_after_rest_ms"],
        "idle_cpu_pct": console["idle_cpu_pct"],
        "replay_rss_mb": console["replay_rss_mb"],
    }))


if __name__ == "__main__":
    main()
