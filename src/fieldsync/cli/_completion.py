"""`fieldsync completion bash|zsh|fish`: shell completion scripts made from the parser, so
they name every command and option the parser has.

The scripts complete commands, their options, and the names commands take: sync names
(``initiate NAME``...) and integration names (``disable-integration NAME``), which they ask
``fieldsync [--config PATH] completion --names syncs`` for when Tab is pressed. That reads the
configuration file's ``[[syncs]]`` and ``[integrations]`` tables only: no store, no
environment variables, no network, so it stays quick.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

from fieldsync.cli._completion_scripts import SCRIPTS, CommandSpec, OptionSpec
from fieldsync.cli._exit import ExitCode
from fieldsync.exceptions import ConfigurationError

__all__ = [
    "SHELLS",
    "cmd_completion",
    "command_specs",
    "configured_names",
    "global_options",
]

SHELLS = ("bash", "zsh", "fish")


def _option(action: argparse.Action) -> OptionSpec:
    value = "" if action.nargs == 0 else "file" if action.type is Path else "word"
    return OptionSpec(tuple(action.option_strings), _plain(action.help), value)


def _plain(text: str | None) -> str:
    """Help text as one short line: without ``(default: ...)`` and argparse's ``%``."""
    line = (text or "").split(" (default", 1)[0].replace("%%", "%")
    return " ".join(line.split())


def _operand(command: str, parser: argparse.ArgumentParser) -> str:
    for action in parser._actions:
        if action.option_strings:
            continue
        if action.choices:
            return " ".join(str(choice) for choice in action.choices)
        if action.dest == "name":
            return "integrations" if command == "disable-integration" else "syncs"
        if action.type is Path or action.dest == "path":
            return "files"
    return ""


def global_options(parser: argparse.ArgumentParser) -> tuple[OptionSpec, ...]:
    """The options before the command (``--config``, ``--json``, ...)."""
    return tuple(_option(a) for a in parser._actions if a.option_strings)


def command_specs(parser: argparse.ArgumentParser) -> tuple[CommandSpec, ...]:
    """Every command of ``parser``, its options and what its arguments are."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    summaries = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    return tuple(
        CommandSpec(
            name=name,
            summary=summaries.get(name, ""),
            options=tuple(_option(a) for a in command._actions if a.option_strings),
            operand=_operand(name, command),
        )
        for name, command in sub.choices.items()
    )


def configured_names(path: Path, kind: str) -> list[str]:
    """The names of the file's syncs (``kind="syncs"``) or integrations; none when there
    is no file.

    Raises:
        ConfigurationError: the file is not TOML.
    """
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path} is not a readable TOML file: {exc}") from None
    if kind == "integrations":
        integrations = data.get("integrations")
        return sorted(integrations) if isinstance(integrations, dict) else []
    syncs = data.get("syncs")
    entries = syncs if isinstance(syncs, list) else []
    return [e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)]


def cmd_completion(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Print the completion script for ``args.shell``, or (``--names``) the names the
    scripts complete, one a line."""
    if args.names:
        for name in configured_names(args.config, args.names):
            print(name)
        return ExitCode.OK
    script = SCRIPTS[args.shell](global_options(parser), command_specs(parser))
    sys.stdout.write(script)
    return ExitCode.OK
