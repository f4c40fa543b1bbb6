"""The confirmation modal for snapshot, fail over and promote.

It shows an `ActionPlan` as it stands: the action, the target (identifier,
kind, engine, region), what will happen and what it costs, and the exact API
call with its parameters, redrawn as the user changes a choice (failover
target, switchover or failover with data loss) or the snapshot name.

Safety, by design:
- focus starts on Cancel; escape cancels; the confirm button is labelled with
  the verb ("Fail over", "Promote"), never "OK";
- failover and promote enable their button only once the identifier is typed;
- an invalid snapshot name disables it and says why;
- enter in a text field moves on (to the confirm button once it is enabled):
  it never confirms by itself.

It dismisses with a `Decision`: the plan as last shown, and whether it was
confirmed. Nothing is sent here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Key, Resize
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static
from textual.widgets.button import ButtonVariant

from rdstui.core.actions import ActionPlan, Choice
from rdstui.core.format import clean
from rdstui.ui.palette import Palette

LABEL_WIDTH = 8
MIN_SIZE = (36, 10)  # below this the dialog cannot show what happens and its controls together
PHRASE_ROOM = 12  # cells the typed identifier needs beside its prompt, else it goes below it
DIALOG_WIDTH = 80


class ChoiceButton(RadioButton):
    """A radio button that reads as chosen or not without colour (NO_COLOR, 16 colours, tmux)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name, read each render
        return "●" if self.value else "○"


@dataclass(frozen=True)
class Decision:
    plan: ActionPlan  # as the user last saw it (choices, name)
    confirmed: bool


def _grid() -> Table:
    """label, bullet, text: wrapped text stays in its column."""
    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(width=LABEL_WIDTH, no_wrap=True)
    table.add_column(width=1, no_wrap=True)
    table.add_column(ratio=1)
    return table


def plan_summary(plan: ActionPlan, palette: Palette, account: str = "", label: str | None = None) -> RenderableType:
    """Target, the account it is in, what will happen and what it costs (bullets with a
    hanging indent)."""
    table = _grid()
    bold = Style(bold=True)
    parts: list[RenderableType] = []
    warnings = [word for word, on in (("DATA LOSS", plan.data_loss), ("IRREVERSIBLE", plan.irreversible)) if on]
    if warnings:
        parts.append(Text(" " + " · ".join(warnings) + " ", palette.badge))
    table.add_row(Text("Target", bold), Text(""), Text(clean(target_line(plan))))
    if account:
        where = Text(clean(account))
        if label:  # the config's name for this profile: "PRODUCTION", in the critical colour
            where.append("  ")
            where.append(f" {clean(label)} ", palette.label())
        table.add_row(Text("Account", bold), Text(""), where)
    for index, line in enumerate(plan.effects):
        table.add_row(Text("Happens" if index == 0 else "", bold), Text("•"), Text(clean(line)))
    for index, line in enumerate(plan.costs):
        risky = plan.data_loss and "DATA LOSS" in line or line.startswith("irreversible")
        style = palette.bad if risky else palette.busy
        table.add_row(Text("Costs" if index == 0 else "", bold), Text("•", style), Text(clean(line), style))
    parts.append(table)
    return Group(*parts)


def target_line(plan: ActionPlan) -> str:
    """orders-pg (DB instance, postgres 16.4, us-east-1); a global database is in no one region."""
    target = plan.target
    if target.kind == "global database":
        return f"{target.id} ({target.kind}, {target.engine_label})"
    return target.describe()


def api_call_text(plan: ActionPlan, palette: Palette) -> RenderableType:
    """The call as it will be sent: the operation, its region, one parameter per line
    (a long value wraps under itself); a snapshot name AWS would refuse is marked."""
    table = _grid()
    where = f"  in {plan.region}" + (f" ({plan.send_region_why})" if plan.send_region_why else "")
    table.add_row(Text("API call", Style(bold=True)), Text(""), Text.assemble((plan.operation, palette.accent), (where, palette.muted)))
    for name, value in plan.params.items():
        line = Text(clean(f"{name}={value!r}"), overflow="fold")
        if plan.name is not None and value == plan.name.value and plan.problem():
            line = Text.assemble((clean(f"{name}={value!r}"), palette.bad), ("  not valid", palette.bad))
            line.overflow = "fold"
        table.add_row(Text(""), Text(""), Padding(line, (0, 0, 0, 2)))
    return table


def option_detail(choice: Choice, palette: Palette) -> Text:
    option = choice.option()
    if not option.detail:
        return Text("")
    return Text(clean(option.detail), palette.bad if option.data_loss else palette.muted)


class ActionModal(ModalScreen[Decision]):
    """Confirm one action; dismisses with a Decision."""

    AUTO_FOCUS = "#cancel"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("pagedown", "scroll_body(1)", "More", show=False),
        Binding("pageup", "scroll_body(-1)", "Back", show=False),
    ]

    DEFAULT_CSS = """
    ActionModal { align: center middle; }
    ActionModal > #action-dialog {
        width: 80;  /* DIALOG_WIDTH */
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $warning;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    ActionModal > #action-dialog.-danger { border: round $error; }
    ActionModal > #action-dialog.-safe { border: round $primary; }
    ActionModal #action-body { height: auto; scrollbar-size-vertical: 1; }
    ActionModal .-empty { display: none; }
    ActionModal #action-body > * { width: 1fr; }
    ActionModal .field-label { text-style: bold; margin-top: 1; }
    ActionModal RadioSet { margin-left: 2; width: 1fr; }
    ActionModal RadioSet:focus { background: $panel-lighten-2; }  /* as a focused field: plainly seen */
    ActionModal .detail { margin-left: 4; }
    ActionModal #name { margin-left: 2; width: 1fr; }
    ActionModal #name-problem { margin-left: 2; color: $text-error; }
    ActionModal #call { margin-top: 1; }
    ActionModal #foot { dock: bottom; height: auto; }
    ActionModal #phrase-row { height: 1; }
    ActionModal #phrase-row.-stacked { height: 2; layout: vertical; }
    ActionModal #too-small { display: none; }
    ActionModal.-too-small #action-body, ActionModal.-too-small #foot { display: none; }
    ActionModal.-too-small #too-small { display: block; }
    ActionModal #phrase-row > Label { width: auto; }
    ActionModal Input { background: $panel-lighten-1; }
    ActionModal Input:focus { background: $panel-lighten-2; }
    ActionModal #phrase { width: 1fr; }
    ActionModal #buttons { height: 1; align-horizontal: right; }
    ActionModal #buttons > #hint { width: 1fr; color: $text-muted; }
    ActionModal #buttons > Button { margin-left: 2; min-width: 10; height: 1; border: none !important; }
    ActionModal #buttons > Button:disabled { text-opacity: 1; text-style: dim; }
    """

    def __init__(self, plan: ActionPlan, palette: Palette, account: str = "", label: str | None = None) -> None:
        """`account`: where the call goes, "123456789012 (profile prod)"; `label`: the
        profile's label from the config ("PRODUCTION")."""
        super().__init__()
        self.plan = plan
        self.palette = palette
        self.account = account
        self.label = label
        self.name_problem: str | None = plan.problem()
        self.typed = ""
        self._name_restarted = False  # typing from a button starts the snapshot name over, once
        self._done = False

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="action-dialog") as dialog:
            dialog.border_title = Content(clean(plan.title))
            with VerticalScroll(id="action-body", can_focus=False):
                yield Static(id="summary")
                for choice in plan.choices:
                    yield Label(Content(choice.label), classes="field-label")
                    yield RadioSet(
                        *(
                            ChoiceButton(
                                Content.styled(clean(option.label), "bold $text-error")
                                if option.data_loss
                                else Content(clean(option.label)),
                                value=option.value == choice.selected,
                            )
                            for option in choice.options
                        ),
                        id=f"choice-{choice.key}",
                        compact=True,
                    )
                    yield Static(id=f"detail-{choice.key}", classes="detail")
                if plan.name is not None:
                    limit = plan.name.max_length
                    yield Label(f"{plan.name.label} (letters, digits, hyphens; at most {limit})", classes="field-label")
                    yield Input(plan.name.value, id="name", compact=True, max_length=limit + 1, select_on_focus=False)
                    yield Static(id="name-problem")
                yield Static(id="call")
            yield Static(id="too-small")
            with Vertical(id="foot"):
                if plan.confirm_phrase is not None:
                    with Horizontal(id="phrase-row"):
                        yield Label(Content(f"Type {clean(plan.confirm_phrase)} to confirm: "), id="phrase-prompt")
                        yield Input(id="phrase", compact=True, select_on_focus=False)
                with Horizontal(id="buttons"):
                    yield Static(self._hint(), id="hint")
                    yield Button("Cancel", id="cancel", compact=True)
                    yield Button(plan.verb, id="confirm", compact=True, variant=self._variant(), disabled=True)

    @property
    def _blink(self) -> bool:
        return bool(getattr(self.app, "cursor_blink", True))

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = self._blink
        self._redraw()

    def on_resize(self, event: Resize) -> None:
        self._redraw()  # fits the new size, and whether confirming is possible at it

    def _fit(self, width: int, height: int) -> None:
        """The body scrolls; the typed identifier and the buttons always show, or, on a
        terminal too small for them, a line says so (and nothing can be confirmed)."""
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(too_small, "-too-small")
        self.query_one("#too-small", Static).update(
            Text(f"Terminal {width}x{height}: too small to confirm (needs {MIN_SIZE[0]}x{MIN_SIZE[1]}). Esc cancels.")
        )
        foot = 1  # the buttons
        phrase = self.plan.confirm_phrase
        if phrase is not None:
            inside = min(DIALOG_WIDTH, width) - 4  # the border and the padding
            stacked = inside - len(f"Type {clean(phrase)} to confirm: ") < PHRASE_ROOM
            self.query_one("#phrase-row").set_class(stacked, "-stacked")
            foot += 2 if stacked else 1
        self.query_one("#action-body").styles.max_height = max(3, height - 2 - foot)
        self.call_after_refresh(self._update_hint)

    def _hint(self, more: bool = False) -> str:
        hints = ["tab: fields"] if self.plan.choices or self.plan.name else []
        if more:
            hints.append("pgdn: more")
        return " · ".join(hints)

    def _update_hint(self) -> None:
        body = self.query_one("#action-body", VerticalScroll)
        self.query_one("#hint", Static).update(self._hint(more=body.max_scroll_y > 0))

    def _variant(self) -> ButtonVariant:
        if self.plan.data_loss or self.plan.irreversible:
            return "error"
        if self.plan.confirm_phrase is not None:
            return "warning"
        return "primary"

    # -- state -----------------------------------------------------------------

    @property
    def can_confirm(self) -> bool:
        shown = not self.has_class("-too-small")  # what is not seen is not confirmed
        return shown and not self._done and self.name_problem is None and self.plan.confirmed_by(self.typed)

    def _redraw(self) -> None:
        plan = self.plan
        dialog = self.query_one("#action-dialog")
        dialog.border_title = Content(clean(plan.title))
        dialog.set_class(plan.data_loss or plan.irreversible, "-danger")
        dialog.set_class(plan.confirm_phrase is None and not plan.data_loss, "-safe")
        self.query_one("#summary", Static).update(plan_summary(plan, self.palette, self.account, self.label))
        for choice in plan.choices:
            detail = option_detail(choice, self.palette)
            self._show(f"#detail-{choice.key}", detail if detail.plain else None)
        if plan.name is not None:
            self._show("#name-problem", self.name_problem)
        self.query_one("#call", Static).update(api_call_text(plan, self.palette))
        confirm = self.query_one("#confirm", Button)
        confirm.label = plan.verb
        confirm.variant = self._variant()
        confirm.disabled = not self.can_confirm
        self._fit(self.size.width or self.app.size.width, self.size.height or self.app.size.height)
        focused = self.focused
        if focused is not None and focused.parent is not None and focused.parent.id == "action-body":
            self.call_after_refresh(focused.scroll_visible, animate=False)  # the text above it changed

    def _show(self, selector: str, content: Text | str | None) -> None:
        """Plain text always: a typed name or AWS's words are never markup."""
        widget = self.query_one(selector, Static)
        widget.update(content if isinstance(content, Text) else Text(clean(content or "")))
        widget.set_class(not content, "-empty")

    def action_scroll_body(self, pages: int) -> None:
        body = self.query_one("#action-body", VerticalScroll)
        body.scroll_to(y=body.scroll_y + pages * max(1, body.size.height - 1), animate=False)

    # -- events ----------------------------------------------------------------

    @on(RadioSet.Changed)
    def _choice_changed(self, event: RadioSet.Changed) -> None:
        key = (event.radio_set.id or "").removeprefix("choice-")
        choice = self.plan.choice(key)
        index = event.index
        if index < 0 or index >= len(choice.options):
            return
        self.plan = self.plan.with_choice(key, choice.options[index].value)
        self._redraw()

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        self.plan = self.plan.draft_name(event.value)  # the whole preview follows the field
        self.name_problem = self.plan.problem()
        self._redraw()

    @on(Input.Changed, "#phrase")
    def _phrase_changed(self, event: Input.Changed) -> None:
        self.typed = event.value
        self._redraw()

    @on(Input.Submitted)
    def _field_done(self, event: Input.Submitted) -> None:
        """Enter in a field never confirms: it moves on (to the confirm button once enabled)."""
        event.stop()
        if self.can_confirm:
            self.query_one("#confirm", Button).focus()
        else:
            self.focus_next()

    def on_key(self, event: Key) -> None:
        """Typing while on a button or a choice (focus starts on Cancel) goes to the text
        field: the identifier to type, else the snapshot name (started over)."""
        if not event.is_printable or not event.character or isinstance(self.focused, Input):
            return
        if isinstance(self.focused, RadioSet) and event.key == "space":
            return  # the list's own key: it selects the highlighted option
        if self.plan.confirm_phrase is not None:
            field = self.query_one("#phrase", Input)
        elif self.plan.name is not None:
            field = self.query_one("#name", Input)
        else:
            return
        event.stop()
        event.prevent_default()
        field.focus()
        if field.id == "name" and not self._name_restarted:  # keys typed in a burst arrive before the focus moves
            self._name_restarted = True
            field.value = ""
        field.insert_text_at_cursor(event.character)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self._done:
            self._done = True
            self.dismiss(Decision(self.plan, False))

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if not self.can_confirm:
            return
        self._done = True  # a second click or enter sends nothing more
        self.query_one("#confirm", Button).disabled = True
        self.dismiss(Decision(self.plan, True))
