"""Benchmark 1: the planner's CPU work per record against a hand-written loop.

Both sides decide the same records (a first run: nothing stored yet) page by page: criteria,
mapping with conversion and cleaning, email normalisation and syntax check, fingerprint,
duplicate emails. The rounds alternate. Goal: fieldsync takes at most 1.5x the time of the
hand-written loop (``bench/_handloop.py``).
"""

from __future__ import annotations

from collections import Counter

from bench import _data
from bench._handloop import hand_pass
from bench._harness import Metric, Result, alternate, ratio
from bench._planner_path import fieldsync_pass

__all__ = ["FULL", "GOAL", "QUICK", "run"]

GOAL = 1.5
QUICK = {"n": 200_000, "rounds": 3}
FULL = {"n": 200_000, "rounds": 7}


def run(*, n: int, rounds: int, page_size: int = 200) -> Result:
    """Time fieldsync's planner and the hand-written loop over ``n`` records.

    Args:
        n: how many records (generated once, outside the timing).
        rounds: timed rounds of each side.
        page_size: records per page, as a source hands them over.
    """
    pages = list(_data.pages(_data.records(n), page_size))
    counts: dict[str, Counter[str]] = {}

    def fieldsync_round() -> None:
        counts["fieldsync"] = fieldsync_pass(pages)

    def hand_round() -> None:
        counts["hand"] = hand_pass(pages)

    measured = alternate({"fieldsync": fieldsync_round, "hand": hand_round}, rounds=rounds)
    fs, hand = measured["fieldsync"], measured["hand"]
    slowdown = ratio(fs, hand)
    sent_fs = counts["fieldsync"]["add"]
    sent_hand = counts["hand"]["add"]
    notes = [
        f"{n:,} records in pages of {page_size}; {sent_fs:,} to send, "
        f"{n - sent_fs:,} skipped (criteria, missing/invalid/duplicate email).",
    ]
    if sent_fs != sent_hand:
        notes.append(
            f"The two sides disagree on what to send: fieldsync {sent_fs:,}, hand {sent_hand:,}."
        )
    met = slowdown <= GOAL
    return Result(
        key="planner",
        title="Planner throughput",
        goal=f"fieldsync <= {GOAL}x the hand-written loop's time",
        headline=f"{slowdown:.2f}x the hand-written loop; {n / fs.median:,.0f} records/s",
        met=met,
        metrics=(
            Metric.of("fieldsync time", fs, "s"),
            Metric.of("hand-written loop time", hand, "s"),
            Metric("time ratio fieldsync/hand", slowdown, "x"),
            Metric.rate("fieldsync throughput", n, fs, "records/s"),
            Metric.rate("hand-written throughput", n, hand, "records/s"),
            Metric("records to send (fieldsync)", sent_fs, "records"),
            Metric("records to send (hand)", sent_hand, "records"),
        ),
        notes=tuple(notes),
        params={"n": n, "rounds": rounds, "page_size": page_size},
    )
