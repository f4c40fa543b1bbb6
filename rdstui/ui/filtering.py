"""The filter bar: `/` then words; the tree keeps the focus throughout.

The filter is edited by the app itself, not by a focused Input: keys are
taken in `on_event` as they arrive, in order, so "/abc<enter>j" typed in one
burst filters by "abc" and then moves the cursor, never racing a focus change.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.events import Key, Paste
from textual.widgets import Static

from rdstui.ui.tree import FleetTree



class FilterMixin:
    """RdsApp's filter methods (state lives on the app: filter_text, filter_editing)."""

    def action_filter(self) -> None:
        self.filter_editing = True
        self.query_one("#filter-bar").add_class("-active")
        self._render_filter()
        self.refresh_bindings()

    async def on_event(self, event: Any) -> None:
        if (
            self.filter_editing
            and isinstance(event, (Key, Paste))
            and not event.is_forwarded
            and self.screen is self._main_screen()
            and self._filter_input(event)
        ):
            return
        await super().on_event(event)

    def _filter_input(self, event: Key | Paste) -> bool:
        """Edit the filter with one key (or a paste); False lets the key through."""
        text = self.filter_text
        if isinstance(event, Paste):
            self._set_filter(text + event.text.splitlines()[0] if event.text.strip() else text)
            return True
        key = event.key
        if key in ("enter", "tab"):
            self.action_filter_done()
        elif key == "escape":
            self.action_clear_filter()
        elif key in ("backspace", "ctrl+h"):
            self._set_filter(text[:-1])
        elif key in ("ctrl+u", "ctrl+w"):
            self._set_filter("")
        elif event.is_printable and event.character and key != "slash" or key == "space":
            self._set_filter(text + (event.character or " "))
        elif key == "slash":
            pass  # identifiers never hold a slash
        else:
            return False  # arrows, page keys, ctrl+p, ctrl+q: as usual
        return True

    def action_filter_done(self) -> None:
        """Enter: stop editing, keep the filter (an empty one closes the bar)."""
        self.filter_editing = False
        if not self.filter_text.strip():
            self.query_one("#filter-bar").remove_class("-active")
        self._render_filter()
        self.refresh_bindings()

    def _set_filter(self, text: str) -> None:
        self.filter_text = text
        self._sync_tree()
        tree = self.query_one(FleetTree)
        if self._matched and tree.cursor_key not in self._matched:
            # The cursor goes to the first match, not to an ancestor kept for context.
            tree.select_key(self._matched[0])
        self._render_filter()
        self.refresh_bindings()

    def _render_filter(self) -> None:
        field = self.query_one("#filter-field", Static)
        text = Text("/", self.palette.accent)
        text.append(" ")
        if self.filter_text:
            text.append(self.filter_text)
        elif not self.filter_editing:
            text.append("")
        if self.filter_editing:
            text.append(" ", Style(reverse=True))  # the cursor (steady: no blink)
            if not self.filter_text:
                text.append(" name, engine, region, status, role", self.palette.muted)
        field.update(text)

    def action_clear_filter(self) -> None:
        self.filter_editing = False
        self.query_one("#filter-bar").remove_class("-active")
        self._set_filter("")

    def _update_filter_count(self, count: int) -> None:
        widget = self.query_one("#filter-count", Static)
        if self.filter_text.strip():
            widget.update(f"{count} match{'es' if count != 1 else ''}" if count else "no match")
        else:
            widget.update("")
