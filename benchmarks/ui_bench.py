"""The console at fleet scale: tree updates, key to paint, idle CPU, memory, demo start, poll time.

    pip install -e '.[bench]' && python benchmarks/ui_bench.py [--instances 1000] [--regions 4]
    python benchmarks/ui_bench.py --profile DIR   # pyinstrument HTML of headless cursor moves, tree updates

Seeds the fleet on a moto server in its own process (fleet.py), runs the real
console, and prints ONE JSON line, every figure from the same run (notes go to
stderr):

  instances            DB instances seeded
  nodes                tree nodes the console shows for them (clusters, globals, instances)
  tree_update_ms       median of 5: a fresh poll's Fleet handed to the app until the last screen
                       update (the compositor's rendered lines, handed to the driver) before the app
                       is idle again (headless, 160x48). Idle is `pilot.pause()`, which sleeps at
                       least one 20 ms tick of Textual's wait_for_idle: not counted; on stderr
  key_to_paint_ms      median of 20 `j` presses in a real terminal (tmux, 80x24): from just before
  key_to_paint_max_ms  `tmux send-keys` to the first `capture-pane -p -e` whose text below the header
                       line (its age ticks every second) differs; and the slowest of them
  idle_cpu_pct         the console's CPU time (utime+stime) over 10 s of idling, % of one core
  rss_mb               the console's VmRSS (headless) after 180 one-minute points per series of the
                       fleet were added to its metric store (what it keeps of them goes to stderr)
  first_tree_s         `rdstui --demo` in tmux at 160x48: launch until every demo region has its ✓
                       and the tree has rows (on stderr, first lag: until a tree row shows a lag),
                       captured every 20 ms
  poll_vs_cli          one full poll of every region with metrics (poll_bench.full_poll), wall time,
                       over `aws rds describe-db-instances` for each region in turn

Resolution: key to paint is sampled by capture-pane calls, each a tmux client
process; the median time of one call is printed on stderr ("capture") and no
figure has it subtracted. /proc CPU times are in clock ticks (10 ms, 0.1 % over 10 s).

Budgets at 1,000 instances: tree update <= 30 ms, key to paint <= 50 ms median and
<= 100 ms max, idle CPU <= 1 %, RSS <= 150 MB, demo tree <= 2 s with lag <= 3 s,
poll <= 0.5x the CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fleet import REGIONS, seed
from poll_bench import aws_cli, full_poll

from rdstui.demo.process import moto_server

KEYS = 20
TREE_UPDATES = 5
HISTORY_POINTS = 180  # three hours of one-minute points
IDLE_SECONDS = 10.0
HEADLESS_SIZE = (160, 48)
TERMINAL_SIZE = (80, 24)  # key to paint and idle CPU
DEMO_SIZE = (160, 48)
POLL_EVERY = 0.02  # seconds between the demo's captures
LAG = re.compile(r"\d(?:ms|s)\b")
RDSTUI = [sys.executable, "-m", "rdstui"]  # the `rdstui` command, whether or not the venv is on PATH


def quiet_env(home: Path) -> dict[str, str]:
    """Demo credentials, no AWS config, state and config in a temporary directory."""
    return dict(os.environ, AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo", AWS_CONFIG_FILE=os.devnull,
                AWS_SHARED_CREDENTIALS_FILE=os.devnull, XDG_STATE_HOME=str(home / "state"),
                XDG_CONFIG_HOME=str(home / "config"))


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


# -- the console's internals: today's API, adapt these three when it changes ---------------


def headless_app(url: str, regions: list[str]) -> Any:
    """The console with its real runtime (open_runtime) on the benchmark endpoint."""
    from rdstui.core.config import Settings
    from rdstui.ui.app import RdsApp

    return RdsApp(Settings(endpoint_url=url, regions=regions, refresh=3600), cursor_blink=False)


class Painted:
    """When the screen last handed the app a compositor update (its rendered lines) to display."""

    def __init__(self, app: Any) -> None:
        self.at = 0.0
        display = app._display

        def timed_display(screen: Any, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.at = time.perf_counter()

        app._display = timed_display


async def tree_update(app: Any, pilot: Any, painted: Painted, profiler: Any = None) -> float:
    """A fresh poll's Fleet (every node a new object), posted as the watch posts it: ms until the
    last screen update before the app is idle again (pilot.pause's idle wait is not counted)."""
    from rdstui.ui.messages import FleetUpdated

    fleet = await app.runtime.watch.once()
    return await until_painted(pilot, painted, lambda: app.post_message(FleetUpdated(fleet)), profiler)


def fill_history(app: Any) -> int:
    """HISTORY_POINTS one-minute points for every series of every region; returns the points held per series."""
    from dataclasses import replace

    now = datetime.now(timezone.utc)
    held = []
    for loop in app.runtime.watch.loops.values():
        for n, key in enumerate(loop.series_wanted()[0]):
            points = [(now - timedelta(minutes=HISTORY_POINTS - i), float((n + i) % 50)) for i in range(HISTORY_POINTS)]
            loop.store.add(key, points)
            held.append(len(loop.store.series(key)))
        loop.snapshot = replace(loop.snapshot, series=loop.store.view())
    return round(sum(held) / max(1, len(held)))


# -- in process (a child of the benchmark, so the RSS is the console's alone) ---------------


async def cursor_move(app: Any, pilot: Any, painted: Painted, profiler: Any = None) -> float:
    return await until_painted(pilot, painted, lambda: app.simulate_key("down"), profiler)


async def until_painted(pilot: Any, painted: Painted, act: Callable[[], object], profiler: Any) -> float:
    """ms from `act` to the last screen update it caused, under `profiler` when given."""
    if profiler:
        profiler.start()
    start = painted.at = time.perf_counter()
    act()
    await pilot.pause()
    if profiler:
        profiler.stop()
    if painted.at == start:
        raise SystemExit("nothing was painted")
    return (painted.at - start) * 1000


async def in_process(url: str, regions: list[str], profile: Path | None) -> dict[str, Any]:
    from rdstui.ui.testing import ready, tree_rows

    app = headless_app(url, regions)
    async with app.run_test(size=HEADLESS_SIZE) as pilot:
        await ready(app, pilot)
        painted = Painted(app)
        start = time.perf_counter()
        await pilot.pause()
        floor = (time.perf_counter() - start) * 1000
        if profile:
            from pyinstrument import Profiler

            for name, steps, step in (("cursor_moves", KEYS, cursor_move), ("tree_updates", TREE_UPDATES, tree_update)):
                profiler = Profiler(async_mode="disabled")
                ms = [await step(app, pilot, painted, profiler) for _ in range(steps)]
                profiler.write_html(profile / f"{name}.html")
                print(f"{steps} {name}: median {statistics.median(ms):.0f} ms, profile in {profile / name}.html",
                      file=sys.stderr)
            return {}
        updates = [await tree_update(app, pilot, painted) for _ in range(TREE_UPDATES)]
        held = fill_history(app)
        with_history = await tree_update(app, pilot, painted)  # the labels' sparklines drawn from that history
        return {"nodes": len(tree_rows(app)), "tree_update_ms": round(statistics.median(updates), 1),
                "rss_mb": round(rss_mb(), 1), "points_held": held, "pause_floor_ms": round(floor, 1),
                "history_update_ms": round(with_history, 1)}


def run_in_process(url: str, regions: list[str], env: dict[str, str], profile: Path | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--in-process", url, "--regions", str(len(regions))]
    command += ["--profile", str(profile)] if profile else []
    answer = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(answer.stdout)


# -- a real terminal ---------------------------------------------------------------------------


class Tmux:
    """A tmux server of our own (its own socket, no config); `close` kills it and what runs in it."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.base = ["tmux", "-S", str(home / "tmux"), "-f", os.devnull]
        self.home = home  # where the panes start, so no checkout in the current directory shadows rdstui
        self.env = env

    def run(self, *args: str) -> str:
        return subprocess.run(self.base + list(args), env=self.env, check=True, stdout=subprocess.PIPE,
                              text=True).stdout

    def start(self, session: str, size: tuple[int, int], command: list[str]) -> None:
        self.run("new-session", "-d", "-s", session, "-c", str(self.home), "-x", str(size[0]), "-y", str(size[1]),
                 *command)

    def capture(self, session: str, escapes: bool = False) -> list[str]:
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []), "-t", session).split("\n")

    def console_pid(self, session: str) -> int:
        """The rdstui process: the pane's process or one of its descendants."""
        pending = [int(self.run("display-message", "-p", "-t", session, "#{pane_pid}"))]
        while pending:
            pid = pending.pop(0)
            if b"rdstui" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        raise SystemExit("no rdstui process in the pane")

    def close(self) -> None:
        subprocess.run(self.base + ["kill-server"], env=self.env, stderr=subprocess.DEVNULL, check=False)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def wait_until(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.0) -> float:
    """Poll `condition` as fast as it answers (or every `every` seconds); the seconds it took."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(every)
    return time.perf_counter() - start


def regions_ok(header: str, regions: list[str]) -> bool:
    """Every region has its ✓, spelled out or as a count ('4 regions 4✓', or ' 4✓ ' beside the
    attention counts)."""
    count = len(regions)
    return all(f"{r}✓" in header for r in regions) or f" {count}✓ " in f"{header} "


def tree_part(lines: list[str]) -> list[str]:
    """The lines between the header (its age ticks every second) and the lower pane (its RPO
    now ticks too): the tree, where a cursor move shows."""
    bottom = next((i for i, line in enumerate(lines) if "Detail ·" in line or "Chart ·" in line), len(lines))
    return lines[1:bottom]


def body_changed(tmux: Tmux, session: str, before: list[str]) -> Callable[[], bool]:
    """Whether the tree's lines differ from `before`."""
    return lambda: tree_part(tmux.capture(session, True)) != before


def wait_quiet(tmux: Tmux, session: str, pid: int, window: float = 1.0) -> None:
    """Until, for `window` seconds, the tree did not change and the console used < 5 % CPU."""
    def quiet() -> bool:
        before, cpu = tree_part(tmux.capture(session, True)), cpu_seconds(pid)
        time.sleep(window)
        return tree_part(tmux.capture(session, True)) == before and cpu_seconds(pid) - cpu < 0.05 * window

    wait_until(quiet, 120, "the console to idle")


def terminal_figures(tmux: Tmux, url: str, regions: list[str]) -> dict[str, Any]:
    """Key to paint over KEYS cursor moves, then idle CPU, in one console."""
    command = [*RDSTUI, "--endpoint-url", url, "--region", ",".join(regions), "--refresh", "3600"]
    tmux.start("fleet", TERMINAL_SIZE, command)
    pid = tmux.console_pid("fleet")
    wait_until(lambda: regions_ok(tmux.capture("fleet")[0], regions) and "⟳" not in tmux.capture("fleet")[0],
               300, "the fleet's first full poll")
    wait_quiet(tmux, "fleet", pid)
    calls = []  # the resolution: what one capture-pane costs
    for _ in range(KEYS):
        start = time.perf_counter()
        tmux.capture("fleet", True)
        calls.append((time.perf_counter() - start) * 1000)
    moves = key_moves(tmux, "fleet", pid)
    idle = idle_cpu(tmux, "fleet", pid)
    tmux.run("kill-session", "-t", "fleet")
    return {"key_to_paint_ms": round(statistics.median(moves), 1), "key_to_paint_max_ms": round(max(moves), 1),
            "idle_cpu_pct": round(idle, 2), "capture_ms": round(statistics.median(calls), 1)}


def key_moves(tmux: Tmux, session: str, pid: int) -> list[float]:
    """KEYS presses of `j`, each once the console is quiet (the previous move's backup read drawn):
    ms from send-keys to the first capture whose tree differs."""
    moves = []
    for _ in range(KEYS):
        wait_quiet(tmux, session, pid)
        before = tree_part(tmux.capture(session, True))
        start = time.perf_counter()
        tmux.run("send-keys", "-t", session, "j")
        wait_until(body_changed(tmux, session, before), 30, "a key to paint")
        moves.append((time.perf_counter() - start) * 1000)
    return moves


def idle_cpu(tmux: Tmux, session: str, pid: int) -> float:
    """The console's CPU over IDLE_SECONDS once it is quiet, % of one core."""
    wait_quiet(tmux, session, pid)
    cpu = cpu_seconds(pid)
    time.sleep(IDLE_SECONDS)
    return (cpu_seconds(pid) - cpu) / IDLE_SECONDS * 100


def demo_figures(tmux: Tmux) -> dict[str, float]:
    """`rdstui --demo`: seconds to a full tree, then to the first lag in a tree row."""
    from rdstui.demo.fleet import DemoFleet

    regions = list(DemoFleet.REGIONS)

    def tree_rows() -> list[str]:
        lines = tmux.capture("demo")
        top = next((i for i, line in enumerate(lines) if "─ Topology (" in line), None)
        if top is None:
            return []
        right = lines[top].index("╮")
        rows = [line[:right] for line in lines[top + 1:]]
        rows = rows[: next((i for i, row in enumerate(rows) if row.startswith("╰")), len(rows))]
        return [row for row in rows if row.strip("│ ")]

    start = time.perf_counter()
    tmux.start("demo", DEMO_SIZE, [*RDSTUI, "--demo"])
    # Every POLL_EVERY: a capture loop at full speed would take a core from the demo starting.
    wait_until(lambda: regions_ok(tmux.capture("demo")[0], regions) and bool(tree_rows()), 120, "the demo tree",
               POLL_EVERY)
    tree = time.perf_counter() - start
    wait_until(lambda: any(LAG.search(row) for row in tree_rows()), 120, "a lag in the demo tree", POLL_EVERY)
    lag = time.perf_counter() - start
    tmux.run("kill-session", "-t", "demo")
    return {"first_tree_s": round(tree, 2), "first_lag_s": round(lag, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=4)
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="instead: pyinstrument HTML profiles of the headless cursor moves and tree updates")
    parser.add_argument("--in-process", metavar="URL", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    regions = REGIONS[: args.regions]
    if args.in_process:
        print(json.dumps(asyncio.run(in_process(args.in_process, regions, args.profile))))
        return
    with tempfile.TemporaryDirectory(prefix="rdstui-bench-") as home:
        env = quiet_env(Path(home))
        tmux = Tmux(Path(home), env)
        moto, url = moto_server()
        try:
            seed(url, regions, args.instances)
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                run_in_process(url, regions, env, args.profile.resolve())
                return
            wall, _, _, facts = asyncio.run(full_poll(url, regions))
            cli_wall = aws_cli(url, regions)[0]
            headless = run_in_process(url, regions, env, None)
            terminal = terminal_figures(tmux, url, regions)
            moto.terminate()  # the demo runs its own
            demo = demo_figures(tmux)
        finally:
            tmux.close()
            moto.terminate()
            moto.wait()
    print(f"notes: capture-pane {terminal['capture_ms']} ms a call; pilot.pause() on an idle app "
          f"{headless['pause_floor_ms']} ms; the metric store kept {headless['points_held']} of the "
          f"{HISTORY_POINTS} points offered per series; a tree update with that history "
          f"{headless['history_update_ms']} ms; poll {wall:.2f} s, CLI {cli_wall:.2f} s; demo first lag "
          f"{demo['first_lag_s']} s", file=sys.stderr)
    print(json.dumps({
        "instances": facts["instances"], "nodes": headless["nodes"], "tree_update_ms": headless["tree_update_ms"],
        "key_to_paint_ms": terminal["key_to_paint_ms"], "key_to_paint_max_ms": terminal["key_to_paint_max_ms"],
        "idle_cpu_pct": terminal["idle_cpu_pct"], "rss_mb": headless["rss_mb"], "first_tree_s": demo["first_tree_s"],
        "poll_vs_cli": round(wall / cli_wall, 2),
    }))


if __name__ == "__main__":
    main()
