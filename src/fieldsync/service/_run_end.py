"""How a run ends: the run's status, the sync's watermark and schedule, the notification."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fieldsync import _run_scope
from fieldsync._secrets import redact_text
from fieldsync.domain.state import SyncAction, transition
from fieldsync.domain.sync import NotificationKind, RunStatus, SyncRun
from fieldsync.domain.wording import bidi_safe
from fieldsync.exceptions import InvalidTransitionError
from fieldsync.ports import Clock, SyncStore
from fieldsync.service._outbox import Outbox, describe_counts

__all__ = ["RunEnd"]

_log = logging.getLogger("fieldsync.run")


class RunEnd:
    """Records the end of runs. Each method saves the run (and its sync) in one store call,
    then sends the notification.

    Raises (every method):
        StoreError: the store failed.
    """

    def __init__(
        self, *, store: SyncStore, clock: Clock, outbox: Outbox, watermark_overlap: timedelta
    ) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._overlap = watermark_overlap

    def close(self, run: SyncRun, status: RunStatus, error: str | None) -> SyncRun:
        """End the run with ``status``; the sync is left as it is."""
        error = None if error is None else redact_text(error)
        run.status, run.finished_at, run.error = status, self._clock.now(), error
        self._store.save_run(run)
        summary = error or describe_counts(run.counts)
        _log.info(
            "run %s of sync %s %s: %s",
            run.id,
            run.sync_id,
            status.value,
            summary,
            extra=_run_scope.log_extra(),
        )
        return run

    def close_quietly(self, run: SyncRun, status: RunStatus, error: str) -> None:
        """:meth:`close`, logging instead of raising when the store fails."""
        # Already on the way out with an exception: a broken store must not hide it.
        try:
            self.close(run, status, error)
        except Exception:
            _log.exception(
                "could not record the end of run %s", run.id, extra=_run_scope.log_extra()
            )

    def crash(self, run: SyncRun, error: str, retry_at: datetime) -> None:
        """An unexpected exception ended the run: it failed, and the sync is tried again at
        ``retry_at`` rather than at every scheduler tick. Logs instead of raising.

        A run whose end was recorded already (the exception came after, from a notifier
        say) keeps that end."""
        error = redact_text(error)
        try:
            if self._store.get_run(run.id).status is not RunStatus.RUNNING:
                return
            run.status, run.finished_at, run.error = RunStatus.FAILED, self._clock.now(), error
            sync = self._store.get_sync(run.sync_id)
            sync.next_run_at = retry_at
            self._store.finish_run(run, sync, clear_checkpoint=False)
        except Exception:
            _log.exception(
                "could not record the end of run %s", run.id, extra=_run_scope.log_extra()
            )
            self.close_quietly(run, RunStatus.FAILED, error)

    def complete(self, run: SyncRun, pass_started_at: datetime) -> SyncRun:
        """The pass is done: the watermark moves, the checkpoint goes, the schedule goes on.

        When records of this pass were not written for a passing reason (``target_error``:
        retries ran out; ``plan_limit``, met in a run this one continues), the watermark
        stays, so the next pass reads them again; what was written costs nothing then,
        being unchanged.
        """
        now = self._clock.now()
        run.status, run.finished_at = RunStatus.COMPLETED, now
        sync = self._store.get_sync(run.sync_id)
        runs = self._runs_of_the_pass(run)
        retry = sum(_passing(each) for each in runs)
        # An initiate that applied a new configuration meanwhile reset the watermark on
        # purpose (its mapping needs every record): leave it alone then.
        if sync.config.version == run.config_version and not retry:
            sync.watermark = pass_started_at - self._overlap
        sync.next_run_at = sync.config.schedule.next_run_after(now)
        self._store.finish_run(run, sync, clear_checkpoint=True)
        summary = describe_counts(run.counts)
        if len(runs) > 1:
            # Paused or interrupted on the way: the notification speaks of the whole pass
            # (history keeps each run's own counts, so that no record counts twice there).
            whole = sum((each.counts for each in runs[1:]), runs[0].counts)
            summary = f"{describe_counts(whole)} over {len(runs)} runs"
        if retry:
            summary += f"; {retry} record(s) not written in this pass will be sent by the next run"
        if run.fields_created:
            created = ", ".join(repr(name) for name in run.fields_created)
            summary += f"; field(s) created in the target: {created}"
        _log.info(
            "run %s of sync %s completed: %s",
            run.id,
            run.sync_id,
            summary,
            extra=_run_scope.log_extra(),
        )
        self._notify(
            NotificationKind.RUN_COMPLETED, f'Sync "{bidi_safe(sync.name)}" completed', summary, run
        )
        return run

    def _runs_of_the_pass(self, run: SyncRun) -> list[SyncRun]:
        """This run and the runs of its pass that it continues, newest first (each run
        that counted anything wrote the checkpoint the next one resumed from)."""
        runs = [run]
        while runs[-1].resumed_from is not None:
            runs.append(self._store.get_run(runs[-1].resumed_from))
        return runs

    def defer(
        self, run: SyncRun, error: str, resume_at: datetime | None, *, clear_checkpoint: bool
    ) -> SyncRun:
        """Stopped cleanly by a quota, a temporary failure or the plan limit; the sync runs
        again at ``resume_at`` (or on its schedule when ``None``)."""
        now = self._clock.now()
        error = redact_text(error)  # an API's words, which may quote a secret
        run.status, run.finished_at, run.error = RunStatus.DEFERRED, now, error
        sync = self._store.get_sync(run.sync_id)
        sync.next_run_at = resume_at or sync.config.schedule.next_run_after(now)
        self._store.finish_run(run, sync, clear_checkpoint=clear_checkpoint)
        at = sync.next_run_at
        when = f"at {at.isoformat()}" if at else "with the next run"
        summary = f"{error}. So far {describe_counts(run.counts)}. It continues {when}."
        _log.info(
            "run %s of sync %s deferred: %s",
            run.id,
            run.sync_id,
            summary,
            extra=_run_scope.log_extra(),
        )
        self._notify(
            NotificationKind.RUN_DEFERRED, f'Sync "{bidi_safe(sync.name)}" deferred', summary, run
        )
        return run

    def slice_over(self, run: SyncRun) -> SyncRun:
        """The run's time slice is over: deferred, with the checkpoint kept and the sync
        due at once, so the next run (the next slice) continues the pass. No notification:
        the pass's completion reports every slice's counts."""
        now = self._clock.now()
        run.status, run.finished_at = RunStatus.DEFERRED, now
        run.error = "the run's time slice is over; the next run continues the pass"
        sync = self._store.get_sync(run.sync_id)
        sync.next_run_at = now
        self._store.finish_run(run, sync, clear_checkpoint=False)
        _log.info("run %s of sync %s ended its slice: %s", run.id, run.sync_id, run.error)
        return run

    def fail(self, run: SyncRun, error: str) -> SyncRun:
        """A fatal error: the run failed and the sync needs attention."""
        error = redact_text(error)  # an API's words, which may quote a secret
        run.status, run.finished_at, run.error = RunStatus.FAILED, self._clock.now(), error
        sync = self._store.get_sync(run.sync_id)
        try:
            sync.state = transition(sync.state, SyncAction.FLAG, sync_id=sync.id)
            sync.attention = error
        except InvalidTransitionError:
            pass  # paused or disabled meanwhile: that state stands
        # The checkpoint stays: once fixed, initiating again continues the pass.
        self._store.finish_run(run, sync, clear_checkpoint=False)
        _log.warning(
            "run %s of sync %s failed: %s", run.id, run.sync_id, error, extra=_run_scope.log_extra()
        )
        title = f'Sync "{bidi_safe(sync.name)}" needs attention'
        self._notify(NotificationKind.RUN_FAILED, title, error, run)
        return run

    def _notify(self, kind: NotificationKind, title: str, summary: str, run: SyncRun) -> None:
        self._outbox.send(kind, title=title, summary=summary, sync_id=run.sync_id, run_id=run.id)


def _passing(run: SyncRun) -> int:
    """Records a run left unwritten for a reason that passes: a later pass sends them."""
    counts = run.counts
    by_reason = (*counts.failed_by_reason.items(), *counts.skipped_by_reason.items())
    return sum(n for reason, n in by_reason if reason.passes)
