"""Command line: `rdstui` opens the console, `rdstui status` prints the fleet once.

Exit status: 0 every region answered, 1 a region or a profile failed (the rest
is still shown), 2 usage, configuration or credential errors, 3 (`status --fail-on`) a
database has a finding at or above the level asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from rdstui import __version__
from rdstui.core.config import MIN_REFRESH, Settings, check_interval, load_config
from rdstui.core.errors import SetupError
from rdstui.core.regions import parse_region_args

if TYPE_CHECKING:
    from rdstui.core.replay import Replay
    from rdstui.runtime import Options

EXIT_OK, EXIT_REGION_FAILED, EXIT_USAGE, EXIT_ATTENTION = 0, 1, 2, 3
SIXTEEN_COLOUR_THEME = "rdstui-16"
SIXTEEN_COLOUR_TERMS = {"linux", "cons25", "ansi"}


def interval(value: str) -> float:
    """--refresh: the config file's rule (finite, at least MIN_REFRESH seconds)."""
    try:
        return check_interval("it", value, MIN_REFRESH)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def global_options(suppress: bool = False) -> argparse.ArgumentParser:
    """Options the console and `status` both take, AWS CLI style, before or after the command.

    The subcommand's copy suppresses defaults, so `rdstui --demo status` keeps --demo.
    """
    default = argparse.SUPPRESS if suppress else None
    parent = argparse.ArgumentParser(add_help=False, argument_default=default)
    aws = parent.add_argument_group("AWS")
    aws.add_argument(
        "--profile",
        action="append",
        metavar="PROFILE",
        help="named profile from ~/.aws/config; repeat or comma-separate to watch several accounts in one tree "
        "(default: the config's profiles_shown, else AWS_PROFILE)",
    )
    aws.add_argument(
        "--region",
        action="append",
        metavar="REGION",
        help="region to poll; repeat or comma-separate; 'all' for every enabled region "
        "(default: the profile's region / AWS_REGION)",
    )
    aws.add_argument("--endpoint-url", help="send every AWS call to this URL (as the AWS CLI)")
    aws.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="start an embedded AWS endpoint with a demo fleet; never touches your AWS config",
    )
    tape = parent.add_argument_group("recording")
    tape.add_argument("--record", type=Path, metavar="FILE", help="append every AWS call to FILE (JSON Lines; .gz compresses)")
    tape.add_argument(
        "--redact", action="store_true", default=argparse.SUPPRESS if suppress else False,
        help="with --record: replace account ids, hostnames and ARNs' accounts, to share the recording",
    )
    tape.add_argument("--replay", type=Path, metavar="FILE", help="the console (or status) on a recording, read-only")
    parent.add_argument("--config", type=Path, help="config file (default: $XDG_CONFIG_HOME/rdstui/config.toml)")
    ui = parent.add_argument_group("console")
    ui.add_argument(
        "--refresh", type=interval, metavar="SECONDS", help=f"seconds between polls (default 30, at least {MIN_REFRESH:g})"
    )
    ui.add_argument("--theme", help="theme name (default: RDSTUI_THEME or rdstui-dark)")
    ui.add_argument(
        "--read-only", action="store_true", default=argparse.SUPPRESS if suppress else None,
        help="turn every modifying action off",
    )
    ui.add_argument(
        "--write", action="append", metavar="PROFILE",
        help="lift the config file's read_only for this profile, for this session only",
    )
    return parent


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The top-level parser and the `status` one (its errors print its own usage)."""
    parser = argparse.ArgumentParser(
        prog="rdstui",
        description="A terminal console for Amazon RDS and Aurora fleets.",
        parents=[global_options()],
    )
    parser.add_argument("--version", action="version", version=f"rdstui {__version__}")
    parser.set_defaults(command="console")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    status = commands.add_parser(
        "status", parents=[global_options(suppress=True)], help="print the fleet once (text or --json) and exit"
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--at", metavar="TIME", help="with --replay: the fleet at TIME (ISO 8601, UTC; default: the end)")
    status.add_argument(
        "--fail-on",
        choices=("warning", "critical"),
        help=f"exit {EXIT_ATTENTION} when any database has a finding at or above this severity",
    )
    return parser, status


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser, status = build_parser()
    args, extra = parser.parse_known_args(argv)
    chosen = status if args.command == "status" else parser
    if extra:
        chosen.error(f"unrecognized arguments: {' '.join(extra)}")
    problem = recording_conflict(args) or profile_conflict(args)
    if problem:
        chosen.error(problem)
    return args


def names(values: list[str] | None) -> list[str]:
    """--profile a,b --profile c: ["a", "b", "c"], each once."""
    found = [name.strip() for value in values or () for name in value.split(",")]
    return list(dict.fromkeys(name for name in found if name))


def profile_conflict(args: argparse.Namespace) -> str | None:
    """What --profile and --write cannot be given with."""
    profiles, writes = names(args.profile), names(args.write)
    if args.profile is not None and not profiles:
        return "--profile needs a profile name"
    if len(profiles) > 1 and args.demo:
        return "--demo is one demo account: it takes one --profile at most"
    if len(profiles) > 1 and args.record is not None:
        return "--record records one profile: run one rdstui --record FILE --profile NAME for each"
    if writes and getattr(args, "read_only", None):
        return "--write lifts a profile's read-only, --read-only turns every action off: give one of them"
    if args.write is not None and not writes:
        return "--write needs a profile name"
    return None


def recording_conflict(args: argparse.Namespace) -> str | None:
    """What --record, --redact, --replay and --at cannot be given with."""
    if args.replay is not None:
        live = [flag for flag, given in (("--demo", args.demo), ("--record", args.record), ("--profile", args.profile),
                                         ("--region", args.region), ("--endpoint-url", args.endpoint_url)) if given]
        if live:
            return f"--replay reads a recording: it takes no {', '.join(live)}"
    if args.redact and args.record is None:
        return "--redact applies to --record FILE"
    if getattr(args, "at", None) is not None and args.replay is None:
        return "--at applies to --replay FILE"
    return None


def settings_from(args: argparse.Namespace) -> list[Settings]:
    """One Settings a profile shown: the config file, then its profile section, then the flags."""
    cli: dict[str, Any] = {
        "regions": parse_region_args(args.region),
        "endpoint_url": args.endpoint_url,
        "refresh": getattr(args, "refresh", None),
        "theme": getattr(args, "theme", None) or os.environ.get("RDSTUI_THEME"),
        "read_only": getattr(args, "read_only", None),
        "write": tuple(names(args.write)),
    }
    config = load_config(args.config, required=args.config is not None)
    shown = config.shown(names(args.profile))
    if args.demo or args.replay is not None:  # one account, the demo's or the recording's
        shown = shown[:1]
    unknown = [name for name in cli["write"] if name not in shown]
    if unknown:
        listed = ", ".join(name or "default" for name in shown)
        raise SetupError(f"--write {unknown[0]}: not one of the profiles shown ({listed})")
    several = len(shown) > 1
    found = [config.settings({**cli, "profile": name}, several=several) for name in shown]
    if found[0].theme is None and sixteen_colours(os.environ.get("TERM", "")):
        found = [replace(settings, theme=SIXTEEN_COLOUR_THEME) for settings in found]
    return found


def sixteen_colours(term: str) -> bool:
    """A terminal of the 16 ANSI colours (the Linux console, *-16color entries)."""
    return term in SIXTEEN_COLOUR_TERMS or term.endswith(("-16color", "-8color"))


async def run_status(
    options: Options, as_json: bool, demo: Any, fail_on: str | None = None, replay: Replay | None = None
) -> int:
    from rdstui.core.attention import at_or_above
    from rdstui.core.model import Severity
    from rdstui.core.recording import iso
    from rdstui.logs import quiet_logging
    from rdstui.runtime import open_replay, open_runtime
    from rdstui.status import fleet_json, fleet_text

    quiet_logging()  # botocore's records go to console.log, never as tracebacks before our one line
    runtime = await (open_replay(replay, options) if replay is not None else open_runtime(options, demo=demo))
    try:
        for warning in runtime.warnings:
            print(f"rdstui: {warning}", file=sys.stderr)
        if replay is not None:  # stdout stays the live contract; the reader still learns what it is
            print(f"rdstui: the fleet as recorded in {replay.recording.path} at {iso(replay.clock.now())}", file=sys.stderr)
        fleet = await runtime.watch.once()
    finally:
        await runtime.close()
        if runtime.recorder is not None and runtime.recorder.failure:
            print(f"rdstui: {runtime.recorder.failure}", file=sys.stderr)
    print(fleet_json(fleet) if as_json else fleet_text(fleet))
    if not all(state.ok for state in fleet.regions) or any(account.error for account in fleet.accounts):
        return EXIT_REGION_FAILED
    return EXIT_ATTENTION if fail_on and at_or_above(fleet, Severity[fail_on.upper()]) else EXIT_OK


def open_recording(args: argparse.Namespace) -> Replay | None:
    """--replay FILE, loaded; `status` stands at --at (default: the recording's end)."""
    if args.replay is None:
        return None
    from rdstui.core.replay import Replay, parse_moment

    at = None
    if args.command == "status":
        text = getattr(args, "at", None)
        at = parse_moment(text) if text is not None else None
        if text is not None and at is None:
            raise SetupError(f"--at {text!r}: not an ISO 8601 time (e.g. 2026-12-02T10:15:00Z)")
    replay = Replay.open(args.replay, at)
    if args.command == "status" and at is None:
        replay.clock.stand(replay.recording.end)
    return replay


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    try:
        every = settings_from(args)
        settings = every[0]  # the console's look and thresholds: the file's, with the first profile's section
        demo = None
        if args.demo:
            from rdstui.demo.process import start_demo

            demo = start_demo()  # it seeds in its own process while we import the rest
        import asyncio  # not at the top: the demo's process starts before our heavier imports

        from rdstui.runtime import Options

        options = replace(
            Options.from_settings(*every, demo=demo is not None), record=args.record, redact=args.redact
        )
        replay = open_recording(args)
        try:
            if args.command == "status":
                return asyncio.run(run_status(options, args.json, demo, args.fail_on, replay))
            if os.environ.get("TERM") == "dumb":  # no cursor movement, no colour: the status view instead
                print("rdstui: TERM=dumb cannot draw the console; printing `rdstui status` instead", file=sys.stderr)
                return asyncio.run(run_status(options, False, demo, replay=replay))
            from rdstui.ui.app import run_console

            return run_console(settings, options, demo, replay)
        finally:
            if demo is not None:
                demo.stop()
    except SetupError as exc:
        print(f"rdstui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
