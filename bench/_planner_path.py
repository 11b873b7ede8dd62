"""fieldsync's planner path on one run's records: what the service does per page, minus I/O.

The store is left out (first run: nothing stored, nothing claimed), so that this is the CPU
work per record: criteria, mapping and conversion, email checks, fingerprint, decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from bench import _data
from fieldsync.domain.planner import Planner
from fieldsync.domain.records import SourceRecord

__all__ = ["fieldsync_page", "fieldsync_pass", "new_planner"]


def new_planner() -> Planner:
    """A planner for the benchmark's mapping and criteria (compiled, as once per run)."""
    return Planner(_data.plan(), _data.criteria())


def fieldsync_page(planner: Planner, page: Sequence[SourceRecord], counts: Counter[str]) -> None:
    """Decide one page with fieldsync's planner, counting the decisions in ``counts``."""
    prepared = [planner.prepare(record) for record in page]
    for decision in planner.decide_page(prepared, {}, {}):
        counts[decision.kind.value] += 1


def fieldsync_pass(pages: Iterable[Sequence[SourceRecord]]) -> Counter[str]:
    """Decide every page with a planner made for this pass; the decision counts."""
    planner = new_planner()
    counts: Counter[str] = Counter()
    for page in pages:
        fieldsync_page(planner, page, counts)
    return counts
