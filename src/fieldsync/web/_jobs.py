"""Runs started from the console go to a background thread, never into the request."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from fieldsync import SyncRun
from fieldsync.web._threads import OneAtATime

__all__ = ["BackgroundRuns", "Job"]


@attrs.define
class Job:
    """One piece of work started from the console for a sync (an initiate or a run).

    Args:
        sync_id: the sync it works on.
        action: what it does: ``"initiate"`` or ``"run"``.
        done: whether it has ended.
        run_id: the run it made, once it has ended with one.
        error: why it failed, in words fit for the screen (no secrets, no traceback).
    """

    sync_id: str
    action: str
    done: bool = False
    run_id: str | None = None
    error: str | None = None


class BackgroundRuns:
    """Starts initiates and runs in daemon threads, one at a time per sync, and keeps the
    last job of each sync so that its page can say how it went."""

    def __init__(self) -> None:
        self._jobs: OneAtATime[Job] = OneAtATime("run", busy="is already running from this console")

    def start(self, sync_id: str, action: str, work: Callable[[], SyncRun]) -> Job:
        """Start ``work`` for ``sync_id`` in a new thread.

        Raises:
            StateError: a job of the console for this sync has not ended.
        """

        def run(job: Job) -> None:
            job.run_id = work().id

        return self._jobs.launch(Job(sync_id, action), run, name=action)

    def job(self, sync_id: str) -> Job | None:
        """The last job started for ``sync_id``, if any."""
        return self._jobs.job(sync_id)

    def running(self, sync_id: str) -> bool:
        """Whether a job for ``sync_id`` has not ended."""
        job = self.job(sync_id)
        return job is not None and not job.done

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every job has ended (tests, shutdown); return whether they did."""
        return self._jobs.wait(timeout)
