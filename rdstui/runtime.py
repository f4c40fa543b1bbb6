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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdstui.core import errors
from rdstui.core.attention import AttentionRules
from rdstui.core.audit import AuditLog, default_path
from rdstui.core.clock import Clock, utcnow
from rdstui.core.config import Settings
from rdstui.core.desk import ActionDesk
from rdstui.core.discovery import enabled_regions
from rdstui.core.regions import unlisted_warnings, validate
from rdstui.core.session import SessionFactory, isolated_session, preload
from rdstui.core.target import AwsTarget
from rdstui.core.watch import FleetWatch, Schedule

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

    async def close(self) -> None:
        await self.factory.close()
        if self.demo is not None:
            self.demo.stop()


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
            factory = SessionFactory(target, session)
        else:
            factory = SessionFactory(AwsTarget(profile=options.profile, endpoint_url=options.endpoint_url))
        regions = await _resolve_regions(factory, options, demo)
        account_id = await caller_account(factory, regions[0])
    except BaseException:
        if factory is not None:
            await factory.close()
        if owned:
            demo.stop()
        raise
    label = "demo" if demo is not None else (options.profile or factory.session.profile or "default")
    if audit_path is None and demo is not None:
        audit_path = default_path().with_name("demo-actions.jsonl")  # never mixed with the real trail
    audit = AuditLog(audit_path, profile=label, account=account_id, clock=clock)
    desk = ActionDesk(factory, audit, read_only_source=options.read_only_source, clock=clock)
    watch = FleetWatch(
        factory, regions, schedule=options.schedule, account_id=account_id, clock=clock, rules=options.rules
    )
    return Runtime(
        factory, watch, desk, label, account_id, demo if owned else None, unlisted_warnings(regions), demo is not None
    )


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
