"""Benchmark: how long an Invoice edit takes to reach the Campaigns list in immediate mode.

The Invoice, Campaigns and Accounts emulators answer each call in 200 ms, in real time (no
scaling: the debounce window, the runs and the HTTP are all real). A ``SyncService`` on a
``SQLiteStore`` has one initiated sync; the webhook receiver (``fieldsync.web.webhooks``,
its default 5 s debounce window) is served by uvicorn on the loopback, as ``fieldsync
worker --listen`` serves it. Then contacts are edited in Invoice (each edit a new first
name of a different contact), each edit followed by the hook Zoho's workflow rule would
post: edits at random times, and bursts of 30 edits within 3 s.

Measured, per edit: from the edit to the moment the Campaigns emulator answered the
``listsubscribe`` call carrying the new name. Counted: the ``listsubscribe`` calls (goal:
one per edited contact, none more) and the Invoice contact-list reads (goal: one
incremental read per run, the runs at least a debounce window apart).

Beside it, the scheduled mode's latency on the same edits: a change waits for the next
scheduled run, on average half the schedule's period (computed, not run: an hour-long
benchmark would only confirm the arithmetic).

Goal: median at most 10 s, 99th percentile at most 30 s, no extra call.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import httpx
import uvicorn

from bench._harness import Metric, Result, stats
from fieldsync import FieldMapping, SyncService, SyncSpec
from fieldsync.clock import SystemClock
from fieldsync.stores import SQLiteStore
from fieldsync.testing.emulators import (
    AccountsEmulator,
    CampaignsEmulator,
    InvoiceEmulator,
    generate_organization,
)
from fieldsync.web import webhooks
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

__all__ = ["DEBOUNCE", "FULL", "GOAL_MEDIAN", "GOAL_P99", "QUICK", "run"]

GOAL_MEDIAN = 10.0  # seconds
GOAL_P99 = 30.0
LATENCY = 0.2  # seconds a call, every emulator
BURST = 30  # edits in a burst, within BURST_SECONDS
BURST_SECONDS = 3.0
QUICK = {"seconds": 30.0, "scattered": 20, "bursts": 1, "rounds": 1}
FULL = {"seconds": 120.0, "scattered": 80, "bursts": 2, "rounds": 3}
DEBOUNCE = 5.0  # seconds: the receiver's default window
_SECRET = "bench-hook-secret"
_CLIENT = ("1000.BENCHCLIENT", "bench-client-secret", "1000.bench-refresh")
_MAPPING = FieldMapping.of(
    ("email", "Contact Email"), ("first_name", "First Name"), ("last_name", "Last Name")
)


class _Recorder(httpx.BaseTransport):
    """Passes each request to an emulator and notes what it was and when it was answered."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[float, str, httpx.QueryParams]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        # the query, or the form of a POST (listsubscribe sends its contact there)
        params = request.url.params.merge(httpx.QueryParams(request.content.decode()))
        with self._lock:
            self.calls.append((time.perf_counter(), request.url.path, params))
        return response

    def times(self, path_end: str) -> list[float]:
        """When the calls to a path ending so were answered."""
        return [t for t, path, _ in self.calls if path.endswith(path_end)]


@attrs.define
class _World:
    invoice: InvoiceEmulator
    invoice_calls: _Recorder
    campaigns_calls: _Recorder
    service: SyncService
    sync_id: str
    contact_ids: list[str]


@contextmanager
def _world(contacts: int, workdir: Path) -> Iterator[_World]:
    clock = SystemClock()
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client(*_CLIENT)
    organization = generate_organization(
        contacts,
        seed=5,
        missing_email_rate=0,
        invalid_email_rate=0,
        group_email_rate=0,
        duplicate_email_rate=0,
        inactive_rate=0,
        vendor_rate=0,
    )
    invoice = InvoiceEmulator(
        accounts=accounts, clock=clock, organization=organization, latency=LATENCY, daily_cap=None
    )
    campaigns = CampaignsEmulator(accounts=accounts, clock=clock, latency=LATENCY)
    list_key = campaigns.create_list("Immediate")
    invoice_calls, campaigns_calls = _Recorder(invoice), _Recorder(campaigns)
    clients = [httpx.Client(transport=t) for t in (accounts, invoice_calls, campaigns_calls)]
    with SQLiteStore(workdir / f"immediate-{time.monotonic_ns()}.db") as store:
        client_id, secret, refresh = _CLIENT
        auth = ZohoOAuth(
            client_id=client_id,
            client_secret=secret,
            refresh_token=refresh,
            client=clients[0],
            clock=clock,
            ledger=store,
            token_cache=store,
        )
        service = SyncService(store=store, clock=clock)
        service.register_integration(
            "zoho-invoice",
            source=ZohoInvoiceSource(
                auth, organization_id=organization.organization_id, client=clients[1], clock=clock
            ),
            target=ZohoCampaignsTarget(auth, client=clients[2], clock=clock, concurrency=4),
        )
        sync = service.create_sync(
            "zoho-invoice", SyncSpec(name="Invoice customers", list_key=list_key, mapping=_MAPPING)
        )
        service.initiate(sync.id)
        ids = [str(row["contact_id"]) for row in invoice.contacts()]
        try:
            yield _World(invoice, invoice_calls, campaigns_calls, service, sync.id, ids)
        finally:
            service.close()
            for client in clients:
                client.close()


@contextmanager
def _served(app: Any) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _edit_times(seconds: float, scattered: int, bursts: int, rng: random.Random) -> list[float]:
    """When the edits happen, from the start: scattered at random, and in bursts."""
    times = [rng.uniform(0, seconds) for _ in range(scattered)]
    for b in range(bursts):
        start = seconds * (b + 1) / (bursts + 1)
        times += [start + rng.uniform(0, BURST_SECONDS) for _ in range(BURST)]
    return sorted(times)


def _one_round(
    seconds: float, scattered: int, bursts: int, window: float, seed: int, workdir: Path
) -> dict[str, Any]:
    rng = random.Random(seed)
    plan = _edit_times(seconds, scattered, bursts, rng)
    with _world(len(plan) + 10, workdir) as world:
        app = webhooks(
            world.service, secrets={"zoho-invoice": _SECRET}, debounce=timedelta(seconds=window)
        )
        edited = rng.sample(world.contact_ids, len(plan))
        reads_before = len(world.invoice_calls.times("/contacts"))
        sends_before = len(world.campaigns_calls.times("json/listsubscribe"))
        other_before = len(world.campaigns_calls.calls) - sends_before
        edits: dict[str, float] = {}  # new first name -> when it was made
        with _served(app) as url, httpx.Client(base_url=url, timeout=10) as hooks:
            start = time.perf_counter()
            for n, (at, contact_id) in enumerate(zip(plan, edited, strict=True)):
                time.sleep(max(0.0, start + at - time.perf_counter()))
                name = f"Edited{n}"
                edits[name] = time.perf_counter()
                world.invoice.update_contact(contact_id, first_name=name)
                answer = hooks.post(
                    "/hooks/zoho-invoice",
                    headers={"X-Fieldsync-Token": _SECRET, "Content-Type": "application/json"},
                    content=b'{"contact_id": "%s"}' % contact_id.encode(),
                )
                answer.raise_for_status()
            deadline = time.perf_counter() + 120
            while len(_arrivals(world.campaigns_calls)) < len(edits):
                if time.perf_counter() > deadline:
                    break
                time.sleep(0.1)
            assert app.state.hooks.wait(60)
            app.state.hooks.close()
        arrived = _arrivals(world.campaigns_calls)
        latencies = [arrived[name] - made for name, made in edits.items() if name in arrived]
        reads = world.invoice_calls.times("/contacts")[reads_before:]
        runs = [r for r in world.service.history(world.sync_id) if r.trigger.value == "manual"]
        sends = len(world.campaigns_calls.times("json/listsubscribe")) - sends_before
        others = len(world.campaigns_calls.calls) - sends_before - sends - other_before
        starts = sorted(r.started_at for r in runs)
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
        return {
            "edits": len(edits),
            "reached": len(latencies),
            "latencies": latencies,
            "sends": sends,
            "reads": len(reads),
            "runs": len(runs),
            "others": others,
            "min_gap": min(gaps, default=float("nan")),
            "window": app.state.hooks.window.total_seconds(),
        }


def _arrivals(recorder: _Recorder) -> dict[str, float]:
    """New first name -> when the listsubscribe carrying it was answered."""
    found: dict[str, float] = {}
    for t, path, params in list(recorder.calls):
        if path.endswith("json/listsubscribe"):
            name = json.loads(params.get("contactinfo", "{}")).get("First Name", "")
            if name.startswith("Edited"):
                found.setdefault(name, t)
    return found


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(
    *, seconds: float, scattered: int, bursts: int, rounds: int, window: float = DEBOUNCE
) -> Result:
    """Edit Invoice contacts for ``seconds`` (``scattered`` edits at random times and
    ``bursts`` bursts of 30) with a hook after each; ``rounds`` times, the edits pooled.
    ``window``: the receiver's debounce window, in seconds (its default)."""
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            found.append(_one_round(seconds, scattered, bursts, window, seed=r, workdir=Path(tmp)))
    latencies = [value for f in found for value in f["latencies"]]
    edits = sum(f["edits"] for f in found)
    reached = sum(f["reached"] for f in found)
    sends, reads = sum(f["sends"] for f in found), sum(f["reads"] for f in found)
    runs = sum(f["runs"] for f in found)
    checks = sum(f["others"] for f in found)
    window = found[0]["window"]
    min_gap = min(f["min_gap"] for f in found)
    median = statistics.median(latencies) if latencies else float("inf")
    p99 = _percentile(latencies, 0.99) if latencies else float("inf")
    per_round = stats([statistics.median(f["latencies"]) for f in found if f["latencies"]])
    met = (
        reached == edits
        and median <= GOAL_MEDIAN
        and p99 <= GOAL_P99
        and sends == edits
        and reads == runs
        and checks == runs
    )
    metrics = (
        Metric("edit to list, median (immediate)", median, "s"),
        Metric("edit to list, 99th percentile (immediate)", p99, "s"),
        Metric("edit to list, slowest (immediate)", max(latencies, default=float("nan")), "s"),
        Metric.of("median of each round", per_round, "s"),
        Metric("edit to list, median (scheduled hourly, computed)", 1800, "s"),
        Metric("edit to list, median (scheduled daily, computed)", 43_200, "s"),
        Metric("edits", edits, "edits"),
        Metric("edits that reached the list", reached, "edits"),
        Metric("listsubscribe calls", sends, "calls"),
        Metric("Campaigns field-list reads (each run's mapping check)", checks, "calls"),
        Metric("runs started by hooks", runs, "runs"),
        Metric("Invoice contact-list reads", reads, "calls"),
        Metric("shortest time between two runs' starts", min_gap, "s"),
    )
    notes = (
        f"{edits} edits over {rounds} round(s) of {seconds:g} s: {scattered} at random times "
        f"and {bursts} burst(s) of {BURST} within {BURST_SECONDS:g} s per round, each edit a "
        "different contact, each followed by its hook over loopback HTTP.",
        f"Emulators answer in {LATENCY * 1000:.0f} ms a call, real time; debounce window "
        f"{window:g} s (the default); Campaigns concurrency 4.",
        "No extra call: one listsubscribe per edited contact; per run, one incremental "
        "Invoice read and the Campaigns field list every run reads to check the mapping "
        f"still fits (scheduled runs too); runs at least the {window:g} s window apart.",
        "Scheduled: a change waits for the next run, on average half the period (1 h is the "
        "shortest `Schedule.every`; daily is the default), plus the run itself.",
    )
    return Result(
        key="immediate",
        title="Immediate mode: Invoice edit to Campaigns list",
        goal=f"median <= {GOAL_MEDIAN:g} s, p99 <= {GOAL_P99:g} s, no extra call",
        headline=(
            f"median {median:.1f} s, p99 {p99:.1f} s over {edits} edits ({runs} runs, "
            f"{sends} listsubscribe for {edits} edits, {reads} reads); scheduled hourly: "
            "30 min median"
        ),
        met=met,
        metrics=metrics,
        notes=notes,
        params={"seconds": seconds, "scattered": scattered, "bursts": bursts, "rounds": rounds},
    )
