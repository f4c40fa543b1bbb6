"""The audit log: one JSON line per action attempted, in the XDG state directory.

    $XDG_STATE_HOME/rdstui/actions.jsonl   (default ~/.local/state/rdstui/actions.jsonl)

Every attempt is written — sent (just before the call: if the console stops
while AWS has not answered, this line says the call may have gone out),
succeeded, failed, cancelled at the confirmation, refused (not applicable,
read-only, already in flight) — with the time (UTC),
profile, account, region, target, API call and parameters, outcome and
duration. The file is created 0600 (its directory 0700). Nothing secret is
written: parameters whose name looks like a password, secret, token or key are
replaced by "[redacted]", and credentials are never passed in.

Writing never raises: a log that can't be written is reported by `last_error`,
and the desk refuses to send an action it could not log as sent.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from rdstui.core.clock import Clock, utcnow
from rdstui.core.config import state_home

if TYPE_CHECKING:
    from rdstui.core.action_exec import Outcome
    from rdstui.core.actions import ActionPlan, Refusal
    from rdstui.core.model import Node

FILE_NAME = "actions.jsonl"
REDACTED = "[redacted]"

SENT = "sent"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
REFUSED = "refused"

# Parameter names that may carry a secret (MasterUserPassword, SecretString,
# SessionToken, KmsKey..., PreSignedUrl carries a signature).
_SECRET_NAME = re.compile(r"pass(word|phrase)?|secret|token|credential|private|signature|presigned|auth", re.I)
# Values that look like AWS access keys or a signed URL, whatever their name.
_SECRET_VALUE = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b|X-Amz-Signature=|X-Amz-Credential=")


def default_path() -> Path:
    return state_home() / FILE_NAME


def redact(value: Any, name: str = "") -> Any:
    """A copy of `value` with anything password/secret-like replaced."""
    if name and _SECRET_NAME.search(name):
        return REDACTED
    if isinstance(value, Mapping):
        return {str(k): redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str) and _SECRET_VALUE.search(value):
        return REDACTED
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    """Appends one JSON object per line; safe to share across the app."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        profile: str | None = None,
        account: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.profile = profile
        self.account = account
        self.clock = clock
        self.last_error: str | None = None

    # -- the outcomes ----------------------------------------------------------

    def sending(self, plan: ActionPlan) -> dict[str, Any]:
        """Just before the call goes out: its outcome is not known yet."""
        return self.write(
            self._plan_fields(plan)
            | {"outcome": SENT, "error_code": None, "message": "sent; outcome not known yet", "duration_s": 0.0}
        )

    def attempt(self, plan: ActionPlan, outcome: Outcome) -> dict[str, Any]:
        """A confirmed plan and what became of it (succeeded / failed / refused before sending)."""
        if outcome.ok:
            result = SUCCEEDED
        elif not outcome.sent and outcome.error_code in ("ReadOnly", "InvalidPlan", "AuditLog"):
            result = REFUSED
        else:
            result = FAILED
        return self.write(
            self._plan_fields(plan)
            | {
                "outcome": result,
                "error_code": outcome.error_code,
                "message": outcome.message,
                "duration_s": round(outcome.duration_s, 3),
            }
        )

    def cancelled(self, plan: ActionPlan) -> dict[str, Any]:
        """The user saw the confirmation and cancelled: nothing was sent."""
        return self.write(
            self._plan_fields(plan)
            | {"outcome": CANCELLED, "error_code": None, "message": "cancelled at the confirmation", "duration_s": 0.0}
        )

    def refused(self, refusal: Refusal, node: Node | None = None) -> dict[str, Any]:
        """The key was pressed where the action does not apply (or is in flight, or read-only)."""
        return self.write(
            {
                "action": refusal.action.value,
                "region": node.region if node is not None else None,
                "target": refusal.node_id or (node.id if node is not None else None),
                "target_arn": node.arn if node is not None else None,
                "api": None,
                "params": None,
                "outcome": REFUSED,
                "error_code": None,
                "message": refusal.reason,
                "duration_s": 0.0,
            }
        )

    # -- writing ---------------------------------------------------------------

    def _plan_fields(self, plan: ActionPlan) -> dict[str, Any]:
        return {
            "action": plan.action.value,
            "region": plan.region,
            "target": plan.target.id,
            "target_arn": plan.target.arn,
            "api": plan.operation,
            "params": redact(dict(plan.params)),
        }

    def write(self, fields: Mapping[str, Any], *, account: str | None = None) -> dict[str, Any]:
        """Append one line (time, profile, account first); returns what was written."""
        entry: dict[str, Any] = {
            "time": _iso(self.clock()),
            "profile": self.profile,
            "account": account or self.account,
        }
        entry.update(redact(dict(fields)))
        line = json.dumps(entry, ensure_ascii=False, sort_keys=False, default=str) + "\n"
        try:
            self._append(line)
            self.last_error = None
        except OSError as exc:
            self.last_error = f"could not write the audit log {self.path}: {exc.strerror or exc}"
        return entry

    def _append(self, line: str) -> None:
        directory = self.path.parent
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(fd, 0o600)  # an existing file is tightened too
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        return list(read_entries(self.path))

    def size(self) -> int:
        """Bytes in the log now (0 when there is none): where this session's lines will start."""
        try:
            return self.path.stat().st_size
        except OSError:
            return 0


def read_entries(path: Path | None = None) -> Iterator[dict[str, Any]]:
    """The log's lines, oldest first (a missing file is an empty log)."""
    path = Path(path) if path is not None else default_path()
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield json.loads(line)
