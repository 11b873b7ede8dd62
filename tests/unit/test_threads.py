"""run_in_threads: every task once, the first error re-raised, no task after an error."""

from __future__ import annotations

import threading

import pytest

from fieldsync._threads import run_in_threads


def test_every_task_runs_once_on_daemon_threads() -> None:
    seen: list[int] = []
    daemons: list[bool] = []
    lock = threading.Lock()

    def task(index: int) -> None:
        with lock:
            seen.append(index)
            daemons.append(threading.current_thread().daemon)

    run_in_threads(25, 4, task, name="t")

    assert list(range(25)) == sorted(seen)
    assert all(daemons)


def test_the_first_error_of_a_task_is_raised_to_the_caller_and_stops_new_tasks() -> None:
    started: list[int] = []

    def task(index: int) -> None:
        started.append(index)
        if index == 0:
            raise LookupError("boom")

    with pytest.raises(LookupError, match="boom"):
        run_in_threads(100, 1, task, name="t")
    assert [0] == started
