"""The seed's data for the scenarios: customers of an invoicing app, some of them awkward."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import attrs

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMap, FieldMapping
from fieldsync.domain.sync import SyncRun
from fieldsync.ports import SyncStore
from fieldsync.service import SyncService
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = "customers"


@attrs.define
class World:
    """Everything a scenario touches."""

    store: SyncStore
    clock: FakeClock
    source: FakeSource
    target: FakeTarget
    notifier: RecordingNotifier
    service: SyncService


MAPPING = FieldMapping.of(
    ("email", "Contact Email"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    FieldMap("country", "Country", create=True),  # the "New Field" checkbox
)
CRITERIA = Criteria.parse('country == "India" and status == "active"')

GOOD = 50  # valid, active, Indian customers
AWKWARD = {
    "x-invalid": {"email": "not-an-email", "country": "India", "status": "active"},
    "x-group": {"email": "info@shop.in", "country": "India", "status": "active"},
    "x-twin": {"email": "CUSTOMER7@example.in", "country": "India", "status": "active"},
    "x-abroad": {
        "email": "hans@example.de",
        "first_name": "=HYPERLINK(1)",
        "country": "Germany",
        "status": "active",
    },
    "x-inactive": {"email": "old@example.in", "country": "India", "status": "inactive"},
}


def seed(source: FakeSource, count: int = GOOD) -> None:
    """Put ``count`` good customers and the awkward ones."""
    for i in range(count):
        source.put(
            f"c{i:03d}",
            {
                "email": f"customer{i}@example.in",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "country": "India",
                "status": "active",
            },
        )
    for key, values in AWKWARD.items():
        source.put(key, values)


def sent(target: FakeTarget) -> list[str]:
    """Every email sent to the target, call after call."""
    return [email for call in target.upserts for email in call]


def counted(runs: Iterable[SyncRun]) -> int:
    """Records counted by these runs, after checking each run's counts add up."""
    total = 0
    for run in runs:
        assert run.total == run.added + run.updated + run.unchanged + run.skipped + run.failed
        total += run.total
    return total
