"""The fleet under test: 20 emulated Zoho organizations behind one HTTP server, and the
worker processes (Procrastinate workers and the built-in ``run_due`` loop that `fieldsync
worker` runs) that sync them through one PostgreSQL store.

Time is scaled so that the test sees hours of schedule in seconds: every process (the
emulators in the parent, the workers) reads the same :class:`ScaledClock`, on which one
real second is twenty minutes. Rate windows, lockouts, token lifetimes, leases and schedules
all run on it; Procrastinate, which schedules by the real clock, is told how to map.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

import fieldsync as fs
from fieldsync.domain.emails import email_key, is_valid_email, normalize_email
from fieldsync.domain.records import RateWindow, TargetLimits
from fieldsync.stores.postgres import PostgresStore
from fieldsync.testing.clock import ScaledClock
from fieldsync.testing.emulators._campaigns_state import is_group_address
from fieldsync.testing.emulators.fleet import OrganizationSpec, OrganizationsServer

FACTOR = 1200.0  # scaled seconds per real second: an hour in three seconds
ORGS = 20  # the fleet; make test runs a smaller one (see test_fleet)
CONTACTS = 24
LEASE_TTL = timedelta(minutes=20)  # one real second
# Each Campaigns account takes 20 contacts a (scaled) minute: the syncs of one account must
# share it through the store's quota ledger, or the emulator locks them out.
LISTSUBSCRIBE = RateWindow(20, 60.0, 1800.0)
LIMITS = TargetLimits(max_batch=5, windows=(LISTSUBSCRIBE,))
MAPPING = fs.FieldMapping.of(
    ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
)
# The three syncs of every organization, each into its own list of the account.
SYNCS: dict[str, str] = {
    "all": 'status == "active"',
    "emea": 'status == "active" and Region == "EMEA"',
    "rest": 'status == "active" and Region != "EMEA"',
}


def real_time(clock: ScaledClock, at: datetime) -> datetime:
    """The real instant at which ``clock`` shows ``at`` (what Procrastinate schedules by)."""
    return datetime.fromtimestamp(
        clock.origin + (at.timestamp() - clock.origin) / clock.factor, UTC
    )


def org_name(i: int) -> str:
    return f"org{i:02d}"


class EmulatorFleet:
    """The organizations behind one loopback HTTP server, and the test's copy of their
    rows (changed along with the emulators' by :meth:`change`)."""

    def __init__(self, clock: ScaledClock, orgs: int = ORGS) -> None:
        self.server = OrganizationsServer(
            organizations=orgs,
            contacts=CONTACTS,
            clock=clock,
            lists=tuple(SYNCS),
            listsubscribe=(LISTSUBSCRIBE,),
        )
        self.orgs = self.server.orgs
        self.rows = [
            {str(row["contact_id"]): dict(row) for row in org.organization.contacts}
            for org in self.orgs
        ]
        self.base_url = self.server.base_url

    def __enter__(self) -> EmulatorFleet:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def change(self, i: int, contact_id: str, **fields: Any) -> None:
        """Change a contact in organization ``i`` (and in the test's copy of its rows)."""
        self.orgs[i].invoice.update_contact(contact_id, **fields)
        self.rows[i][contact_id].update(fields)


def _custom(row: Mapping[str, Any], label: str) -> object:
    return next((f.get("value") for f in row.get("custom_fields", []) if f["label"] == label), None)


def _key_of(row: Mapping[str, Any]) -> str | None:
    email = normalize_email(row.get("email"))
    if email is None or not is_valid_email(email) or is_group_address(email):
        return None
    return email_key(email)


def expected_list(rows: Mapping[str, Mapping[str, Any]], kind: str) -> dict[str, dict[str, str]]:
    """email key -> the names the list must hold for it, computed without fieldsync.

    Names are given only for an email no other row of the organization has: a Campaigns
    contact's fields belong to the account, shared by its lists, so a duplicated email
    shows whichever sync wrote it last (and, within a sync, the first row read)."""
    owners: dict[str, int] = defaultdict(int)
    for row in rows.values():
        key = _key_of(row)
        if key is not None:
            owners[key] += 1
    wanted: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows.values():
        if row.get("contact_type") != "customer" or row.get("status") != "active":
            continue
        region = _custom(row, "Region")
        if (kind == "emea" and region != "EMEA") or (kind == "rest" and region == "EMEA"):
            continue
        key = _key_of(row)
        if key is not None:
            wanted[key].append(row)
    return {
        key: (
            {
                "First Name": (found[0].get("first_name") or "").strip(),
                "Last Name": (found[0].get("last_name") or "").strip(),
            }
            if owners[key] == 1
            else {}
        )
        for key, found in wanted.items()
    }


# -- the workers (each in a spawned process) ------------------------------------------------


def _resolver(
    base_url: str, specs: list[OrganizationSpec], clock: ScaledClock, store: PostgresStore
) -> Callable[[str], Any]:
    by_name = {spec.name: spec for spec in specs}

    def resolve(name: str) -> fs.Integration | None:
        spec = by_name.get(name)
        if spec is None:
            return None
        # one connection per request: the emulator server keeps no idle sockets around
        client = httpx.Client(timeout=30.0, limits=httpx.Limits(max_keepalive_connections=0))
        return spec.integration(
            base_url, client=client, store=store, clock=clock, limits=LIMITS, concurrency=2
        )

    return resolve


def make_service(
    url: str, schema: str, base: tuple[str, list[OrganizationSpec]], clock: ScaledClock, name: str
) -> fs.SyncService:
    # The store follows the callers' clock: the scaled one every process shares (the
    # database's clock runs at the real rate, which is not the fleet's).
    store = PostgresStore(url, schema=schema, clock="caller", max_size=4)
    return fs.SyncService(
        store=store,
        clock=clock,
        lease_ttl=LEASE_TTL,
        worker_id=name,
        resolver=_resolver(base[0], base[1], clock, store),
    )


def builtin_worker(
    url: str,
    schema: str,
    base: tuple[str, list[OrganizationSpec]],
    clock: ScaledClock,
    name: str,
    until: float,
) -> None:
    """What `fieldsync worker` does (run the due syncs, again and again), until ``until``
    (real time)."""
    service = make_service(url, schema, base, clock, name)
    while time.time() < until:
        service.run_due()
        time.sleep(0.05)


def procrastinate_worker(
    url: str,
    schema: str,
    base: tuple[str, list[OrganizationSpec]],
    clock: ScaledClock,
    name: str,
    until: float,
) -> None:
    """A Procrastinate worker running fieldsync's tasks until ``until`` (real time)."""
    import procrastinate

    from fieldsync.procrastinate import SyncTasks

    service = make_service(url, schema, base, clock, name)
    tasks = SyncTasks(
        lambda: service,
        max_run_duration=timedelta(minutes=3),  # scaled: slices of 0.15 real seconds
        cron="* * * * * *",  # every (real) second
        queue_time=functools.partial(real_time, clock),
        stalled_after=3.0,  # real seconds without a heartbeat: a killed worker's jobs fail
    )
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=url, kwargs={"options": f"-c search_path={schema}"}
        )
    )
    app.add_tasks_from(tasks.blueprint, namespace="fieldsync")
    timer = threading.Timer(max(0.0, until - time.time()), os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    app.run_worker(
        concurrency=2, name=name, fetch_job_polling_interval=0.1, update_heartbeat_interval=0.5
    )
    timer.cancel()
