"""The command explains itself: each command's help says what it does, every argument and
option what it means and its default, shows examples that parse, and fits 80 columns."""

import argparse
import re
import shlex
from pathlib import Path

import pytest

from fieldsync.cli import _parser, main
from fieldsync.cli._help import HELP

COMMANDS = sorted(HELP)


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def help_of(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*args, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def example_commands(text: str) -> list[list[str]]:
    """The `fieldsync ...` commands of a help's examples, without pipes and comments."""
    commands = []
    for line in text.split("\nexamples:\n", 1)[1].splitlines():
        for part in re.split(r"&&|\|", line.split("#", 1)[0].split(">", 1)[0]):
            words = shlex.split(part)
            if words[:1] == ["fieldsync"]:
                commands.append(words[1:])
    return commands


def test_every_command_has_help_and_the_parser_has_no_other() -> None:
    assert sorted(subparsers()) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_a_commands_help_describes_it_and_shows_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(capsys, command)

    description = text.split("\n\n")[1]
    assert len(description.split()) >= 20, description  # a paragraph, not the summary
    assert any(command in words for words in example_commands(text)), text


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_the_examples_are_commands_the_parser_takes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = example_commands(help_of(capsys, *filter(None, [command])))

    for words in examples:
        _parser().parse_args(words)  # exits 2 on a wrong example


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_argument_and_option_says_what_it_means_and_its_default(command: str) -> None:
    parser = subparsers()[command] if command else _parser()

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert len((action.help or "").split()) >= 2, (command, action.dest)
        has_default = action.default not in (None, False, argparse.SUPPRESS)
        if has_default and action.option_strings:
            assert "default" in action.help, (command, action.dest)


def test_run_says_what_name_and_due_are(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys, "run")

    assert re.search(r"^  name\s+the sync to run now", text, re.MULTILINE)
    assert re.search(r"^  --due\s+instead of NAME: every active sync that is due", text, re.M)


@pytest.mark.parametrize("columns", [80, 200])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_80_columns_at_most(
    command: str,
    columns: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))

    text = help_of(capsys, *filter(None, [command]))

    assert max(len(line) for line in text.splitlines()) <= 80


def test_help_wraps_prose_at_word_boundaries_in_a_narrow_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "50")

    text = help_of(capsys, "initiate")

    prose = text.split("\n\n")[1:3]  # the description's two paragraphs
    assert max(len(line) for part in prose for line in part.splitlines()) <= 50
    assert " ".join(" ".join(prose).split()) == " ".join(HELP["initiate"].description.split())


def test_docs_cli_md_tables_every_command() -> None:
    docs = (Path(__file__).parents[3] / "docs" / "cli.md").read_text(encoding="utf-8")
    commands = docs.split("## Commands", 1)[1].split("\n## ", 1)[0]

    for command in COMMANDS:
        assert re.search(rf"`{command}[` ]", commands), command
