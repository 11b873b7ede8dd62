"""Shared helpers of the sync service tests (imported by the tests and conftest)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

from fieldsync.domain.mapping import FieldMapping
from fieldsync.testing.fakes import FakeSource

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
