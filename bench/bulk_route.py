"""Benchmark: an email-only sync through ``addlistsubscribersinbulk`` beside ``listsubscribe``.

What a new user does: a sync that maps only the email, initiated on an Invoice
organization of ``n`` generated contacts (about 10 % without a usable address), through
``SyncService.initiate`` on a ``SQLiteStore`` file, against the Accounts, Invoice and
Campaigns emulators at Zoho's real limits (listsubscribe: 500 a minute, 12,500 an hour,
75,000 a day; addlistsubscribersinbulk: 2,000 calls a minute, 10 addresses a call) with
200 ms per call, on a :class:`~fieldsync.testing.ScaledClock` running ``factor`` times
faster than real time so that the target's threads and pacer really run. Durations are
given back in unscaled seconds.

- bulk route: the target as it comes (it offers the route; the service takes it).
- listsubscribe path: the same target with the route switched off (``bulk_limits=None``):
  one call per contact, as every sync before the route.

Goal (issue 21): 1,500 contacts in at most 160 Campaigns calls and under 20 s, 0 lockouts.
Beside it, what :func:`fieldsync.estimate_run` says for 200,000 contacts on each route.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import httpx

from bench._harness import Metric, Result, stats
from fieldsync import FieldMapping, SQLiteStore, SyncService, SyncSpec, estimate_run
from fieldsync.testing import ScaledClock
from fieldsync.testing.emulators import EmulatedZoho
from fieldsync.zoho.campaigns import DEFAULT_BULK_LIMITS, DEFAULT_LIMITS, ZohoCampaignsTarget

__all__ = ["FULL", "GOAL_CALLS", "GOAL_SECONDS", "QUICK", "run"]

GOAL_CALLS = 160
GOAL_SECONDS = 20.0
LATENCY = 0.2  # seconds per call, unscaled
BULK = "POST addlistsubscribersinbulk"
SUBSCRIBE = "POST json/listsubscribe"
QUICK = {"n": 1_500, "rounds": 3, "factor": 5.0}
FULL = {"n": 1_500, "rounds": 5, "factor": 5.0}
_LONG_RUN = 200_000


def _round(n: int, factor: float, *, bulk: bool, workdir: Path) -> dict[str, float]:
    clock = ScaledClock(factor, time.time())
    with (
        EmulatedZoho.build(
            contacts=n,
            seed=21,
            clock=clock,
            invoice_latency=LATENCY,
            campaigns_latency=LATENCY,
            concurrency=4,
        ) as zoho,
        SQLiteStore(workdir / f"bulk-{bulk}-{time.monotonic_ns()}.db") as store,
    ):
        target = zoho.target
        if not bulk:
            target = ZohoCampaignsTarget(
                zoho.auth,
                client=httpx.Client(transport=zoho.campaigns),
                clock=clock,
                concurrency=4,
                bulk_limits=None,
            )
        service = SyncService(store=store, clock=clock)
        service.register_integration("zoho", source=zoho.source, target=target)
        mapping = FieldMapping.of(("email", "Contact Email"))
        sync = service.create_sync(
            "zoho", SyncSpec(name="New user", list_key=zoho.list_key, mapping=mapping)
        )
        started = clock.now()
        run = service.initiate(sync.id)
        seconds = (clock.now() - started).total_seconds()
        calls = zoho.campaigns.calls
        return {
            "seconds": seconds,
            "campaigns_calls": sum(calls.values()),
            "write_calls": calls[BULK] if bulk else calls[SUBSCRIBE],
            "lockouts": zoho.campaigns.windows.lockouts,
            "added": run.added,
            "total": run.total,
            "status_ok": float(run.status.value == "completed"),
        }


def run(*, n: int, rounds: int, factor: float) -> Result:
    """Both routes, rounds alternating.

    Args:
        n: contacts in the Invoice organization.
        rounds: rounds of each.
        factor: how much faster than real time the clock runs.
    """
    found: dict[str, list[dict[str, float]]] = {"bulk": [], "listsubscribe": []}
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-bulk-") as tmp:
        for _ in range(rounds):
            found["bulk"].append(_round(n, factor, bulk=True, workdir=Path(tmp)))
            found["listsubscribe"].append(_round(n, factor, bulk=False, workdir=Path(tmp)))
    bulk, single = found["bulk"], found["listsubscribe"]
    bulk_seconds = stats([r["seconds"] for r in bulk])
    single_seconds = stats([r["seconds"] for r in single])
    bulk_calls = max(r["campaigns_calls"] for r in bulk)
    lockouts = max(r["lockouts"] for r in (*bulk, *single))
    speedup = single_seconds.median / bulk_seconds.median if bulk_seconds.median else float("inf")
    long_single = estimate_run(_LONG_RUN, DEFAULT_LIMITS)
    long_bulk = estimate_run(_LONG_RUN, DEFAULT_BULK_LIMITS)
    metrics = (
        Metric.of("bulk route: run duration", bulk_seconds, "s"),
        Metric("bulk route: Campaigns calls (all endpoints)", bulk_calls, "calls"),
        Metric("bulk route: addlistsubscribersinbulk calls", bulk[-1]["write_calls"], "calls"),
        Metric("bulk route: lockouts", max(r["lockouts"] for r in bulk), "lockouts"),
        Metric.of("listsubscribe path: run duration", single_seconds, "s"),
        Metric(
            "listsubscribe path: Campaigns calls (all endpoints)",
            max(r["campaigns_calls"] for r in single),
            "calls",
        ),
        Metric("listsubscribe path: listsubscribe calls", single[-1]["write_calls"], "calls"),
        Metric("listsubscribe path: lockouts", max(r["lockouts"] for r in single), "lockouts"),
        Metric("speed-up (listsubscribe / bulk)", speedup, "x"),
        Metric("contacts added (each route)", bulk[-1]["added"], "contacts"),
        Metric(f"estimate, {_LONG_RUN:,} contacts, listsubscribe", long_single.seconds / 3600, "h"),
        Metric(f"estimate, {_LONG_RUN:,} contacts, bulk route", long_bulk.seconds / 3600, "h"),
    )
    met = (
        bulk_calls <= GOAL_CALLS
        and bulk_seconds.high < GOAL_SECONDS
        and lockouts == 0
        and all(r["status_ok"] for r in (*bulk, *single))
    )
    notes = (
        f"{n:,} Invoice contacts (seed 21), {bulk[-1]['total']:.0f} read; mapping: the email "
        "only; `SyncService.initiate` on a SQLiteStore file; emulators at Zoho's limits with "
        f"{LATENCY * 1000:.0f} ms a call, 4 Campaigns calls in flight; ScaledClock x{factor:g} "
        "(durations in unscaled seconds). Campaigns calls count every endpoint (field list, "
        "mailing lists, writes).",
        "The listsubscribe path is the same target with `bulk_limits=None`: one call per "
        "contact; its duration is set by the 500-a-minute window (the 3 % pacing margin "
        "included).",
        f"Long runs (estimate_run, margin 3 %): {long_single} through listsubscribe; "
        f"{long_bulk} through the bulk route (email-only syncs).",
    )
    return Result(
        key="bulk",
        title="Email-only sync: bulk route beside listsubscribe",
        goal=f"{n:,} contacts in <= {GOAL_CALLS} calls and < {GOAL_SECONDS:g} s, 0 lockouts",
        headline=(
            f"bulk {bulk_seconds.median:.1f} s / {bulk_calls:.0f} calls vs listsubscribe "
            f"{single_seconds.median:.0f} s / {single[-1]['campaigns_calls']:.0f} calls "
            f"({speedup:.1f}x), {lockouts:.0f} lockouts"
        ),
        met=met,
        metrics=metrics,
        notes=notes,
        params={"n": n, "rounds": rounds, "factor": factor},
    )
