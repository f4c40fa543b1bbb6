"""What the console's workers tell the app; the app routes each to the widgets that show it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from rdstui.core.action_history import Settled
    from rdstui.core.desk import Sent
    from rdstui.core.model import Fleet
    from rdstui.runtime import Runtime
    from rdstui.ui.detail.text import PostureView


class Connected(Message):
    """The runtime is open: credentials checked, regions known."""

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime


class SetupFailed(Message):
    """The console can't start (credentials, regions, the demo extra): one line."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class FleetUpdated(Message):
    """A region finished a step: the fleet as every region last told it."""

    def __init__(self, fleet: Fleet) -> None:
        super().__init__()
        self.fleet = fleet


class WatchStopped(Message):
    """Watching the fleet failed (a bug or an outage): the last fleet stays, marked."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class PostureRead(Message):
    def __init__(self, owner_key: str, view: PostureView) -> None:
        super().__init__()
        self.owner_key = owner_key
        self.view = view


class ActionSent(Message):
    def __init__(self, sent: Sent) -> None:
        super().__init__()
        self.sent = sent


class ActionsSettled(Message):
    def __init__(self, settled: list[Settled]) -> None:
        super().__init__()
        self.settled = settled
