"""Sending an action plan to AWS: one call, in the target's region, never raising for AWS.

    outcome = await execute(factory, plan, read_only=settings.read_only)

The outcome says in plain words what AWS answered. In read-only mode nothing is
sent: `execute` refuses before any I/O, and `ReadOnlyGuard` installed on the
session factory rejects any modifying API call that would get past it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from botocore import exceptions as bx

from rdstui.core import errors
from rdstui.core.actions import ActionPlan
from rdstui.core.operations import operation
from rdstui.core.session import SessionFactory

READ_ONLY = "ReadOnly"
INVALID_PLAN = "InvalidPlan"

# Operations a read-only console may still send: everything that only reads.
READ_PREFIXES = ("Describe", "List", "Get")

NOT_FOUND_CODES = {
    "DBInstanceNotFound",
    "DBInstanceNotFoundFault",
    "DBClusterNotFoundFault",
    "GlobalClusterNotFoundFault",
}
STATE_CODES = {
    "InvalidDBInstanceState",
    "InvalidDBInstanceStateFault",
    "InvalidDBClusterStateFault",
    "InvalidGlobalClusterStateFault",
    "InvalidDBClusterSnapshotStateFault",
}
PARAMETER_CODES = {"InvalidParameterValue", "InvalidParameterCombination", "ValidationError", "MissingParameter"}
ALREADY_EXISTS_CODES = {"DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault", "DBClusterSnapshotAlreadyExistsFault"}
QUOTA_CODES = {"SnapshotQuotaExceeded", "SnapshotQuotaExceededFault"}


@dataclass(frozen=True)
class Outcome:
    """What became of one action: never an exception."""

    ok: bool
    message: str  # one line, plain words
    error_code: str | None = None
    duration_s: float = 0.0
    response: dict[str, Any] = field(default_factory=dict)
    sent: bool = True  # False: refused before any request went out

    def __str__(self) -> str:
        return self.message


class ReadOnlyError(Exception):
    """Raised by the guard before a modifying request is signed or sent."""


class ReadOnlyGuard:
    """Rejects every non-read API call made through a session factory while enabled.

    Installed once on a factory (its session, for clients created later, and the
    clients it already holds); `enabled` can be switched at run time.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.blocked: list[str] = []  # operations it stopped, for tests and diagnostics

    def check(self, model: Any = None, **_: Any) -> None:
        name = getattr(model, "name", "") or ""
        if self.enabled and not name.startswith(READ_PREFIXES):
            self.blocked.append(name)
            raise ReadOnlyError(f"the console is read-only: {name} was not sent")

    def install(self, factory: SessionFactory) -> ReadOnlyGuard:
        unique = f"rdstui-read-only-{id(self)}"
        factory.session.register("before-call", self.check, unique_id=unique)
        for client in list(getattr(factory, "_clients", {}).values()):
            client.meta.events.register("before-call", self.check, unique_id=unique)
        return self


def _identifier(plan: ActionPlan) -> str:
    return plan.target.id


def explain(exc: BaseException, plan: ActionPlan, sso_profile: str | None = None) -> tuple[str, str]:
    """(error code, one plain line) for a failed call."""
    target = _identifier(plan)
    region = plan.region
    call = plan.operation
    if isinstance(exc, ReadOnlyError):
        return READ_ONLY, str(exc)
    if isinstance(exc, bx.ClientError):
        code = errors.error_code(exc)
        aws = (exc.response.get("Error", {}).get("Message") or "").strip()
        said = f" (AWS: {aws})" if aws else ""
        retried = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        if code in errors.DENIED_CODES:
            return code, f"access denied: these credentials may not call rds:{call} on {target}{said}"
        if code in errors.THROTTLE_CODES:
            return code, f"AWS is throttling requests in {region} ({code}): nothing was changed; try again in a moment"
        if code in errors.EXPIRED_CODES:
            return code, f"{errors.credentials_expired(code, sso_profile)}; nothing was changed"
        if code in STATE_CODES:
            line = f"{target} is not in a state that allows this right now{said}"
            if retried:
                line += "; the call was retried, so the first try may have gone through: watch the events"
            return code, line
        if code in NOT_FOUND_CODES:
            return code, f"{target} was not found in {region}: it may have been deleted or renamed{said}"
        if code in ALREADY_EXISTS_CODES:
            name = plan.name.value if plan.name else "this name"
            return code, f"a snapshot named {name} already exists: choose another name"
        if code in QUOTA_CODES:
            return code, (
                "the account's manual snapshot quota is reached: delete old snapshots or ask AWS for a higher quota"
            )
        if code in PARAMETER_CODES:
            return code, f"AWS refused the parameters of {call}: {aws or code}"
        return code, f"{call} failed ({code}){': ' + aws if aws else ''}"
    if isinstance(exc, (bx.ReadTimeoutError, asyncio.TimeoutError, TimeoutError)):
        return "Timeout", (
            f"no answer from AWS in {region} in time: {call} may or may not have started; watch the events"
        )
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return "EndpointConnectionError", f"could not reach RDS in {region}: nothing was sent ({exc})"
    if isinstance(exc, bx.ConnectionClosedError):
        return "ConnectionClosedError", (
            f"the connection to RDS in {region} closed before an answer: {call} may or may not have started"
        )
    problem = errors.credential_problem(exc, sso_profile)
    if problem:
        return type(exc).__name__, problem
    return type(exc).__name__, f"{call} failed unexpectedly: {type(exc).__name__}: {exc}"


def _refused(plan: ActionPlan, code: str, message: str) -> Outcome:
    return Outcome(False, message, code, 0.0, {}, sent=False)


async def execute(
    factory: SessionFactory,
    plan: ActionPlan,
    *,
    read_only: bool = False,
    timer: Callable[[], float] = time.perf_counter,
) -> Outcome:
    """Send the plan's one API call in its region; never raises for AWS.

    Read-only, an invalid plan (a bad snapshot name) or an operation that is not an
    action is refused before any I/O. (Auditing is the ActionDesk's: see desk.py.)
    """
    if read_only:
        return _refused(plan, READ_ONLY, f"the console is read-only: {plan.operation} was not sent")
    op = operation(plan.operation)
    if op is None:
        return _refused(plan, INVALID_PLAN, f"{plan.operation} is not an action this console sends")
    problem = plan.problem()
    if problem:
        return _refused(plan, INVALID_PLAN, problem)
    began = timer()
    try:
        client = await factory.action_client("rds", plan.region)
        call = getattr(client, op.method)
        response = await call(**dict(plan.params))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes an outcome
        code, message = explain(exc, plan, factory.sso_profile)
        sent = not isinstance(exc, (ReadOnlyError, bx.EndpointConnectionError, bx.ConnectTimeoutError))
        return Outcome(False, message, code, timer() - began, {}, sent=sent)
    answer = {k: v for k, v in dict(response).items() if k != "ResponseMetadata"}
    return Outcome(True, op.started(plan.params, answer), None, timer() - began, answer)
