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
