"""The `fieldsync` command: a demo against emulated Zoho APIs, and real syncs from a TOML file.

The exit codes are defined in ``_exit.ExitCode`` (and tabled in docs/cli.md).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from fieldsync.__about__ import __version__
from fieldsync.cli._exit import ExitCode, error_line, exit_code_for

__all__ = ["main"]


class _AcknowledgeAction(argparse.Action):
    """``--acknowledge-disclaimer`` (one word with the API); ``--accept-disclaimer`` still
    works and says it is deprecated."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, help=help)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        if option_string == "--accept-disclaimer":
            print(
                "fieldsync: --accept-disclaimer is deprecated; use --acknowledge-disclaimer",
                file=sys.stderr,
            )
        setattr(namespace, self.dest, True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldsync",
        description="Keep marketing contact lists in step with an invoicing app's contacts.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("fieldsync.toml"),
        help="the configuration file (default: ./fieldsync.toml)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument(
        "--tz", metavar="ZONE", help="show times in this zone (default: [cli] tz, else local)"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="a whole sync against emulated Zoho APIs")
    demo.add_argument("--contacts", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--dir", type=Path, default=Path(".fieldsync-demo"))

    init = sub.add_parser("init", help="write a commented configuration file")
    init.add_argument("path", nargs="?", type=Path)
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    syncs = sub.add_parser("syncs", help="list the syncs, or show one in detail")
    syncs.add_argument("name", nargs="?")
    for name, text in (
        ("preview", "what the next run would do"),
        ("history", "a sync's runs"),
        ("pause", "pause a sync"),
        ("resume", "resume a paused sync"),
        ("edit", "save the file's configuration as a new version"),
    ):
        sub.add_parser(name, help=text).add_argument("name")
    initiate = sub.add_parser("initiate", help="validate, create fields, start the first run")
    initiate.add_argument("name")
    initiate.add_argument(
        "--acknowledge-disclaimer",
        "--accept-disclaimer",  # the spelling before 0.2, deprecated
        dest="accept_disclaimer",
        action=_AcknowledgeAction,
        help="go ahead when the plan-limit disclaimer applies (the API's acknowledge_disclaimer)",
    )
    run = sub.add_parser("run", help="run one sync now, or all due ones")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("name", nargs="?")
    target.add_argument("--due", action="store_true")
    worker = sub.add_parser("worker", help="run due syncs on their schedules until stopped")
    worker.add_argument("--interval", type=float, default=60.0, help="seconds between checks")
    worker.add_argument("--once", action="store_true", help="check once and exit")
    export = sub.add_parser("export-skipped", help="a run's skipped records as CSV")
    export.add_argument("run", help="the run id (or its first 8 characters)")
    export.add_argument("path", help="a file path, or - for stdout")
    export.add_argument(
        "--excel", action="store_true", help="UTF-8 with a byte order mark, as Excel reads it"
    )
    notes = sub.add_parser("notifications", help="the notification inbox")
    notes.add_argument("--unread", action="store_true")
    notes.add_argument("--mark-read", action="store_true")
    notes.add_argument(
        "--open", metavar="N", type=int, help="show the sync notification N is about, mark it read"
    )
    console = sub.add_parser("console", help="the Sync Services console on 127.0.0.1")
    console.add_argument("--host", default="127.0.0.1", help="a loopback address")
    console.add_argument("--port", type=int, default=8765)
    console.add_argument("--demo", action="store_true", help="serve `fieldsync demo`'s data")
    console.add_argument("--dir", type=Path, default=Path(".fieldsync-demo"))
    console.add_argument("--contacts", type=int, default=3000, help="as given to the demo")
    console.add_argument("--seed", type=int, default=7, help="as given to the demo")
    disable = sub.add_parser("disable-integration", help="disable an integration and its syncs")
    disable.add_argument("name")
    disable.add_argument("--yes", action="store_true", help="do not ask")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``_exit.ExitCode``)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    names: dict[str, str] = {}  # sync ids to names, for the error line
    try:
        return int(_dispatch(args, names))
    except BrokenPipeError:
        return _reader_went_away()
    except KeyboardInterrupt:
        print("fieldsync: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Exception as exc:
        code = exit_code_for(exc)
        if code is ExitCode.INTERNAL:
            logging.getLogger("fieldsync.cli").debug("unexpected error", exc_info=True)
            if args.verbose:
                import traceback

                traceback.print_exc()
        print(error_line(exc, names), file=sys.stderr)
        return code


def _reader_went_away() -> int:
    """`fieldsync history S | head -1`: the reader closed the pipe. Stop quietly, and point
    stdout at /dev/null so that the interpreter's last flush finds no broken pipe either."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.BROKEN_PIPE


def _dispatch(args: argparse.Namespace, names: dict[str, str]) -> int:
    if args.command == "demo":
        from fieldsync.cli._demo import run_demo
        from fieldsync.cli._output import parse_zone

        zone = parse_zone(args.tz)
        return run_demo(contacts=args.contacts, seed=args.seed, folder=args.dir, zone=zone)
    if args.command == "console":
        from fieldsync.cli._console import cmd_console

        return cmd_console(args)
    if args.command == "init":
        return _init(args.path or args.config, force=args.force)
    from fieldsync.cli._app import open_app
    from fieldsync.cli._commands import COMMANDS

    app = open_app(args.config, json=args.json, tz=args.tz)
    try:
        return COMMANDS[args.command](app, args)
    except Exception:
        with contextlib.suppress(Exception):
            names.update(app.names())
        raise
    finally:
        app.close()


def _init(path: Path, *, force: bool) -> int:
    from fieldsync.cli._template import TEMPLATE

    if path.exists() and not force:
        print(f"fieldsync: error: {path} exists (use --force to overwrite)", file=sys.stderr)
        return ExitCode.CONFIG
    path.write_text(TEMPLATE, encoding="utf-8")
    print(f"wrote {path}; edit it, set the environment variables it names, then `fieldsync syncs`")
    return 0
