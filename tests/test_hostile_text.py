"""Text from AWS is data: markup, terminal control and line breaks in AWS's answers,
through the fault proxy (its error and rewrite rules), in the console as a user sees it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from faultproxy import Rule, error, fault_proxy, rewrite  # noqa: F401
from support import Clock
from textual.widgets._toast import Toast

from rdstui.core.model import NodeType
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.demo import DemoFleet
from rdstui.ui.actions.modal import ActionModal
from rdstui.ui.events.widget import EventsList
from rdstui.ui.testing import FROZEN_NOW, frozen_app, ready, screen_text

SIZE = (120, 40)
QUIT_LINK = "[@click=app.quit]here[/]"


@pytest.fixture
def clock() -> Clock:
    return Clock(FROZEN_NOW)


@dataclass
class Through:
    """The demo fleet as the console reaches it: through the proxy."""

    demo: DemoFleet
    url: str
    REGIONS = DemoFleet.REGIONS

    @property
    def target(self) -> AwsTarget:
        return AwsTarget(endpoint_url=self.url, credentials=DEMO_CREDENTIALS)


def console(demo, fault_proxy, clock):
    return frozen_app(Through(demo, fault_proxy.url), clock=clock)


async def select(app, pilot, ident: str) -> None:
    app.jump_to(next(n.key for n in app.fleet.walk() if n.id == ident and n.type is not NodeType.STANDBY))
    await ready(app, pilot)


async def test_brackets_and_markup_in_an_aws_error_are_shown_as_written(demo, fault_proxy, clock):
    said = f"Failover target [reader-1] is not in state [available]; see {QUIT_LINK}"
    fault_proxy.add(Rule(error("InvalidParameterCombination", said), operation="RebootDBInstance"))
    app = console(demo, fault_proxy, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # toasts drawn, as for a user
        await ready(app, pilot)
        await select(app, pilot, "orders-pg")
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ActionModal)
        await pilot.press(*[{"-": "minus"}.get(c, c) for c in "orders-pg"], "enter", "enter")
        for _ in range(20):
            await pilot.pause(0.05)
            if said in " ".join(app.notices):
                break
        assert any(said in notice for notice in app.notices), app.notices
        await pilot.pause(0.2)
        toasts = [" ".join(line.text.strip("▌ ") for line in toast.render_lines(toast.region.reset_offset))
                  for toast in app.screen.query(Toast)]
        shown = " ".join(" ".join(toasts).split())
        assert "Failover target [reader-1] is not in state [available]; see [@click=app.quit]here[/]" in shown, toasts
        toast = app.screen.query(Toast).first()
        lines = [line.text for line in toast.render_lines(toast.region.reset_offset)]
        row = next(i for i, line in enumerate(lines) if "here" in line)
        await pilot.click(toast, offset=(lines[row].index("here") + 1, row))  # the would-be link
        await pilot.pause()
        assert app.is_running and app.return_code is None


async def test_escape_sequences_in_a_cloudwatch_error_never_reach_the_terminal(demo, fault_proxy, clock):
    sneaky = "\x1b]0;owned\x07\x1b[2JRate of GetMetricData\x9b31m exceeded"
    fault_proxy.add(Rule(error("Throttling", sneaky), operation="GetMetricData", region="us-west-2"))
    app = console(demo, fault_proxy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.fleet.region("us-west-2").metrics_error
        text = screen_text(app)
        assert "Rate of GetMetricData exceeded" in text
        assert not any(c in text for c in "\x1b\x07\x9b") and "owned" not in text


async def test_a_line_break_in_an_event_message_stays_on_its_row(demo, fault_proxy, clock):
    def broken(body: bytes, headers):
        return body.replace(b"</Message>", b"\nsecond line\r\n\tthird</Message>")  # XML carries no ESC

    fault_proxy.add(Rule(rewrite(broken), operation="DescribeEvents"))
    app = console(demo, fault_proxy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        newest = app.query_one(EventsList).events[0]
        assert "second line" in newest.message
        text = screen_text(app)
        rows = [line for line in text.splitlines() if newest.source_id in line and "second line third" in line]
        assert rows, text
        assert not [line for line in text.splitlines() if line.strip("│ ").startswith("second line")]
        assert "\x1b" not in text


async def test_markup_in_an_identifier_or_engine_is_plain_in_toasts_and_the_palette(demo, fault_proxy, clock):
    def renamed(body: bytes, headers):
        return body.replace(b"<Engine>mysql</Engine>", f"<Engine>mysql{QUIT_LINK}[b]</Engine>".encode())

    fault_proxy.add(Rule(rewrite(renamed), operation="DescribeDBInstances", region="eu-west-1"))
    app = console(demo, fault_proxy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await select(app, pilot, "legacy-reports")
        assert app.selected_node().engine.startswith("mysql[@click")
        await pilot.press("f")  # single-AZ: a refusal toast naming it
        await pilot.pause()
        assert app.notices[-1].startswith("legacy-reports is single-AZ"), app.notices[-1]
        assert f"mysql{QUIT_LINK}[b]" in screen_text(app), "the engine is shown as AWS wrote it"
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in "fail":
            await pilot.press(key)
        await pilot.pause(0.3)
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
