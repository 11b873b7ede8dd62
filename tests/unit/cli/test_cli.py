import csv
import json
from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli import main
from fieldsync.cli._config import load_config
from fieldsync.cli._template import TEMPLATE


def test_init_writes_a_template_that_loads_once_its_variables_are_set(tmp_path: Path) -> None:
    path = tmp_path / "fieldsync.toml"

    assert main(["init", str(path)]) == 0

    variables = (
        "ZOHO_ORGANIZATION_ID",
        "ZOHO_CLIENT_ID",
        "ZOHO_CLIENT_SECRET",
        "ZOHO_REFRESH_TOKEN",
    )
    environ = dict.fromkeys(variables, "x")
    config = load_config(path, environ=environ)
    assert [spec.name for _, spec in config.syncs] == ["Invoice customers"]
    assert path.read_text(encoding="utf-8") == TEMPLATE


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "fieldsync.toml"
    path.write_text("# mine\n", encoding="utf-8")

    assert main(["init", str(path)]) == 2
    assert path.read_text(encoding="utf-8") == "# mine\n"


def test_a_missing_environment_variable_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fieldsync.toml"
    main(["init", str(path)])
    for name in ("ZOHO_ORGANIZATION_ID", "ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET"):
        monkeypatch.setenv(name, "x")
    monkeypatch.delenv("ZOHO_REFRESH_TOKEN", raising=False)
    capsys.readouterr()

    code = main(["--config", str(path), "syncs"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "ZOHO_REFRESH_TOKEN" in err


def test_a_secret_in_the_file_never_appears_in_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fieldsync.toml"
    path.write_text(
        '[integrations.z]\ntype = "zoho"\nclient_id = "id"\n'
        'client_secret = "TOPSECRET-123"\nrefresh_token = "REFRESH-456"\n',
        encoding="utf-8",
    )

    code = main(["--config", str(path), "syncs"])

    out = capsys.readouterr()
    assert code == 2
    assert "organization_id" in out.err
    assert "TOPSECRET" not in out.out + out.err
    assert "REFRESH-456" not in out.out + out.err


def test_a_missing_configuration_file_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(tmp_path / "nope.toml"), "syncs"])

    assert code == 2
    assert "fieldsync init" in capsys.readouterr().err


def test_bad_criteria_text_says_where(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config.write_text(CONFIG.replace('country == "India"', "country == "), encoding="utf-8")

    code = fieldsync(config, "syncs")

    assert code == 2
    assert "position" in capsys.readouterr().err


def test_syncs_lists_the_configured_syncs(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fieldsync(config, "syncs") == 0

    out = capsys.readouterr().out
    assert "Customers" in out
    assert "draft" in out


def test_syncs_json_is_machine_readable(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fieldsync(config, "--json", "syncs") == 0

    (sync,) = json.loads(capsys.readouterr().out)
    assert (sync["name"], sync["state"]) == ("Customers", "draft")
    assert sync["config"]["mapping"][2] == {
        "source": "country",
        "target": "Country",
        "create": True,
    }


def test_preview_reports_the_field_to_create(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fieldsync(config, "--json", "preview", "Customers") == 0

    preview = json.loads(capsys.readouterr().out)
    assert preview["fields_to_create"] == ["Country"]
    assert preview["would_add"] == 1


def test_initiate_runs_the_sync_and_history_shows_it(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fieldsync(config, "initiate", "Customers") == 0
    capsys.readouterr()

    assert fieldsync(config, "--json", "history", "Customers") == 0

    (run,) = json.loads(capsys.readouterr().out)
    assert (run["status"], run["total"], run["added"], run["skipped"]) == ("completed", 3, 1, 2)
    assert run["skipped_by_reason"] == {"criteria_not_met": 1, "invalid_email": 1}
    assert cli_adapters.TARGET.lists["news"].keys() == {"ada@example.org"}


def test_the_detail_shows_mapping_and_history(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()

    assert fieldsync(config, "syncs", "Customers") == 0

    out = capsys.readouterr().out
    assert "Field mapping" in out
    assert "Country" in out
    assert "completed" in out


def test_export_skipped_takes_a_short_run_id_and_neutralises_formulas(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "--json", "initiate", "Customers")
    (run,) = json.loads(capsys.readouterr().out)
    path = tmp_path / "skipped.csv"

    assert fieldsync(config, "export-skipped", run["id"][:8], str(path)) == 0

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["reason_code"] for r in rows) == ["criteria_not_met", "invalid_email"]
    emails = {r["email"] for r in rows}
    assert "'=cmd|calc" in emails


def test_export_skipped_excel_starts_with_a_byte_order_mark(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "--json", "initiate", "Customers")
    (run,) = json.loads(capsys.readouterr().out)
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"

    assert fieldsync(config, "export-skipped", run["id"][:8], str(plain)) == 0
    assert fieldsync(config, "export-skipped", "--excel", run["id"][:8], str(excel)) == 0

    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()


def test_a_notification_about_a_spoofing_name_isolates_it(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(CONFIG.replace('"Customers"', '"Customers\u202e"'), encoding="utf-8")
    fieldsync(config, "initiate", "Customers\u202e")
    capsys.readouterr()

    assert fieldsync(config, "notifications") == 0

    out = capsys.readouterr().out
    assert 'Sync "\u2068Customers\u202e\u2069" completed' in out


def test_run_pause_resume_and_run_again(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fieldsync(config, "initiate", "Customers")

    assert fieldsync(config, "pause", "Customers") == 0
    assert fieldsync(config, "run", "Customers") == 3
    assert fieldsync(config, "resume", "Customers") == 0
    assert fieldsync(config, "run", "Customers") == 0

    assert "cannot run" in capsys.readouterr().err


def test_run_due_and_the_worker_run_nothing_before_it_is_due(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")  # every 6 hours: the next run is not due yet
    capsys.readouterr()

    assert fieldsync(config, "--json", "run", "--due") == 0
    assert json.loads(capsys.readouterr().out) == []
    assert fieldsync(config, "run", "--due") == 0
    assert "nothing was due" in capsys.readouterr().out
    assert fieldsync(config, "worker", "--once") == 0


def test_edit_saves_a_pending_version(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fieldsync(config, "initiate", "Customers")
    config.write_text(CONFIG.replace('country == "India"', ""), encoding="utf-8")
    capsys.readouterr()

    assert fieldsync(config, "edit", "Customers") == 0

    assert "version 2" in capsys.readouterr().out


def test_notifications_lists_the_inbox_and_marks_it_read(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()

    assert fieldsync(config, "--json", "notifications", "--unread", "--mark-read") == 0
    (note,) = json.loads(capsys.readouterr().out)
    assert note["kind"] == "run_completed"
    assert fieldsync(config, "--json", "notifications", "--unread") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_disable_integration_shows_the_impact_and_needs_yes(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()

    assert fieldsync(config, "disable-integration", "crm") == 3
    assert "Customers" in capsys.readouterr().out
    assert fieldsync(config, "disable-integration", "crm", "--yes") == 0
    assert fieldsync(config, "run", "Customers") == 3


def test_the_demo_runs_end_to_end_and_never_prints_its_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--contacts", "300", "--dir", str(tmp_path)])

    out = capsys.readouterr()
    assert code == 0
    for heading in ("Initiate", "notification", "Export the skipped", "Pause and resume"):
        assert heading in out.out
    assert (tmp_path / "skipped.csv").exists()
    for secret in ("emulated-client-secret", "emulated-refresh-token"):
        assert secret not in out.out + out.err


@pytest.mark.parametrize(
    ("replace", "by", "names"),
    [
        ("schedule = { every_hours = 6 }", 'schedule = { every_hours = "six" }', "schedule"),
        ("schedule = { every_hours = 6 }", "retrieve_since = 2024-01-01T00:00:00", "offset"),
    ],
)
def test_a_wrong_value_in_the_file_is_one_line_naming_it(
    config: Path, capsys: pytest.CaptureFixture[str], replace: str, by: str, names: str
) -> None:
    config.write_text(CONFIG.replace(replace, by), encoding="utf-8")

    code = fieldsync(config, "syncs")

    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (2, 1)
    assert names in err
