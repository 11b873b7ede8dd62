"""The CLI's progress says how long the run takes at the target's rate limits."""

import io
from datetime import UTC, datetime

import pytest

from fieldsync.cli._progress import PlainProgress, ProgressHook, RichProgress
from fieldsync.domain.duration import estimate_run
from fieldsync.domain.records import RateWindow, TargetLimits
from fieldsync.domain.sync import RunTrigger, SyncRun
from fieldsync.events import RunEstimated, RunStarted

AT = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
IDS = {"sync_id": "s1", "run_id": "r1", "integration": "zoho", "at": AT}
LIMITS = TargetLimits(
    max_batch=50,
    windows=(RateWindow(500, 60.0), RateWindow(12_500, 3600.0), RateWindow(75_000, 86_400.0)),
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def events() -> tuple[RunStarted, RunEstimated]:
    run = SyncRun(id="r1", sync_id="s1", config_version=1, trigger=RunTrigger.MANUAL, started_at=AT)
    estimate = estimate_run(50_000, LIMITS)
    return (
        RunStarted(**IDS, run=run, expected=50_000),
        RunEstimated(**IDS, route="upsert", estimate=estimate),
    )


def test_the_plain_progress_prints_the_estimate_on_lines_of_its_own_within_the_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = io.StringIO()
    hook = ProgressHook({"zoho": "Zoho"})
    hook.current = PlainProgress("Customers", out=out, zone=UTC)

    for event in events():
        hook(event)

    assert out.getvalue() == (
        "Customers  expected at the target's rate limits: about 3 h 30 min for 50,000\n"
        "           contacts at 12,500 an hour\n"
    )


def test_rich_prints_the_estimate_above_its_bar() -> None:
    out = Terminal()
    hook = ProgressHook()
    progress = RichProgress("Customers", total=None, out=out, zone=UTC)
    hook.current = progress

    for event in events():
        hook(event)
    progress.close()

    assert "for 50,000 contacts at 12,500 an hour" in out.getvalue()
