"""What a person sees: widths, colour, times in their zone, the progress bar, next steps."""

import io
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import cli_adapters
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli._output import Output, colour_enabled
from fieldsync.cli._progress import PlainProgress, ProgressHook, RichProgress, open_progress
from fieldsync.domain.sync import RunCounts, RunTrigger, SyncRun
from fieldsync.events import BatchCommitted, RunStarted, Waiting, WaitReason

LONG_KEY = "3z" + "a1b2c3d4" * 8  # a Campaigns list key is 64 characters and more
AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def a_run(total: int = 0) -> SyncRun:
    run = SyncRun(id="r1", sync_id="s1", config_version=1, trigger=RunTrigger.MANUAL, started_at=AT)
    run.counts = RunCounts(added=total)
    return run


def test_the_syncs_list_fits_100_columns_with_a_long_list_key(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    cli_adapters.TARGET.create_list(LONG_KEY)
    config.write_text(CONFIG.replace('"news"', f'"{LONG_KEY}"'), encoding="utf-8")
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()

    for command in (("syncs",), ("history", "Customers"), ("syncs", "Customers")):
        assert fieldsync(config, *command) == 0
        out = capsys.readouterr().out
        assert max(len(line) for line in out.splitlines()) <= 100, command


def test_a_table_cuts_the_widest_cells_with_an_ellipsis() -> None:
    text = Output(width=40).table(("name", "list"), [("S", "x" * 80)], shrink=(1,))

    assert max(len(line) for line in text.splitlines()) <= 40
    assert text.splitlines()[-1].endswith("…")


def test_a_cell_with_an_unterminated_override_ends_with_its_cell() -> None:
    text = Output(width=80).table(("name", "state"), [("Invoices\u202e", "completed")])

    row = text.splitlines()[-1]
    assert row.startswith("\u2068Invoices\u202e\u2069")  # isolated, then padded
    assert row.endswith("completed")
    assert row.index("completed") == text.splitlines()[0].index("state") + 2  # aligned


def test_a_heading_and_wrapped_text_isolate_a_right_to_left_name() -> None:
    out = Output(width=80)

    assert out.heading("\u05e9\u05dc\u05d5\u05dd") == "\u2068\u05e9\u05dc\u05d5\u05dd\u2069"
    assert out.wrap("x\u202e") == "\u2068x\u202e\u2069"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
    ids=str,
)
def test_colour_on_a_terminal_unless_no_color_or_a_dumb_terminal(
    environ: dict[str, str], expected: bool
) -> None:
    assert colour_enabled(Terminal(), environ) is expected


def test_no_colour_when_piped_unless_forced() -> None:
    piped, forced = io.StringIO(), io.StringIO()

    assert (colour_enabled(piped, {}), colour_enabled(forced, {"FORCE_COLOR": "1"})) == (
        False,
        True,
    )


def test_piped_output_has_no_escape_codes(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fieldsync(config, "initiate", "Customers")

    assert "\x1b[" not in capsys.readouterr().out


def test_styled_text_is_bold_when_colour_is_on() -> None:
    assert Output(colour=True).style("x", "bold") == "\x1b[1mx\x1b[0m"


def test_times_are_shown_in_the_zone_given_by_tz(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()

    fieldsync(config, "--tz", "Asia/Kolkata", "history", "Customers")

    assert " IST " in capsys.readouterr().out


def test_the_files_cli_tz_is_the_default_zone(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(CONFIG + '\n[cli]\ntz = "Asia/Tokyo"\n', encoding="utf-8")
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()

    fieldsync(config, "history", "Customers")

    assert " JST " in capsys.readouterr().out


def test_an_unknown_zone_is_a_configuration_error(config: Path) -> None:
    assert fieldsync(config, "--tz", "Mars/Olympus", "syncs") == 2


def test_a_paused_sync_shows_no_next_run(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fieldsync(config, "initiate", "Customers")
    fieldsync(config, "pause", "Customers")
    capsys.readouterr()

    fieldsync(config, "--json", "syncs")
    (stored,) = json.loads(capsys.readouterr().out)
    fieldsync(config, "syncs", "Customers")

    detail = capsys.readouterr().out
    assert stored["next_run_at"] is not None  # stored, for when it is resumed
    assert re.search(r"next run +-\n", detail)


def test_initiate_shows_the_configuration_and_the_next_steps(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")

    out = capsys.readouterr().out
    for part in ("Field mapping", "criteria", "every 6 hours", "Next", "fieldsync history"):
        assert part in out
    assert "fieldsync export-skipped" in out  # two records were skipped


def test_notifications_open_shows_the_sync_and_marks_it_read(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    capsys.readouterr()
    fieldsync(config, "notifications")
    listing = capsys.readouterr().out

    assert fieldsync(config, "notifications", "--open", "1") == 0

    opened = capsys.readouterr().out
    assert "--open N" in listing
    assert "Field mapping" in opened
    assert "History" in opened
    fieldsync(config, "--json", "notifications", "--unread")
    assert json.loads(capsys.readouterr().out) == []


def test_opening_a_notification_that_is_not_there_is_an_error(config: Path) -> None:
    assert fieldsync(config, "notifications", "--open", "9") == 2


def test_the_plain_bar_shows_done_of_total_the_rate_and_the_eta() -> None:
    out = Terminal()
    ticks = iter([0.0, 10.0, 10.0])
    progress = PlainProgress("S", total=1000, out=out, zone=UTC, ticks=lambda: next(ticks))

    progress.update(a_run(250))

    line = out.getvalue()
    for part in ("S", "25%", "250/1,000", "25/s", "ETA 0:30", "250 added"):
        assert part in line


def test_a_wait_for_the_rate_limit_says_until_when(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    hook = ProgressHook({"zoho": "Zoho"})
    hook.current = PlainProgress("S", out=out, zone=UTC)
    ids = {"sync_id": "s1", "run_id": "r1", "integration": "zoho", "at": AT}

    hook(RunStarted(**ids, run=a_run(), expected=2000))
    hook(BatchCommitted(**ids, run=a_run(100), batch=RunCounts(added=100)))
    until = datetime(2026, 3, 2, 14, 2, tzinfo=UTC)
    hook(Waiting(**ids, until=until, seconds=60, reason=WaitReason.RATE_LIMIT))

    assert "100/2,000" in out.getvalue()
    assert "waiting for Zoho's rate limit until 14:02" in out.getvalue()


def test_the_plain_bar_is_used_on_a_terminal_without_rich(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "rich.console", None)

    assert isinstance(open_progress("S", out=Terminal()), PlainProgress)


def test_rich_draws_the_bar_on_a_terminal_when_installed() -> None:
    out = Terminal()
    progress = open_progress("S", total=10, out=out, zone=UTC)
    assert isinstance(progress, RichProgress)

    progress.update(a_run(5))
    progress.waiting(datetime(2026, 3, 2, 14, 2, tzinfo=UTC), "waiting for Zoho's rate limit")
    progress.close()

    assert "5/10" in out.getvalue()


def test_after_an_edit_preview_and_run_say_which_version_each_uses(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fieldsync(config, "initiate", "Customers")
    config.write_text(CONFIG.replace('country == "India"', ""), encoding="utf-8")
    fieldsync(config, "edit", "Customers")
    capsys.readouterr()

    fieldsync(config, "preview", "Customers")
    previewed = capsys.readouterr().out
    fieldsync(config, "run", "Customers")

    assert "version 2 (saved by edit)" in previewed
    assert "runs configuration version 1" in capsys.readouterr().err


def test_a_pacing_wait_of_a_fraction_of_a_second_is_not_shown() -> None:
    out = io.StringIO()
    progress = PlainProgress("S", out=out, zone=UTC)

    progress.waiting(datetime(2026, 3, 2, 14, 2, tzinfo=UTC), "waiting", 0.12)

    assert out.getvalue() == ""


def test_a_long_wait_ends_at_a_minute_a_short_one_at_a_second() -> None:
    out = io.StringIO()
    progress = PlainProgress("S", out=out, zone=UTC)
    until = datetime(2026, 3, 2, 14, 2, 30, tzinfo=UTC)

    progress.waiting(until, "waiting", 900)
    progress.waiting(until, "waiting", 30)

    first, second = out.getvalue().splitlines()
    assert (first.endswith("until 14:02"), second.endswith("until 14:02:30")) == (True, True)


def test_a_wait_is_said_whole_in_80_columns_the_bar_giving_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    hook = ProgressHook({"zoho": "Zoho"})
    hook.current = PlainProgress("Invoice customers of the Mumbai office", out=out, zone=UTC)
    ids = {"sync_id": "s1", "run_id": "r1", "integration": "zoho", "at": AT}

    hook(RunStarted(**ids, run=a_run(), expected=20_000))
    hook(BatchCommitted(**ids, run=a_run(12_000), batch=RunCounts(added=12_000)))
    until = datetime(2026, 3, 2, 12, 10, 30, tzinfo=UTC)
    hook(Waiting(**ids, until=until, seconds=90, reason=WaitReason.RATE_LIMIT))

    waiting = out.getvalue().splitlines()[-1]
    assert waiting.endswith("waiting for Zoho's rate limit until 12:10:30")
    assert "12,000/20,000" in waiting
    assert len(waiting) <= 80
