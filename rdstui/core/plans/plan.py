"""What a plan is: the action, its target, the choices left, and the one call it sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Mapping

from rdstui.core.plans.names import validate_snapshot_name


class ActionKind(str, Enum):
    SNAPSHOT = "snapshot"
    FAILOVER = "failover"
    PROMOTE = "promote"


class InvalidChoice(ValueError):
    """A choice the plan does not offer, or a snapshot name AWS would refuse; str() is the reason."""


@dataclass(frozen=True)
class Refusal:
    """Why an action does not apply to a node, in one line. Nothing is sent."""

    action: ActionKind
    reason: str
    node_key: str | None = None
    node_id: str | None = None

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Target:
    """What an action acts on (not always the node selected: an Aurora
    instance's snapshot is its cluster's)."""

    key: str  # the Node key: stable across polls, the tracker's key
    id: str
    kind: str  # "DB instance", "Aurora DB cluster", "Multi-AZ DB cluster", "global database"
    region: str  # where it lives (a global database: its primary's region)
    engine: str | None = None
    engine_version: str | None = None
    arn: str | None = None
    account: str | None = None  # the AWS account it lives in: the credentials that act on it

    @property
    def engine_label(self) -> str:
        return " ".join(p for p in (self.engine, self.engine_version) if p) or "unknown engine"

    def describe(self) -> str:
        """orders-pg (DB instance, postgres 16.4, us-east-1)"""
        where = self.region if self.region != "global" else "global"
        return f"{self.id} ({self.kind}, {self.engine_label}, {where})"


@dataclass(frozen=True)
class Option:
    value: str  # what goes into the parameters
    label: str  # one line for the picker
    detail: str = ""
    data_loss: bool = False


@dataclass(frozen=True)
class Choice:
    """A picker in the modal: a failover target, or switchover vs failover."""

    key: str  # "target" or "mode"
    label: str
    options: tuple[Option, ...]
    selected: str

    def option(self, value: str | None = None) -> Option:
        wanted = self.selected if value is None else value
        for option in self.options:
            if option.value == wanted:
                return option
        raise InvalidChoice(f"{wanted!r} is not one of the choices for {self.label.lower()}")


@dataclass(frozen=True)
class NameField:
    """The editable snapshot name, proposed unique and valid."""

    label: str
    value: str
    max_length: int
    cluster: bool

    def problem(self, name: str | None = None) -> str | None:
        return validate_snapshot_name(self.value if name is None else name, cluster=self.cluster)


@dataclass(frozen=True)
class ActionPlan:
    """Everything the confirmation modal shows, and the call it would send."""

    action: ActionKind
    title: str  # "Fail over orders-pg to its standby"
    verb: str  # the confirm button: "Fail over", "Take snapshot", "Promote"
    target: Target
    operation: str  # "RebootDBInstance"
    params: Mapping[str, Any]
    effects: tuple[str, ...]  # what will happen, plain sentences
    costs: tuple[str, ...]  # what it costs (downtime, data loss, money)
    irreversible: bool = False
    confirm_phrase: str | None = None  # typed by the user before confirm enables
    data_loss: bool = False
    choices: tuple[Choice, ...] = ()
    name: NameField | None = None
    # What the tracker follows: e.g. {"from_az": ..., "writer": ..., "snapshot": ...}.
    follow: Mapping[str, Any] = field(default_factory=dict)
    selected_node: str | None = None  # the key of the node the user pressed the key on
    # Where the call is sent when not the target's region (global databases), and why.
    send_region: str | None = None
    send_region_why: str | None = None
    _rebuild: Callable[[dict[str, str]], ActionPlan] | None = field(default=None, repr=False, compare=False)

    # -- what the modal shows ---------------------------------------------

    @property
    def region(self) -> str:
        """The region the API call is sent to."""
        return self.send_region or self.target.region

    def confirmed_by(self, typed: str) -> bool:
        """Whether what the user typed unlocks the confirm button."""
        if self.confirm_phrase is None:
            return True
        return typed.strip() == self.confirm_phrase

    def problem(self) -> str | None:
        """Why this plan can't be sent as it stands (an invalid snapshot name), or None."""
        return self.name.problem() if self.name is not None else None

    def choice(self, key: str) -> Choice:
        for item in self.choices:
            if item.key == key:
                return item
        raise InvalidChoice(f"this action has no {key!r} choice")

    # -- finalising ----------------------------------------------------------

    def selections(self) -> dict[str, str]:
        chosen = {c.key: c.selected for c in self.choices}
        if self.name is not None:
            chosen["name"] = self.name.value
        return chosen

    def with_choice(self, key: str, value: str) -> ActionPlan:
        """A new plan with `key` ("target", "mode" or "name") set to `value`."""
        if key == "name":
            return self.with_name(value)
        self.choice(key).option(value)  # raises InvalidChoice if not offered
        if self._rebuild is None:
            raise InvalidChoice(f"this action has no {key!r} choice")
        return self._rebuild({**self.selections(), key: value})

    def with_name(self, name: str) -> ActionPlan:
        """A new plan with this snapshot name; InvalidChoice(reason) if AWS would refuse it."""
        drafted = self.draft_name(name)
        problem = drafted.problem()
        if problem:
            raise InvalidChoice(problem)
        return drafted

    def draft_name(self, name: str) -> ActionPlan:
        """The plan as it reads with this snapshot name, valid or not: what the modal shows
        while the user types (`problem()` says why it can't be sent)."""
        if self.name is None or self._rebuild is None:
            raise InvalidChoice("this action takes no name")
        return self._rebuild({**self.selections(), "name": name.strip()})

    def with_choices(self, **chosen: str) -> ActionPlan:
        plan = self
        for key, value in chosen.items():
            plan = plan.with_choice(key, value)
        return plan
