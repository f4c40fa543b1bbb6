"""Opening the runtime for the console without freezing it.

`rdstui.runtime.open_runtime` starts the demo fleet synchronously (moto and
seeding take a second or two); in the console that would freeze the first
frame. Here the demo starts in a thread, then the rest is the runtime's own
code path.
"""

from __future__ import annotations

import asyncio

from rdstui.core.poller import FleetPoller
from rdstui.core.session import SessionFactory
from rdstui.runtime import Options, Runtime, _resolve_regions, open_runtime, start_demo


async def open_console_runtime(options: Options) -> Runtime:
    if not options.demo:
        return await open_runtime(options)
    demo = await asyncio.to_thread(start_demo)
    factory = SessionFactory(demo.target)
    try:
        regions = await _resolve_regions(factory, options, demo)
        poller = FleetPoller(factory, regions)
        await poller.identity()
    except BaseException:
        await factory.close()
        demo.stop()
        raise
    return Runtime(factory, poller, "demo", demo)
