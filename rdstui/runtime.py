"""Opening a connection to a fleet: real AWS (CLI conventions) or the embedded demo.

    runtime = await open_runtime(Options.from_settings(settings, demo=False))
    async for fleet in runtime.watch.fleets(): ...
    await runtime.close()

A `Runtime` is the session's core objects: the watch over every region of
every account, and the action desk (a seat, with its session factory, per
account). The CLI builds the `Options`; the console and `rdstui status` are
handed them. With several profiles each is opened on its own, concurrently: one
that fails is an account that says why, the others go on; two that reach one
account (STS says which) are one account, polled once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rdstui.core import errors
from rdstui.core.accounts import AccountsWatch
from rdstui.core.attention import AttentionRules
from rdstui.core.audit import AuditLog, default_path
from rdstui.core.clock import Clock, utcnow
from rdstui.core.config import Settings
from rdstui.core.desk import ActionDesk
from rdstui.core.discovery import enabled_regions
from rdstui.core.model import AccountState
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
class ProfileOptions:
    """One profile to watch: whose credentials, which regions, where calls go, read-only."""

    name: str | None = None  # None: AWS_PROFILE, else botocore's default
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    schedule: Schedule = Schedule()
    read_only_source: str | None = None  # why it is read-only for the session ("--read-only", a config line)
    label: str | None = None  # the config's label ("PRODUCTION")
    write_flag: bool = False  # --write lifted the config file's read-only

    @classmethod
    def from_settings(cls, settings: Settings) -> ProfileOptions:
        return cls(
            name=settings.profile,
            regions=tuple(settings.regions),
            endpoint_url=settings.endpoint_url,
            schedule=Schedule(settings.refresh, settings.metrics_refresh, settings.alarms),
            read_only_source=(settings.read_only_source or "--read-only") if settings.read_only else None,
            label=settings.label,
            write_flag=settings.write_flag,
        )


@dataclass(frozen=True)
class Options:
    """What the command line and the config file asked for, as the runtime needs it."""

    profiles: tuple[ProfileOptions, ...] = (ProfileOptions(),)
    demo: bool = False
    rules: AttentionRules = AttentionRules()
    record: Path | None = None  # --record FILE: every AWS call appended to it
    redact: bool = False  # --redact: the recording keeps nothing of the account

    @classmethod
    def from_settings(cls, first: Settings, *others: Settings, demo: bool) -> Options:
        """One profile's settings each; the attention rules are the first's (the file's)."""
        profiles = tuple(ProfileOptions.from_settings(settings) for settings in (first, *others))
        return cls(profiles=profiles, demo=demo, rules=AttentionRules.from_settings(first))

    @property
    def several(self) -> bool:
        """More than one profile: the tree's roots are the accounts."""
        return len(self.profiles) > 1

    def with_profile(self, **changes: Any) -> Options:
        """The first (with one, the only) profile changed: tests, benchmarks."""
        return replace(self, profiles=(replace(self.profiles[0], **changes), *self.profiles[1:]))


Watch = FleetWatch | AccountsWatch


@dataclass
class Runtime:
    watch: Watch
    desk: ActionDesk
    label: str  # "demo", the profile name, or the profiles' names, for the header
    account_id: str | None  # None with several accounts
    accounts: tuple[AccountState, ...] = ()
    demo: Any = None  # the demo's process when --demo started it
    warnings: list[str] = field(default_factory=list)  # e.g. a region newer than botocore
    on_demo: bool = False  # the demo fleet, whoever started it (a profile may be called "demo")
    recorder: Recorder | None = None  # --record
    replay: Replay | None = None  # --replay: the recording and its clock

    def factory_for(self, account: str | None) -> SessionFactory:
        """The session factory of `account`'s profile: its reads (backups) go with its credentials."""
        return self.desk.seat_of(account).factory

    async def close(self) -> None:
        """Close the clients, then the recording (its last calls are written first)."""
        await asyncio.gather(*(seat.factory.close() for seat in self.desk.seats))
        if self.recorder is not None:
            await self.recorder.close()
        if self.replay is not None:
            self.replay.recording.close()
        if self.demo is not None:
            self.demo.stop()

    def rewatch(self) -> Watch:
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
    """Connect, resolve regions and check the credentials; SetupError when that fails
    (with several profiles: when every one of them fails).

    `demo`: a demo fleet to use (a DemoFleet in tests, or the CLI's demo process, begun
    before the console's imports); with `options.demo` and none given, one is started here
    and stopped with the Runtime. The demo's actions are audited apart from real ones.
    """
    if options.several:
        if options.demo or demo is not None or options.record is not None:
            raise errors.SetupError("several profiles are for AWS: --demo and --record take one")
        return await _open_accounts(options, clock, audit_path)
    recorder = recorder_for(options.record, clock=clock, redact=options.redact)  # SetupError: before anything starts
    owned = demo is None and options.demo
    if owned:
        from rdstui.demo.process import start_demo

        demo = start_demo()
    try:
        opened = await _open_profile(options.profiles[0], demo, recorder)
    except BaseException:
        if recorder is not None:  # the calls that failed are the story of why
            await recorder.close()
        if owned:
            demo.stop()
        raise
    label = "demo" if demo is not None else opened.label
    if recorder is not None:
        recorder.begin(None if demo is not None else label, opened.account_id, opened.regions)
    if audit_path is None and demo is not None:
        audit_path = default_path().with_name("demo-actions.jsonl")  # never mixed with the real trail
    profile = options.profiles[0]
    account = opened.state(profile, label)
    audit = AuditLog(audit_path, profile=label, account=opened.account_id, clock=clock)
    desk = ActionDesk(
        opened.factory, audit, read_only_source=profile.read_only_source, clock=clock, account=opened.account_id
    )
    watch = FleetWatch(
        opened.factory, opened.regions, schedule=profile.schedule, account_id=opened.account_id, clock=clock,
        rules=options.rules, account=account,
    )
    return Runtime(
        watch,
        desk,
        label,
        opened.account_id,
        (account,),
        demo if owned else None,
        unlisted_warnings(opened.regions),
        demo is not None,
        recorder=recorder,
    )


@dataclass
class _Opened:
    """One profile, connected: its factory, regions, and the account STS named."""

    factory: SessionFactory
    regions: list[str]
    account_id: str | None
    label: str  # the profile's name as shown

    def state(self, profile: ProfileOptions, label: str) -> AccountState:
        return AccountState(
            (label,), self.account_id, read_only_why=profile.read_only_source, label=profile.label,
            write_flag=profile.write_flag,
        )


async def _open_profile(profile: ProfileOptions, demo: Any, recorder: Recorder | None) -> _Opened:
    """The profile's factory, regions and account; SetupError (its factory closed) if not."""
    factory: SessionFactory | None = None
    try:
        if demo is not None:  # the demo's process may still be seeding: meanwhile, parse the AWS models
            target, session = await asyncio.gather(
                asyncio.to_thread(lambda: demo.target), asyncio.to_thread(preload, isolated_session())
            )
            factory = _factory(target, session, recorder)
        else:
            factory = _factory(AwsTarget(profile=profile.name, endpoint_url=profile.endpoint_url), None, recorder)
        regions = await _resolve_regions(factory, profile.regions, demo)
        account_id = await caller_account(factory, regions[0])
    except BaseException:
        if factory is not None:
            await factory.close()
        raise
    return _Opened(factory, regions, account_id, profile.name or factory.session.profile or "default")


async def _open_accounts(options: Options, clock: Clock, audit_path: Path | None) -> Runtime:
    """Every profile opened at once; those of one account joined, those that failed kept
    as accounts that say why."""
    results = await asyncio.gather(
        *(_open_profile(profile, None, None) for profile in options.profiles), return_exceptions=True
    )
    accounts: dict[str, tuple[AccountState, _Opened, ProfileOptions]] = {}  # by account id, first profile first
    shown: list[str | AccountState] = []  # account ids and failed accounts, in the profiles' order
    for profile, result in zip(options.profiles, results):
        name = profile.name or "default"
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result  # KeyboardInterrupt, cancellation
            why = str(result) if isinstance(result, errors.SetupError) else errors.describe(result)
            if why == errors.NO_CREDENTIALS:  # its advice is for one profile: "pass --profile"
                why = f"No AWS credentials for profile {name}: run `aws configure --profile {name}` (or sso login)"
            shown.append(AccountState((name,), None, error=why, read_only_why=profile.read_only_source,
                                      label=profile.label))
            continue
        key = result.account_id or name
        if key not in accounts:
            accounts[key] = (result.state(profile, name), result, profile)
            shown.append(key)
            continue
        state, opened, first = accounts[key]
        await result.factory.close()  # polled once, with the first profile's credentials
        opened.regions = list(dict.fromkeys([*opened.regions, *result.regions]))
        accounts[key] = (_joined(state, name, profile), opened, first)
    if not accounts:
        failures = "; ".join(f"profile {state.name}: {state.error}" for state in shown if isinstance(state, AccountState))
        raise errors.SetupError(f"no profile could be opened ({failures})")
    states = tuple(accounts[item][0] if isinstance(item, str) else item for item in shown)
    desk: ActionDesk | None = None
    watches: list[FleetWatch] = []
    for state, opened, profile in accounts.values():
        audit = AuditLog(audit_path, profile=state.profiles[0], account=opened.account_id, clock=clock)
        if desk is None:
            desk = ActionDesk(opened.factory, audit, read_only_source=state.read_only_why, clock=clock,
                              account=opened.account_id)
        else:
            desk.seat(opened.factory, audit, account=opened.account_id, read_only_source=state.read_only_why)
        watches.append(FleetWatch(
            opened.factory, opened.regions, schedule=profile.schedule, account_id=opened.account_id, clock=clock,
            rules=options.rules, account=state,
        ))
    assert desk is not None
    warnings = list(dict.fromkeys(w for watch in watches for w in unlisted_warnings(watch.regions)))
    label = ", ".join(state.name for state in states)
    return Runtime(AccountsWatch(watches, states), desk, label, None, states, warnings=warnings)


def _joined(state: AccountState, name: str, profile: ProfileOptions) -> AccountState:
    """`state` reached by one more profile: read-only when either is (a promise kept)."""
    return replace(
        state,
        profiles=(*state.profiles, name),
        read_only_why=state.read_only_why or profile.read_only_source,
        label=state.label or profile.label,
        write_flag=state.write_flag or profile.write_flag,
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
    label = recording.profile or "demo"  # recorded on the demo (a profile is always named)
    audit = AuditLog(default_path().with_name("replay-actions.jsonl"), profile=label, account=account_id)
    desk = ActionDesk(factory, audit, read_only_source="--replay", account=account_id)
    schedule = replace(options.profiles[0].schedule, refresh=REPLAY_IDLE)  # the replay's clock says when to poll
    account = AccountState((label,), account_id, read_only_why="--replay")
    watch = FleetWatch(
        factory, regions, schedule=schedule, account_id=account_id, clock=replay.clock.now, rules=options.rules,
        account=account,
    )
    return Runtime(watch, desk, label, account_id, (account,), warnings=unlisted_warnings(regions), replay=replay)


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


async def _resolve_regions(factory: SessionFactory, asked: tuple[str, ...], demo: Any) -> list[str]:
    regions = validate(list(asked))
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
