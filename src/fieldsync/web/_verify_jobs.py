"""``verify`` started from the console: one background thread per sync, its last report
kept for the sync's verify page."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from fieldsync import VerifyReport
from fieldsync.web._threads import OneAtATime

__all__ = ["VerifyJob", "VerifyJobs"]


@attrs.define
class VerifyJob:
    """One verify (or verify and repair) started from the console.

    Args:
        sync_id: the sync.
        repair: whether it repairs.
        done: whether it has ended.
        report: what it found, once it has ended without an error.
        error: why it failed, in words fit for the screen.
    """

    sync_id: str
    repair: bool
    done: bool = False
    report: VerifyReport | None = None
    error: str | None = None


class VerifyJobs:
    """Starts verifies in daemon threads, one at a time per sync; keeps the last of each."""

    def __init__(self) -> None:
        self._jobs: OneAtATime[VerifyJob] = OneAtATime(
            "verify", busy="is already being verified from this console"
        )

    def start(self, sync_id: str, repair: bool, work: Callable[[], VerifyReport]) -> VerifyJob:
        """Start ``work`` in a new thread.

        Raises:
            StateError: a verify of this sync from this console has not ended.
        """

        def verify(job: VerifyJob) -> None:
            job.report = work()

        return self._jobs.launch(VerifyJob(sync_id, repair), verify)

    def job(self, sync_id: str) -> VerifyJob | None:
        """The last verify started for ``sync_id``, if any."""
        return self._jobs.job(sync_id)

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait until every verify has ended (tests); return whether they did."""
        return self._jobs.wait(timeout)
