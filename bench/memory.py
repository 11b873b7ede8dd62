"""Benchmark 4: peak resident memory of a whole run over lazily generated contacts.

Each size runs in a fresh child process (``python -m bench.memory <n> <db>``) so that one
run's memory cannot hide in another's: a ``StreamSource`` (records generated page by page),
a ``SQLiteStore`` on a temporary file and a ``DropTarget`` (keeps nothing, answers added).
The child reports its peak resident size (``VmHWM``, else ``ru_maxrss``) at the end.
Goals: the larger run peaks at most 1.2x the smaller one, under 200 MB; the store's size
per contact is the fingerprint storage cost.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._harness import Metric, Result, stats

__all__ = ["FULL", "GROWTH_GOAL", "LIMIT_MB", "QUICK", "child", "run"]

GROWTH_GOAL = 1.2
LIMIT_MB = 200.0
QUICK = {"sizes": (20_000, 200_000), "rounds": 1}
FULL = {"sizes": (100_000, 1_000_000), "rounds": 3}
_ROOT = Path(__file__).resolve().parent.parent


def child(n: int, db: Path) -> dict[str, float]:
    """One whole run over ``n`` records in this process; its peak memory and store size."""
    from bench._adapters import DropTarget, StreamSource
    from bench._service import make_sync
    from fieldsync.stores import SQLiteStore

    target = DropTarget(max_batch=200)
    start = time.perf_counter()
    with SQLiteStore(db) as store:
        service, sync_id = make_sync(store=store, source=StreamSource(n), target=target)
        run = service.initiate(sync_id)
    seconds = time.perf_counter() - start
    peak_kb = _peak_kib()
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    return {
        "n": n,
        "peak_mb": peak_kb / 1024,
        "db_bytes": size,
        "seconds": seconds,
        "total": run.total,
        "sent": target.sent,
    }


def _peak_kib() -> int:
    """This process's peak resident size, KiB.

    ``VmHWM`` where Linux has it: ``ru_maxrss`` survives ``exec`` and so starts at the
    parent's peak when the child was spawned from a big parent (it is ``vfork``ed from the
    parent's address space); ``VmHWM`` belongs to the new address space only.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def _measure(n: int, workdir: Path) -> dict[str, float]:
    db = workdir / f"memory-{n}-{time.monotonic_ns()}.db"
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(n), str(db)],
        cwd=_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the memory child for {n} records failed:\n{done.stderr}")
    for leftover in workdir.glob(db.name + "*"):
        leftover.unlink()
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def run(*, sizes: tuple[int, int], rounds: int) -> Result:
    """Peak memory of a run at a small and a large size, each in its own process.

    Args:
        sizes: the small and the large record count.
        rounds: child processes per size (alternating sizes).
    """
    small, large = sizes
    found: dict[int, list[dict[str, float]]] = {small: [], large: []}
    with tempfile.TemporaryDirectory(prefix="fieldsync-bench-") as tmp:
        for _ in range(rounds):
            for n in sizes:
                found[n].append(_measure(n, Path(tmp)))
    peak = {n: stats([f["peak_mb"] for f in found[n]]) for n in sizes}
    per_contact = {n: found[n][-1]["db_bytes"] / n for n in sizes}
    growth = peak[large].median / peak[small].median
    met = growth <= GROWTH_GOAL and peak[large].high < LIMIT_MB
    metrics = [Metric.of(f"peak RSS at {n:,}", peak[n], "MB") for n in sizes]
    metrics.append(Metric(f"growth {large:,}/{small:,}", growth, "x"))
    metrics += [Metric(f"store bytes per contact at {n:,}", per_contact[n], "B") for n in sizes]
    run_time = {n: stats([f["seconds"] for f in found[n]]) for n in sizes}
    metrics += [Metric.of(f"run time at {n:,}", run_time[n], "s") for n in sizes]
    time_growth = (run_time[large].median / large) / (run_time[small].median / small)
    metrics.append(Metric(f"run time per record, {large:,}/{small:,}", time_growth, "x"))
    notes = [
        f"Sizes {small:,} and {large:,}, each in a fresh process; the peak includes the "
        "interpreter and the imports.",
        "Store bytes per contact: the SQLite file (with WAL) over the contact count; it "
        "holds fingerprints, email claims, skipped records and run data.",
    ]
    if time_growth > 1.2:
        notes.append(
            f"The whole run is not linear: its time per record grows {time_growth:.1f}x from "
            f"{small:,} to {large:,} records (the planner alone is linear, see Scaling). "
            "SQLiteStore.claimed_emails scans every record of the sync per page: its "
            "ORDER BY record_key makes SQLite walk the primary key instead of the claims index."
        )
    return Result(
        key="memory",
        title="Memory",
        goal=(
            f"peak RSS growth <= {GROWTH_GOAL}x from {small:,} to {large:,}, "
            f"under {LIMIT_MB:.0f} MB"
        ),
        headline=(
            f"{peak[small].median:.0f} MB at {small:,}, {peak[large].median:.0f} MB at {large:,} "
            f"({growth:.2f}x); {per_contact[large]:.0f} B/contact in SQLite"
        ),
        met=met,
        metrics=tuple(metrics),
        notes=tuple(notes),
        params={"sizes": list(sizes), "rounds": rounds},
    )


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), Path(sys.argv[2]))))
