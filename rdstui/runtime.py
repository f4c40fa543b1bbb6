"""Opening a connection to a fleet: real AWS (CLI conventions) or the embedded demo."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError

from rdstui.core import errors
from rdstui.core.discovery import enabled_regions
from rdstui.core.poller import FleetPoller
from rdstui.core.regions import unlisted_warnings, validate
from rdstui.core.session import AwsTarget, SessionFactory

NO_REGION = (
    "No region given. Pass --region (several, a comma list, or 'all'), "
    "set AWS_REGION, or set a region with `aws configure`."
)


@dataclass
class Options:
    """What the command line (and later the config file) asked for."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    endpoint_url: str | None = None
    demo: bool = False


@dataclass
class Runtime:
    factory: SessionFactory
    poller: FleetPoller
    label: str  # "demo" or the profile name, for the header
    demo: Any = None  # the DemoFleet when --demo
    warnings: list[str] = field(default_factory=list)  # e.g. a region newer than botocore

    async def close(self) -> None:
        await self.factory.close()
        if self.demo is not None:
            self.demo.stop()


def start_demo() -> Any:
    try:
        from rdstui.demo import DemoFleet
    except ImportError as exc:  # moto is in the optional 'demo' extra
        raise errors.SetupError(
            f"--demo needs the demo extra: pip install 'rdstui[demo]' ({exc.name} is missing)"
        ) from exc
    return DemoFleet().start()


async def open_runtime(options: Options) -> Runtime:
    """Connect, resolve regions and check the credentials; SetupError when that fails."""
    # Seeding the demo takes a second or two: off the event loop, so a console keeps drawing.
    demo = await asyncio.to_thread(start_demo) if options.demo else None
    target = demo.target if demo else AwsTarget(profile=options.profile, endpoint_url=options.endpoint_url)
    factory = SessionFactory(target)
    try:
        regions = await _resolve_regions(factory, options, demo)
        poller = FleetPoller(factory, regions)
        await poller.identity()
    except BaseException as exc:
        await factory.close()
        if demo:
            demo.stop()
        if isinstance(exc, BotoCoreError):
            problem = errors.credential_problem(exc, factory.sso_profile)
            raise errors.SetupError(problem or errors.describe(exc, factory.sso_profile)) from exc
        raise
    label = "demo" if demo else (options.profile or factory.session.profile or "default")
    return Runtime(factory, poller, label, demo, unlisted_warnings(regions))


async def _resolve_regions(factory: SessionFactory, options: Options, demo: Any) -> list[str]:
    regions = validate(list(options.regions))
    if not regions:
        default = list(demo.REGIONS) if demo else [factory.default_region()]
        regions = validate([r for r in default if r])
    if not regions:
        raise errors.SetupError(NO_REGION)
    if "all" in regions:
        home = factory.default_region() or "us-east-1"
        try:
            regions = await enabled_regions(factory, home)
        except Exception as exc:  # noqa: BLE001
            problem = errors.credential_problem(exc, factory.sso_profile)
            raise errors.SetupError(problem or f"Could not list regions: {errors.describe(exc, factory.sso_profile)}") from exc
    return regions
