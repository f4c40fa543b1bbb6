"""Constants and helpers the tests share (fixtures are in conftest.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

ACCOUNT = "123456789012"  # the demo fleet's account
START = datetime(2025, 6, 2, 12, 0, 30, tzinfo=timezone.utc)  # where demo clocks start


def arn(region: str, kind: str, ident: str) -> str:
    return f"arn:aws:rds:{region}:{ACCOUNT}:{kind}:{ident}"


class Clock:
    """A demo clock the test moves by hand: `clock.now += timedelta(...)`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def free_port() -> int:
    """A port nothing listens on (bound for a moment, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_node(fleet, ident: str):
    """The database `ident` in a fleet (not its standby), or None."""
    return next((n for n in fleet.walk() if n.id == ident and n.type.value != "standby"), None)


async def follow(app, pilot, demo, clock: Clock, seconds: float, step: float = 10) -> None:
    """Demo time passes, the demo plays its steps, the console polls (as its timer would)."""
    from rdstui.ui.testing import poll_now

    end = clock.now + timedelta(seconds=seconds)
    while clock.now < end:
        clock.now = min(end, clock.now + timedelta(seconds=step))
        demo.tick()
        await poll_now(app, pilot)


def strings(value: Any) -> list[str]:
    """Every string in a JSON value (not the keys)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def json_nodes(nodes: list[dict[str, Any]], depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """(depth, node) of every node of a `status --json` tree, parents first."""
    for node in nodes:
        yield depth, node
        yield from json_nodes(node.get("children", []), depth + 1)


def footer_keys(app: Any) -> set[str]:
    """Keys the footer offers (shown and enabled)."""
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show and active.enabled}


def key_names(text: str) -> list[str]:
    """What pilot.press takes to type `text`."""
    return [{"-": "minus", " ": "space"}.get(c, c) for c in text]
