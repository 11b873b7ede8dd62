"""The run loop: one run of one sync, batch by batch, under the sync's lease.

A run reads the source page by page, cuts pages into batches of the target's largest
batch, and for each batch: checks that the sync is still active (a pause stops the run
here), plans the records, sends the adds and updates in one call, and commits counts,
fingerprints, email claims, skipped records and the checkpoint in one store transaction.
Nothing per record outlives its batch, so memory stays flat however large the source is.
``docs/service.md`` describes the semantics; the batch arithmetic is in ``_run_batch``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import attrs

from fieldsync import _run_scope
from fieldsync._run_scope import RunScope
from fieldsync.domain.emails import email_key
from fieldsync.domain.planner import Planner
from fieldsync.domain.records import BatchCommit, Checkpoint, SourceRecord
from fieldsync.domain.state import SyncAction, SyncState, transition
from fieldsync.domain.sync import (
    RunStatus,
    RunTrigger,
    Sync,
    SyncConfig,
    SyncRun,
)
from fieldsync.events import BatchCommitted, EventHook, RunEstimated, RunStarted
from fieldsync.exceptions import (
    FatalSyncError,
    Problem,
    QuotaExhaustedError,
    RetriableError,
    StateError,
    SyncAlreadyRunningError,
    SyncError,
)
from fieldsync.ports import Clock, ListReader, Source, SyncStore, Target
from fieldsync.redaction import redact_text
from fieldsync.service._batch import BatchResult, contacts_to_send, tally
from fieldsync.service._outbox import Outbox, describe_counts
from fieldsync.service._preview import plan_config
from fieldsync.service._route import Route, choose_route
from fieldsync.service._run_end import RunEnd
from fieldsync.service._run_events import announce_end, event_ids, expected_records
from fieldsync.service._source_changes import replaced_addresses, unsubscriber

__all__ = ["RETRY_DELAY", "Runner", "pass_since"]

RETRY_DELAY = timedelta(minutes=5)
"""How long a run deferred by a temporary failure waits before the schedule retries it."""

_log = logging.getLogger("fieldsync.run")


def pass_since(watermark: datetime | None, config: SyncConfig) -> datetime | None:
    """Where a new pass reads from: the later of the watermark and ``retrieve_since``."""
    bounds = [t for t in (watermark, config.options.retrieve_since) if t is not None]
    return max(bounds, default=None)


class _End(enum.Enum):
    COMPLETED = "completed"
    STOPPED = "stopped"  # the sync is no longer active (paused, disabled)
    SLICED = "sliced"  # the run's time slice is over; the next run continues the pass
    PLAN_LIMIT = "plan_limit"
    INVALID = "invalid"  # the mapping or criteria no longer fit the live schemas


@attrs.frozen
class _Pass:
    """Where this run starts reading, and the pass it belongs to."""

    pass_id: str
    started_at: datetime
    since: datetime | None
    position: str | None = None
    offset: int = 0
    resumed_from: str | None = None
    resumes_pause: bool = False


@attrs.define
class _Lease:
    """The run lease this run holds, and when it was last renewed."""

    owner: str
    renewed_at: datetime


@attrs.frozen
class _Job:
    """One run under way and what every step of it works with."""

    run: SyncRun
    sync: Sync
    source: Source
    target: Target
    start: _Pass
    lease: _Lease
    deadline: datetime | None
    expected: int | None = None  # records the run reads, when known (for the estimate)


@attrs.frozen
class _FieldRenamed:
    """A field created during a run got another name: the mapping must be initiated again."""

    detail: str
    code: str = "field_renamed"

    @property
    def message(self) -> str:
        return (
            f"the target created a mapped field under another name ({self.detail}); "
            "initiate the sync again to map it"
        )


class Runner:
    """Runs syncs. Holds no per-run state: one Runner serves every run of a service.

    Args:
        store: where syncs, runs and checkpoints live.
        clock: the time.
        outbox: where notifications go.
        ids: makes run ids.
        lease_ttl: how long a lease lasts without renewal (renewed after every batch).
        watermark_overlap: how far before a pass's start the next pass reads again.
        on_event: receives every event of every run (see :mod:`fieldsync.events`).
    """

    def __init__(
        self,
        *,
        store: SyncStore,
        clock: Clock,
        outbox: Outbox,
        ids: Callable[[], str],
        lease_ttl: timedelta,
        watermark_overlap: timedelta,
        on_event: EventHook | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._ttl = lease_ttl
        self._end = RunEnd(
            store=store, clock=clock, outbox=outbox, watermark_overlap=watermark_overlap
        )
        self._on_event = on_event

    def continuable(self, sync: Sync) -> Checkpoint | None:
        """The sync's checkpoint when its pass ran with the sync's current configuration."""
        checkpoint = self._store.checkpoint(sync.id)
        if checkpoint is None:
            return None
        stopped = self._store.get_run(checkpoint.run_id)
        return checkpoint if stopped.config_version == sync.config.version else None

    def run(
        self,
        sync_id: str,
        *,
        source: Source,
        target: Target,
        trigger: RunTrigger,
        owner: str,
        fields_created: Sequence[str] = (),
        due_by: datetime | None = None,
        max_duration: timedelta | None = None,
    ) -> SyncRun:
        """Run the sync once, under the lease of ``owner``, and return the finished run.

        Takes the lease (or keeps it, when ``owner`` holds it already) and releases it.
        With ``due_by`` (a scheduled run), the sync must still be due then once the lease
        is held: another worker may have run it since the due syncs were listed. With
        ``max_duration``, the run stops at the first batch boundary after that long (having
        committed at least one batch) as deferred, due at once: the next run continues the
        pass from the checkpoint. Task queues cut long runs into such slices.

        Raises:
            SyncAlreadyRunningError: another worker holds the lease.
            InvalidTransitionError: the sync is not active.
            StateError: ``due_by`` is given and the sync is no longer due.
            Exception: anything unexpected, after the run is marked failed.
        """
        store = self._store
        store.acquire_lease(sync_id, owner, now=self._clock.now(), ttl=self._ttl)
        lease = _Lease(owner, renewed_at=self._clock.now())
        try:
            self._interrupt_dead_runs(sync_id)
            sync = store.get_sync(sync_id)
            transition(sync.state, SyncAction.RUN, sync_id=sync_id)
            if due_by is not None and (sync.next_run_at is None or sync.next_run_at > due_by):
                raise StateError(f"sync {sync_id!r} is no longer due: it ran meanwhile")
            run_id = self._ids()
            start = self._start(sync, run_id)
            if start.resumes_pause and trigger in (RunTrigger.MANUAL, RunTrigger.SCHEDULE):
                trigger = RunTrigger.RESUME
            run = SyncRun(
                id=run_id,
                sync_id=sync_id,
                config_version=sync.config.version,
                trigger=trigger,
                started_at=self._clock.now(),
                fields_created=tuple(fields_created),
                resumed_from=start.resumed_from,
            )
            store.add_run(run)
            scope = RunScope(
                sync_id=sync_id,
                run_id=run_id,
                integration=sync.integration,
                clock=self._clock,
                hook=self._on_event,
            )
            deadline = None if max_duration is None else self._clock.now() + max_duration
            job = _Job(run, sync, source, target, start, lease, deadline)
            with _run_scope.entered(scope):
                _log.info(
                    "run %s of sync %s started (%s, config v%d, %s)",
                    run.id,
                    sync_id,
                    trigger.value,
                    run.config_version,
                    f"continuing run {start.resumed_from}" if start.resumed_from else "new pass",
                    extra=scope.log_extra,
                )
                return self._observed(job, scope)
        finally:
            store.release_lease(sync_id, owner)

    def _observed(self, job: _Job, scope: RunScope) -> SyncRun:
        """:meth:`_guarded`, with the run's start and end told to the event hook."""
        run, start = job.run, job.start
        if self._on_event is not None:
            expected = expected_records(job.source, start.since, start.position, start.offset)
            job = attrs.evolve(job, expected=expected)
            scope.emit(RunStarted(**event_ids(scope), run=attrs.evolve(run), expected=expected))
        try:
            return self._guarded(job)
        finally:
            # `run` is ended in place, also when an unexpected exception escapes.
            if self._on_event is not None:
                announce_end(scope, run, self._store)

    # -- the pass -----------------------------------------------------------------------------

    def _guarded(self, job: _Job) -> SyncRun:
        # Everything after add_run is in here, recording the run's end included: whatever
        # raises (a store that fails, a schedule that cannot compute its next run), the run
        # is recorded as failed, never left `running`.
        run = job.run
        try:
            return self._pass_and_end(job)
        except Exception as exc:
            _log.exception(
                "run %s of sync %s failed unexpectedly",
                run.id,
                run.sync_id,
                extra=_run_scope.log_extra(),
            )
            # Not our own message: it may quote a URL or a header with a credential in it.
            error = redact_text(f"unexpected {type(exc).__name__}: {exc}")
            self._end.crash(run, error, self._clock.now() + RETRY_DELAY)
            raise
        except BaseException as exc:
            # Ctrl-C or a process exit: the checkpoint stays and the next run continues.
            # Said at WARNING, since the person who pressed Ctrl-C is waiting for it.
            _log.warning(
                "run %s of sync %s stopped by %s: the batch in flight is not counted; "
                "%d record(s) committed stay, and the next run continues from there",
                run.id,
                run.sync_id,
                type(exc).__name__,
                run.counts.total,
            )
            self._end.close_quietly(run, RunStatus.INTERRUPTED, f"stopped by {type(exc).__name__}")
            raise

    def _pass_and_end(self, job: _Job) -> SyncRun:
        run = job.run
        try:
            end, problems = self._pass(job)
        except QuotaExhaustedError as exc:
            resume_at = exc.resume_at or self._clock.now() + RETRY_DELAY
            return self._end.defer(run, str(exc), resume_at, clear_checkpoint=False)
        except RetriableError as exc:
            text = f"{exc} (retries ran out)"
            return self._end.defer(
                run, text, self._clock.now() + RETRY_DELAY, clear_checkpoint=False
            )
        except FatalSyncError as exc:
            if self._store.get_sync(run.sync_id).state is SyncState.DISABLED:
                # Disabling revoked the credentials under the run: it stops like a pause.
                return self._end.close(run, RunStatus.PAUSED, "the sync was disabled")
            return self._end.fail(run, str(exc))
        except SyncError as exc:
            # Typed but neither fatal nor temporary by its class (an adapter's own verdict
            # on an answer it does not understand): the sync needs a look, yet it is no
            # crash, and the checkpoint stays.
            return self._end.fail(run, str(exc))
        except SyncAlreadyRunningError:
            # Our lease expired and another worker took it over: it continues the pass.
            return self._end.close(run, RunStatus.INTERRUPTED, "another worker took the lease over")
        if end is _End.INVALID:
            text = "; ".join(f"{p.code}: {p.message}" for p in problems)
            return self._end.fail(run, f"the configuration no longer fits the schemas: {text}")
        if end is _End.PLAN_LIMIT:
            text = "the target plan's contact limit was reached; the rest was skipped"
            return self._end.defer(run, text, None, clear_checkpoint=True)
        if end is _End.SLICED:
            return self._end.slice_over(run)
        if end is _End.STOPPED:
            state = self._store.get_sync(run.sync_id).state
            why = None if state is SyncState.PAUSED else f"the sync was {state.value}"
            return self._end.close(run, RunStatus.PAUSED, why)
        return self._end.complete(run, job.start.started_at)

    def _pass(self, job: _Job) -> tuple[_End, Sequence[Problem]]:
        run, source, target, start = job.run, job.source, job.target, job.start
        config = job.sync.config
        plan, problems = plan_config(config, source, target)
        if problems:
            return _End.INVALID, problems
        made = [(field.name, target.create_field(field).name) for field in plan.fields_to_create]
        if made:
            # Initiate created these: the target lost them since, and with them every value
            # written there. The records are forgotten and the whole source read again.
            run.fields_created = (*run.fields_created, *(got for _, got in made))
            self._store.save_run(run)
            self._store.forget_records(run.sync_id)
            start = attrs.evolve(start, since=None, position=None, offset=0)
            renamed = [f"{asked!r} became {got!r}" for asked, got in made if asked != got]
            if renamed:
                return _End.INVALID, [_FieldRenamed("; ".join(renamed))]
        planner = Planner.of(plan, config)
        leaver = unsubscriber(config, target)
        route = choose_route(plan, target)
        self._announce(route, job)
        size = route.batch_size
        skip_first = start.offset
        limit_reached = False
        committed = False
        for page in source.read(since=start.since, resume=start.position):
            records = page.records
            begin, skip_first = min(skip_first, len(records)), 0
            for low in range(begin, len(records), size):
                if self._store.get_sync(run.sync_id).state is not SyncState.ACTIVE:
                    return _End.STOPPED, ()
                # One batch at least per slice, so that slices always make progress.
                if committed and job.deadline is not None and self._clock.now() >= job.deadline:
                    return _End.SLICED, ()
                self._keep(run, job.lease)
                chunk = records[low : low + size]
                result = self._batch(
                    run,
                    config.list_key,
                    planner,
                    route,
                    chunk,
                    start,
                    sent=not limit_reached,
                    leaver=leaver,
                )
                limit_reached = limit_reached or result.plan_limit_reached
                checkpoint = Checkpoint(
                    run_id=run.id,
                    pass_id=start.pass_id,
                    pass_started_at=start.started_at,
                    since=start.since,
                    position=page.position,
                    offset=low + len(chunk),
                )
                self._commit(run, result, checkpoint, job.lease)
                committed = True
        return (_End.PLAN_LIMIT if limit_reached else _End.COMPLETED), ()

    def _batch(
        self,
        run: SyncRun,
        list_key: str,
        planner: Planner,
        route: Route,
        chunk: Sequence[SourceRecord],
        start: _Pass,
        *,
        sent: bool,
        leaver: ListReader | None = None,
    ) -> BatchResult:
        store, sync_id = self._store, run.sync_id
        prepared = [planner.prepare(record) for record in chunk]
        live = [p for p in prepared if p.skip is None and p.email is not None]
        previous = store.fingerprints(sync_id, [p.key for p in live]) if live else {}
        emails = {email_key(p.email) for p in live if p.email is not None}
        claimed = store.claimed_emails(sync_id, start.pass_id, emails) if emails else {}
        decisions = planner.decide_page(prepared, previous, claimed)
        contacts = contacts_to_send(decisions)
        if not sent:
            return tally(run.id, decisions, None)
        # Unchanged records cost no call at all.
        answers = route.send(list_key, contacts) if contacts else ()
        result = tally(run.id, decisions, {answer.key: answer for answer in answers})
        if leaver is not None:
            # on_email_change = "unsubscribe": before the commit, so never lost
            for old in replaced_addresses(decisions, previous, result.written):
                leaver.unsubscribe(list_key, old)
        return result

    def _announce(self, route: Route, job: _Job) -> None:
        """Tell the event hook how long the run's writes take at the target's limits: for
        the records the source counts, or else as many as the sync's last completed run
        read (a source such as Zoho Invoice cannot count without reading every page)."""
        scope = _run_scope.current()
        if scope is None or self._on_event is None or not route.limits.windows:
            return  # no one listens, or a target that states no rate limit
        expected = job.expected
        if expected is None:
            done = (r for r in self._store.runs(job.run.sync_id) if r.id != job.run.id)
            last = next((r for r in done if r.status is RunStatus.COMPLETED), None)
            expected = None if last is None else last.total
        if expected is None:
            return
        estimate = route.estimate(expected)
        _log.info("the run writes through %s: %s", route.name, estimate, extra=scope.log_extra)
        scope.emit(RunEstimated(**event_ids(scope), route=route.name, estimate=estimate))

    def _keep(self, run: SyncRun, lease: _Lease) -> None:
        """Renew the lease before a batch is sent when a quarter of it has passed, so that
        a worker that stalled (and lost the lease to another) sends nothing more.

        Renewing before every batch would double the store's writes for nothing: a lease
        renewed less than a quarter ago still has three quarters to run, and the batch's
        commit checks the lease anyway."""
        now = self._clock.now()
        if now - lease.renewed_at >= self._ttl / 4:
            self._store.renew_lease(run.sync_id, lease.owner, now=now, ttl=self._ttl)
            lease.renewed_at = now

    def _commit(
        self, run: SyncRun, result: BatchResult, checkpoint: Checkpoint, lease: _Lease
    ) -> None:
        counts = run.counts + result.counts
        batch = BatchCommit(
            run=attrs.evolve(run, counts=counts),
            written=result.written,
            claims=result.claims,
            skipped=result.skipped,
            checkpoint=checkpoint,
            lease_owner=lease.owner,
        )
        self._store.commit_batch(batch)
        run.counts = counts  # only once committed: a failed commit leaves the run as stored
        _log.debug(
            "run %s committed a batch: %s (checkpoint %s+%d)",
            run.id,
            describe_counts(result.counts),
            checkpoint.position,
            checkpoint.offset,
            extra=_run_scope.log_extra(),
        )
        scope = _run_scope.current()
        if scope is not None and self._on_event is not None:
            scope.emit(
                BatchCommitted(**event_ids(scope), run=attrs.evolve(run), batch=result.counts)
            )

    # -- starting ----------------------------------------------------------------------------

    def _start(self, sync: Sync, run_id: str) -> _Pass:
        checkpoint = self.continuable(sync)
        if checkpoint is not None:
            stopped = self._store.get_run(checkpoint.run_id)
            return _Pass(
                pass_id=checkpoint.pass_id,
                started_at=checkpoint.pass_started_at,
                since=checkpoint.since,
                position=checkpoint.position,
                offset=checkpoint.offset,
                resumed_from=checkpoint.run_id,
                resumes_pause=stopped.status is RunStatus.PAUSED,
            )
        # A new pass is named after the run that starts it.
        since = pass_since(sync.watermark, sync.config)
        return _Pass(pass_id=run_id, started_at=self._clock.now(), since=since)

    def _interrupt_dead_runs(self, sync_id: str) -> None:
        # We hold the lease, so a run still marked running has lost its worker.
        for stale in self._store.runs(sync_id):
            if stale.status is RunStatus.RUNNING:
                _log.warning("run %s of sync %s lost its worker", stale.id, sync_id)
                stale.status = RunStatus.INTERRUPTED
                stale.finished_at = self._clock.now()
                stale.error = "its worker stopped before the run finished"
                self._store.save_run(stale)
