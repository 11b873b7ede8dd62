"""`fieldsync console`: the console on this machine only, on the configured integrations or
on the demo's data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cli_adapters
import pytest
from starlette.testclient import TestClient
from test_cli import CONFIG

from fieldsync.cli import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Instead of starting uvicorn, keep what it would serve, and what a local browser
    would see of its pages while it is served."""
    apps: list[Any] = []

    def serve(app: Any, host: str, port: int) -> None:
        client = _local(app)
        paths = ("/", "/api/syncs", "/settings/apps/zoho-invoice", "/api/integrations/zoho-invoice")
        pages = {path: client.get(path) for path in paths}
        apps.append((app, host, port, pages))

    monkeypatch.setattr("fieldsync.cli._console._serve", serve)
    return apps


def _local(app: Any) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 40000))


def test_console_serves_the_configured_integrations_on_loopback(
    tmp_path: Path, served: list[Any]
) -> None:
    cli_adapters.reset()
    config = tmp_path / "fieldsync.toml"
    config.write_text(CONFIG, encoding="utf-8")

    code = main(["--config", str(config), "console", "--port", "8765"])

    [(app, host, port, pages)] = served
    assert (code, host, port) == (0, "127.0.0.1", 8765)
    assert "Crm" in pages["/"].text
    # Served to this machine only: local-only mode, no authorize hook.
    assert TestClient(app, client=("203.0.113.5", 1)).get("/").status_code == 403


def test_console_refuses_to_listen_beyond_this_machine(
    capsys: pytest.CaptureFixture[str], served: list[Any]
) -> None:
    code = main(["console", "--host", "0.0.0.0"])

    assert code == 2
    assert "serves this machine only" in capsys.readouterr().err
    assert served == []


def test_console_demo_needs_the_demo_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[Any]
) -> None:
    code = main(["console", "--demo", "--dir", str(tmp_path)])

    assert code == 2
    assert "run `fieldsync demo` first" in capsys.readouterr().err


def test_the_demo_ends_with_how_to_open_the_console_on_its_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[Any]
) -> None:
    assert main(["demo", "--contacts", "120", "--seed", "3", "--dir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    command = f"fieldsync console --demo --dir {tmp_path} --contacts 120 --seed 3"
    assert command in printed

    assert main(command.split()[1:]) == 0

    [(_, _, _, pages)] = served
    assert "Zoho Invoice" in pages["/"].text
    syncs = pages["/api/syncs"].json()
    assert [(s["name"], s["state"]) for s in syncs] == [("Invoice customers", "active")]
    details = pages["/settings/apps/zoho-invoice"].text
    assert "Zoho OAuth refresh token" in details  # the credentials, described
    for page in pages.values():
        for secret in ("emulated-client-secret", "emulated-refresh-token"):
            assert secret not in page.text
