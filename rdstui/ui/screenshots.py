"""Regenerate screenshots/*.svg: the console drawing the demo fleet.

    python -m rdstui.ui.screenshots [OUTPUT_DIR]

Time is frozen and the demo seeded, so the files change only when the UI does.
Run it after any change to the console and commit the results.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timezone
from functools import partial
from pathlib import Path
from typing import Any

from rdstui.core.config import Settings
from rdstui.ui.testing import FROZEN_NOW, frozen_app, frozen_clock, ready

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "screenshots"


@dataclass
class Shot:
    name: str
    size: tuple[int, int]
    press: list[str] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    select: str | None = None  # a database to put the cursor on first
    title: str = "rdstui --demo"


def typed(text: str) -> list[str]:
    """Key names for typing `text`."""
    return [{"-": "minus", " ": "space"}.get(c, c) for c in text]


SHOTS = [
    Shot("main-80x24", (80, 24)),
    Shot("main-160x48", (160, 48), select="orders-pg-ro1"),
    Shot("detail-chart-80x24", (80, 24), press=["1"], select="catalog-mysql-ro-drift"),
    Shot("detail-chart-160x48", (160, 48), press=["2"], select="orders-pg"),
    Shot("filter-80x24", (80, 24), press=["slash", *"replica", "enter"]),
    Shot("problems-80x24", (80, 24), press=["exclamation_mark"], select="catalog-mysql-ro-drift"),
    Shot("event-80x24", (80, 24), press=["e", "enter"]),
    Shot("production-80x24", (80, 24), settings=Settings(label="PRODUCTION"), press=["f"], select="orders-pg"),
    Shot("help-80x24", (80, 24), press=["question_mark"]),
    Shot("light-160x48", (160, 48), settings=Settings(theme="rdstui-light"), select="payments-usw2"),
    Shot("ansi16-80x24", (80, 24), settings=Settings(theme="rdstui-16"), select="orders-pg-ro1"),
    # The confirmation modals: nothing is confirmed, so the demo fleet is unchanged.
    Shot("snapshot-modal-80x24", (80, 24), press=["s"], select="inventory-maz"),
    Shot("failover-global-modal-80x24", (80, 24), press=["f", "tab"], select="payments-global"),
    Shot("promote-modal-80x24", (80, 24), press=["p", *typed("orders-pg-ro1")], select="orders-pg-ro1"),
]


def shot_app(demo: Any, shot: Shot) -> Any:
    # The local time beside UTC is UTC too: the same pictures on every machine.
    app = frozen_app(demo, settings=shot.settings, clock=frozen_clock(FROZEN_NOW), local_zone=timezone.utc)
    app.title = shot.title
    return app


async def stage(shot: Shot, pilot: Any) -> None:
    """Bring a running app to the state the shot shows."""
    app = pilot.app
    await ready(app, pilot)
    if shot.select:
        key = next(node.key for node in app.fleet.walk() if node.id == shot.select and node.type.value != "standby")
        app.jump_to(key)
        await ready(app, pilot)
    for key in shot.press:
        await pilot.press(key)
        await pilot.pause()  # a key may open a modal: the next one goes to it
    await ready(app, pilot)


async def take(demo: Any, shot: Shot, directory: Path) -> Path:
    app = shot_app(demo, shot)
    path = directory / f"{shot.name}.svg"
    async with app.run_test(size=shot.size) as pilot:
        await stage(shot, pilot)
        app.save_screenshot(path.name, str(directory))
    return path


REPLAY_SHOT = "replay-80x24"


async def take_replay(demo: Any, directory: Path) -> Path:
    """The console on a recording of the demo fleet (one poll), paused at its end."""
    import tempfile

    from rdstui.core.replay import Replay
    from rdstui.runtime import Options, open_replay, open_runtime
    from rdstui.ui.app import RdsApp

    with tempfile.TemporaryDirectory() as scratch:
        recorded = Path(scratch) / "demo.jsonl"
        runtime = await open_runtime(Options(demo=True, record=recorded), clock=frozen_clock(FROZEN_NOW), demo=demo)
        try:
            await runtime.watch.once()
        finally:
            await runtime.close()
        replay = Replay.open(recorded, FROZEN_NOW)
        app = RdsApp(Settings(), Options(), opener=partial(open_replay, replay), replay=replay, cursor_blink=False,
                     local_zone=timezone.utc)
        app.title = "rdstui --replay demo.jsonl"
        path = directory / f"{REPLAY_SHOT}.svg"
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(app, pilot)
            app.save_screenshot(path.name, str(directory))
        replay.recording.close()
    return path


ACCOUNTS_SHOT = "accounts-80x24"
SECOND_ACCOUNT = "210987654321"


@contextmanager
def second_account() -> Iterator[str]:
    """A moto server of its own for a second account (moto's account id is process-wide),
    seeded with a few databases, one named as the demo's; its URL."""
    import boto3

    from rdstui.demo.process import moto_server

    proc, url = moto_server({"MOTO_ACCOUNT_ID": SECOND_ACCOUNT})
    try:
        rds = boto3.client("rds", region_name="us-east-1", endpoint_url=url,
                           aws_access_key_id="seed", aws_secret_access_key="seed")
        for ident, engine in (("orders-pg", "postgres"), ("billing-mysql", "mysql")):
            rds.create_db_instance(DBInstanceIdentifier=ident, DBInstanceClass="db.t3.medium", Engine=engine,
                                   MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20)
        rds.create_db_instance_read_replica(DBInstanceIdentifier="orders-pg-ro1", SourceDBInstanceIdentifier="orders-pg")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def aws_config(text: str) -> Iterator[None]:
    """The AWS CLI's config file for the length of the block, and nothing else of the machine's."""
    import os
    import tempfile

    names = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_PROFILE",
             "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION")
    saved = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "config"
        path.write_text(text)
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(AWS_CONFIG_FILE=str(path), AWS_SHARED_CREDENTIALS_FILE=str(path.with_name("none")),
                          AWS_EC2_METADATA_DISABLED="true")
        try:
            yield
        finally:
            for name, value in saved.items():
                os.environ.pop(name, None)
                if value is not None:
                    os.environ[name] = value


async def take_accounts(demo: Any, directory: Path) -> Path:
    """Three profiles in one tree: the demo's account (read-only, PRODUCTION), a second
    account, and a profile without credentials; prod folded, so the others show at 80x24."""
    from rdstui.core.target import DEMO_CREDENTIALS
    from rdstui.runtime import Options, ProfileOptions, open_runtime
    from rdstui.ui.app import RdsApp

    keys = f"aws_access_key_id = {DEMO_CREDENTIALS['aws_access_key_id']}\n" \
           f"aws_secret_access_key = {DEMO_CREDENTIALS['aws_secret_access_key']}\n"
    clock = frozen_clock(FROZEN_NOW)
    with second_account() as url:
        text = (f"[profile prod]\nendpoint_url = {demo.endpoint_url}\n{keys}\n"
                f"[profile staging]\nendpoint_url = {url}\n{keys}\n"
                f"[profile sandbox]\nendpoint_url = {url}\n")
        with aws_config(text):
            profiles = (
                ProfileOptions("prod", tuple(demo.REGIONS), read_only_source="read_only = true for profile prod in "
                               "config.toml", label="PRODUCTION"),
                ProfileOptions("staging", ("us-east-1",)),
                ProfileOptions("sandbox", ("us-east-1",)),
            )
            app = RdsApp(Settings(), Options(profiles=profiles), opener=partial(open_runtime, clock=clock), clock=clock,
                         cursor_blink=False, local_zone=timezone.utc)
            app.title = "rdstui --profile prod,staging,sandbox"
            path = directory / f"{ACCOUNTS_SHOT}.svg"
            async with app.run_test(size=(80, 24)) as pilot:
                await ready(app, pilot)
                await pilot.press("left")  # prod folded: staging and sandbox in view
                await ready(app, pilot)
                app.save_screenshot(path.name, str(directory))
    return path


async def take_all(directory: Path, names: list[str] | None = None) -> list[Path]:
    from rdstui.demo import DemoFleet

    directory.mkdir(parents=True, exist_ok=True)
    demo = DemoFleet(clock=frozen_clock(FROZEN_NOW)).start()
    try:
        taken = [await take(demo, shot, directory) for shot in SHOTS if not names or shot.name in names]
        if not names or ACCOUNTS_SHOT in names:
            taken.append(await take_accounts(demo, directory))
        if not names or REPLAY_SHOT in names:
            taken.append(await take_replay(demo, directory))  # last: the others never see its poll
        return taken
    finally:
        demo.stop()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args.pop(0)) if args and not args[0].startswith("-") else DEFAULT_DIR
    for path in asyncio.run(take_all(directory, args or None)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
