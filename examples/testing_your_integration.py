"""Testing your own integration: fieldsync's pytest fixtures, the fakes, a fake clock, and
the contract suites.

This file is a pytest module. Run it with `python examples/testing_your_integration.py`
(or `pytest examples/testing_your_integration.py`). No network, no sleeping. The fixtures
`fieldsync_clock`, `fieldsync_target`, `fieldsync_memory_store` and `fieldsync_notifier`
come from fieldsync's pytest plugin (`pip install fieldsync[testing]`): nothing to import
or define.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

import fieldsync as fs
from fieldsync.testing import FakeClock, FakeSource, FakeTarget, RecordingNotifier
from fieldsync.testing.contract import SourceContract
from fieldsync.testing.pytest_plugin import FAKE_LIST


class ShopCustomers:
    """The adapter under test: customers of an in-house shop, as a fieldsync Source."""

    def __init__(self, rows: list[dict[str, str]], *, page_size: int = 2) -> None:
        self._rows = rows
        self._page_size = page_size

    def schema(self) -> fs.Schema:
        return fs.Schema.of(
            fs.Field("id"), fs.Field("mail", fs.FieldType.EMAIL), fs.Field("name"), fs.Field("tier")
        )

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[fs.SourcePage]:
        start = int(resume or 0)
        records = [
            fs.SourceRecord(row["id"], datetime(2026, 1, 1, tzinfo=UTC), row)
            for row in self._rows[start:]
        ]
        for offset in range(0, len(records), self._page_size):
            chunk = records[offset : offset + self._page_size]
            yield fs.SourcePage(chunk, position=str(start + offset))

    def count(self) -> int | None:
        return len(self._rows)

    def describe_credentials(self) -> Sequence[str]:
        return ()

    def revoke(self) -> None:
        return None


ROWS = [
    {"id": str(n), "mail": f"customer{n}@shop.example", "name": f"Customer {n}", "tier": tier}
    for n, tier in enumerate(["gold", "silver", "gold", "bronze", "gold"])
]


class TestShopCustomersKeepsTheSourceContract(SourceContract):
    """Every check fieldsync relies on, run against the adapter: one line of set-up."""

    @pytest.fixture
    def source(self) -> ShopCustomers:
        return ShopCustomers(ROWS)


@pytest.fixture
def service(
    fieldsync_memory_store: fs.InMemoryStore,
    fieldsync_clock: FakeClock,
    fieldsync_target: FakeTarget,
    fieldsync_notifier: RecordingNotifier,
) -> Iterator[fs.SyncService]:
    with fs.SyncService(
        store=fieldsync_memory_store, clock=fieldsync_clock, notifier=fieldsync_notifier
    ) as service:
        service.register_integration("shop", source=ShopCustomers(ROWS), target=fieldsync_target)
        yield service


def gold_sync(service: fs.SyncService) -> fs.Sync:
    return service.create_sync(
        "shop",
        fs.SyncSpec(
            name="Gold customers",
            list_key=FAKE_LIST,  # the list fieldsync_target starts with
            mapping=fs.FieldMapping.of(("mail", "Contact Email"), ("name", "First Name")),
            criteria=fs.Criteria.parse('tier == "gold"'),
            schedule=fs.Schedule.every(hours=6),
        ),
    )


def test_only_gold_customers_reach_the_list(
    service: fs.SyncService, fieldsync_target: FakeTarget
) -> None:
    run = service.initiate(gold_sync(service).id)

    assert sorted(fieldsync_target.lists[FAKE_LIST]) == [
        "customer0@shop.example",
        "customer2@shop.example",
        "customer4@shop.example",
    ]
    assert run.counts.skipped_by_reason == {fs.ReasonCode.CRITERIA_NOT_MET: 2}


def test_the_schedule_runs_again_after_six_hours_without_sending_anything(
    service: fs.SyncService, fieldsync_target: FakeTarget, fieldsync_clock: FakeClock
) -> None:
    service.initiate(gold_sync(service).id)
    calls = fieldsync_target.calls

    fieldsync_clock.advance(timedelta(hours=6))
    (run,) = service.run_due()

    assert (run.unchanged, fieldsync_target.calls) == (3, calls)


def test_a_source_outage_defers_the_run_instead_of_failing_it(
    service: fs.SyncService, fieldsync_target: FakeTarget
) -> None:
    fieldsync_target.fail_next_upsert(fs.ServiceUnavailableError("the list service is down"))

    run = service.initiate(gold_sync(service).id)

    assert run.status is fs.RunStatus.DEFERRED


def test_the_fakes_work_on_their_own_too() -> None:
    source = FakeSource()
    source.put("a", {"email": "a@example.com"})

    (page,) = list(source.read())

    assert [r.key for r in page.records] == ["a"]


if __name__ == "__main__":
    # A pytest of its own: this process imported fieldsync already, too early for pytest
    # to load the plugin's modules fresh.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__]
    raise SystemExit(subprocess.call(command))
