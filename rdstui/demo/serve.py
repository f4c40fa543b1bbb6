"""The child of DemoProcess: start the demo fleet, say where it is, play it out until stdin closes."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading

from rdstui.demo.fleet import DemoFleet


def main() -> int:
    logging.disable(logging.CRITICAL)  # stderr is closed; what matters goes to stdout
    try:
        fleet = DemoFleet().start()
    except Exception as exc:  # noqa: BLE001 - the console says it in one line
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return 2
    try:
        print(json.dumps({"endpoint_url": fleet.endpoint_url}), flush=True)
        asyncio.run(_simulate_until_stdin_closes(fleet))
    finally:
        fleet.stop()
    return 0


async def _simulate_until_stdin_closes(fleet: DemoFleet) -> None:
    loop = asyncio.get_running_loop()
    closed = asyncio.Event()

    def wait_for_eof() -> None:
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=wait_for_eof, daemon=True).start()
    simulator = asyncio.create_task(fleet.run_simulator(10.0))
    await closed.wait()
    simulator.cancel()


if __name__ == "__main__":
    raise SystemExit(main())
