"""The command's configuration goes through the spec: text the service refuses, an
oversized time zone, a wrong option value are all exit 2 with the problem, never exit 70."""

from __future__ import annotations

from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli import main
from fieldsync.cli._config import load_config

LONG_ZONE = "Europe/" + "x" * 300


def _with(tmp_path: Path, old: str, new: str, *, store: str | None = None) -> Path:
    cli_adapters.reset()
    text = CONFIG.replace(old, new)
    if store is not None:
        text = text.replace('[store]\npath = "state/fieldsync.db"', store)
    path = tmp_path / "fieldsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ('name = "Customers"', 'name = "S\\u0000x"', "NUL"),
        ('name = "Customers"', f'name = "{"x" * 256}"', "at most 255"),
        ('list_key = "news"', 'list_key = "news\\u001b"', "control character"),
        (
            "schedule = { every_hours = 6 }",
            f'schedule = {{ daily = "02:00", tz = "{LONG_ZONE}" }}',
            "time zone",
        ),
        ('list_key = "news"', 'list_key = "news"\nupdate_empty_values = "yes"', "true or false"),
        ('list_key = "news"', 'list_key = "news"\nempty_values = true', "unknown key"),
    ],
)
def test_a_bad_value_in_the_file_is_exit_2_with_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, words: str
) -> None:
    path = _with(tmp_path, old, new)

    assert fieldsync(path, "syncs") == 2
    assert words in capsys.readouterr().err


def test_a_bad_value_is_refused_on_postgresql_too(
    tmp_path: Path, postgres_url: str, postgres_schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f'[store]\nurl = "{postgres_url}"\nschema = "{postgres_schema}"'
    path = _with(tmp_path, 'name = "Customers"', 'name = "S\\u0000x"', store=store)

    assert fieldsync(path, "syncs") == 2
    assert "NUL" in capsys.readouterr().err


@pytest.mark.parametrize("where", ["--tz", "[cli] tz"])
def test_an_oversized_display_zone_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    if where == "--tz":
        path = _with(tmp_path, "", "")
        code = main(["--config", str(path), "--tz", LONG_ZONE, "syncs"])
    else:
        path = _with(tmp_path, "[store]", f'[cli]\ntz = "{LONG_ZONE}"\n\n[store]')
        code = fieldsync(path, "syncs")

    assert code == 2
    assert "time zone" in capsys.readouterr().err


def test_a_syncs_entry_is_its_integration_and_a_spec(tmp_path: Path) -> None:
    path = _with(tmp_path, 'list_key = "news"', 'list_key = "news"\nupdate_empty_values = true')

    ((integration, spec),) = load_config(path).syncs

    assert (integration, spec.name, spec.list_key) == ("crm", "Customers", "news")
    assert spec.options.update_empty_values is True
    assert [str(p) for p in spec.mapping][2] == "country -> Country (new field)"


def test_edit_saves_the_files_spec_as_the_next_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _with(tmp_path, "", "")
    assert fieldsync(path, "syncs") == 0
    path.write_text(CONFIG.replace('country == "India"', 'country == "IN"'), encoding="utf-8")

    assert fieldsync(path, "--json", "edit", "Customers") == 0
    assert '"criteria": "country == \\"IN\\""' in capsys.readouterr().out
