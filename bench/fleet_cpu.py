"""Benchmark 9: CPU per contact of a worker whose syncs are large, against a bare loop.

The fleet benchmark (``fleet``) runs 50 organizations of a few dozen contacts each (about
17 sent a run in quick mode, 52 in full), each run its organization's first: there, a
run's fixed cost (a token minted, both schemas read, the lease, the run's rows, about 13 ms
of CPU) is a large part of what a contact costs. An account kept at Zoho's full 500 calls
a minute, which is what the goal is about ("one 2-core machine keeps about 200 accounts at
their full rate"), sends hundreds of contacts a run, where that fixed cost fades. This
benchmark runs the same worker, the same emulators and the same bare httpx loop
(``fleet``'s, replaying the very same ``json/listsubscribe`` requests) on 10 organizations
of 400 contacts, one process. Goal: at most 1.3x the bare loop.
"""

from __future__ import annotations

import attrs

from bench import fleet
from bench._harness import Result

__all__ = ["FULL", "QUICK", "run"]

QUICK = {"organizations": 10, "contacts": 400, "rounds": 1}
FULL = {"organizations": 10, "contacts": 400, "rounds": 3}


def run(*, organizations: int, contacts: int, rounds: int, url: str | None = None) -> Result:
    """The single worker's CPU per contact sent against the bare loop's, ``rounds`` times."""
    found = fleet.run(
        organizations=organizations, contacts=contacts, rounds=rounds, processes=(1,), url=url
    )
    ratio = found.metric("CPU ratio").value
    per_run = found.metric("contacts sent per round").value / organizations
    return attrs.evolve(
        found,
        key="fleet-cpu",
        title=f"Fleet CPU, large syncs: {organizations} organizations of {contacts} contacts",
        goal=f"CPU per contact <= {fleet.GOAL_CPU}x a bare httpx loop",
        headline=f"CPU {ratio:.2f}x the bare loop",
        met=ratio <= fleet.GOAL_CPU,
        metrics=tuple(m for m in found.metrics if not m.name.startswith("speed-up")),
        notes=(
            f"One worker process (`run_due`) on one PostgresStore; about {per_run:.0f} "
            "contacts sent per run, so a run's fixed cost is spread thin (the `fleet` "
            "benchmark shows it on small syncs).",
            found.notes[1],  # what CPU per contact is; not the small-sync note
        ),
    )
