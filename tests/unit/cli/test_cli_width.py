"""Every output fits the terminal, 80 columns included, and cuts nothing people copy or read
whole: a sync's name, a list key, a run's id, a start time, a command, a word."""

import re
from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli._detail import syncs_table
from fieldsync.cli._layout import hints, pack, words
from fieldsync.cli._output import Output

LONG_KEY = "3z" + "a1b2c3d4" * 8  # a Campaigns list key: 66 characters
LONG_NAME = "Customers of the western region"
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d [A-Z]+")


def widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


@pytest.fixture(params=[80, 100])
def columns(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    width: int = request.param
    monkeypatch.setenv("COLUMNS", str(width))
    return width


@pytest.fixture
def long_config(config: Path) -> Path:
    """A sync with a long name and a 66-character list key, initiated (one run: 2 skipped)."""
    cli_adapters.TARGET.create_list(LONG_KEY)
    text = CONFIG.replace('"news"', f'"{LONG_KEY}"').replace('"Customers"', f'"{LONG_NAME}"')
    config.write_text(text, encoding="utf-8")
    return config


def test_the_detail_shows_the_list_key_and_the_id_whole(
    long_config: Path, columns: int, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(long_config, "initiate", LONG_NAME)
    capsys.readouterr()

    assert fieldsync(long_config, "syncs", LONG_NAME) == 0

    out = capsys.readouterr().out
    assert widest(out) <= columns
    assert LONG_KEY in out
    assert re.search(r"\bid\s+[0-9a-f]{32}\b", out)


def test_the_syncs_list_shows_names_and_next_runs_whole(
    long_config: Path, columns: int, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(long_config, "initiate", LONG_NAME)
    capsys.readouterr()

    assert fieldsync(long_config, "syncs") == 0

    out = capsys.readouterr().out
    assert widest(out) <= columns
    assert LONG_NAME in out
    assert TIME.search(out)  # the next run, date and time and zone


@pytest.mark.parametrize("width", [40, 60, 80, 100])
def test_the_syncs_list_cuts_nothing_but_the_schedule_and_the_integration(width: int) -> None:
    kept = ("Customers", "needs_attention", "2026-03-02 14:02 IST", "interrupted")
    name, state, next_run, last_run = kept
    row = (name, "zoho-invoice", state, "weekly on monday at 09:00 (Asia/Kolkata)")

    text = syncs_table([(*row, next_run, last_run)], Output(width=width))

    assert widest(text) <= width
    assert all(value in text for value in kept)


def test_history_shows_run_ids_and_start_times_whole(
    long_config: Path, columns: int, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(long_config, "initiate", LONG_NAME)
    fieldsync(long_config, "run", LONG_NAME)
    capsys.readouterr()

    assert fieldsync(long_config, "--json", "history", LONG_NAME) == 0
    ids = re.findall(r'"id": "([0-9a-f]{32})"', capsys.readouterr().out)
    assert fieldsync(long_config, "history", LONG_NAME) == 0

    out = capsys.readouterr().out
    assert widest(out) <= columns
    assert len(ids) == 2
    for run_id in ids:
        assert re.search(rf"^{run_id[:8]}\s+{TIME.pattern}\s+completed", out, re.MULTILINE)
    assert "…" not in out


def test_initiates_hints_wrap_at_word_boundaries_and_keep_commands_whole(
    long_config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")

    fieldsync(long_config, "initiate", LONG_NAME)

    out = capsys.readouterr().out
    assert widest(out) <= 80
    next_steps = out.split("\nNext\n")[1]
    assert f"fieldsync history '{LONG_NAME}'" in next_steps
    assert re.search(r"fieldsync export-skipped [0-9a-f]{8} skipped\.csv", next_steps)
    assert "the records not written," in next_steps  # the why wrapped between words
    assert "and why" in next_steps
    assert f"{LONG_NAME}: completed" in out  # the result line, wrapped after it


def test_fieldsync_demo_prints_no_line_wider_than_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)  # the demo's folder is printed whole: the default's length

    assert fieldsync(tmp_path / "unused.toml", "demo", "--contacts", "120") == 0

    captured = capsys.readouterr()
    assert widest(captured.out) <= 80
    assert widest(captured.err) <= 80
    assert re.search(r"^    3z[0-9a-f]{62}$", captured.out, re.MULTILINE)  # the key, whole
    assert re.search(rf"^[0-9a-f]{{8}}  {TIME.pattern}  completed$", captured.out, re.MULTILINE)


def test_words_never_break_a_word_nor_at_a_hyphen() -> None:
    lines = words("run fieldsync export-skipped 1234abcd skipped.csv " + "x" * 30, 20)

    assert lines == ["run fieldsync", "export-skipped", "1234abcd skipped.csv", "x" * 30]


def test_pack_keeps_each_piece_whole_and_measures_styled_text() -> None:
    bold = Output(colour=True).style("next run: 2026-03-02 14:02 IST", "bold")

    lines = pack(["state: active", bold, "last run: completed"], 40, indent=2)

    assert lines == ["  state: active", f"  {bold}", "  last run: completed"]


def test_a_why_goes_below_its_command_when_the_command_leaves_too_little_room() -> None:
    out = Output(width=40)

    command = "fieldsync history 'A long sync name here'"

    lines = hints(out, [(command, "its runs, as they happen")])

    assert lines == [f"  {command}", "      its runs, as they happen"]


def test_a_field_with_spaces_wraps_under_itself() -> None:
    criteria = 'country == "India" and region != "EMEA" and tier in ("gold", "silver")'

    text = Output(width=50).fields([("state", "active"), ("criteria", criteria)])

    assert widest(text) <= 50
    assert " ".join(line[12:] for line in text.splitlines()[1:]) == criteria


def test_every_command_fits_80_columns_with_a_long_name_and_key(
    long_config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(tmp_path)
    fieldsync(long_config, "initiate", LONG_NAME)
    capsys.readouterr()
    assert fieldsync(long_config, "--json", "history", LONG_NAME) == 0
    run_id = re.findall(r'"id": "([0-9a-f]{8})', capsys.readouterr().out)[0]
    commands = [
        ("preview", LONG_NAME),
        ("run", LONG_NAME),
        ("syncs",),
        ("syncs", LONG_NAME),
        ("history", LONG_NAME),
        ("edit", LONG_NAME),
        ("preview", LONG_NAME),
        ("pause", LONG_NAME),
        ("resume", LONG_NAME),
        ("notifications",),
        ("notifications", "--open", "1"),
        ("export-skipped", run_id, "skipped.csv"),  # a path is printed whole
        ("disable-integration", "crm", "--yes"),
    ]

    for command in commands:
        fieldsync(long_config, *command)
        captured = capsys.readouterr()
        assert widest(captured.out) <= 80, (command, captured.out)
        assert widest(captured.err) <= 80, (command, captured.err)
