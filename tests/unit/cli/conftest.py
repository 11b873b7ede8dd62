"""Fixtures of the CLI tests."""

from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A configuration file of one sync over fresh fake adapters."""
    cli_adapters.reset()
    path = tmp_path / "fieldsync.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same terminal for every test, whatever runs the suite: 100 columns, colour as
    the streams say (the tests' streams are not terminals)."""
    monkeypatch.setenv("COLUMNS", "100")
    for variable in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(variable, raising=False)
