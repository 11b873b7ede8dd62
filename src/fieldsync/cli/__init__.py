"""The `fieldsync` command: a demo against emulated Zoho APIs, and real syncs from a TOML file.

Exit codes: 0 ok; 1 a run did not complete (failed or deferred); 2 a configuration or usage
error; 3 refused (disclaimer or confirmation declined, an action the sync's state does not
allow, a sync already running); 4 credentials rejected; 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from fieldsync.__about__ import __version__
from fieldsync.exceptions import (
    AuthenticationError,
    ConfigurationError,
    FieldSyncError,
    NotFoundError,
    StateError,
)

__all__ = ["main"]

EXIT_CONFIG = 2
EXIT_REFUSED = 3
EXIT_CREDENTIALS = 4
EXIT_INTERRUPTED = 130


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
    notes = sub.add_parser("notifications", help="the notification inbox")
    notes.add_argument("--unread", action="store_true")
    notes.add_argument("--mark-read", action="store_true")
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
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("fieldsync: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except AuthenticationError as exc:
        print(f"fieldsync: credentials rejected: {exc}", file=sys.stderr)
        return EXIT_CREDENTIALS
    except (ConfigurationError, NotFoundError) as exc:
        print(f"fieldsync: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except StateError as exc:
        print(f"fieldsync: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except FieldSyncError as exc:
        print(f"fieldsync: failed: {exc}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from fieldsync.cli._demo import run_demo

        return run_demo(contacts=args.contacts, seed=args.seed, folder=args.dir)
    if args.command == "console":
        from fieldsync.cli._console import cmd_console

        return cmd_console(args)
    if args.command == "init":
        return _init(args.path or args.config, force=args.force)
    from fieldsync.cli._app import open_app
    from fieldsync.cli._commands import COMMANDS

    app = open_app(args.config, json=args.json)
    try:
        return COMMANDS[args.command](app, args)
    finally:
        app.close()


def _init(path: Path, *, force: bool) -> int:
    from fieldsync.cli._template import TEMPLATE

    if path.exists() and not force:
        print(f"fieldsync: error: {path} exists (use --force to overwrite)", file=sys.stderr)
        return EXIT_CONFIG
    path.write_text(TEMPLATE, encoding="utf-8")
    print(f"wrote {path}; edit it, set the environment variables it names, then `fieldsync syncs`")
    return 0
