"""Running the console against a fixed demo fleet: tests and screenshots.

Time is frozen (`FROZEN_NOW`), the demo's randomness comes from its seed,
and the cursor does not blink, so two runs draw the same screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from rdstui.core.config import Settings
from rdstui.runtime import Options, Runtime, open_runtime

if TYPE_CHECKING:
    from rdstui.ui.app import RdsApp

FROZEN_NOW = datetime(2025, 3, 14, 9, 26, 53, tzinfo=timezone.utc)


def frozen_clock(moment: datetime = FROZEN_NOW) -> Callable[[], datetime]:
    return lambda: moment


def demo_opener(
    demo: Any, clock: Callable[[], datetime], regions: list[str] | None = None
) -> Callable[[Options], Awaitable[Runtime]]:
    """An opener for RdsApp bound to a started DemoFleet (which the caller stops)."""

    async def opener(options: Options) -> Runtime:
        chosen = options.with_profile(regions=tuple(regions or options.profiles[0].regions or demo.REGIONS))
        return await open_runtime(chosen, clock=clock, demo=demo)

    return opener


def frozen_app(
    demo: Any, *, settings: Settings | None = None, regions: list[str] | None = None, **kwargs: Any
) -> RdsApp:
    """An RdsApp on `demo` with frozen time and no blinking, ready for run_test."""
    from rdstui.ui.app import RdsApp

    clock = kwargs.pop("clock", frozen_clock())
    settings = settings or Settings()
    return RdsApp(
        settings,
        Options.from_settings(settings, demo=True),
        opener=demo_opener(demo, clock, regions),
        clock=clock,
        cursor_blink=False,
        **kwargs,
    )


async def ready(app: Any, pilot: Any, *, since: datetime | None = None) -> None:
    """Wait until every region has answered (describes, events, metrics; all of them
    asked at `since` or later when given), the app shows that fleet, and the
    selection's backup posture is read."""
    await pilot.pause()
    for _ in range(500):
        runtime = app.runtime
        if app.setup_error is not None:
            break
        if runtime is not None and app.fleet is not None and app.fleet is runtime.watch.fleet:
            snapshots = [loop.snapshot for loop in runtime.watch.loops.values()]
            if all(_answered(snapshot, since) for snapshot in snapshots):
                break
        await pilot.pause(0.02)
    for _ in range(3):
        await app.settle()
        await pilot.pause(0.3)  # the posture read waits for the cursor to rest
        await app.settle()
        await pilot.pause()


def _answered(snapshot: Any, since: datetime | None) -> bool:
    state = snapshot.state
    if since is not None and (state.attempted_at is None or state.attempted_at < since):
        return False
    events = snapshot.events_loaded or state.events_error
    metrics = not state.ok or state.metrics_error or (
        snapshot.metrics_at is not None and (since is None or snapshot.metrics_at >= since)
    )
    return bool(events and metrics)


async def poll_now(app: Any, pilot: Any) -> None:
    """"r", and wait until every region has answered it."""
    asked = app.clock()
    app.action_refresh()
    await ready(app, pilot, since=asked)


def screen_text(app: Any) -> str:
    """The screen as plain text, as a user would read it (the app must be running)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text(styles=False)


def tree_rows(app: Any) -> list[tuple[int, str]]:
    """(depth, label text) for every node in the tree, expanded or not, in order."""
    from rdstui.ui.tree.widget import FleetTree

    tree = app.query_one(FleetTree)
    rows: list[tuple[int, str]] = []

    def visit(node: Any, depth: int) -> None:
        for child in node.children:
            rows.append((depth, tree.line_text(child).plain))
            visit(child, depth + 1)

    visit(tree.root, 0)
    return rows


def node_key(app: Any, ident: str) -> str:
    """The model key of the first database called `ident` in the app's fleet."""
    key: str = next(node.key for node in app.fleet.walk() if node.id == ident)
    return key


def start_demo_on(endpoint: str, clock: Callable[[], datetime] | None = None) -> Any:
    """Empty the moto server at `endpoint` (of this process) and seed the demo fleet on it."""
    import urllib.request

    from rdstui.demo import DemoFleet

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).read()
    return DemoFleet(clock=clock or frozen_clock(), endpoint_url=endpoint).start()
