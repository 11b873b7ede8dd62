"""Small adapters for the benchmarks: a lazy source, a cheap target, and counting proxies.

The lazy source and the cheap target keep the benchmarks about fieldsync: the source
generates records on demand (nothing is held), the target answers at once. The proxies
count and time what goes through a real adapter or store without changing it.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from bench import _data
from fieldsync.domain.fields import Field, Schema
from fieldsync.domain.records import (
    Capacity,
    OutcomeKind,
    SourcePage,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.ports import Source, SyncStore, Target

__all__ = ["CountingSource", "CountingTarget", "DropTarget", "StreamSource", "TimedStore"]


class StreamSource:
    """A source of ``n`` generated records, made page by page as they are read.

    It ignores ``since`` (a source that cannot filter may do so) and resumes at a page
    number. Nothing is kept between reads, so its memory does not grow with ``n``.
    """

    def __init__(self, n: int, *, page_size: int = 200, seed: int = 7) -> None:
        self.n = n
        self.page_size = page_size
        self.seed = seed

    def schema(self) -> Schema:
        """The benchmark's source schema."""
        return _data.SOURCE_SCHEMA

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[SourcePage]:
        """The records, generated page by page (``since`` is ignored)."""
        first = 0 if resume is None else int(resume.rpartition(":")[2])
        pages = _data.source_pages(_data.records(self.n, seed=self.seed), self.page_size)
        for page in pages:
            if int(page.position.rpartition(":")[2]) >= first:
                yield page

    def count(self) -> int:
        """``n``."""
        return self.n

    def describe_credentials(self) -> Sequence[str]:
        """No credentials."""
        return ()

    def revoke(self) -> None:
        """Nothing to revoke."""


class DropTarget:
    """A target that keeps nothing and answers every contact ``ADDED`` at once."""

    def __init__(self, *, max_batch: int = 100) -> None:
        self.max_batch = max_batch
        self.calls = 0
        self.sent = 0

    def schema(self) -> Schema:
        """The benchmark's target schema."""
        return _data.TARGET_SCHEMA

    def create_field(self, field: Field) -> Field:
        """Accept the field as it is."""
        return field

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        """Drop the contacts; each one is reported added."""
        self.calls += 1
        self.sent += len(contacts)
        return [UpsertOutcome(contact.key, OutcomeKind.ADDED) for contact in contacts]

    def limits(self) -> TargetLimits:
        """``max_batch`` and no rate windows."""
        return TargetLimits(max_batch=self.max_batch)

    def capacity(self, list_key: str) -> Capacity | None:
        """Unknown (no plan limit)."""
        return None

    def describe_credentials(self) -> Sequence[str]:
        """No credentials."""
        return ()

    def revoke(self) -> None:
        """Nothing to revoke."""


class CountingSource:
    """Passes a source through, counting reads, pages and records read."""

    def __init__(self, inner: Source) -> None:
        self.inner = inner
        self.reads: list[datetime | None] = []
        self.records_read = 0
        self.pages_read = 0

    def reset(self) -> None:
        """Forget the counts."""
        self.reads.clear()
        self.records_read = 0
        self.pages_read = 0

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[SourcePage]:
        """The inner source's pages, counted."""
        self.reads.append(since)
        for page in self.inner.read(since=since, resume=resume):
            self.pages_read += 1
            self.records_read += len(page.records)
            yield page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CountingTarget:
    """Passes a target through, counting upsert calls and the record keys sent."""

    def __init__(self, inner: Target) -> None:
        self.inner = inner
        self.calls = 0
        self.keys: list[str] = []

    def reset(self) -> None:
        """Forget the counts."""
        self.calls = 0
        self.keys.clear()

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> Sequence[UpsertOutcome]:
        """The inner target's upsert, counted."""
        self.calls += 1
        self.keys.extend(contact.key for contact in contacts)
        return self.inner.upsert(list_key, contacts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class TimedStore:
    """Passes a store through, adding up the wall time spent in each of its methods.

    Attributes:
        seconds: method name -> wall seconds spent in it.
        calls: method name -> how many calls.
    """

    def __init__(self, inner: SyncStore) -> None:
        self.inner = inner
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    @property
    def commit_seconds(self) -> float:
        """Wall seconds spent in ``commit_batch``."""
        return self.seconds["commit_batch"]

    @property
    def total_seconds(self) -> float:
        """Wall seconds spent in any store method."""
        return sum(self.seconds.values())

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)
        if not callable(method):
            return method

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed
