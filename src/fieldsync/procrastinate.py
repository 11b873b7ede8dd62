"""Run syncs on Procrastinate, the PostgreSQL task queue (the ``procrastinate`` extra).

A fleet is PostgreSQL (fieldsync's store and Procrastinate's queue, in one database or
two) plus any number of Procrastinate workers on any machines::

    import procrastinate
    import fieldsync as fs
    from fieldsync.procrastinate import SyncTasks

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=URL))

    def make_service() -> fs.SyncService:      # called once per worker process
        return fs.SyncService(store=fs.PostgresStore(URL), resolver=my_vault.integration)

    tasks = SyncTasks(make_service, max_run_duration=timedelta(minutes=10))
    app.add_tasks_from(tasks.blueprint, namespace="fieldsync")

    # then: procrastinate --app=myproject.app worker

What the tasks guarantee:

- ``enqueue_due`` (periodic, every minute by default) queues one ``run_sync`` job per due
  sync. Each job carries the queueing lock ``fieldsync:sync:<id>``: a sync never has two
  jobs waiting at once.
- Jobs of one Campaigns account carry the lock ``fieldsync:account:<account>``, so
  Procrastinate never runs two of them at once (the account's quota is shared anyway;
  running them side by side would only split it). ``account_of`` names a sync's account;
  by default its integration (one Zoho organization and its Campaigns account).
- ``run_sync`` runs the sync when it is still due, in a slice of at most
  ``max_run_duration``: a long pass is cut into jobs that each continue from the
  checkpoint, so no job outlives a deploy or a worker's patience.
- A run deferred (its slice over, a quota window full, an endpoint lock, a temporary
  failure) is queued again for the time it can resume (``schedule_at``).
- The sync's lease still guards every run: a job delivered twice, or a ``fieldsync worker``
  running beside the queue, never runs a sync twice at once; a worker that stalled and
  lost its lease sends nothing more.
- ``enqueue_changed`` queues a job that runs a sync as soon as its account is free, due
  or not: what the webhook receiver (:func:`fieldsync.web.webhooks`, ``defer=``) calls
  when Zoho says the source changed. It goes through the same queueing lock: a job
  already waiting will read the change when it runs.
- ``recover_stalled`` (periodic, with ``enqueue_due``) fails the ``run_sync`` jobs of
  workers that stopped sending heartbeats (killed, or their machine gone): such a job
  would otherwise hold its account's lock for good. Its sync, still due, is queued again
  and continues from its checkpoint once the dead run's lease expires.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.job_context import JobContext
from procrastinate.jobs import Status
from procrastinate.manager import JobManager
from procrastinate.tasks import Task

from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import RunStatus, Sync, SyncRun
from fieldsync.exceptions import StateError, SyncAlreadyRunningError
from fieldsync.service import SyncService

__all__ = ["SyncTasks", "account_lock", "sync_queueing_lock"]

_log = logging.getLogger("fieldsync.procrastinate")
# How long a changed sync's job waits before trying again when another run holds the sync.
_BUSY_RETRY_SECONDS = 5


def sync_queueing_lock(sync_id: str) -> str:
    """The queueing lock of a sync's jobs: one waiting job per sync."""
    return f"fieldsync:sync:{sync_id}"


def account_lock(account: str) -> str:
    """The lock of an account's jobs: one running job per Campaigns account."""
    return f"fieldsync:account:{account}"


def _integration_of(sync: Sync) -> str:
    return sync.integration


class SyncTasks:
    """The Procrastinate tasks that run fieldsync's syncs, in a blueprint.

    Args:
        service: makes the :class:`~fieldsync.SyncService` the tasks use; called once per
            worker process, on the first job (the service is shared by its threads).
        account_of: the Campaigns account of a sync, for the per-account lock; by default
            the sync's integration.
        max_run_duration: the longest slice a job runs before handing the rest of the pass
            to a new job; ``None`` for whole runs.
        cron: when ``enqueue_due`` runs (Procrastinate's cron syntax; a sixth field is
            seconds).
        queue: the Procrastinate queue of both tasks.
        queue_time: turns a time of the service's clock into Procrastinate's (the real
            time) for ``schedule_at``; the identity by default. Only a service on a clock
            that is not the real one (a test's scaled clock) needs it.
        stalled_after: seconds without a heartbeat after which a worker is taken for dead
            and its ``run_sync`` jobs are failed (Procrastinate's workers beat every 10 s).

    Attributes:
        blueprint: add it to your app: ``app.add_tasks_from(tasks.blueprint,
            namespace="fieldsync")``.
        run_sync: the task that runs one sync (``run_sync.defer(sync_id=...)``).
        enqueue_due: the periodic task that queues the due syncs.
        recover_stalled: the periodic task that fails the jobs of dead workers.
    """

    def __init__(
        self,
        service: Callable[[], SyncService],
        *,
        account_of: Callable[[Sync], str] = _integration_of,
        max_run_duration: timedelta | None = timedelta(minutes=10),
        cron: str = "* * * * *",
        queue: str = "fieldsync",
        queue_time: Callable[[datetime], datetime] | None = None,
        stalled_after: float = 60.0,
    ) -> None:
        self._make_service = service
        self._service: SyncService | None = None
        self._lock = threading.Lock()
        self._account_of = account_of
        self._max = max_run_duration
        self._queue_time = queue_time or (lambda at: at)
        self.blueprint: procrastinate.Blueprint = procrastinate.Blueprint()
        self.run_sync: Task[..., str, ...] = self.blueprint.task(name="run_sync", queue=queue)(
            self._run_sync
        )
        enqueue = self.blueprint.task(name="enqueue_due", queue=queue)(self._enqueue_due)
        self.enqueue_due: Task[..., int, ...] = self.blueprint.periodic(cron=cron)(enqueue)
        self._stalled_after = stalled_after
        recover = self.blueprint.task(name="recover_stalled", queue=queue, pass_context=True)(
            self._recover_stalled
        )
        self.recover_stalled: Task[..., Coroutine[Any, Any, int], ...] = self.blueprint.periodic(
            cron=cron
        )(recover)

    def __repr__(self) -> str:
        return f"SyncTasks(max_run_duration={self._max}, service={self._service!r})"

    def service(self) -> SyncService:
        """This process's service, made on first use."""
        with self._lock:
            if self._service is None:
                self._service = self._make_service()
            return self._service

    def enqueue(self, sync: Sync, *, at: datetime | None = None) -> bool:
        """Queue a ``run_sync`` job for ``sync`` (at ``at``, or now); whether one was
        queued (``False``: the sync has a job waiting already)."""
        job = self.run_sync.configure(
            queueing_lock=sync_queueing_lock(sync.id),
            lock=account_lock(self._account_of(sync)),
            schedule_at=None if at is None else self._queue_time(at),
        )
        try:
            job.defer(sync_id=sync.id)
        except AlreadyEnqueued:
            return False
        return True

    def enqueue_changed(self, sync: Sync, *, at: datetime | None = None) -> bool:
        """Queue a ``run_sync`` job that runs ``sync`` (at ``at``, or now) whether it is
        due or not, because its source changed (a webhook said so); whether one was queued
        (``False``: a job waits already, and will read the change when it runs)."""
        return self._defer_changed(sync, schedule_at=None if at is None else self._queue_time(at))

    def _defer_changed(self, sync: Sync, **when: Any) -> bool:
        job = self.run_sync.configure(
            queueing_lock=sync_queueing_lock(sync.id),
            lock=account_lock(self._account_of(sync)),
            **when,
        )
        try:
            job.defer(sync_id=sync.id, changed=True)
        except AlreadyEnqueued:
            return False
        return True

    def enqueue_due_now(self, now: datetime | None = None) -> int:
        """Queue a job for every active sync due at ``now`` (default: the service's clock)
        without one waiting; return how many were queued. What ``enqueue_due`` runs."""
        due = self.service().due_syncs(now)
        queued = sum(self.enqueue(sync) for sync in due)
        _log.info("%d sync(s) due, %d queued", len(due), queued)
        return queued

    async def recover_stalled_now(self, manager: JobManager) -> int:
        """Fail the ``run_sync`` jobs of workers without a heartbeat for ``stalled_after``
        seconds, freeing their account's lock; return how many. What ``recover_stalled``
        runs."""
        stalled = list(
            await manager.get_stalled_jobs(
                task_name=self.run_sync.name, seconds_since_heartbeat=self._stalled_after
            )
        )
        for job in stalled:
            _log.warning("job %s of a dead worker failed: %s", job.id, job.task_kwargs)
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
        return len(stalled)

    async def _recover_stalled(self, context: JobContext, timestamp: int) -> int:
        return await self.recover_stalled_now(context.app.job_manager)

    def _enqueue_due(self, timestamp: int) -> int:
        # Procrastinate passes the periodic slot's time; the store's view of "due" uses the
        # service's clock, the same one the runs use.
        return self.enqueue_due_now()

    def _run_sync(self, sync_id: str, changed: bool = False) -> str:
        service = self.service()
        if changed:
            run = self._run_changed(service, sync_id)
        else:
            run = service.run_if_due(sync_id, max_duration=self._max)
        if run is None:
            return "skipped"
        if run.status is RunStatus.DEFERRED:
            sync = service.get_sync(sync_id)
            if sync.state is SyncState.ACTIVE and sync.next_run_at is not None:
                again = self.enqueue(sync, at=sync.next_run_at)
                _log.info(
                    "sync %s continues at %s (%s)",
                    sync_id,
                    sync.next_run_at.isoformat(),
                    "queued" if again else "a job waits already",
                )
        return run.status.value

    def _run_changed(self, service: SyncService, sync_id: str) -> SyncRun | None:
        try:
            return service.run(sync_id, max_duration=self._max)
        except SyncAlreadyRunningError:
            # Run elsewhere (a `fieldsync worker`, the console): that run may have read the
            # source before the change, so this job comes back once more after it.
            sync = service.get_sync(sync_id)
            self._defer_changed(sync, schedule_in={"seconds": _BUSY_RETRY_SECONDS})
            _log.info("sync %s changed while running elsewhere: queued again", sync_id)
        except StateError as exc:  # paused or disabled since the hook
            _log.info("sync %s changed but was not run: %s", sync_id, exc)
        return None
