"""Opening a connection to a fleet: real AWS (CLI conventions) or the embedded demo.

    runtime = await open_runtime(Options.from_settings(settings, demo=False))
    async for fleet in runtime.watch.fleets(): ...
    await runtime.close()

A `Runtime` is the session's core objects: the session factory, the watch
over every region, and the action desk. The CLI builds the `Options`; the
console and `rdstui status` are handed them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rdstui.core import errors
from rdstui.core.attention import AttentionRules
from rdstui.core.audit import AuditLog, default_path
from rdstui.core.clock import Clock, utcnow
from rdstui.core.config import Settings
from rdstui.core.desk import ActionDesk
from rdstui.core.discovery import enabled_regions
from rdstui.core.recording import Recorder, recorder_for
from rdstui.core.regions import unlisted_warnings, validate
from rdstui.core.replay import Replay, install
from rdstui.core.session import SessionFactory, isolated_session, preload
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.core.watch import FleetWatch, Schedule

REPLAY_CREDENTIALS = DEMO_CREDENTIALS  # placeholder keys: no call leaves the machine
REPLAY_IDLE = 10.0**9  # a replay's regions poll when its clock passes a recorded poll, not on a timer
NO_REGION = (
    "No region given. Pass --region (several, a comma list, or 'all'), "
    "set AWS_REGION, or set a region with `aws configure`."
)


@dataclass(frozen=True)
class Options:
    """What the command line and the config file asked for, as the runtime needs it."""

    profile: str | None = None
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    demo: bool = False
    schedule: Schedule = Schedule()
    rules: AttentionRules = AttentionRules()
    read_only_source: str | None = None  # why the whole session is read-only ("--read-only", a config line)
    record: Path | None = None  # --record FILE: every AWS call appended to it
    redact: bool = False  # --redact: the recording keeps nothing of the account

    @classmethod
    def from_settings(cls, settings: Settings, *, demo: bool) -> Options:
        return cls(
            profile=settings.profile,
            regions=tuple(settings.regions),
            endpoint_url=settings.endpoint_url,
            demo=demo,
            schedule=Schedule(settings.refresh, settings.metrics_refresh, settings.alarms),
            rules=AttentionRules.from_settings(settings),
            read_only_source=(settings.read_only_source or "--read-only") if settings.read_only else None,
        )


@dataclass
class Runtime:
    factory: SessionFactory
    watch: FleetWatch
    desk: ActionDesk
    label: str  # "demo" or the profile name, for the header
    account_id: str | None
    demo: Any = None  # the demo's process when --demo started it
    warnings: list[str] = field(default_factory=list)  # e.g. a region newer than botocore
    on_demo: bool = False  # the demo fleet, whoever started it (a profile may be called "demo")
    recorder: Recorder | None = None  # --record
    replay: Replay | None = None  # --replay: the recording and its clock

    async def close(self) -> None:
        """Close the clients, then the recording (its last calls are written first)."""
        await self.factory.close()
        if self.recorder is not None:
            await self.recorder.close()
        if self.replay is not None:
            self.replay.recording.close()
        if self.demo is not None:
            self.demo.stop()

    def rewatch(self) -> FleetWatch:
        """A new watch of the same regions, knowing nothing yet: a replay moved in time."""
        self.watch = self.watch.renewed()
        return self.watch


async def open_runtime(
    options: Options,
    *,
    clock: Clock = utcnow,
    demo: Any = None,
    audit_path: Path | None = None,
) -> Runtime:
    """Connect, resolve regions and check the credentials; SetupError when that fails.

    `demo`: a demo fleet to use (a DemoFleet in tests, or the CLI's demo process, begun
    before the console's imports); with `options.demo` and none given, one is started here
    and stopped with the Runtime. The demo's actions are audited apart from real ones.
    """
    recorder = recorder_for(options.record, clock=clock, redact=options.redact)  # SetupError: before anything starts
    owned = demo is None and options.demo
    if owned:
        from rdstui.demo.process import start_demo

        demo = start_demo()
    factory: SessionFactory | None = None
    try:
        if demo is not None:  # the demo's process may still be seeding: meanwhile, parse the AWS models
            target, session = await asyncio.gather(
                asyncio.to_thread(lambda: demo.target), asyncio.to_thread(preload, isolated_session())
            )
            factory = _factory(target, session, recorder)
        else:
            factory = _factory(AwsTarget(profile=options.profile, endpoint_url=options.endpoint_url), None, recorder)
        regions = await _resolve_regions(factory, options, demo)
        account_id = await caller_account(factory, regions[0])
    except BaseException:
        if factory is not None:
            await factory.close()
        if recorder is not None:  # the calls that failed are the story of why
            await recorder.close()
        if owned:
            demo.stop()
        raise
    label = "demo" if demo is not None else (options.profile or factory.session.profile or "default")
    if recorder is not None:
        recorder.begin(None if demo is not None else label, account_id, regions)
    if audit_path is None and demo is not None:
        audit_path = default_path().with_name("demo-actions.jsonl")  # never mixed with the real trail
    audit = AuditLog(audit_path, profile=label, account=account_id, clock=clock)
    desk = ActionDesk(factory, audit, read_only_source=options.read_only_source, clock=clock)
    watch = FleetWatch(
        factory, regions, schedule=options.schedule, account_id=account_id, clock=clock, rules=options.rules
    )
    return Runtime(
        factory,
        watch,
        desk,
        label,
        account_id,
        demo if owned else None,
        unlisted_warnings(regions),
        demo is not None,
        recorder=recorder,
    )


def _factory(target: AwsTarget, session: Any, recorder: Recorder | None) -> SessionFactory:
    """The session factory, its session heard by the recorder before any client exists."""
    factory = SessionFactory(target, session)
    if recorder is not None:
        recorder.install(factory.session)
    return factory


async def open_replay(replay: Replay, options: Options) -> Runtime:
    """The console or `status` on a recording: its regions and account, read-only by construction.

    The clients are made as for AWS (an isolated session, placeholder keys) and answered
    from the recording at `replay.clock`; the regions polled are the recording's."""
    recording = replay.recording
    session = await asyncio.to_thread(preload, isolated_session())
    install(session, recording, replay.clock.now)
    factory = SessionFactory(AwsTarget(credentials=REPLAY_CREDENTIALS), session)
    try:
        regions = validate(recording.regions or sorted({call.region for call in recording.calls if call.service == "rds"}))
        if not regions:
            raise errors.SetupError(f"{recording.path}: the recording names no region and has no RDS call")
        account_id = await caller_account(factory, regions[0])
    except BaseException:
        await factory.close()
        raise
    label = recording.profile or "replay"
    audit = AuditLog(default_path().with_name("replay-actions.jsonl"), profile=label, account=account_id)
    desk = ActionDesk(factory, audit, read_only_source="--replay")
    schedule = replace(options.schedule, refresh=REPLAY_IDLE)  # the replay's clock says when to poll
    watch = FleetWatch(
        factory, regions, schedule=schedule, account_id=account_id, clock=replay.clock.now, rules=options.rules
    )
    return Runtime(factory, watch, desk, label, account_id, warnings=unlisted_warnings(regions), replay=replay)


async def caller_account(factory: SessionFactory, region: str) -> str | None:
    """The account id, proving the credentials work (STS GetCallerIdentity); SetupError if not."""
    try:
        sts = await factory.client("sts", region)
        answer = await sts.get_caller_identity()
    except Exception as exc:  # noqa: BLE001 - every failure here stops the start, in one line
        problem = errors.credential_problem(exc, factory.sso_profile)
        raise errors.SetupError(
            problem or f"could not check the credentials (STS GetCallerIdentity): {errors.describe(exc, factory.sso_profile)}"
        ) from exc
    account = answer.get("Account")
    return account if isinstance(account, str) else None


async def _resolve_regions(factory: SessionFactory, options: Options, demo: Any) -> list[str]:
    regions = validate(list(options.regions))
    if not regions:
        default = list(demo.REGIONS) if demo is not None else [factory.default_region()]
        regions = validate([r for r in default if r])
    if not regions:
        raise errors.SetupError(NO_REGION)
    if "all" in regions:
        home = factory.default_region() or "us-east-1"
        try:
            regions = await enabled_regions(factory, home)
        except Exception as exc:  # noqa: BLE001
            problem = errors.credential_problem(exc, factory.sso_profile)
            words = problem or f"Could not list regions: {errors.describe(exc, factory.sso_profile)}"
            raise errors.SetupError(words) from exc
    return regions
