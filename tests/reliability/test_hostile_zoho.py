"""Hostile Zoho answers through whole runs: one poison row costs one record (skipped with
``invalid_record``), never the run; a repeated page defers the run and the watermark never
moves past rows that were not seen; a write that Zoho does not confirm is sent again."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from _checks import account_for
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldsync import SyncSpec
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import RunStatus
from fieldsync.ports import Source
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "zoho"))
from _hostile import START, campaigns, customer, invoice, pages_handler

LIST = "news"
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))

FIELDS = {
    "response": {
        "fieldnames": {
            "fieldname": [
                {"DISPLAY_NAME": "Contact Email", "FIELD_NAME": "contact_email"},
                {"DISPLAY_NAME": "First Name", "FIELD_NAME": "firstname"},
            ]
        }
    }
}
POISON_TIMES: list[object] = [
    ...,
    "",
    None,
    1_700_000_000,
    17.5,
    "yesterday",
    "2026-03-01",
    True,
    [],
    {},
]


class Rig:
    def __init__(self, source: Source, clock: FakeClock) -> None:
        self.target = FakeTarget(max_batch=3)
        self.target.create_list(LIST)
        self.store = InMemoryStore()
        self.service = SyncService(store=self.store, clock=clock, worker_id="w")
        self.service.register_integration("zoho", source=source, target=self.target)
        self.sync = self.service.create_sync(
            "zoho", SyncSpec(name="S", list_key=LIST, mapping=MAPPING)
        )

    @property
    def listed(self) -> set[str]:
        return set(self.target.lists[LIST])


@pytest.mark.parametrize("modified", POISON_TIMES, ids=repr)
def test_a_row_without_a_readable_modification_time_costs_that_record_only(
    modified: object,
) -> None:
    clock = FakeClock(START)
    rows = [customer("1"), customer("2", modified=modified), customer("3")]
    rig = Rig(invoice(pages_handler([rows]), clock=clock), clock)

    run = rig.service.initiate(rig.sync.id)

    assert RunStatus.COMPLETED is run.status, run.error
    assert (2, {ReasonCode.INVALID_RECORD: 1}) == (run.added, dict(run.counts.skipped_by_reason))
    assert {"1@example.com", "3@example.com"} == rig.listed
    books = account_for(rig.service, rig.store, [run], ["1", "2", "3"])
    assert {"2": "invalid_record"} == books.skipped


@pytest.mark.parametrize(
    "row", [None, 7, "a row", [1, 2], True, {"contact_id": None}, {"contact_id": ""}], ids=repr
)
def test_a_row_that_is_not_a_contact_object_is_counted_as_skipped(row: object) -> None:
    clock = FakeClock(START)
    rows = [customer("1"), row, customer("3")]
    rig = Rig(invoice(pages_handler([rows]), clock=clock), clock)

    run = rig.service.initiate(rig.sync.id)

    assert (3, 2) == (run.total, run.added)
    assert {ReasonCode.INVALID_RECORD: 1} == dict(run.counts.skipped_by_reason)


hostile_time = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.just(...),
    st.lists(st.integers(), max_size=2),
    st.datetimes().map(lambda d: d.isoformat()),
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.just("2026-03-01T10:00:00+0530"), hostile_time), min_size=1, max_size=12)
)
def test_any_modification_times_never_stop_a_run_and_every_row_is_counted(
    times: list[object],
) -> None:
    clock = FakeClock(START)
    rows = [customer(str(i), modified=t) for i, t in enumerate(times)]
    pages = [rows[i : i + 5] for i in range(0, len(rows), 5)]
    rig = Rig(invoice(pages_handler(pages), clock=clock), clock)

    run = rig.service.initiate(rig.sync.id)

    assert RunStatus.COMPLETED is run.status, run.error
    account_for(rig.service, rig.store, [run], [str(i) for i in range(len(times))])


def test_a_repeated_page_defers_the_run_and_the_watermark_stays() -> None:
    clock = FakeClock(START)
    first = [customer(str(i)) for i in range(3)]
    pages = [first, first, [customer("9")]]
    rig = Rig(invoice(pages_handler(pages), clock=clock), clock)

    run = rig.service.initiate(rig.sync.id)

    assert RunStatus.DEFERRED is run.status
    assert "inconsistent paging" in (run.error or "")
    assert 3 == run.added  # what it committed stays
    assert rig.store.get_sync(rig.sync.id).watermark is None
    assert "9@example.com" not in rig.listed


def test_after_a_repeated_page_the_next_run_continues_and_reads_the_rows_it_missed() -> None:
    clock = FakeClock(START)
    first = [customer(str(i)) for i in range(3)]
    answers = {"repeat": True}

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        rows = first if page == 1 or (page == 2 and answers["repeat"]) else [customer("9")]
        body = {
            "code": 0,
            "contacts": rows,
            "page_context": {"page": page, "has_more_page": page < 2},
        }
        return httpx.Response(200, content=json.dumps(body).encode())

    rig = Rig(invoice(handler, clock=clock), clock)
    rig.service.initiate(rig.sync.id)
    answers["repeat"] = False

    second = rig.service.run(rig.sync.id)

    assert RunStatus.COMPLETED is second.status, second.error
    assert "9@example.com" in rig.listed
    assert rig.store.get_sync(rig.sync.id).watermark is not None


# -- a success that does not say so, through runs ------------------------------------------------


def test_a_contact_answered_with_an_unconfirmed_success_is_sent_again_by_the_next_pass() -> None:
    clock = FakeClock(START)
    source = FakeSource(clock=clock)
    source.put("a", {"email": "ann@example.com", "first_name": "Ann"})
    answers = [b"{}", b'{"status": "success", "code": "0", "message": "Contact added"}']
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("allfields"):
            return httpx.Response(200, json=FIELDS)
        if request.url.path.endswith("getmailinglists"):
            return httpx.Response(200, json={"list_of_details": [{"listkey": LIST}]})
        if not request.url.path.endswith("listsubscribe"):
            return httpx.Response(200, json={"status": "success", "code": 0, "no_of_contacts": 0})
        sent.append(request.url.path)
        return httpx.Response(200, content=answers.pop(0))

    service = SyncService(store=InMemoryStore(), clock=clock, worker_id="w")
    service.register_integration("zoho", source=source, target=campaigns(handler, clock=clock))
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=LIST, mapping=MAPPING))

    first = service.initiate(sync.id)
    second = service.run(sync.id)

    assert {ReasonCode.TARGET_ERROR: 1} == dict(first.counts.failed_by_reason)
    assert (1, 0) == (second.added, second.failed)
    assert 2 == len(sent)


# -- an outage: the run stops and defers ----------------------------------------------------------


def test_an_outage_defers_the_run_after_a_few_failures_keeping_what_it_committed() -> None:
    clock = FakeClock(START)
    source = FakeSource(clock=clock)
    for i in range(30):
        source.put(f"c{i:02d}", {"email": f"p{i}@example.com", "first_name": "P"})
    written: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("allfields"):
            return httpx.Response(200, json=FIELDS)
        if request.url.path.endswith("getmailinglists"):
            return httpx.Response(200, json={"list_of_details": [{"listkey": LIST}]})
        if not request.url.path.endswith("listsubscribe"):
            return httpx.Response(200, json={"status": "success", "code": 0, "no_of_contacts": 0})
        if len(written) >= 6:  # the server goes down after six contacts
            raise httpx.ConnectError("connection refused")
        written.append("x")
        return httpx.Response(200, content=b'{"status": "success", "code": "0"}')

    service = SyncService(store=InMemoryStore(), clock=clock, worker_id="w")
    target = campaigns(handler, clock=clock, attempts=5, max_batch=3)
    service.register_integration("zoho", source=source, target=target)
    sync = service.create_sync("zoho", SyncSpec(name="S", list_key=LIST, mapping=MAPPING))
    began = clock.now()

    run = service.initiate(sync.id)

    assert RunStatus.DEFERRED is run.status
    assert "in a row" in (run.error or "")
    assert (6, 6, 0) == (run.total, run.added, run.failed)  # two batches committed
    assert clock.now() - began < timedelta(minutes=1)  # not 24 contacts' retry budgets
