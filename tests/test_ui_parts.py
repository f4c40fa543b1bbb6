"""The console's pieces without running it: themes, tree lines, header, chart, help."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.text import Text

from rdstui.core.config import Settings
from rdstui.core.errors import SetupError
from rdstui.core.format import whole_seconds
from rdstui.core.model import Node, NodeType, RegionState, Role
from rdstui.core.words import lag_level, status_kind
from rdstui.ui.detail.chart import chart_text
from rdstui.ui.header.text import HeaderState, header_text
from rdstui.ui.palette import Palette
from rdstui.ui.text import elide
from rdstui.ui.themes import RDSTUI_VARIABLES, fill_variables, load_themes, parse_theme
from rdstui.ui.tree.filtering import filter_roots
from rdstui.ui.tree.lines import SPARK_CHARS, Columns, sparkline, tree_label

NOW = datetime(2025, 3, 14, 9, 26, 53, tzinfo=timezone.utc)
PALETTE = Palette.from_variables(
    fill_variables({"success": "#00ff00", "warning": "#ffff00", "error": "#ff0000", "foreground": "#ffffff"})
)


# ------------------------------------------------------------------ themes


def test_shipped_themes_load_with_every_rdstui_colour() -> None:
    themes = load_themes(user_dir=Path("/nonexistent"))
    assert not themes.problems
    assert themes.cycle[:3] == ["rdstui-dark", "rdstui-light", "rdstui-16"]
    assert not themes.themes["rdstui-light"].dark
    assert themes.themes["rdstui-16"].ansi  # drawn with the terminal's own 16 colours
    for name in ("rdstui-dark", "rdstui-light", "rdstui-16"):
        assert set(RDSTUI_VARIABLES) <= set(themes.themes[name].variables), name
    for value in themes.themes["rdstui-16"].variables.values():
        assert not value.startswith("#"), "the 16-colour theme must not use RGB colours"


def test_user_themes_are_added_and_may_replace_a_builtin(tmp_path: Path) -> None:
    (tmp_path / "night.toml").write_text('name = "night"\nprimary = "#123456"\n[variables]\nstatus-ok = "#00ff88"\n')
    (tmp_path / "rdstui-dark.toml").write_text('primary = "#ff00ff"\n')
    themes = load_themes(user_dir=tmp_path)
    assert "night" in themes.cycle and themes.cycle[-1] == "night"
    assert themes.themes["rdstui-dark"].primary == "#ff00ff"
    assert themes.sources["night"] == tmp_path / "night.toml"
    assert themes.resolve("night") == "night"


def test_unknown_theme_is_a_clear_error_listing_the_choices(tmp_path: Path) -> None:
    themes = load_themes(user_dir=tmp_path)
    with pytest.raises(SetupError) as caught:
        themes.resolve("solarised")
    message = str(caught.value)
    assert "unknown theme 'solarised'" in message
    assert "rdstui-dark, rdstui-light, rdstui-16" in message
    assert themes.resolve(None) == "rdstui-dark"
    assert themes.resolve("nord") == "nord"  # Textual's own themes work too


def test_run_console_refuses_an_unknown_theme_before_starting() -> None:
    from rdstui.runtime import Options
    from rdstui.ui.app import run_console

    settings = Settings(theme="nope")
    with pytest.raises(SetupError, match="unknown theme 'nope'"):
        run_console(settings, Options.from_settings(settings, demo=True))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('primary = "#123456"\nflavour = "mint"\n', "unknown key 'flavour'"),
        ('primary = "not-a-colour"\n', "primary = 'not-a-colour' is not a colour"),
        ('name = "x"\n', "'primary' is required"),
        ("primary = \n", "not valid TOML"),
        ('primary = "#123456"\n[variables]\nstatus-ok = "blurple"\n', "variables.status-ok"),
    ],
)
def test_a_malformed_theme_file_names_the_file_and_key(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.toml"
    with pytest.raises(SetupError) as caught:
        parse_theme(path, text)
    assert str(path) in str(caught.value) and problem in str(caught.value)
    path.write_text(text)
    themes = load_themes(user_dir=tmp_path)
    assert "broken" in themes.problems  # others still load; asking for it says why
    with pytest.raises(SetupError, match="could not be loaded"):
        themes.resolve("broken")


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    from rdstui.ui.app import RdsApp

    monkeypatch.setenv("NO_COLOR", "1")
    assert RdsApp(Settings()).no_color


# ------------------------------------------------------------------ tree lines


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("available", "ok"),
        ("modifying", "busy"),
        ("rebooting", "busy"),
        ("backing-up", "busy"),
        ("upgrading", "busy"),
        ("configuring-log-exports", "busy"),
        ("failed", "bad"),
        ("stopped", "bad"),
        ("storage-full", "bad"),
        ("incompatible-parameters", "bad"),
        ("not polled", "muted"),
        ("something-new", "other"),
    ],
)
def test_status_colour_kinds(status: str, kind: str) -> None:
    assert status_kind(status) == kind


def test_lag_levels_follow_thresholds() -> None:
    assert lag_level(None, 30, 300) is None
    assert lag_level(29.9, 30, 300) == "ok"
    assert lag_level(30, 30, 300) == "warning"
    assert lag_level(300, 30, 300) == "critical"
    assert lag_level(-1, 30, 300) == "critical"  # ReplicaLag -1: replication stopped


def test_sparkline_fits_its_width_and_keeps_the_worst_value() -> None:
    values = [0.0] * 50 + [400.0] + [0.0] * 9
    spark = sparkline(values, 10, warning=30, critical=300, palette=PALETTE)
    assert spark.cell_len == 10
    assert set(spark.plain) <= set(SPARK_CHARS)
    assert "█" in spark.plain  # one spike in sixty points survives bucketing
    assert any(span.style == PALETTE.lag_critical for span in spark.spans)
    short = sparkline([1.0, 2.0], 10, warning=30, critical=300, palette=PALETTE)
    assert short.plain == " " * 8 + "▅█"
    assert sparkline([], 5, warning=30, critical=300, palette=PALETTE).plain == "     "
    # Small healthy lag stays low: the scale starts at one second.
    assert set(sparkline([0.02, 0.03], 4, warning=30, critical=300, palette=PALETTE).plain.strip()) == {"▁"}


def test_elide_keeps_the_start_and_the_last_part_only_when_both_fit() -> None:
    assert elide("orders-pg-ro1-cascade", 30) == "orders-pg-ro1-cascade"
    assert elide("inventory-maz-instance-1", 15) == "inventory-ma…-1"
    assert elide("payments-euw1-a", 11) == "payments…-a"  # what tells the readers apart
    assert elide("payments-euw1-a", 12) == "payments…-a"  # never "payments-…-a"
    assert elide("payments-euw1-a", 10) == "payments-…"  # "payments" and "-a" do not both fit
    assert elide("legacyreports", 8) == "legacyr…"


def replica(**changes) -> Node:
    fields = dict(
        key="arn:db:r",
        id="catalog-mysql-ro-drift",
        type=NodeType.INSTANCE,
        role=Role.REPLICA,
        region="us-west-2",
        az="us-west-2c",
        engine="mysql",
        lag_metric="ReplicaLag",
    )
    return Node(**{**fields, **changes})


@pytest.mark.parametrize("width", [77, 100, 140, 60])
def test_tree_label_columns_fit_the_tree(width: int) -> None:
    columns = Columns.fit(width)
    for depth in (0, 1, 2, 3):
        label = tree_label(
            replica(),
            role="replica",
            columns=columns,
            indent=depth * 3,
            lag_values=[float(v) for v in range(60)],
            lag=113.0,
            warning=30,
            critical=300,
            palette=PALETTE,
        )
        assert label.cell_len + depth * 3 <= width
        assert label.plain.rstrip().endswith("1m53s")
        assert "replica" in label.plain


@pytest.mark.parametrize("width", [36, 30])  # a 40-column terminal's tree, and less
def test_a_narrow_tree_never_cuts_a_lags_unit(width: int) -> None:
    columns = Columns.fit(width)
    for depth in (0, 1, 2, 3):
        label = tree_label(replica(), role="secondary", columns=columns, indent=depth * 3, lag_values=[],
                           lag=0.029, warning=30, critical=300, palette=PALETTE)
        assert label.cell_len + depth * 3 <= width, depth
        assert label.plain.rstrip().endswith("29ms")


def test_tree_label_marks_what_a_user_must_notice() -> None:
    columns = Columns.fit(77)
    label = tree_label(
        replica(status="storage-full"),
        role="replica",
        columns=columns,
        indent=0,
        lag_values=[],
        lag=None,
        warning=30,
        critical=300,
        palette=PALETTE,
        stale=True,
    )
    assert "storage-full" in label.plain and label.plain.rstrip().endswith("stale")
    status = label.plain.index("storage-")
    assert any(span.start <= status < span.end and span.style == PALETTE.bad for span in label.spans)
    assert "—" in label.plain  # a lag series with no data yet
    external = Node(key="x", id="orders-pg", type=NodeType.EXTERNAL, role=Role.EXTERNAL, region="us-east-1", status="not polled")
    text = tree_label(external, role="external", columns=columns, indent=0, lag_values=[], lag=None, warning=30, critical=300, palette=PALETTE)
    assert "external" in text.plain and "not polled" in text.plain


def test_filter_keeps_ancestors_in_order() -> None:
    leaf = replica(key="c", id="orders-pg-ro1-cascade", region="us-east-1", az="us-east-1b")
    mid = replica(key="b", id="orders-pg-ro1", children=(leaf,), region="us-east-1", az="us-east-1c")
    other = replica(key="d", id="orders-pg-dr", region="us-west-2")
    root = Node(key="a", id="orders-pg", type=NodeType.INSTANCE, role=Role.PRIMARY, region="us-east-1", children=(mid, other))
    roots, matched = filter_roots((root,), "cascade")
    assert matched == {"c"}
    assert [n.id for n in roots[0].walk()] == ["orders-pg", "orders-pg-ro1", "orders-pg-ro1-cascade"]
    assert root.children == (mid, other)  # the model itself is untouched
    roots, matched = filter_roots((root,), "US-WEST-2 replica")
    assert matched == {"d"}
    assert filter_roots((root,), "  ") == ((root,), None)


# ------------------------------------------------------------------ header


def regions(*states: RegionState) -> HeaderState:
    return HeaderState(label="prod-admin", account_id="123456789012", regions=states, connecting=False)


def test_header_fits_80_columns_and_names_a_failing_region() -> None:
    good = RegionState("us-east-1", ok=True, polled_at=NOW - timedelta(seconds=12), attempted_at=NOW)
    bad = RegionState(
        "eu-west-1", ok=False, error="AccessDenied: not authorised", polled_at=NOW - timedelta(minutes=3), attempted_at=NOW
    )
    state = replace(regions(good, bad), read_only=True)
    text = header_text(state, NOW, 80, PALETTE)
    first, second = text.plain.split("\n")
    assert len(first) <= 80 and len(second) <= 80
    # Read-only takes room: the region marks become a count before the account id goes.
    assert "prod-admin 123456789012" in first and "2 regions 1✓ 1✗ eu-west-1" in first
    assert "12s ago" in first and "READ-ONLY" in first
    assert "eu-west-1 (data from 3m00s ago): AccessDenied: not authorised" in second


def test_header_summarises_many_regions() -> None:
    names = [f"ap-southeast-{i}" for i in range(1, 8)] + ["us-east-1", "us-west-2", "eu-west-1"]
    states = [RegionState(n, ok=True, polled_at=NOW, attempted_at=NOW) for n in names]
    states[-1] = RegionState("eu-west-1", ok=False, error="Throttling", attempted_at=NOW)
    text = header_text(regions(*states), NOW, 80, PALETTE)
    first = text.plain.split("\n")[0]
    assert len(first) <= 80
    assert "10 regions 9✓ 1✗ eu-west-1" in first
    assert "eu-west-1 (no data): Throttling" in text.plain


def test_header_while_connecting() -> None:
    text = header_text(HeaderState(label="demo"), NOW, 80, PALETTE)
    assert "connecting…" in text.plain and len(text.plain) <= 80


# ------------------------------------------------------------------ chart


def test_chart_is_exactly_the_size_asked() -> None:
    points = [(NOW - timedelta(minutes=60 - i), float(i % 7)) for i in range(60)]
    text = chart_text(points, "lag", width=60, height=12, now=NOW, line_colour="#00ff00", threshold_colour="#ffff00", thresholds=(30, 300))
    lines = text.plain.split("\n")
    assert len(lines) == 12
    assert all(len(line) <= 60 for line in lines)
    assert "now" in lines[-1] and "-30m" in lines[-1]
    ansi = chart_text(points, "cpu", width=40, height=8, now=NOW, line_colour="ansi_cyan", threshold_colour="ansi_yellow")
    assert len(ansi.plain.split("\n")) == 8
    assert "too small" in chart_text(points, "lag", width=10, height=3, now=NOW, line_colour=None, threshold_colour=None).plain


def test_help_lists_every_binding_of_the_app_and_tree() -> None:
    from rdstui.ui.app import RdsApp
    from rdstui.ui.screens.help import help_sections
    from rdstui.ui.tree.widget import FleetTree

    listed = " ".join(keys for _, rows in help_sections() for keys, _ in rows).split()
    shown = {"slash": "/", "question_mark": "?", "exclamation_mark": "!", "colon": ":", "up": "↑", "down": "↓", "left": "←", "right": "→",
             "right_square_bracket": "]", "left_square_bracket": "[", "right_curly_bracket": "}", "left_curly_bracket": "{"}
    for binding in [*RdsApp.BINDINGS, *FleetTree.BINDINGS]:
        key = shown.get(binding.key, binding.key)  # type: ignore[union-attr]
        assert key in listed, f"{key} is bound but not in the help"
    assert "s" in listed and "f" in listed and "p" in listed  # reserved, and said so


def test_ui_text_is_plain_rich() -> None:
    assert isinstance(PALETTE.status("available").color.name, str)
    assert isinstance(Text("x"), Text)


# ------------------------------------------------------------------ actions


def test_progress_takes_the_lag_columns_and_never_widens_the_line() -> None:
    replica = Node("k", "orders-pg-ro1", NodeType.INSTANCE, Role.REPLICA, "us-east-1", az="us-east-1c",
                   status="modifying", lag_metric="ReplicaLag")
    columns = Columns.fit(77)
    plain = tree_label(replica, role="replica", columns=columns, indent=0, lag_values=[1.0] * 8, lag=1.1, warning=30, critical=300,
                       palette=PALETTE, trend="rising")
    assert plain.plain.endswith("1.1s ▲")
    busy = tree_label(replica, role="replica", columns=columns, indent=0, lag_values=[1.0] * 8, lag=1.1, warning=30, critical=300,
                      palette=PALETTE, progress=f"⟳{whole_seconds(timedelta(seconds=12))} promotion")
    assert busy.plain.endswith("⟳12s promotion") and "1.1s" not in busy.plain
    assert busy.cell_len <= plain.cell_len
    long = tree_label(replica, role="replica", columns=columns, indent=0, lag_values=[], lag=1.1, warning=30, critical=300,
                      palette=PALETTE, progress="⟳1h02m 40% snapshot and more words")
    assert long.cell_len <= plain.cell_len and long.plain.endswith("…")
    seconds = (0, 0.4, 12, 60, 3725)
    assert [whole_seconds(timedelta(seconds=s)) for s in seconds] == ["0s", "0s", "12s", "1m00s", "1h02m"]


def test_modal_text_states_target_effects_costs_and_the_exact_call() -> None:
    from rich.console import Console

    from rdstui.core.actions import plan
    from rdstui.ui.actions.modal import api_call_text, plan_summary

    node = Node("arn:db:orders-pg", "orders-pg", NodeType.INSTANCE, Role.PRIMARY, "us-east-1", az="us-east-1a",
                engine="postgres", engine_version="16.4", multi_az=True,
                raw={"SecondaryAvailabilityZone": "us-east-1b"})
    failover = plan("failover", node)
    console = Console(width=78, record=True, file=__import__("io").StringIO())
    console.print(plan_summary(failover, PALETTE))
    console.print(api_call_text(failover, PALETTE))
    text = " ".join(console.export_text().split())
    assert "Target orders-pg (DB instance, postgres 16.4, us-east-1)" in text
    assert "Happens • orders-pg reboots and its standby in us-east-1b becomes the primary" in text
    assert "Costs • about 60 s of downtime" in text
    assert "API call RebootDBInstance in us-east-1 DBInstanceIdentifier='orders-pg' ForceFailover=True" in text
