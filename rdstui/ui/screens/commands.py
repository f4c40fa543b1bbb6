"""The command palette's fleet commands: jump to a database by name (two accounts' `orders-db`
are two commands, each saying its account)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from rdstui.core.format import clean
from rdstui.core.model import NodeType
from rdstui.core.words import role_word

if TYPE_CHECKING:
    from rdstui.ui.app import RdsApp


class FleetCommands(Provider):
    """Jump to a database by name."""

    @property
    def console(self) -> RdsApp:
        return self.app  # type: ignore[return-value]

    def _targets(self) -> list[tuple[str, str, str]]:
        """(text to match, help, key) for every database; the help is plain text, never markup."""
        fleet = self.console.fleet
        found: list[tuple[str, str, str]] = []
        if fleet is None:
            return found
        several = len(fleet.accounts) > 1
        for node in fleet.walk():
            if node.type in (NodeType.STANDBY, NodeType.ACCOUNT):
                continue
            words = f"{role_word(node, fleet.parent(node))} · {node.status} · {node.az or node.region} · {node.engine or ''}"
            state = fleet.account_of(node) if several else None
            if state is not None:
                words = f"{state.name} ({state.account}) · {words}"
            found.append((clean(node.id), escape(clean(words)), node.key))  # the palette parses help as markup
        return found

    async def discover(self) -> Hits:
        for text, help_text, key in self._targets():
            yield DiscoveryHit(f"Go to {text}", partial(self.console.jump_to, key), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, key in self._targets():
            command = f"Go to {text}"
            score = matcher.match(command)
            if score > 0:
                yield Hit(score, matcher.highlight(command), partial(self.console.jump_to, key), help=help_text)
