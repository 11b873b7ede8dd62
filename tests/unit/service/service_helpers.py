"""Shared helpers of the sync service tests (imported by the tests and conftest)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.records import RateWindow, TargetContact, UpsertOutcome
from fieldsync.exceptions import ServiceUnavailableError
from fieldsync.http import Pacer, RateLimiter, RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = "news"
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))


def counter_ids() -> Callable[[], str]:
    """Readable, predictable ids: id1, id2, ..."""
    numbers = itertools.count(1)
    return lambda: f"id{next(numbers)}"


def put_people(source: FakeSource, count: int, *, first: int = 0) -> list[str]:
    """Put ``count`` people with valid, distinct emails; return their keys in read order."""
    keys = []
    for i in range(first, first + count):
        key = f"c{i:03d}"
        source.put(key, {"email": f"person{i}@example.com", "first_name": f"P{i}"})
        keys.append(key)
    return keys


class PacedTarget(FakeTarget):
    """A fake target whose every upsert goes through a pacer of one call a minute, and
    whose first upsert fails once with a temporary error that the retry policy retries."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(max_batch=4)
        self.pacer = Pacer(
            RateLimiter([RateWindow(limit=1, period=60.0)]), clock, name="POST upsert"
        )
        self.retry = RetryPolicy(initial=2.0, jitter=0.0)
        self.clock = clock
        self.flaky = True

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        def call() -> list[UpsertOutcome]:
            self.pacer.acquire()
            if self.flaky:
                self.flaky = False
                raise ServiceUnavailableError("upsert: 503")
            return super(PacedTarget, self).upsert(list_key, contacts)

        return self.retry.call(call, clock=self.clock)
