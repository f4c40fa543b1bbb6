"""The theme's rdstui colours as Rich styles, for everything the console draws."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.color import Color, ColorParseError

from rdstui.core.model import Severity
from rdstui.core.words import status_kind


@dataclass(frozen=True)
class Palette:
    """Rich styles for the current theme's rdstui colours."""

    ok: Style
    busy: Style
    bad: Style
    muted: Style
    lag_ok: Style
    lag_warning: Style
    lag_critical: Style
    accent: Style
    badge: Style
    chart_line: str  # a Textual colour string, for plotext conversion
    chart_threshold: str
    ansi: bool = False

    def status(self, status: str | None) -> Style:
        kind = status_kind(status)
        return {"ok": self.ok, "busy": self.busy, "bad": self.bad, "muted": self.muted}.get(kind, Style())

    def lag(self, level: str | None) -> Style:
        if level is None:
            return self.muted
        return {"ok": self.lag_ok, "warning": self.lag_warning, "critical": self.lag_critical}[level]

    def severity(self, level: Severity | None) -> Style:
        """The colour of a finding: critical as critical lag, warning as lagging, info as busy."""
        if level is None:
            return self.muted
        return {Severity.CRITICAL: self.lag_critical, Severity.WARNING: self.lag_warning}.get(level, self.busy)

    def label(self) -> Style:
        """A profile's label ("PRODUCTION"): the critical colour, as a badge."""
        return Style(bgcolor=self.lag_critical.color, color="bright_white" if self.ansi else "#ffffff", bold=True)

    @classmethod
    def from_variables(cls, variables: dict[str, str], ansi: bool = False) -> Palette:
        background = _colour(variables.get("background"), None)

        def style(name: str, bold: bool = False) -> Style:
            colour = _colour(variables.get(name), background)
            return Style(color=colour.rich_color if colour else None, bold=bold)

        def badge() -> Style:
            colour = _colour(variables.get("badge-read-only"), background)
            return Style(
                bgcolor=colour.rich_color if colour else "red",
                color="bright_white" if ansi else "#ffffff",
                bold=True,
            )

        return cls(
            ok=style("status-ok"),
            busy=style("status-busy"),
            bad=style("status-bad", bold=True),
            muted=style("status-muted"),
            lag_ok=style("lag-ok"),
            lag_warning=style("lag-warning", bold=True),
            lag_critical=style("lag-critical", bold=True),
            accent=style("event-highlight", bold=True),
            badge=badge(),
            chart_line=variables.get("chart-line", "ansi_cyan"),
            chart_threshold=variables.get("chart-threshold", "ansi_yellow"),
            ansi=ansi,
        )


def _colour(value: str | None, background: Color | None) -> Color | None:
    """A theme value ('#rrggbbaa', 'ansi_red', 'red 50%') as an opaque Color."""
    if not value or value == "ansi_default":
        return None
    parts = value.split()
    try:
        colour = Color.parse(parts[0])
    except ColorParseError:
        return None
    if len(parts) > 1 and parts[1].endswith("%"):
        try:
            colour = colour.multiply_alpha(float(parts[1][:-1]) / 100)
        except ValueError:
            pass
    if colour.a < 1 and colour.ansi is None:
        base = background if background is not None and background.ansi is None else Color(0, 0, 0)
        colour = base + colour
    return colour
