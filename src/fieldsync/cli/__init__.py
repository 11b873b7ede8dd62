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
from fieldsync.cli._completion import SHELLS
from fieldsync.cli._exit import ExitCode, error_line, exit_code_for
from fieldsync.cli._help import HELP, MAIN, HelpFormatter

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


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str
) -> argparse.ArgumentParser:
    """The subcommand ``name``, with its summary, description and examples (``_help``)."""
    text = HELP[name]
    return sub.add_parser(
        name,
        help=text.summary,
        description=text.description,
        epilog=text.epilog,
        formatter_class=HelpFormatter,
    )


def _sync_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the sync's name (quote it when it has spaces)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fieldsync",
        description=MAIN.description,
        epilog=MAIN.epilog,
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("fieldsync.toml"),
        metavar="PATH",
        help="the configuration file (default: ./fieldsync.toml)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON document on stdout instead of tables, for scripts (times in UTC)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log what happens to stderr, and print the traceback of an unexpected error",
    )
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="show times in this IANA zone, such as Europe/London, or local (default: the "
        "file's [cli] tz, else the computer's zone)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = _command(sub, "demo")
    demo.add_argument(
        "--contacts",
        type=int,
        default=3000,
        metavar="N",
        help="contacts in the emulated organization (default: %(default)s)",
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="S",
        help="the seed the contacts are made from: the same seed, the same demo "
        "(default: %(default)s)",
    )
    demo.add_argument(
        "--dir",
        type=Path,
        default=Path(".fieldsync-demo"),
        metavar="DIR",
        help="the folder of the demo's SQLite file and CSV export, made anew each time "
        "(default: %(default)s)",
    )

    init = _command(sub, "init")
    init.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="where to write it (default: --config, ./fieldsync.toml)",
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    syncs = _command(sub, "syncs")
    syncs.add_argument(
        "name", nargs="?", help="a sync's name: show its detail (default: list them all)"
    )
    for name in ("preview", "history", "pause", "resume", "edit"):
        _sync_name(_command(sub, name))
    initiate = _command(sub, "initiate")
    _sync_name(initiate)
    initiate.add_argument(
        "--acknowledge-disclaimer",
        "--accept-disclaimer",  # the spelling before 0.1.0, deprecated
        dest="accept_disclaimer",
        action=_AcknowledgeAction,
        help="go ahead when the plan-limit disclaimer applies, without asking (the API's "
        "acknowledge_disclaimer; --accept-disclaimer is its deprecated spelling)",
    )
    run = _command(sub, "run")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("name", nargs="?", help="the sync to run now (quote it)")
    target.add_argument(
        "--due", action="store_true", help="instead of NAME: every active sync that is due"
    )
    verify = _command(sub, "verify")
    _sync_name(verify)
    verify.add_argument(
        "--repair",
        action="store_true",
        help="send again what is missing or differs, and apply the sync's on_source_delete "
        "and on_email_change policies",
    )
    worker = _command(sub, "worker")
    worker.add_argument(
        "--interval",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds between checks for due syncs (default: %(default)s)",
    )
    worker.add_argument("--once", action="store_true", help="check once, run what is due, exit")
    worker.add_argument(
        "--listen",
        metavar="HOST:PORT",
        help="also receive Zoho Invoice's webhooks there (POST /hooks/INTEGRATION; needs "
        "webhook_secret in the integration's table)",
    )
    export = _command(sub, "export-skipped")
    export.add_argument("run", metavar="RUN", help="the run's id, or its first 8 characters")
    export.add_argument("path", metavar="PATH", help="the CSV file to write, or - for stdout")
    export.add_argument(
        "--excel",
        action="store_true",
        help="write UTF-8 with a byte order mark, as Excel reads it (default: plain UTF-8)",
    )
    notes = _command(sub, "notifications")
    notes.add_argument("--unread", action="store_true", help="only the unread ones")
    notes.add_argument(
        "--mark-read", action="store_true", help="mark the notifications shown as read"
    )
    notes.add_argument(
        "--open",
        metavar="N",
        type=int,
        help="show notification N and the sync it is about, and mark it read",
    )
    console = _command(sub, "console")
    console.add_argument(
        "--host", default="127.0.0.1", help="a loopback address (default: %(default)s)"
    )
    console.add_argument(
        "--port", type=int, default=8765, metavar="P", help="the port (default: %(default)s)"
    )
    console.add_argument(
        "--demo", action="store_true", help="serve the data `fieldsync demo` left in DIR"
    )
    console.add_argument(
        "--dir",
        type=Path,
        default=Path(".fieldsync-demo"),
        metavar="DIR",
        help="with --demo: the demo's folder (default: %(default)s)",
    )
    console.add_argument(
        "--contacts",
        type=int,
        default=3000,
        metavar="N",
        help="with --demo: as given to the demo (default: %(default)s)",
    )
    console.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="S",
        help="with --demo: as given to the demo (default: %(default)s)",
    )
    disable = _command(sub, "disable-integration")
    disable.add_argument("name", help="the integration's name, as in [integrations.NAME]")
    disable.add_argument("--yes", action="store_true", help="do not ask: disable it")
    completion = _command(sub, "completion").add_mutually_exclusive_group(required=True)
    completion.add_argument("shell", nargs="?", choices=SHELLS, help="bash, zsh or fish")
    completion.add_argument(
        "--names",
        choices=("syncs", "integrations"),
        help="instead of a script: the configuration file's sync or integration names, "
        "one a line (what the scripts call)",
    )
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
    if args.command == "completion":
        from fieldsync.cli._completion import cmd_completion

        return cmd_completion(_parser(), args)
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
    from fieldsync.cli._output import Output

    path.write_text(TEMPLATE, encoding="utf-8")
    text = f"wrote {path}; edit it, set the environment variables it names, then `fieldsync syncs`"
    print(Output.for_terminal().wrap(text))
    return 0
