"""The header line: who and where, region health, freshness, READ-ONLY (pure: Rich Text out)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from rich.style import Style
from rich.text import Text

from rdstui.core.format import clean, duration
from rdstui.core.model import RegionState, Severity
from rdstui.ui.palette import Palette
from rdstui.ui.text import cut, elide

MAX_PROBLEM_LINES = 3


@dataclass(frozen=True)
class HeaderState:
    label: str = ""
    account_id: str | None = None
    regions: tuple[RegionState, ...] = ()
    read_only: bool = False
    connecting: bool = True
    setup_error: str | None = None
    poll_error: str | None = None  # watching the fleet stopped (a bug or an outage)
    metrics_errors: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # region -> one line
    attention: tuple[tuple[str, int, Severity], ...] = ()  # (kind, databases, severity), worst first
    profile_label: str | None = None  # the config's label for the profile ("PRODUCTION")
    replay: ReplayBadge | None = None  # --replay: the recording's times


@dataclass(frozen=True)
class ReplayBadge:
    """What the header says of a replay: when it was recorded, the span replayed, paused or not."""

    recorded: datetime
    start: datetime
    end: datetime
    paused: bool = False

    def progress(self, now: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        return 1.0 if span <= 0 else min(1.0, max(0.0, (now - self.start).total_seconds() / span))


def _since(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    return duration(max(0.0, (now - moment).total_seconds()))


def last_success(regions: tuple[RegionState, ...]) -> datetime | None:
    times = [state.polled_at for state in regions if state.polled_at is not None]
    return max(times) if times else None


def failing(region: RegionState) -> bool:
    """The region's last poll failed (not: it has not answered its first poll yet)."""
    return not region.ok and region.attempted_at is not None and region.error is not None


def region_marks(state: HeaderState, now: datetime, palette: Palette, compact: bool, tiny: bool = False) -> Text:
    text = Text()
    for index, region in enumerate(state.regions):
        if index:
            text.append(" ")
        if region.ok:
            text.append(region.name, Style())
            text.append("✓", palette.ok)
        elif region.attempted_at is None or region.error is None:  # not answered yet
            text.append(region.name, palette.muted)
            text.append("…", palette.muted)
        else:
            text.append(region.name, palette.bad)
            text.append("✗", palette.bad)
            if region.polled_at is not None:
                text.append(f" {_since(region.polled_at, now)}", palette.busy)
    if compact:
        good = sum(1 for r in state.regions if r.ok)
        bad = [r.name for r in state.regions if failing(r)]
        waiting = sum(1 for r in state.regions if r.attempted_at is None or (not r.ok and r.error is None))
        summary = Text("" if tiny else f"{len(state.regions)} regions ")
        summary.append(f"{good}✓", palette.ok)
        if waiting:
            summary.append(f" {waiting}…", palette.muted)
        if bad:
            summary.append(f" {len(bad)}✗ ", palette.bad)
            summary.append(",".join(bad), palette.bad)
        return summary
    return text


def attention_summary(state: HeaderState, palette: Palette, compact: bool) -> Text:
    """"2 lagging · 1 no PITR · 1 alarm" in the worst severity's colour; compact: "1 crit 2 warn"
    (words, not marks: ✗ is a failing region's)."""
    if not state.attention:
        return Text()
    colour = palette.severity(max(severity for _, _, severity in state.attention))
    if not compact:
        return Text(" · ".join(f"{count} {kind}" for kind, count, _ in state.attention) + "  ", colour)
    text = Text()
    for level, word in ((Severity.CRITICAL, "crit"), (Severity.WARNING, "warn")):
        count = sum(n for _, n, severity in state.attention if severity == level)
        if count:
            text.append(f"{count} {word} ", palette.severity(level))
    text.append(" ")
    return text


def _left(state: HeaderState, palette: Palette, account: bool) -> Text:
    left = Text()
    left.append(" rdstui ", Style(bold=True, reverse=True))
    left.append(" ")
    left.append(elide(clean(state.label) or "-", 20), Style(bold=True))
    if state.profile_label:
        left.append(" ")
        left.append(f" {clean(state.profile_label)} ", palette.label())
    if state.account_id and account:
        left.append(f" {state.account_id}", palette.muted)
    left.append("  ")
    return left


def _right(state: HeaderState, now: datetime, palette: Palette, words: bool, clock: bool = True) -> Text:
    right = Text()
    if state.setup_error:
        right.append("setup failed", palette.bad)
    elif state.connecting:
        right.append("connecting…", palette.busy)
    else:
        moment = last_success(state.regions)
        if moment is not None and words:
            right.append("updated ", palette.muted)
        if moment is None:
            right.append("no data yet" if clock else "…")
        elif (now - moment).total_seconds() < 1:
            right.append("just now" if clock else "now")
        else:
            right.append(f"{_since(moment, now)}" + (" ago" if clock else ""))
    if state.read_only:
        right.append("  ")
        right.append(" READ-ONLY ", palette.badge)
    return right


def header_text(state: HeaderState, now: datetime, width: int, palette: Palette) -> Text:
    """Line one always fits `width`; further lines name failing regions.

    When space runs out, words go first, then the per-region marks become a count
    (failing regions still named, their age on the lines below), the clock loses its
    "ago", the count its "regions", the attention counts become "1 crit 2 warn", and
    the account id goes last: what needs attention, and which account the console
    would change, matter more than a row of ✓. The attention summary is never dropped."""
    full, compact = (region_marks(state, now, palette, compact=flag) for flag in (False, True))
    tiny = region_marks(state, now, palette, compact=True, tiny=True)
    wide, short = (attention_summary(state, palette, compact=flag) for flag in (False, True))
    stages = (
        (True, True, True, full, wide),
        (True, False, True, full, wide),
        (True, False, True, compact, wide),
        (True, False, False, compact, wide),
        (True, False, False, tiny, wide),
        (True, False, False, tiny, short),
        # Every region fine: "3✓" goes before the account id (a failing one is named below too).
        *(((True, False, False, Text(), short),) if not any(failing(r) for r in state.regions) else ()),
        (False, False, False, tiny, short),
    )
    for account, words, clock, marks, summary in stages:
        left, right = _left(state, palette, account), _right(state, now, palette, words, clock)
        room = width - left.cell_len - summary.cell_len - right.cell_len - 1
        if marks.cell_len <= room:
            break
    else:
        marks.truncate(max(0, room - 1))
        marks.append("…")
    line = Text()
    line.append_text(left)
    line.append_text(summary)
    line.append_text(marks)
    gap = width - line.cell_len - right.cell_len
    line.append(" " * max(1, gap))
    line.append_text(right)
    line.truncate(width)
    lines = [line]
    if state.replay is not None:
        lines.append(replay_line(state.replay, now, width, palette))
    lines.extend(problem_lines(state, now, width, palette))
    return Text("\n").join(lines)


def replay_line(badge: ReplayBadge, now: datetime, width: int, palette: Palette) -> Text:
    """" REPLAY  recorded 2026-12-02 10:38:04Z  at 10:52:13Z 37%  ▶  space pause  ]/[ poll  }/{ ten"
    (the keys' hints as far as they fit; `?` lists them all)."""
    line = Text(" REPLAY ", palette.badge)
    line.append(f" recorded {badge.recorded:%Y-%m-%d %H:%M:%S}Z", palette.muted)
    line.append(f"  at {now:%H:%M:%S}Z", Style(bold=True))
    if now.date() != badge.recorded.date():
        line.append(f" {now:%m-%d}", Style(bold=True))
    line.append(f" {badge.progress(now):.0%}")
    line.append("  ❚❚ paused" if badge.paused else ("  ■ end" if now >= badge.end else "  ▶"), palette.busy)
    for hint in ("  space " + ("play" if badge.paused else "pause"), "  ]/[ poll", "  }/{ ten"):
        if line.cell_len + len(hint) > width:
            break
        line.append(hint, palette.muted)
    line.truncate(width)
    return line


def problem_lines(state: HeaderState, now: datetime, width: int, palette: Palette) -> list[Text]:
    """One line per failing region (its error, and how old its data is)."""
    problems: list[Text] = []
    if state.setup_error:
        return problems  # the body says it in full
    if state.poll_error:
        problems.append(Text(cut(clean(f" ✗ watching the fleet stopped: {state.poll_error}"), width), palette.bad))
    failing_ = [r for r in state.regions if failing(r)]
    for region in failing_:
        shown = f"data from {_since(region.polled_at, now)} ago" if region.polled_at else "no data"
        line = Text(f" ✗ {region.name} ", palette.bad)
        line.append(f"({shown}): ", palette.busy)
        line.append(clean(region.error or "failed"))
        if line.cell_len > width:
            line.truncate(width - 1)
            line.append("…")
        problems.append(line)
    for name, error in sorted(state.metrics_errors.items()):
        if any(r.name == name for r in failing_):
            continue  # the region line already says it is failing
        line = Text(f" ⚠ {name} metrics: ", palette.busy)
        line.append(clean(error))
        line.truncate(width)
        problems.append(line)
    if len(problems) > MAX_PROBLEM_LINES:
        extra = len(problems) - (MAX_PROBLEM_LINES - 1)
        problems = problems[: MAX_PROBLEM_LINES - 1]
        problems.append(Text(f" … and {extra} more problems", palette.busy))
    return problems
