"""The measuring kit every benchmark shares: alternating rounds, medians, spreads, results.

A benchmark times fieldsync and its baseline in the same process, one round of each in
turn (A B A B ...), so that a machine getting warmer or busier halfway through shifts both
sides alike. What it reports is the median of the rounds with the min-max spread, and the
ratio of the two medians.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["Metric", "Result", "Stats", "alternate", "ratio", "stats", "timed"]


@attrs.frozen
class Stats:
    """The median of several measurements and their spread (min and max)."""

    median: float
    low: float
    high: float
    rounds: int

    def as_dict(self) -> dict[str, float | int]:
        """The figures as a JSON-ready dict."""
        return {"median": self.median, "min": self.low, "max": self.high, "rounds": self.rounds}


def stats(values: Sequence[float]) -> Stats:
    """The median and min-max spread of ``values``.

    Raises:
        ValueError: ``values`` is empty.
    """
    if not values:
        raise ValueError("no measurements")
    return Stats(statistics.median(values), min(values), max(values), len(values))


def ratio(numerator: Stats, denominator: Stats) -> float:
    """The ratio of two medians (``inf`` when the denominator's median is 0)."""
    return numerator.median / denominator.median if denominator.median else float("inf")


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds one call of ``fn`` takes, after a full garbage collection.

    Collecting first means one round does not pay for the garbage the previous one left.
    """
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(
    contenders: Mapping[str, Callable[[], object]], *, rounds: int, warmup: bool = True
) -> dict[str, Stats]:
    """Time each contender ``rounds`` times, alternating between them.

    Args:
        contenders: name -> a function doing one round of work.
        rounds: how many timed rounds each contender gets.
        warmup: run each contender once, untimed, first (imports, caches, JIT-free but
            still: first-call costs such as compiled regexes and allocator growth).
    """
    if warmup:
        for fn in contenders.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    return {name: stats(values) for name, values in times.items()}


@attrs.frozen
class Metric:
    """One figure of a benchmark: a name, its unit, and its median and spread.

    ``spread`` is ``None`` for a figure measured once (a count, a file size).
    """

    name: str
    value: float
    unit: str = ""
    spread: tuple[float, float] | None = None

    @classmethod
    def of(cls, name: str, measured: Stats, unit: str = "", *, scale: float = 1.0) -> Metric:
        """A metric from a :class:`Stats`, each figure multiplied by ``scale``."""
        low, high = sorted((measured.low * scale, measured.high * scale))
        return cls(name, measured.median * scale, unit, (low, high))

    @classmethod
    def rate(cls, name: str, count: float, measured: Stats, unit: str) -> Metric:
        """``count`` per second, from the times in ``measured`` (slowest round = lowest rate)."""
        per = [
            count / t if t else float("inf") for t in (measured.median, measured.high, measured.low)
        ]
        return cls(name, per[0], unit, (per[1], per[2]))

    def as_dict(self) -> dict[str, Any]:
        """The figure as a JSON-ready dict."""
        spread = None if self.spread is None else list(self.spread)
        return {"name": self.name, "value": self.value, "unit": self.unit, "spread": spread}


@attrs.frozen
class Result:
    """What one benchmark found.

    Args:
        key: a short identifier (``planner``, ``calls``, ...).
        title: what was measured, for the table.
        goal: the goal in words.
        headline: the figure that decides the goal, in words ("1.31x the hand-written loop").
        met: whether the goal was met.
        metrics: every figure measured.
        notes: what a reader needs to interpret the figures (sizes, scaling, why a goal
            is missed).
        params: the sizes and settings the benchmark ran with.
    """

    key: str
    title: str
    goal: str
    headline: str
    met: bool
    metrics: tuple[Metric, ...]
    notes: tuple[str, ...] = ()
    params: Mapping[str, object] = attrs.field(factory=dict)

    def metric(self, name: str) -> Metric:
        """The metric called ``name``.

        Raises:
            KeyError: there is none.
        """
        for metric in self.metrics:
            if metric.name == name:
                return metric
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict."""
        return {
            "key": self.key,
            "title": self.title,
            "goal": self.goal,
            "headline": self.headline,
            "met": self.met,
            "metrics": [m.as_dict() for m in self.metrics],
            "notes": list(self.notes),
            "params": dict(self.params),
        }
