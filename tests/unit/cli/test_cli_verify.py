"""`fieldsync verify NAME [--repair]`: 0 when the list matches, 6 when it differs, 0 after a
repair; the TOML file's on_source_delete option reaches the sync."""

import json
from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli._config import load_config
from fieldsync.cli._exit import ExitCode
from fieldsync.domain.emails import email_key


def test_a_contact_removed_by_hand_is_drift_until_repaired(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fieldsync(config, "initiate", "Customers") == ExitCode.OK
    assert fieldsync(config, "verify", "Customers") == ExitCode.OK
    del cli_adapters.TARGET.lists["news"][email_key("ada@example.org")]
    capsys.readouterr()

    assert fieldsync(config, "--json", "verify", "Customers") == ExitCode.DRIFT
    found = json.loads(capsys.readouterr().out)
    assert (found["drift"], found["missing"], found["repair"]) == (True, ["c1"], None)

    assert fieldsync(config, "verify", "Customers", "--repair") == ExitCode.OK
    shown = capsys.readouterr().out
    assert "missing (removed by hand): 1" in shown
    assert "1 added (1 re-added)" in shown
    assert cli_adapters.TARGET.contact("news", "ada@example.org") is not None
    assert fieldsync(config, "verify", "Customers") == ExitCode.OK
    assert "The list matches" in capsys.readouterr().out


def test_the_files_on_source_delete_unsubscribes_a_contact_deleted_in_the_source(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(
        CONFIG.replace('list_key = "news"', 'list_key = "news"\non_source_delete = "unsubscribe"')
    )
    assert fieldsync(config, "initiate", "Customers") == ExitCode.OK
    cli_adapters.SOURCE.delete("c1")

    assert fieldsync(config, "verify", "Customers") == ExitCode.DRIFT
    assert "deleted in the source: ada@example.org" in capsys.readouterr().out
    assert fieldsync(config, "--json", "verify", "Customers", "--repair") == ExitCode.OK
    assert 1 == json.loads(capsys.readouterr().out)["repair"]["deleted"]
    assert cli_adapters.TARGET.consent_refusal("ada@example.org") is not None
    assert fieldsync(config, "verify", "Customers") == ExitCode.OK


def test_an_option_value_not_offered_is_a_configuration_error(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(
        CONFIG.replace('list_key = "news"', 'list_key = "news"\non_email_change = "drop"')
    )
    assert fieldsync(config, "verify", "Customers") == ExitCode.CONFIG
    assert "on_email_change" in capsys.readouterr().err


def test_the_files_source_scan_hours_is_read(config: Path) -> None:
    # run_due's scan itself: tests/scenarios/test_verify.py (the command runs on the wall clock)
    config.write_text(CONFIG + "\n[cli]\nsource_scan_hours = 24\n")
    assert 24 == load_config(config).source_scan_hours
    assert fieldsync(config, "syncs") == ExitCode.OK


@pytest.mark.parametrize("hours", ["0", "true", '"24"'])
def test_a_source_scan_interval_that_is_not_whole_hours_is_refused(
    config: Path, capsys: pytest.CaptureFixture[str], hours: str
) -> None:
    config.write_text(CONFIG + f"\n[cli]\nsource_scan_hours = {hours}\n")
    assert fieldsync(config, "syncs") == ExitCode.CONFIG
    assert "source_scan_hours" in capsys.readouterr().err
