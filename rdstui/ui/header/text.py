"""The header line: who and where, region health, freshness, READ-ONLY (pure: Rich Text out).

With several accounts the marks are the accounts' (name, health, RO, label);
their failing regions are named on the lines below, with the account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.style import Style
from rich.text import Text

from rdstui.core.accounts import account_health
from rdstui.core.format import clean, duration
from rdstui.core.model import AccountState, Fleet, RegionState, Severity
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
    attention: tuple[tuple[str, int, Severity], ...] = ()  # (kind, databases, severity), worst first
    profile_label: str | None = None  # the config's label for the profile ("PRODUCTION")
    replay: ReplayBadge | None = None  # --replay: the recording's times
    accounts: tuple[AccountBadge, ...] = ()  # with several accounts: each one's mark
    write_flag: bool = False  # --write lifted a profile's read-only for the session


@dataclass(frozen=True)
class AccountBadge:
    """What the header says of one account among several."""

    name: str  # its profiles
    account: str | None
    health: str  # account_health's word: ok, polling, failing, failed, "1/3 regions failing"
    read_only: bool
    label: str | None = None
    write_flag: bool = False
    error: str | None = None  # it could not start

    @classmethod
    def of(cls, state: AccountState, fleet: Fleet, read_only: bool) -> AccountBadge:
        regions = [r for r in fleet.regions if r.account == state.account]
        return cls(
            state.name, state.account, account_health(state, regions), read_only, state.label, state.write_flag,
            state.error,
        )


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


def account_marks(state: HeaderState, palette: Palette, ids: bool, labels: bool, cut_to: int = 16) -> Text:
    """"prod 111111111111✓ PRODUCTION RO  staging✓ WRITE  broken✗" (ids and labels as room allows)."""
    text = Text()
    for index, badge in enumerate(state.accounts):
        if index:
            text.append("  ")
        good = badge.health == "ok"
        waiting = badge.health == "polling"
        text.append(elide(clean(badge.name), cut_to), Style(bold=True) if good else palette.muted if waiting else palette.bad)
        if ids and badge.account:
            text.append(f" {badge.account}", palette.muted)
        text.append("✓" if good else "…" if waiting else "✗", palette.ok if good else palette.muted if waiting else palette.bad)
        if labels and badge.label:
            text.append(" ")
            text.append(f"{clean(badge.label)}", palette.label())
        if badge.read_only:
            text.append(" RO", palette.busy)
        elif badge.write_flag:
            text.append(" WRITE", palette.label())
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
    if state.accounts:  # the accounts' marks name them
        return left
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
    elif state.write_flag and not state.accounts:  # several: the account's mark says WRITE
        right.append("  ")
        right.append(" WRITE (--write) ", palette.label())
    return right


def header_text(state: HeaderState, now: datetime, width: int, palette: Palette) -> Text:
    """Line one always fits `width`; further lines name failing regions.

    When space runs out, words go first, then the per-region marks become a count
    (failing regions still named, their age on the lines below), the clock loses its
    "ago", the count its "regions", the attention counts become "1 crit 2 warn", and
    the account id goes last: what needs attention, and which account the console
    would change, matter more than a row of ✓. The attention summary is never dropped."""
    wide, short = (attention_summary(state, palette, compact=flag) for flag in (False, True))
    if state.accounts:
        stages: tuple[tuple[bool, bool, bool, Text, Text], ...] = (
            (True, True, True, account_marks(state, palette, ids=True, labels=True), wide),
            (True, False, True, account_marks(state, palette, ids=False, labels=True), wide),
            (True, False, False, account_marks(state, palette, ids=False, labels=True), short),
            (True, False, False, account_marks(state, palette, ids=False, labels=False), short),
            (True, False, False, account_marks(state, palette, ids=False, labels=False, cut_to=8), short),
        )
        return _lines(state, now, width, palette, stages)
    full, compact = (region_marks(state, now, palette, compact=flag) for flag in (False, True))
    tiny = region_marks(state, now, palette, compact=True, tiny=True)
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
    return _lines(state, now, width, palette, stages)


def _lines(
    state: HeaderState, now: datetime, width: int, palette: Palette, stages: tuple[tuple[bool, bool, bool, Text, Text], ...]
) -> Text:
    """The first stage whose line fits (the last one cut to fit), then the replay's and the problems' lines."""
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


def _where(region: RegionState, names: dict[str | None, str]) -> str:
    """"us-east-1", or with several accounts "us-east-1 staging"."""
    return f"{region.name} {names[region.account]}" if region.account in names else region.name


def problem_lines(state: HeaderState, now: datetime, width: int, palette: Palette) -> list[Text]:
    """One line per failed account and failing region (its error, and how old its data is), then
    what a region's CloudWatch or its answers could not tell (a warning each)."""
    problems: list[Text] = []
    if state.setup_error:
        return problems  # the body says it in full
    if state.poll_error:
        problems.append(Text(cut(clean(f" ✗ watching the fleet stopped: {state.poll_error}"), width), palette.bad))
    names = {badge.account: badge.name for badge in state.accounts}
    for badge in state.accounts:
        if badge.error:
            problems.append(Text(cut(clean(f" ✗ {badge.name}: {badge.error}"), width), palette.bad))
    failing_ = [r for r in state.regions if failing(r)]
    for region in failing_:
        shown = f"data from {_since(region.polled_at, now)} ago" if region.polled_at else "no data"
        line = Text(f" ✗ {clean(_where(region, names))} ", palette.bad)
        line.append(f"({shown}): ", palette.busy)
        line.append(clean(region.error or "failed"))
        if line.cell_len > width:
            line.truncate(width - 1)
            line.append("…")
        problems.append(line)
    for region in state.regions:
        if region.metrics_error is None or region in failing_:
            continue  # the region line already says it is failing
        line = Text(f" ⚠ {clean(_where(region, names))} metrics: ", palette.busy)
        line.append(clean(region.metrics_error))
        line.truncate(width)
        problems.append(line)
    for region in state.regions:
        if region in failing_:
            continue
        for note in region.notes:  # e.g. blue/green deployments not read: the tree lacks them
            line = Text(f" ⚠ {clean(_where(region, names))}: {clean(note)}", palette.busy)
            line.truncate(width, overflow="ellipsis")
            problems.append(line)
    if len(problems) > MAX_PROBLEM_LINES:
        extra = len(problems) - (MAX_PROBLEM_LINES - 1)
        problems = problems[: MAX_PROBLEM_LINES - 1]
        problems.append(Text(f" … and {extra} more problems", palette.busy))
    return problems
