"""Benchmark 6: the planner path's time per record at growing sizes. Goal: linear.

Records are generated lazily page by page and only the planner's work on each page is
timed, so the generator's cost and memory stay out of the figures. The sizes alternate
within each round. "Linear" is read as: the time per record at the largest size is at most
1.2x the time per record at the smallest.
"""

from __future__ import annotations

import gc
import time
from collections import Counter

from bench import _data
from bench._harness import Metric, Result, Stats, stats
from bench._planner_path import fieldsync_page, new_planner

__all__ = ["FULL", "GOAL", "QUICK", "planner_seconds", "run"]

GOAL = 1.2
QUICK = {"sizes": (10_000, 50_000, 200_000), "rounds": 3}
FULL = {"sizes": (10_000, 100_000, 1_000_000), "rounds": 5}


def planner_seconds(n: int, *, page_size: int = 200) -> float:
    """Seconds fieldsync's planner spends on ``n`` lazily generated records."""
    gc.collect()
    planner = new_planner()
    counts: Counter[str] = Counter()
    spent = 0.0
    clock = time.perf_counter
    for page in _data.pages(_data.records(n), page_size):
        start = clock()
        fieldsync_page(planner, page, counts)
        spent += clock() - start
    return spent


def run(*, sizes: tuple[int, ...], rounds: int, page_size: int = 200) -> Result:
    """Time the planner path at each size ``rounds`` times, sizes alternating.

    Args:
        sizes: record counts, smallest first.
        rounds: timed rounds per size.
        page_size: records per page.
    """
    planner_seconds(min(sizes), page_size=page_size)  # warm-up
    times: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(rounds):
        for n in sizes:
            times[n].append(planner_seconds(n, page_size=page_size))
    measured: dict[int, Stats] = {n: stats(values) for n, values in times.items()}
    per_record = {n: measured[n].median / n for n in sizes}
    small, large = min(sizes), max(sizes)
    growth = per_record[large] / per_record[small]
    metrics = [
        Metric.of(f"time per record at {n:,}", measured[n], "us", scale=1e6 / n) for n in sizes
    ]
    metrics += [Metric.of(f"total planner time at {n:,}", measured[n], "s") for n in sizes]
    metrics.append(Metric(f"per-record time ratio {large:,}/{small:,}", growth, "x"))
    return Result(
        key="scaling",
        title="Scaling of the planner path",
        goal=f"linear: per-record time at {large:,} <= {GOAL}x that at {small:,}",
        headline=(
            f"{per_record[small] * 1e6:.2f} us/record at {small:,}, "
            f"{per_record[large] * 1e6:.2f} us/record at {large:,} (ratio {growth:.2f})"
        ),
        met=growth <= GOAL,
        metrics=tuple(metrics),
        notes=(f"Sizes {', '.join(f'{n:,}' for n in sizes)}; only the planner's work is timed.",),
        params={"sizes": list(sizes), "rounds": rounds, "page_size": page_size},
    )
