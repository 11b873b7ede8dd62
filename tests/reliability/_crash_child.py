"""The child-process side of the crash and concurrency suites.

A run happens in a forked child on a shared store (an SQLite file, or a schema of the
PostgreSQL test server: :class:`PgLocation`) and a :class:`FileTarget` (a mailing list in
its own SQLite file, so that what was written survives the child). A
:class:`KillPlan` makes the child SIGKILL itself at a chosen point: after the n-th contact
write (mid-batch), at the n-th SQL statement of a batch commit (mid-commit), after the n-th
committed batch (between batches) or at the n-th source page. Forking (not spawning) keeps
a child cheap: it inherits the imported modules.
"""

from __future__ import annotations

import enum
import json
import os
import signal
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

from fieldsync import SyncSpec
from fieldsync.domain.emails import email_key, is_valid_email
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    BatchCommit,
    Capacity,
    OutcomeKind,
    SourcePage,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import SyncRun
from fieldsync.events import BatchCommitted, RunEvent
from fieldsync.exceptions import SyncAlreadyRunningError
from fieldsync.ports import SyncStore
from fieldsync.service import SyncService
from fieldsync.stores.sqlite import SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
LIST = "customers"
INTEGRATION = "files"
CONTACTS = 200
PAGE_SIZE = 25
MAX_BATCH = 10
LEASE_TTL = timedelta(minutes=10)
KILLED = -signal.SIGKILL  # what Popen/waitstatus_to_exitcode report for SIGKILL


def people(
    count: int = CONTACTS, *, modified: datetime | None = None
) -> list[tuple[str, dict[str, object], datetime]]:
    """The source records every process builds alike: valid, invalid, missing and
    duplicate (differently cased) emails among them."""
    rows = []
    for i in range(count):
        if i % 23 == 5:
            email: object = f"broken{i}.example.com"
        elif i % 29 == 7:
            email = None
        elif i % 19 == 3 and i > 19:
            email = f"PERSON{i - 19}@Example.com"  # the same contact as an earlier record
        else:
            email = f"person{i}@example.com"
        values = {"email": email, "first_name": f"Name {i}"}
        rows.append((f"k{i:04d}", values, modified or START - timedelta(minutes=i)))
    return rows


def make_source(clock: FakeClock, *, modified: datetime | None = None) -> FakeSource:
    """The shared source, rebuilt identically in every process."""
    source = FakeSource(clock=clock, page_size=PAGE_SIZE)
    for key, values, at in people(modified=modified):
        source.put(key, values, modified_at=at)
    return source


class KillPoint(enum.Enum):
    """Where a child kills itself."""

    WRITE = "after the n-th contact write (mid-batch, the answer lost)"
    COMMIT = "at the n-th SQL statement of batch commits (mid-commit)"
    BATCH = "after the n-th committed batch (between batches)"
    PAGE = "when the n-th source page is read"


@attrs.frozen
class KillPlan:
    """Kill the process at the ``n``-th event of kind ``point`` (1-based)."""

    point: KillPoint
    n: int


class Tripwire:
    """Counts events and SIGKILLs the process at the planned one."""

    def __init__(self, plan: KillPlan | None) -> None:
        self.plan = plan
        self.counts: dict[KillPoint, int] = dict.fromkeys(KillPoint, 0)

    def event(self, point: KillPoint) -> None:
        """Count an event; die when it is the planned one."""
        self.counts[point] += 1
        if self.plan is not None and self.plan.point is point and self.counts[point] == self.plan.n:
            os.kill(os.getpid(), signal.SIGKILL)


class FileTarget:
    """A mailing list in an SQLite file: each contact write commits on its own, like a
    call to a real API. Invalid addresses are skipped. Every upsert is logged as
    ``(pid, enter_ns, exit_ns)`` (see :meth:`calls`). Implements the Target port.

    Args:
        path: the list's file (created when missing).
        tripwire: told of every contact write.
    """

    def __init__(
        self,
        path: Path,
        tripwire: Tripwire | None = None,
    ) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        self._conn.execute("PRAGMA journal_mode = WAL")
        # A killed process loses nothing the OS has been handed; fsync only guards against
        # power loss, which this suite does not simulate (and it costs a second a run).
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS contacts (email_key TEXT PRIMARY KEY, email TEXT,"
            " list TEXT, data TEXT)"
        )
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS calls (pid INTEGER, enter_ns INTEGER, exit_ns INTEGER)"
        )
        self._tripwire = tripwire or Tripwire(None)
        self._schema = Schema.of(Field("Contact Email", FieldType.EMAIL), Field("First Name"))

    def schema(self) -> Schema:
        return self._schema

    def create_field(self, field: Field) -> Field:
        raise NotImplementedError("the crash suite maps existing fields only")

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        enter = time.monotonic_ns()
        outcomes = [self._one(list_key, contact) for contact in contacts]
        self._conn.execute(
            "INSERT INTO calls VALUES (?, ?, ?)", (os.getpid(), enter, time.monotonic_ns())
        )
        return outcomes

    def _one(self, list_key: str, contact: TargetContact) -> UpsertOutcome:
        if not is_valid_email(contact.email):
            return UpsertOutcome(contact.key, OutcomeKind.SKIPPED, ReasonCode.INVALID_EMAIL, "bad")
        identity = email_key(contact.email)
        data = json.dumps(dict(contact.values), sort_keys=True, default=str)
        known = self._conn.execute(
            "SELECT 1 FROM contacts WHERE email_key = ?", (identity,)
        ).fetchone()
        self._conn.execute(
            "INSERT INTO contacts VALUES (?, ?, ?, ?) ON CONFLICT (email_key) DO UPDATE"
            " SET email = excluded.email, data = excluded.data",
            (identity, contact.email, list_key, data),
        )
        self._tripwire.event(KillPoint.WRITE)
        kind = OutcomeKind.UPDATED if known else OutcomeKind.ADDED
        return UpsertOutcome(contact.key, kind)

    def limits(self) -> TargetLimits:
        return TargetLimits(max_batch=MAX_BATCH)

    def capacity(self, list_key: str) -> Capacity | None:
        return None

    def describe_credentials(self) -> tuple[str, ...]:
        return ()

    def revoke(self) -> None:
        return None

    # -- inspection ---------------------------------------------------------------------

    def contents(self) -> dict[str, tuple[str, str]]:
        """email key -> (email as written, values as JSON)."""
        rows = self._conn.execute("SELECT email_key, email, data FROM contacts").fetchall()
        return {key: (email, data) for key, email, data in rows}

    def calls(self) -> list[tuple[int, int, int]]:
        """``(pid, enter_ns, exit_ns)`` of every completed upsert."""
        return list(self._conn.execute("SELECT pid, enter_ns, exit_ns FROM calls ORDER BY 2"))

    def close(self) -> None:
        self._conn.close()


class TrippingStore(SQLiteStore):
    """An SQLite store that tells a tripwire of every SQL statement run inside
    ``commit_batch``, so that a child can die in the middle of a batch's transaction."""

    def __init__(self, path: Path, tripwire: Tripwire) -> None:
        super().__init__(path)
        self._tripwire = tripwire
        self._committing = False
        # The store exposes no connection; the trace hook is test-only instrumentation.
        self._db._connection().set_trace_callback(self._statement)

    def _statement(self, _sql: str) -> None:
        if self._committing:
            self._tripwire.event(KillPoint.COMMIT)

    def commit_batch(self, batch: BatchCommit) -> None:
        self._committing = True
        try:
            super().commit_batch(batch)
        finally:
            self._committing = False


class TrippingPostgresStore:
    """Makes a PostgreSQL store tell a tripwire once per batch commit, inside the batch's
    transaction after its statements and before its COMMIT: a child killed there leaves
    the server a transaction to roll back (PostgreSQL has no per-statement hook)."""

    @staticmethod
    def open(where: PgLocation, tripwire: Tripwire) -> SyncStore:
        from fieldsync.stores.postgres import PostgresStore

        # the suites drive time with fake clocks: leases follow the callers' clocks
        store = PostgresStore(where.url, schema=where.schema, clock="caller", max_size=1)
        committing = [False]
        database = store._db
        transaction = database.transaction

        @contextmanager
        def tripping() -> Iterator[object]:
            with transaction() as conn:
                yield conn
                if committing[0]:
                    tripwire.event(KillPoint.COMMIT)

        commit_batch = store.commit_batch

        def commit(batch: BatchCommit) -> None:
            committing[0] = True
            try:
                commit_batch(batch)
            finally:
                committing[0] = False

        # test-only instrumentation, as the SQLite trace hook above
        database.transaction = tripping  # type: ignore[method-assign]
        store.commit_batch = commit  # type: ignore[method-assign]
        return store


@attrs.frozen
class PgLocation:
    """A store in a schema of the PostgreSQL test server."""

    url: str
    schema: str


@attrs.frozen
class Paths:
    """The files (or the PostgreSQL schema) a crash scenario shares between processes."""

    store: Path | PgLocation
    target: Path


def open_store(paths: Paths, tripwire: Tripwire | None = None) -> SyncStore:
    """The scenario's store, telling ``tripwire`` of what happens in batch commits."""
    wire = tripwire or Tripwire(None)
    if isinstance(paths.store, PgLocation):
        return TrippingPostgresStore.open(paths.store, wire)
    return TrippingStore(paths.store, wire)


def service_for(
    paths: Paths,
    *,
    minutes: float,
    tripwire: Tripwire,
    worker: str,
    target: FileTarget,
    modified: datetime | None = None,
    on_page: Callable[[], None] | None = None,
) -> tuple[SyncService, SyncStore]:
    """A service over the shared files, at ``START + minutes`` on a fake clock; the
    source's records were modified at ``modified`` (spread before START by default), and
    ``on_page`` is called at every page read."""
    clock = FakeClock(START + timedelta(minutes=minutes))
    store = open_store(paths, tripwire)
    service = SyncService(
        store=store,
        clock=clock,
        lease_ttl=LEASE_TTL,
        worker_id=worker,
        on_event=lambda event: (
            tripwire.event(KillPoint.BATCH) if isinstance(event, BatchCommitted) else None
        ),
    )
    source = make_source(clock, modified=modified)

    def page(_page: SourcePage) -> None:
        if on_page is not None:
            on_page()
        tripwire.event(KillPoint.PAGE)

    source.on_page = page
    service.register_integration(INTEGRATION, source=source, target=target)
    return service, store


def create_sync(paths: Paths, schedule: Schedule | None = None) -> str:
    """Create a sync (draft) in the store; return its id."""
    tripwire = Tripwire(None)
    target = FileTarget(paths.target)
    service, store = service_for(paths, minutes=0, tripwire=tripwire, worker="setup", target=target)
    sync = service.create_sync(
        INTEGRATION, SyncSpec(name="Crash", list_key=LIST, mapping=MAPPING, schedule=schedule)
    )
    store.close()
    target.close()
    return sync.id


def act(
    paths: Paths,
    sync_id: str,
    *,
    initiate: bool,
    minutes: float,
    plan: KillPlan | None,
    on_page: Callable[[], None] | None = None,
) -> tuple[SyncRun, dict[KillPoint, int]]:
    """Initiate or run the sync once in this process; return the run and the events."""
    tripwire = Tripwire(plan)
    target = FileTarget(paths.target, tripwire)
    service, store = service_for(
        paths,
        minutes=minutes,
        tripwire=tripwire,
        worker=f"pid{os.getpid()}",
        target=target,
        on_page=on_page,
    )
    try:
        run = service.initiate(sync_id) if initiate else service.run(sync_id)
    finally:
        store.close()
        target.close()
    return run, tripwire.counts


class Child:
    """``work`` running in a forked child process."""

    def __init__(self, work: Callable[[], object]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child never returns
            code = 0
            try:
                work()
            except BaseException:
                traceback.print_exc()
                code = 3
            finally:
                os._exit(code)

    def wait(self) -> int:
        """Wait for the child; its exit code (0 done, 3 raised, ``KILLED`` killed, or the
        code ``work`` passed to ``os._exit``)."""
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def in_child(work: Callable[[], object]) -> int:
    """Do ``work`` in a forked child and return its exit code (see :meth:`Child.wait`)."""
    return Child(work).wait()


class Attempt(enum.IntEnum):
    """How a contender's call ended, as its child's exit code."""

    RAN = 0
    BUSY = 10  # SyncAlreadyRunningError
    SKIPPED = 11  # run_due ran nothing


def attempt(paths: Paths, sync_id: str, *, minutes: float, due: bool) -> Attempt:
    """Call ``run`` (or ``run_due`` when ``due``) once for the sync."""
    target = FileTarget(paths.target)
    service, store = service_for(
        paths, minutes=minutes, tripwire=Tripwire(None), worker=f"pid{os.getpid()}", target=target
    )
    try:
        if due:
            ran = service.run_due(START + timedelta(days=1))
            return Attempt.RAN if ran else Attempt.SKIPPED
        try:
            service.run(sync_id)
        except SyncAlreadyRunningError:
            return Attempt.BUSY
        return Attempt.RAN
    finally:
        store.close()
        target.close()


def contend(
    paths: Paths, sync_ids: Sequence[str], *, iterations: int, start: int, results: Path
) -> None:
    """Wait for the start signal on the file descriptor ``start``, then call ``run`` for
    every sync and ``run_due`` by turns, ``iterations`` times, and append JSON lines to
    ``results``: ``{"call": outcome}`` per call, and ``{"sync": id, "span": [first, last]}``
    per run that ran: the monotonic nanoseconds of its first and last batch commit, between
    which it holds the sync's lease."""
    spans: dict[str, tuple[str, list[int]]] = {}
    target = FileTarget(paths.target)
    clock = FakeClock(START)
    store = open_store(paths)

    def progress(event: RunEvent) -> None:
        if isinstance(event, BatchCommitted):
            run = event.run
            spans.setdefault(run.id, (run.sync_id, []))[1].append(time.monotonic_ns())

    service = SyncService(
        store=store,
        clock=clock,
        lease_ttl=LEASE_TTL,
        worker_id=f"pid{os.getpid()}",
        on_event=progress,
    )
    # Modified in the future: every pass reads every record, so runs take a while.
    service.register_integration(
        INTEGRATION, source=make_source(clock, modified=START + timedelta(days=3650)), target=target
    )
    os.read(start, 1)
    lines: list[dict[str, object]] = []
    try:
        for i in range(iterations):
            for sync_id in sync_ids:
                try:
                    if i % 2:
                        ran = service.run_due(START + timedelta(days=1))
                        lines.append({"call": "ran" if ran else "skipped"})
                    else:
                        service.run(sync_id)
                        lines.append({"call": "ran"})
                except SyncAlreadyRunningError:
                    lines.append({"call": "busy"})
    finally:
        store.close()
        target.close()
        lines.extend({"sync": sync, "span": [ns[0], ns[-1]]} for sync, ns in spans.values())
        with results.open("a") as out:
            out.writelines(json.dumps(line) + "\n" for line in lines)
