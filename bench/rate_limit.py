"""Benchmark 3: how much of Zoho Campaigns' rate limit fieldsync uses, without a lockout.

Contacts go through ``ZohoCampaignsTarget.upsert`` (batches of its ``max_batch``, as the
service sends them) into the ``CampaignsEmulator`` with 200 ms latency per call, in real
time with every period, lockout, wait limit and the latency divided by ``factor``
(``bench/_campaigns_rig.py``), so the target's threads and pacer really run. Figures are
given back in unscaled units (calls per real minute).

- fieldsync: its sustained rate (500 over the mean time any 500 consecutive calls took)
  as a fraction of the documented 500 calls a minute, and the lockouts (0).
- sequential client: one call at a time, no pacing: bound by the latency.
- unpaced concurrent client: as many threads as fieldsync uses, no pacing: it trips the
  lockout; its refused calls are counted.

Goal: at least 95 % of 500 calls a minute, zero lockouts.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from bench._campaigns_rig import LATENCY, Rig, naive_client
from bench._harness import Metric, Result, stats
from fieldsync.domain.records import TargetContact, TargetLimits
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.zoho.campaigns import ZohoCampaignsTarget

__all__ = ["FULL", "GOAL", "QUICK", "run"]

GOAL = 0.95
DOCUMENTED = 500  # calls a minute
QUICK = {"n": 3_000, "rounds": 3, "factor": 20.0}
FULL = {"n": 20_000, "rounds": 5, "factor": 20.0}


def _contacts(n: int) -> list[TargetContact]:
    return [
        TargetContact(str(i), f"person{i}@example.com", {"First Name": f"Person {i}"})
        for i in range(n)
    ]


def _fieldsync_round(
    contacts: Sequence[TargetContact], factor: float, concurrency: int
) -> dict[str, float]:
    rig = Rig(factor=factor)
    limits = TargetLimits(max_batch=50, windows=rig.windows)
    target = ZohoCampaignsTarget(
        rig.auth(),
        client=rig.http(),
        base_url="https://campaigns.zoho.com/api/v1.1",
        clock=rig.clock,
        concurrency=concurrency,
        max_wait=900.0 / factor,
        limits=limits,
    )
    target.schema()  # the token and the field list, outside the timing
    rig.arrivals.times.clear()
    deferred = 0
    start = time.perf_counter()
    for first in range(0, len(contacts), limits.max_batch):
        batch = contacts[first : first + limits.max_batch]
        try:
            target.upsert(rig.list_key, batch)
        except QuotaExhaustedError:
            deferred = len(contacts) - first
            break
    elapsed = time.perf_counter() - start
    times = sorted(rig.arrivals.times)
    limit = limits.windows[0].limit
    if len(times) > limit:
        # How long `limit` consecutive calls took, on average: a client at the window's
        # limit takes exactly one period; the burst at the start does not count.
        spans = [times[k + limit] - times[k] for k in range(len(times) - limit)]
        sustained = limit / (sum(spans) / len(spans))
    else:  # too few calls to fill a window: the overall rate is all there is
        sustained = len(times) / elapsed
    return {
        "calls": len(times),
        "elapsed": elapsed,
        "overall_per_min": len(times) / elapsed * 60 / factor,
        "sustained_per_min": sustained * 60 / factor,
        "lockouts": rig.lockouts,
        "refused": rig.refused,
        "deferred": deferred,
    }


def _naive_round(n: int, factor: float, threads: int) -> dict[str, float]:
    rig = Rig(factor=factor)
    go = naive_client(rig, [c.email for c in _contacts(n)], threads=threads)
    start = time.perf_counter()
    accepted, refused = go()
    elapsed = time.perf_counter() - start
    return {
        "accepted": accepted,
        "refused": refused,
        "lockouts": rig.lockouts,
        "elapsed": elapsed,
        "accepted_per_min": accepted / elapsed * 60 / factor,
    }


def run(
    *, n: int, rounds: int, factor: float, concurrency: int = 4, sequential_calls: int = 300
) -> Result:
    """fieldsync, the sequential client and the unpaced client, rounds alternating.

    Args:
        n: contacts fieldsync and the unpaced client send.
        rounds: rounds of each.
        factor: how much faster than real time (periods, lockouts, latency divided by it).
        concurrency: fieldsync's calls in flight, and the unpaced client's threads.
        sequential_calls: calls the sequential client makes (its rate is what counts).
    """
    contacts = _contacts(n)
    found: dict[str, list[dict[str, float]]] = {"fieldsync": [], "sequential": [], "unpaced": []}
    for _ in range(rounds):
        found["fieldsync"].append(_fieldsync_round(contacts, factor, concurrency))
        found["sequential"].append(_naive_round(min(n, sequential_calls), factor, 1))
        found["unpaced"].append(_naive_round(n, factor, concurrency))
    fs, seq, unpaced = found["fieldsync"], found["sequential"], found["unpaced"]
    sustained = stats([f["sustained_per_min"] for f in fs])
    share = sustained.median / DOCUMENTED
    lockouts = max(f["lockouts"] for f in fs)
    deferred = fs[-1]["deferred"]
    metrics = (
        Metric.of("fieldsync sustained rate", sustained, "calls/min"),
        Metric("fieldsync share of 500/min", share * 100, "%"),
        Metric.of(
            "fieldsync overall rate (incl. first-window burst)",
            stats([f["overall_per_min"] for f in fs]),
            "calls/min",
        ),
        Metric("fieldsync calls sent", fs[-1]["calls"], "calls"),
        Metric("fieldsync contacts deferred (quota)", deferred, "contacts"),
        Metric("fieldsync lockouts", lockouts, "lockouts"),
        Metric("fieldsync refused calls", max(f["refused"] for f in fs), "calls"),
        Metric.of(
            "sequential client rate", stats([f["accepted_per_min"] for f in seq]), "calls/min"
        ),
        Metric("sequential client lockouts", max(f["lockouts"] for f in seq), "lockouts"),
        Metric.of(
            "unpaced client accepted calls", stats([f["accepted"] for f in unpaced]), "calls"
        ),
        Metric.of("unpaced client refused calls", stats([f["refused"] for f in unpaced]), "calls"),
        Metric("unpaced client lockouts", max(f["lockouts"] for f in unpaced), "lockouts"),
    )
    notes = [
        f"{n:,} contacts; real time x{factor:g} (latency {LATENCY * 1000:.0f} ms -> "
        f"{LATENCY / factor * 1000:g} ms, 60 s -> {60 / factor:g} s, lockout 30 min -> "
        f"{1800 / factor:g} s); rates are given back per real minute; concurrency {concurrency}.",
        "Sustained rate: 500 divided by the mean time 500 consecutive calls took (a client "
        "at the limit takes one window period; the opening burst does not inflate it).",
        "The target's pacer stretches each window by a 3 % margin against latency jitter, so "
        "its ceiling is 500/61.8 s = 97.1 % of 500/min.",
    ]
    if deferred:
        notes.append(
            f"{deferred:,} contacts were deferred: the hourly window (12,500 calls) ran out; "
            "a run ends DEFERRED there and the next run continues."
        )
    return Result(
        key="ratelimit",
        title="Rate-limit use",
        goal=f">= {GOAL:.0%} of 500 listsubscribe calls/min, 0 lockouts",
        headline=(
            f"{share:.1%} of 500/min sustained, {lockouts:.0f} lockouts; sequential "
            f"{stats([f['accepted_per_min'] for f in seq]).median:.0f}/min; unpaced: "
            f"{max(f['lockouts'] for f in unpaced):.0f} lockout, "
            f"{stats([f['refused'] for f in unpaced]).median:,.0f} calls refused"
        ),
        met=share >= GOAL and lockouts == 0,
        metrics=metrics,
        notes=tuple(notes),
        params={"n": n, "rounds": rounds, "factor": factor, "concurrency": concurrency},
    )
