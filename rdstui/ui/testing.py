"""Running the console against a fixed demo fleet: tests and screenshots.

Time is frozen (`FROZEN_NOW`), the demo's randomness comes from its seed,
and the cursor does not blink, so two runs draw the same screen.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

from rdstui.core.config import Settings
from rdstui.core.poller import FleetPoller
from rdstui.core.session import SessionFactory
from rdstui.runtime import Options, Runtime

FROZEN_NOW = datetime(2025, 3, 14, 9, 26, 53, tzinfo=timezone.utc)


def frozen_clock(moment: datetime = FROZEN_NOW) -> Callable[[], datetime]:
    return lambda: moment


def demo_opener(demo: Any, clock: Callable[[], datetime], regions: list[str] | None = None):
    """An opener for RdsApp bound to a started DemoFleet (which the caller stops)."""

    async def open_runtime(options: Options) -> Runtime:
        factory = SessionFactory(demo.target)
        poller = FleetPoller(factory, list(regions or options.regions or demo.REGIONS), clock=clock)
        await poller.identity()
        return Runtime(factory, poller, "demo", None)

    return open_runtime


def frozen_app(demo: Any, *, settings: Settings | None = None, regions: list[str] | None = None, **kwargs: Any):
    """An RdsApp on `demo` with frozen time and no blinking, ready for run_test."""
    from rdstui.ui.app import RdsApp

    clock = kwargs.pop("clock", frozen_clock())
    return RdsApp(
        settings or Settings(),
        demo=True,
        opener=demo_opener(demo, clock, regions),
        clock=clock,
        cursor_blink=False,
        simulate=False,
        **kwargs,
    )


async def ready(app: Any, pilot: Any) -> None:
    """Wait for the runtime, the first poll, events and the first backup posture."""
    await pilot.pause()
    for _ in range(3):
        await app.settle()
        await pilot.pause()


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
    from rdstui.ui.tree import FleetTree

    tree = app.query_one(FleetTree)
    rows: list[tuple[int, str]] = []

    def visit(node: Any, depth: int) -> None:
        for child in node.children:
            rows.append((depth, child.label.plain))
            visit(child, depth + 1)

    visit(tree.root, 0)
    return rows


def start_demo_on(endpoint: str, clock: Callable[[], datetime] | None = None) -> Any:
    """Empty the moto server at `endpoint` (of this process) and seed the demo fleet on it."""
    import urllib.request

    from rdstui.demo import DemoFleet

    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).read()
    return DemoFleet(clock=clock or frozen_clock(), endpoint_url=endpoint).start()
