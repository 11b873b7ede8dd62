"""Benchmark 7: the fleet. Many organizations, several worker processes, one PostgreSQL.

50 emulated Zoho organizations (``OrganizationsServer``: each its own Invoice and
Campaigns account) answer over real HTTP on the loopback, Campaigns in 50 ms a call. One
sync per organization is due; 1, 2 or 4 worker processes (what `fieldsync worker` runs:
``run_due`` until nothing is due) share one ``PostgresStore`` and send every contact.

- **Throughput**: contacts sent per second with 1, 2 and 4 processes. Goal: 4 processes at
  least 1.8x one.
- **CPU per contact sent**: the single worker's CPU time per contact (reading Invoice,
  planning, the store, pacing, the HTTP calls), against a bare httpx loop that posts the
  very same ``json/listsubscribe`` requests (recorded from fieldsync's run, replayed byte
  for byte, from a process of its own with the same number of threads). Reported here for
  small syncs, where each organization's first run (a token minted, both schemas read)
  weighs on a few dozen contacts; the goal (at most 1.3x) is judged by ``fleet-cpu``, on
  syncs of the size an account kept at its full rate sends.

The server runs in this process, so it shares the machine's cores with the workers: on a
2-core machine its work (answering every call) is part of the ceiling.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import psycopg
from psycopg import sql

from bench import _fleet_worker
from bench._harness import Metric, Result, stats
from fieldsync import SyncSpec
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import Sync
from fieldsync.testing.emulators.fleet import OrganizationsServer
from fieldsync.testing.fakes import FakeSource, FakeTarget
from fieldsync.zoho import ZohoOAuth

__all__ = ["FULL", "QUICK", "run"]

GOAL_SCALING = 1.8
GOAL_CPU = 1.3
QUICK = {"organizations": 50, "contacts": 20, "rounds": 1, "processes": (1, 2, 4)}
FULL = {"organizations": 50, "contacts": 60, "rounds": 3, "processes": (1, 2, 4)}
LATENCY = 0.05
_LOCAL = "postgresql://postgres@127.0.0.1:5432/test"  # the machine's server (make test's too)


def _schema(url: str) -> str:
    name = f"fs_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    return name


def _drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _due_syncs(url: str, schema: str, server: OrganizationsServer) -> None:
    """One active sync per organization, due now (as if initiated a schedule ago)."""
    import fieldsync as fs

    with fs.PostgresStore(url, schema=schema) as store:
        service = fs.SyncService(store=store)
        for org in server.orgs:
            # no I/O while creating syncs: stand-ins; the workers resolve the real adapters
            service.register_integration(org.name, source=FakeSource(), target=FakeTarget())
        mapping = fs.FieldMapping.of(
            ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
        )
        for org in server.orgs:
            sync: Sync = service.create_sync(
                org.name,
                SyncSpec(
                    name=org.name,
                    list_key=org.spec.lists["Newsletter"],
                    mapping=mapping,
                    schedule=fs.Schedule.every(hours=24),
                ),
            )
            sync.state, sync.next_run_at = SyncState.ACTIVE, sync.created_at
            store.save_sync(sync)


def _spawned(target: Callable[..., None], args: Sequence[Any]) -> tuple[Any, Callable[[], Any]]:
    spawn = multiprocessing.get_context("spawn")
    mine, theirs = spawn.Pipe()
    go = spawn.Event()
    process = spawn.Process(target=target, args=(*args, go, theirs))
    process.start()

    def result() -> Any:
        found = mine.recv()
        process.join()
        return found

    return go, result


def _record(server: OrganizationsServer) -> list[tuple[str, bytes]]:
    """Make every organization's Campaigns note the listsubscribe bodies it gets."""
    seen: list[tuple[str, bytes]] = []
    for org in server.orgs:
        handle = org.campaigns.handle_request

        def recording(request: httpx.Request, handle: Any = handle, name: str = org.name) -> Any:
            if request.url.path.endswith("/json/listsubscribe"):
                seen.append((name, request.read()))
            return handle(request)

        org.campaigns.handle_request = recording  # type: ignore[method-assign]
    return seen


def _fleet_round(url: str, organizations: int, contacts: int, processes: int) -> dict[str, Any]:
    schema = _schema(url)
    try:
        with OrganizationsServer(
            organizations=organizations, contacts=contacts, campaigns_latency=LATENCY
        ) as server:
            _due_syncs(url, schema, server)
            recorded = _record(server)
            started = [
                _spawned(_fleet_worker.worker, (url, schema, server.base_url, server.specs))
                for _ in range(processes)
            ]
            wall = _wall()
            for go, _ in started:
                go.set()
            found = [result() for _, result in started]
            elapsed = _wall() - wall
            sent = sum(f[0] for f in found)
            cpu = sum(f[1] for f in found)
            tokens = {org.name: _token(server, org.name) for org in server.orgs}
            calls = [(name, tokens[name], body) for name, body in recorded]
    finally:
        _drop(url, schema)
    return {"sent": sent, "elapsed": elapsed, "cpu": cpu, "calls": calls}


def _bare_round(
    organizations: int, contacts: int, calls: list[tuple[str, str, bytes]]
) -> dict[str, Any]:
    # The same organizations (same seeds: same tokens' clients) served again, fresh lists
    with OrganizationsServer(
        organizations=organizations, contacts=contacts, campaigns_latency=LATENCY
    ) as server:
        tokens = {org.name: _token(server, org.name) for org in server.orgs}
        keys = {org.name: org.spec.lists["Newsletter"] for org in server.orgs}
        replay = [(name, tokens[name], _relist(body, keys[name])) for name, _, body in calls]
        go, result = _spawned(_fleet_worker.bare_loop, (server.base_url, replay))
        go.set()
        answered, cpu, elapsed = result()
    return {"answered": answered, "cpu": cpu, "elapsed": elapsed}


def _relist(body: bytes, list_key: str) -> bytes:
    """A recorded form body aimed at ``list_key`` (list keys differ between servers)."""
    form = httpx.QueryParams(body.decode("ascii"))
    return str(form.set("listkey", list_key)).encode("ascii")


def _token(server: OrganizationsServer, name: str) -> str:
    spec = next(org.spec for org in server.orgs if org.name == name)
    auth = ZohoOAuth(
        client_id=spec.client_id,
        client_secret=spec.client_secret,
        refresh_token=spec.refresh_token,
        accounts_url=server.urls(name)["accounts_url"],
    )
    try:
        return auth.access_token()
    finally:
        auth.close()


def _wall() -> float:
    import time

    return time.perf_counter()


def run(
    *,
    organizations: int,
    contacts: int,
    rounds: int,
    processes: Sequence[int] = (1, 2, 4),
    url: str | None = None,
) -> Result:
    """Throughput with each number of ``processes``, and CPU per contact against the bare
    loop, ``rounds`` times each, on the PostgreSQL server at ``url`` (in a schema of its
    own, dropped after; ``FIELDSYNC_TEST_POSTGRES`` or the local server by default)."""
    url = url or os.environ.get("FIELDSYNC_TEST_POSTGRES") or _LOCAL
    rates: dict[int, list[float]] = {n: [] for n in processes}
    cpu_fs: list[float] = []
    cpu_bare: list[float] = []
    sent = 0
    for _ in range(rounds):
        for n in processes:
            found = _fleet_round(url, organizations, contacts, n)
            sent = found["sent"]
            rates[n].append(found["sent"] / found["elapsed"])
            if n == processes[0]:
                cpu_fs.append(found["cpu"] / max(1, found["sent"]))
                bare = _bare_round(organizations, contacts, found["calls"])
                cpu_bare.append(bare["cpu"] / max(1, bare["answered"]))
    first, last = processes[0], processes[-1]
    speedup = stats(rates[last]).median / stats(rates[first]).median
    cpu_ratio = stats(cpu_fs).median / stats(cpu_bare).median
    metrics = (
        *(
            Metric.of(f"contacts/s, {n} process(es)", stats(rates[n]), "contacts/s")
            for n in processes
        ),
        Metric(f"speed-up, {last} processes over {first}", speedup, "x"),
        Metric.of("CPU per contact, fieldsync", stats(cpu_fs), "ms", scale=1000.0),
        Metric.of("CPU per contact, bare httpx loop", stats(cpu_bare), "ms", scale=1000.0),
        Metric("CPU ratio", cpu_ratio, "x"),
        Metric("contacts sent per round", sent, "contacts"),
    )
    per_run = sent / organizations
    return Result(
        key="fleet",
        title=f"Fleet: {organizations} organizations, {LATENCY * 1000:.0f} ms Campaigns latency",
        goal=f"{last} processes >= {GOAL_SCALING}x one (the CPU goal: `fleet-cpu`)",
        headline=(
            f"{speedup:.2f}x with {last} processes; CPU {cpu_ratio:.2f}x the bare loop "
            f"at {per_run:.0f} contacts a run"
        ),
        met=speedup >= GOAL_SCALING,
        metrics=metrics,
        notes=(
            "Workers run `run_due` on one PostgresStore; the emulators answer in this process "
            "and share its cores.",
            "CPU per contact: the whole sync's CPU in the worker (source reads, planning, "
            "store, pacing, HTTP) over contacts sent; the bare loop replays the recorded "
            "listsubscribe requests with as many threads.",
            f"About {per_run:.0f} contacts sent a run, each run its organization's first: a "
            "token minted and both schemas read weigh on a few dozen contacts. The CPU goal "
            f"(<= {GOAL_CPU}x) is judged on large syncs by `fleet-cpu`.",
        ),
        params={"organizations": organizations, "contacts": contacts, "rounds": rounds},
    )
