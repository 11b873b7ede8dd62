"""Benchmark 5: the share of a run's wall time spent committing batches to SQLite.

A whole first run (``StreamSource`` -> planner -> ``DropTarget``) with the ``SQLiteStore``
behind a timing proxy, for several target batch sizes (one ``commit_batch`` per batch).
The target costs nothing here, so the share is an upper bound: with a real target, whose
calls take 200 ms, the store's share is far smaller. Goal: under 20 % of the run.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench._adapters import DropTarget, StreamSource, TimedStore
from bench._harness import Metric, Result, stats
from bench._service import make_sync
from fieldsync.stores import SQLiteStore

__all__ = ["FULL", "GOAL", "QUICK", "run"]

GOAL = 0.20
QUICK = {"n": 20_000, "batches": (10, 50, 200, 1000), "rounds": 3}
FULL = {"n": 100_000, "batches": (10, 50, 200, 1000), "rounds": 5}


def _one_run(n: int, batch: int, workdir: Path) -> tuple[float, TimedStore]:
    db = workdir / f"store-{batch}-{time.monotonic_ns()}.db"
    with SQLiteStore(db) as inner:
        store = TimedStore(inner)
        # Pages of 1,000 records, so that a batch of 1,000 is a real batch of 1,000.
        source = StreamSource(n, page_size=1000)
        service, sync_id = make_sync(store=store, source=source, target=DropTarget(max_batch=batch))
        start = time.perf_counter()
        service.initiate(sync_id)
        seconds = time.perf_counter() - start
    for leftover in workdir.glob(db.name + "*"):
        leftover.unlink()
    return seconds, store


def run(*, n: int, batches: tuple[int, ...], rounds: int) -> Result:
    """The store's share of a run for each batch size, batch sizes alternating.

    Args:
        n: records per run.
        batches: target batch sizes.
        rounds: runs per batch size.
    """
    shares: dict[int, list[float]] = {b: [] for b in batches}
    store_shares: dict[int, list[float]] = {b: [] for b in batches}
    times: dict[int, list[float]] = {b: [] for b in batches}
    commits: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-") as tmp:
        for _ in range(rounds):
            for batch in batches:
                seconds, store = _one_run(n, batch, Path(tmp))
                shares[batch].append(store.commit_seconds / seconds)
                store_shares[batch].append(store.total_seconds / seconds)
                times[batch].append(seconds)
                commits[batch] = store.calls["commit_batch"]
    share = {b: stats(values) for b, values in shares.items()}
    worst = max(share.values(), key=lambda s: s.median)
    metrics = []
    for batch in batches:
        metrics.append(
            Metric.of(f"commit_batch share, batch {batch}", share[batch], "%", scale=100)
        )
        metrics.append(
            Metric.of(
                f"all store calls share, batch {batch}", stats(store_shares[batch]), "%", scale=100
            )
        )
        metrics.append(Metric.of(f"run time, batch {batch}", stats(times[batch]), "s"))
        metrics.append(Metric(f"commits, batch {batch}", commits[batch], "commits"))
    per_commit = {b: stats(times[b]).median * share[b].median / max(1, commits[b]) for b in batches}
    headline = ", ".join(f"{share[b].median:.0%} at batch {b}" for b in batches)
    return Result(
        key="store",
        title="Store cost",
        goal=f"commit_batch under {GOAL:.0%} of the run's wall time",
        headline=f"commit share {headline}",
        met=worst.median < GOAL,
        metrics=tuple(metrics),
        notes=(
            f"{n:,} records per run; a target that answers at once, so the share is an upper "
            "bound (a real target's latency dwarfs the commits).",
            "The run's time includes generating the records (about 20 us each), standing in "
            "for a real source's reading cost.",
            "For scale: one commit_batch of 50 takes about "
            f"{per_commit.get(50, next(iter(per_commit.values()))) * 1000:.0f} ms here, while "
            "Zoho Campaigns takes 50 calls at 500/min = 6 s for the same 50 contacts, so in a "
            "real run the commits are well under 1 % of the time.",
            "All store calls: commit_batch plus the per-batch reads (sync state, fingerprints, "
            "claimed emails) and the lease renewal.",
        ),
        params={"n": n, "batches": list(batches), "rounds": rounds},
    )
