"""An API error that quotes the live access token (issue 19): the token is scrubbed by value
from everything fieldsync stores, logs, prints and exports.

Before: the Campaigns answer "... for the OAuth token 1000.xxx" matched no pattern
(``Zoho-oauthtoken X``, ``token=X``); it was kept in the run's error, the sync's attention
and the notification, and printed by ``run``, ``--json run``, ``history`` and
``notifications``. The emulators are served over a real socket with the ``ECHOED_TOKEN``
fault; the CLI runs in this process, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldsync.cli import main
from fieldsync.testing.emulators import FaultKind, Faults
from fieldsync.testing.emulators._faults import FaultInjector
from fieldsync.testing.emulators.serve import EmulatorServer

SYNC = "Invoice customers"


class Cli:
    """The CLI on a configuration written from the template, everything it printed kept."""

    def __init__(self, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.config = config
        self.capsys = capsys
        self.printed: list[tuple[str, str]] = []  # (command, stdout and stderr)
        self.out = ""  # the last command's stdout

    def __call__(self, *args: str) -> int:
        code = main(["--config", str(self.config), "-v", *args])
        self.out, err = self.capsys.readouterr()
        self.printed.append((" ".join(args), self.out + err))
        return code

    def output(self, *args: str) -> str:
        self(*args)
        return self.out


@pytest.fixture(params=["sqlite", "postgres"])
def store_table(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return 'path = "fieldsync.db"'
    url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("postgres_schema")
    return f'url = "{url}"\nschema = "{schema}"'


@pytest.fixture
def served(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    store_table: str,
) -> Iterator[tuple[EmulatorServer, Cli]]:
    config = tmp_path / "fieldsync.toml"
    with EmulatorServer(port=0, contacts=12, seed=3) as server:
        assert main(["init", str(config)]) == 0
        text = config.read_text(encoding="utf-8")
        text = re.sub(
            r'^# accounts_url = "http://127\.0\.0\.1:8900"$',
            f'accounts_url = "{server.base_url}"',
            text,
            flags=re.MULTILINE,
        )
        text = text.replace('path = "fieldsync.db"', store_table)
        config.write_text(text.replace("REPLACE-WITH-LIST-KEY", server.list_key), "utf-8")
        for variable, value in {
            "ZOHO_ORGANIZATION_ID": server.organization.organization_id,
            "ZOHO_CLIENT_ID": server.credentials.client_id,
            "ZOHO_CLIENT_SECRET": server.credentials.client_secret,
            "ZOHO_REFRESH_TOKEN": server.credentials.refresh_token,
        }.items():
            monkeypatch.setenv(variable, value)
        capsys.readouterr()
        yield server, Cli(config, capsys)


def echo(server: EmulatorServer, *endpoints: str) -> None:
    """From now on Campaigns answers these endpoints (or every one) quoting the token."""
    faults = Faults(rate=1.0, kinds={FaultKind.ECHOED_TOKEN}, endpoints=endpoints or None)
    server.campaigns.faults = FaultInjector(faults)


def test_an_echoed_access_token_appears_nowhere(
    served: tuple[EmulatorServer, Cli],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server, cli = served
    echoed: set[str] = set()

    # 1. every contact refused with the token in the reason: the skipped CSV
    echo(server, "POST json/listsubscribe")
    assert cli("--json", "initiate", SYNC, "--acknowledge-disclaimer") == 0
    echoed.update(server.campaigns.faults.echoed)
    (first,) = json.loads(cli.output("--json", "history", SYNC))
    csv = tmp_path / "skipped.csv"
    assert cli("export-skipped", first["id"], str(csv)) == 0
    exported = csv.read_text(encoding="utf-8")
    assert "target_rejected" in exported

    # 2. the schema call answered with the token: the run fails, the sync needs attention
    echo(server)
    assert cli("run", SYNC) == 1
    echoed.update(server.campaigns.faults.echoed)
    echo(server, "none")  # fixed: initiate again
    assert cli("initiate", SYNC) == 0
    echo(server)
    assert cli("--json", "run", SYNC) == 1
    echoed.update(server.campaigns.faults.echoed)

    for args in (
        ["history", SYNC],
        ["--json", "history", SYNC],
        ["syncs", SYNC],
        ["notifications"],
        ["--json", "notifications"],
        ["notifications", "--open", "1"],
    ):
        cli(*args)

    assert echoed  # the fault quoted the tokens in use
    assert all(token.startswith("1000.") for token in echoed)
    texts = [*cli.printed, ("csv", exported), ("log", caplog.text)]
    assert [(where, t) for where, text in texts for t in echoed if t in text] == []
    printed = "\n".join(text for _, text in cli.printed)
    assert "REDACTED" in printed  # the errors are there, without the token
    assert "needs attention" in printed
