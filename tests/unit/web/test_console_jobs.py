"""Background runs: one at a time per sync, and how they ended is kept for the page."""

from __future__ import annotations

import threading

import pytest

from fieldsync import NotFoundError, StateError, SyncRun
from fieldsync.web import BackgroundRuns


def test_a_second_start_while_one_runs_is_refused() -> None:
    runs, release = BackgroundRuns(), threading.Event()

    def slow() -> SyncRun:
        release.wait(5)
        raise NotFoundError("sync", "s1")

    runs.start("s1", "run", slow)
    try:
        assert runs.running("s1")
        with pytest.raises(StateError, match="already running"):
            runs.start("s1", "run", slow)
    finally:
        release.set()
    assert runs.wait(5)
    job = runs.job("s1")
    assert job is not None
    assert (job.done, job.run_id, job.error) == (True, None, "no sync 's1'")


def test_an_unexpected_error_is_reported_without_its_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runs = BackgroundRuns()

    def broken() -> SyncRun:
        raise RuntimeError("secret-ish detail")

    runs.start("s1", "initiate", broken)
    assert runs.wait(5)

    job = runs.job("s1")
    assert job is not None
    assert job.error == "an unexpected error stopped it; the server log has the details"
    assert "secret-ish detail" in caplog.text  # in the server log only
    assert runs.job("other") is None
    assert not runs.running("other")
