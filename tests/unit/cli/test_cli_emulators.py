"""`fieldsync init`'s template works against the emulators served over a real socket."""

import json
import re
from pathlib import Path

import pytest

from fieldsync.cli import main
from fieldsync.testing.emulators.serve import EmulatorServer


def configure_template(path: Path, server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The template with only its own instructions followed: the variables set to what the
    server prints, accounts_url uncommented, the list key filled in."""
    assert main(["init", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    text, uncommented = re.subn(
        r'^# accounts_url = "http://127\.0\.0\.1:8900"$',
        f'accounts_url = "{server.base_url}"',
        text,
        flags=re.MULTILINE,
    )
    assert uncommented == 1
    text = text.replace("REPLACE-WITH-LIST-KEY", server.list_key)
    path.write_text(text, encoding="utf-8")
    for variable, value in {
        "ZOHO_ORGANIZATION_ID": server.organization.organization_id,
        "ZOHO_CLIENT_ID": server.credentials.client_id,
        "ZOHO_CLIENT_SECRET": server.credentials.client_secret,
        "ZOHO_REFRESH_TOKEN": server.credentials.refresh_token,
    }.items():
        monkeypatch.setenv(variable, value)


def test_the_template_with_only_the_accounts_url_runs_against_the_served_emulators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "fieldsync.toml"
    with EmulatorServer(port=0, contacts=40, seed=3) as server:
        configure_template(config, server, monkeypatch)
        capsys.readouterr()

        code = main(["--config", str(config), "--json", "initiate", "Invoice customers"])

        (run,) = json.loads(capsys.readouterr().out)
        assert (code, run["status"]) == (0, "completed")
        assert run["added"] > 0
        assert server.campaigns.calls["POST json/listsubscribe"] >= run["added"]


@pytest.mark.parametrize("command", ["preview", "run"])
def test_a_refused_refresh_token_exits_4_in_every_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    config = tmp_path / "fieldsync.toml"
    with EmulatorServer(port=0, contacts=10, seed=4) as server:
        configure_template(config, server, monkeypatch)
        args = ["--config", str(config)]
        assert main([*args, "initiate", "Invoice customers", "--acknowledge-disclaimer"]) == 0
        monkeypatch.setenv("ZOHO_REFRESH_TOKEN", "1000.refused.token")
        capsys.readouterr()

        code = main([*args, command, "Invoice customers"])

        err = capsys.readouterr().err
        assert code == 4
        assert "1000.refused.token" not in err
