"""Adapters the CLI tests configure as `type = "python"` integrations (module singletons)."""

from __future__ import annotations

from datetime import UTC, datetime

from fieldsync.testing import FakeClock, FakeSource, FakeTarget

CLOCK = FakeClock(datetime(2026, 5, 1, tzinfo=UTC))
SOURCE = FakeSource(clock=CLOCK)
TARGET = FakeTarget()


def reset() -> None:
    """Fresh fakes for a test: three customers, one of them with a bad email."""
    global SOURCE, TARGET
    SOURCE = FakeSource(clock=CLOCK)
    SOURCE.put("c1", {"email": "ada@example.org", "first_name": "Ada", "country": "India"})
    SOURCE.put("c2", {"email": "=cmd|calc", "first_name": "Eve", "country": "India"})
    SOURCE.put("c3", {"email": "bob@example.org", "first_name": "Bob", "country": "Peru"})
    TARGET = FakeTarget()
    TARGET.create_list("news")


def make_source() -> FakeSource:
    return SOURCE


def make_target() -> FakeTarget:
    return TARGET
