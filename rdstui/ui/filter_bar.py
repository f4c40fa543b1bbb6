"""The filter bar: `/` then words; the tree keeps the focus throughout.

The filter is edited by the app, not by a focused Input: keys are fed here
(`type`) as they arrive, in order, so "/abc<enter>j" typed in one burst
filters by "abc" and then moves the cursor, never racing a focus change.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Key, Paste
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from rdstui.core.format import clean
from rdstui.ui.palette import Palette


class FilterBar(Horizontal):
    class Changed(Message):
        """The filter's text, or whether it is being edited, changed."""

        def __init__(self, text: str, editing: bool) -> None:
            super().__init__()
            self.text = text
            self.editing = editing

    DEFAULT_CSS = """
    FilterBar { height: 1; display: none; background: $panel; }
    FilterBar.-active { display: block; }
    FilterBar > #filter-field { width: 1fr; height: 1; padding: 0 1; }
    FilterBar > #filter-count { width: auto; padding: 0 1; color: $text-muted; }
    """

    text: var[str] = var("", init=False)
    editing: var[bool] = var(False, init=False)
    count: var[int | None] = var(None, init=False)  # matches (None: no filter)
    view: var[str] = var("", init=False)  # the tree's view when not the usual: "problems only · by name"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = Palette.from_variables({})

    def compose(self) -> ComposeResult:
        yield Static("", id="filter-field")
        yield Static("", id="filter-count")

    def watch_text(self) -> None:
        self.post_message(self.Changed(self.text, self.editing))
        self.redraw()

    def watch_editing(self) -> None:
        self.post_message(self.Changed(self.text, self.editing))
        self.redraw()

    def watch_count(self) -> None:
        self.redraw()

    def watch_view(self) -> None:
        self.redraw()

    def start(self) -> None:
        self.editing = True

    def done(self) -> None:
        """Enter: stop editing, keep the filter (an empty one closes the bar)."""
        self.editing = False

    def clear(self) -> None:
        self.editing = False
        self.text = ""

    def type(self, event: Key | Paste) -> bool:
        """Edit the filter with one key (or a paste); False lets the key through."""
        if isinstance(event, Paste):
            first = event.text.splitlines()[0] if event.text.strip() else ""
            self.text += clean(first)
            return True
        key = event.key
        if key in ("enter", "tab"):
            self.done()
        elif key == "escape":
            self.clear()
        elif key in ("backspace", "ctrl+h"):
            self.text = self.text[:-1]
        elif key in ("ctrl+u", "ctrl+w"):
            self.text = ""
        elif event.is_printable and event.character and key != "slash" or key == "space":
            self.text += event.character or " "
        elif key == "slash":
            pass  # identifiers never hold a slash
        else:
            return False  # arrows, page keys, ctrl+p, ctrl+q: as usual
        return True

    def redraw(self) -> None:
        filtering = self.editing or bool(self.text.strip())
        self.set_class(filtering or bool(self.view), "-active")
        if not self.is_mounted:
            return
        field = Text("/", self.palette.accent) if filtering else Text()
        field.append(" " if filtering else "")
        field.append(self.text)
        if self.editing:
            field.append(" ", Style(reverse=True))  # the cursor (steady: no blink)
            if not self.text:
                field.append(" name, engine, region, status, role", self.palette.muted)
        self.query_one("#filter-field", Static).update(field)
        count = self.count
        words = "" if count is None else ("no match" if count == 0 else f"{count} match{'es' if count != 1 else ''}")
        shown = Text(self.view, self.palette.accent)
        if self.view and words:
            shown.append(" · ")
        shown.append(words)
        self.query_one("#filter-count", Static).update(shown)
