"""`fieldsync completion bash|zsh|fish`: scripts the shells accept, naming every command and
option, that complete sync and integration names from the configuration file."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fieldsync
from fieldsync.cli import _parser, main
from fieldsync.cli._completion import SHELLS, command_specs, global_options

NO_EXECUTE = {"bash": ["bash", "-n"], "zsh": ["zsh", "-n"], "fish": ["fish", "--no-execute"]}
CONFIG = """
[integrations.zoho]
type = "zoho"

[integrations.mine]
type = "python"

[[syncs]]
name = "Customers of the west"

[[syncs]]
name = "Leads"
"""


def script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("shell", SHELLS)
def test_a_script_names_every_command_and_option(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = script(shell, capsys)

    parser = _parser()
    for command in command_specs(parser):
        assert command.name in text
        for option in command.options:
            for name in option.names:  # fish writes --due as -l due
                assert name in text or f"-l {name[2:]}" in text, (command.name, name)
    for option in global_options(parser):
        assert all(name in text or f"-l {name[2:]}" in text for name in option.names)


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_accepts_the_script(
    shell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which(shell) is None:
        if os.environ.get("CI"):  # `make unit` installs them; CI must not pass by skipping
            pytest.fail(f"{shell} is not installed: `make shells` installs it", pytrace=False)
        pytest.skip(f"{shell} is not installed here")
    path = tmp_path / f"fieldsync.{shell}"
    path.write_text(script(shell, capsys), encoding="utf-8")

    checked = subprocess.run([*NO_EXECUTE[shell], str(path)], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stderr


def complete_in_bash(tmp_path: Path, capsys: pytest.CaptureFixture[str], *words: str) -> list[str]:
    """What bash offers after ``fieldsync WORDS`` (the last word is being typed), with the
    script loaded and `fieldsync` running this checkout."""
    path = tmp_path / "fieldsync.bash"
    path.write_text(script("bash", capsys), encoding="utf-8")
    source = Path(fieldsync.__file__).parents[1]
    run = f"PYTHONPATH={shlex.quote(str(source))} {shlex.quote(sys.executable)} -m fieldsync"
    program = f"""
        fieldsync() {{ {run} "$@"; }}
        source {shlex.quote(str(path))}
        COMP_WORDS=(fieldsync {" ".join(shlex.quote(w) for w in words)})
        COMP_CWORD={len(words)}
        _fieldsync
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    done = subprocess.run(
        ["bash", "-c", program], capture_output=True, text=True, cwd=tmp_path, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_bash_completes_commands_options_and_names_from_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "syncs.toml").write_text(CONFIG, encoding="utf-8")

    assert complete_in_bash(tmp_path, capsys, "in") == ["init", "initiate"]
    assert complete_in_bash(tmp_path, capsys, "run", "--") == ["--help", "--due"]
    names = complete_in_bash(tmp_path, capsys, "--config", "syncs.toml", "initiate", "C")
    assert names == [r"Customers\ of\ the\ west"]  # quoted for the shell, typed as one
    integrations = ("--config", "syncs.toml", "disable-integration", "")
    assert complete_in_bash(tmp_path, capsys, *integrations) == ["mine", "zoho"]


def test_names_lists_the_files_syncs_and_integrations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "fieldsync.toml"
    config.write_text(CONFIG, encoding="utf-8")

    assert main(["--config", str(config), "completion", "--names", "syncs"]) == 0
    syncs = capsys.readouterr().out
    assert main(["--config", str(config), "completion", "--names", "integrations"]) == 0

    assert syncs.splitlines() == ["Customers of the west", "Leads"]
    assert capsys.readouterr().out.splitlines() == ["mine", "zoho"]


def test_names_of_no_file_are_none_and_of_a_broken_file_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[syncs]\n", encoding="utf-8")

    assert main(["--config", str(tmp_path / "none.toml"), "completion", "--names", "syncs"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["--config", str(broken), "completion", "--names", "syncs"]) == 2
    assert "broken.toml is not a readable TOML file" in capsys.readouterr().err


def test_completion_needs_a_shell_or_names(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["completion"])

    assert exited.value.code == 2
    assert "one of the arguments shell --names is required" in capsys.readouterr().err
