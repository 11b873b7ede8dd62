"""Exit codes: defined once, in the docs, and each one reached by the command that gives it."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli import main
from fieldsync.cli._exit import ExitCode
from fieldsync.cli._watch import CredentialsWatch, watched
from fieldsync.domain.records import TargetContact
from fieldsync.exceptions import AuthenticationError
from fieldsync.testing import FakeTarget

DOCS = Path(__file__).parents[3] / "docs" / "cli.md"


def test_the_docs_table_lists_every_exit_code_and_no_other() -> None:
    section = DOCS.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}

    assert documented == {int(code) for code in ExitCode}


def test_preview_with_mapping_problems_exits_as_a_configuration_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(CONFIG.replace('["first_name", "First Name"]', '["nope", "Nope"]'))

    code = fieldsync(config, "preview", "Customers")

    assert code == ExitCode.CONFIG
    assert "problem: " in capsys.readouterr().out


def test_preview_without_problems_exits_ok(config: Path) -> None:
    assert fieldsync(config, "preview", "Customers") == ExitCode.OK


@pytest.mark.parametrize(
    "command", [("preview", "Customers"), ("run", "Customers"), ("initiate", "Customers")]
)
def test_rejected_credentials_exit_with_the_same_code_in_every_command(
    config: Path, capsys: pytest.CaptureFixture[str], command: Sequence[str]
) -> None:
    if command[0] == "run":
        assert fieldsync(config, "initiate", "Customers") == ExitCode.OK
    cli_adapters.SOURCE.revoke()

    assert fieldsync(config, *command) == ExitCode.CREDENTIALS


def test_a_run_paused_from_another_terminal_exits_paused(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_adapters.SOURCE.put("c4", {"email": "new@example.org", "country": "India"})

    def pause_elsewhere(list_key: str, contacts: Sequence[TargetContact]) -> None:
        cli_adapters.TARGET.on_upsert = None
        assert fieldsync(config, "pause", "Customers") == ExitCode.OK

    cli_adapters.TARGET.on_upsert = pause_elsewhere
    cli_adapters.TARGET.max_batch = 1

    code = fieldsync(config, "initiate", "Customers")

    assert (code, "Customers: paused" in capsys.readouterr().out) == (ExitCode.PAUSED, True)


def test_a_refusal_names_the_sync_by_its_name_not_its_id(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "--json", "initiate", "Customers")
    fieldsync(config, "pause", "Customers")
    sync_id = json.loads(_json(config, capsys, "syncs", "Customers"))["id"]

    code = fieldsync(config, "run", "Customers")

    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (ExitCode.REFUSED, 1)
    assert "'Customers'" in err
    assert sync_id not in err


def _json(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    fieldsync(config, "--json", *args)
    return capsys.readouterr().out


def test_an_unexpected_error_is_one_line_with_the_internal_code(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_adapters.SOURCE.fail_next_read(RuntimeError("a bug\nover two lines"))

    code = fieldsync(config, "initiate", "Customers")

    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (ExitCode.INTERNAL, 1)
    assert "RuntimeError: a bug over two lines" in err


@pytest.mark.parametrize(
    "command",
    [("syncs",), ("syncs", "Customers"), ("history", "Customers"), ("notifications",)],
    ids=" ".join,
)
def test_reading_commands_keep_working_after_the_integration_is_disabled(
    config: Path, capsys: pytest.CaptureFixture[str], command: Sequence[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    assert fieldsync(config, "disable-integration", "crm", "--yes") == ExitCode.OK
    capsys.readouterr()

    code = fieldsync(config, *command)

    assert (code, capsys.readouterr().err) == (ExitCode.OK, "")


def test_export_skipped_keeps_working_after_the_integration_is_disabled(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run,) = json.loads(_json(config, capsys, "initiate", "Customers"))
    fieldsync(config, "disable-integration", "crm", "--yes")

    code = fieldsync(config, "export-skipped", run["id"][:8], str(tmp_path / "out.csv"))

    assert code == ExitCode.OK
    assert "criteria_not_met" in (tmp_path / "out.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [("run", "Customers"), ("preview", "Customers")])
def test_commands_that_need_the_adapters_refuse_once_the_integration_is_disabled(
    config: Path, capsys: pytest.CaptureFixture[str], command: Sequence[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    fieldsync(config, "disable-integration", "crm", "--yes")
    capsys.readouterr()

    code = fieldsync(config, *command)

    assert code == ExitCode.REFUSED
    assert "disabled" in capsys.readouterr().err


def run_into_a_closed_pipe(config: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the command with its stdout a pipe whose reader is gone, as `| head` leaves it."""
    read, write = os.pipe()
    os.close(read)
    try:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from fieldsync.cli import main; sys.exit(main())",
                "--config",
                str(config),
                *args,
            ],
            stdout=write,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("command", ["history", "export-skipped"])
def test_a_reader_that_goes_away_ends_the_command_quietly(
    config: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    (run,) = json.loads(_json(config, capsys, "initiate", "Customers"))
    args = ("history", "Customers") if command == "history" else (command, run["id"], "-")

    done = run_into_a_closed_pipe(config, *args)

    assert (done.returncode, done.stderr) == (ExitCode.BROKEN_PIPE, b"")


def test_an_unknown_zoho_data_centre_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "fieldsync.toml"
    config.write_text(
        '[integrations.z]\ntype = "zoho"\ndata_centre = "mars"\norganization_id = "1"\n'
        'client_id = "id"\nclient_secret = "s"\nrefresh_token = "r"\n',
        encoding="utf-8",
    )

    code = main(["--config", str(config), "syncs"])

    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (ExitCode.CONFIG, 1)
    assert "[integrations.z] data_centre" in err


def test_a_disclaimer_not_acknowledged_off_a_terminal_is_refused(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_adapters.TARGET = FakeTarget(plan_limit=1, auto_upgrade=True)
    cli_adapters.TARGET.create_list("news")

    code = fieldsync(config, "initiate", "Customers")

    err = capsys.readouterr().err
    assert code == ExitCode.REFUSED
    assert "--acknowledge-disclaimer" in err


def test_an_adapter_call_that_rejects_the_credentials_is_noted_and_raised() -> None:
    watch = CredentialsWatch()
    target = FakeTarget()
    target.revoke()
    proxy = watched(target, watch)

    with pytest.raises(AuthenticationError):
        proxy.upsert("news", [])

    assert watch.rejected
    assert repr(proxy) == repr(target)
