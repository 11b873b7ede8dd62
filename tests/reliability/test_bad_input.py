"""Suite 4, bad input: hostile source records never crash a run and always end up counted
with a reason; malformed configuration and criteria text give clear errors; malformed API
answers give typed errors; the CSV export neutralises formula injection."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
import pytest
from _checks import account_for, unique_emails
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldsync import SyncSpec
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.records import SourceRecord, TargetContact
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import RunStatus
from fieldsync.exceptions import (
    CriteriaSyntaxError,
    FieldSyncError,
    InvalidConfigurationError,
)
from fieldsync.http.retry import RetryPolicy
from fieldsync.ports import SyncStore
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.stores.sqlite import SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator
from fieldsync.testing.fakes import FakeSource, FakeTarget
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget
from fieldsync.zoho.invoice import ZohoInvoiceSource

T = TypeVar("T")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = "news"
MAPPING = FieldMapping.of(
    ("email", "Contact Email"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("company_name", "Company Name"),
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# -- hostile records -----------------------------------------------------------------------

any_text = st.text(st.characters(codec="utf-8"), max_size=40)  # every category, NUL included
long_text = st.builds(
    lambda piece, n: piece * n, st.text(min_size=1, max_size=5), st.integers(1, 4000)
)
formula = st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS), any_text)
scalar = st.one_of(
    any_text,
    long_text,
    formula,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(allow_nan=True),
    st.datetimes(),
    st.binary(max_size=10),
)
value = st.one_of(
    scalar, st.lists(scalar, max_size=3), st.dictionaries(any_text, scalar, max_size=2)
)
mailbox = st.sampled_from(["ann", "Ann", "ANN", "bob.smith", "info", "o'neil", "x"])
domain = st.sampled_from(["example.com", "Example.COM", "exämple.com", "ex ample.com", "localhost"])
email = st.one_of(
    st.builds(
        lambda m, d, pad: f"{pad}{m}@{d}{pad}", mailbox, domain, st.sampled_from(["", " ", "\t"])
    ),
    st.builds(lambda m, d: f"{m}\x00@{d}", mailbox, domain),
    formula,
    value,
)
field_names = st.sampled_from(["first_name", "last_name", "company_name", "country", "status"])
extra_names = st.from_regex(r"\A[a-z][a-z0-9_]{0,12}\Z")


@st.composite
def hostile_values(draw: st.DrawFn) -> dict[str, object]:
    values: dict[str, object] = {}
    if draw(st.integers(0, 9)):  # now and then the email field is missing altogether
        values["email"] = draw(email)
    for name in draw(st.sets(field_names)):
        values[name] = draw(value)
    for name in draw(st.sets(extra_names, max_size=2)):
        values.setdefault(name, draw(value))
    return values


@st.composite
def hostile_records(draw: st.DrawFn) -> list[SourceRecord]:
    keys = draw(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=30, unique=True))
    return [
        SourceRecord(key, START - timedelta(minutes=i), draw(hostile_values()))
        for i, key in enumerate(keys)
    ]


def outcome(call: Callable[[], T], *errors: type[Exception]) -> T | Exception:
    """What ``call`` returns, or the exception of one of the ``errors`` types it raised
    (anything else propagates and fails the test)."""
    try:
        return call()
    except errors as exc:
        return exc


def stores() -> Iterator[InMemoryStore | SQLiteStore]:
    yield InMemoryStore()
    yield SQLiteStore(":memory:")


def sync_records(records: list[SourceRecord], store: SyncStore) -> None:
    """Initiate a sync of ``records`` and check that every one is accounted for."""
    clock = FakeClock(START)
    target = FakeTarget(max_batch=7)
    target.create_list(LIST)
    service = SyncService(store=store, clock=clock, worker_id="w")
    service.register_integration("crm", source=FakeSource(records, page_size=9), target=target)
    sync = service.create_sync("crm", SyncSpec(name="Hostile", list_key=LIST, mapping=MAPPING))

    run = service.initiate(sync.id)

    assert run.status is RunStatus.COMPLETED, run.error
    books = account_for(service, store, [run], [r.key for r in records])
    assert unique_emails(list(target.lists[LIST]))
    for row in books.rows:
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS), row


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_records())
def test_hostile_records_never_crash_a_run_and_each_is_counted_with_a_reason(
    records: list[SourceRecord],
) -> None:
    for store in stores():
        with store:
            sync_records(records, store)


# -- configuration and criteria text -------------------------------------------------------

criteria_tokens = st.sampled_from(
    [
        "country",
        "status",
        '"India"',
        "'x'",
        "==",
        "!=",
        ">=",
        "<",
        "contains",
        "in",
        "not",
        "and",
        "or",
        "(",
        ")",
        "[",
        "]",
        ",",
        "is empty",
        "before",
        "2026-01-01",
        "12",
        "\\",
        '"',
    ]
)
criteria_text = st.one_of(
    st.text(max_size=60),
    st.lists(criteria_tokens, max_size=12).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(criteria_text)
def test_any_criteria_text_parses_or_raises_a_criteria_syntax_error_with_a_position(
    text: str,
) -> None:
    parsed = outcome(lambda: Criteria.parse(text), CriteriaSyntaxError)

    if isinstance(parsed, Exception):
        assert isinstance(parsed, CriteriaSyntaxError)
        assert str(parsed)
        assert parsed.position is None or 0 <= parsed.position <= len(text)
    else:
        assert parsed == Criteria.parse(parsed.to_text())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), min_size=1, max_size=4))
def test_a_mapping_of_unknown_fields_is_refused_with_every_problem_and_changes_nothing(
    pairs: list[tuple[str, str]],
) -> None:
    store = InMemoryStore()
    target = FakeTarget()
    target.create_list(LIST)
    service = SyncService(store=store, clock=FakeClock(START), worker_id="w")
    service.register_integration("crm", source=FakeSource(), target=target)
    mapping = outcome(lambda: FieldMapping.of(*pairs), ValueError, TypeError, FieldSyncError)
    if isinstance(mapping, Exception):  # refused at construction, with a message
        assert str(mapping)
        return
    spec = SyncSpec(name="Bad", list_key=LIST, mapping=mapping)
    created = outcome(lambda: service.create_sync("crm", spec), InvalidConfigurationError)
    if isinstance(created, InvalidConfigurationError):  # text refused at the door
        assert created.problems
        assert [] == store.list_syncs()
        return

    refused = outcome(lambda: service.initiate(created.id), InvalidConfigurationError)

    assert isinstance(refused, InvalidConfigurationError)
    assert refused.problems
    assert str(refused)
    assert SyncState.DRAFT is store.get_sync(created.id).state
    assert [] == store.runs(created.id)


# -- malformed API answers -----------------------------------------------------------------

json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
zohoish = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["success", "error", 1, None]),
        "code": st.one_of(st.integers(0, 3000), st.text(max_size=5), st.none()),
        "message": st.one_of(st.text(max_size=30), st.integers()),
        "response": json_value,
        "contacts": st.lists(
            st.dictionaries(
                st.sampled_from(["contact_id", "email", "last_modified_time", "first_name"]),
                json_value,
            ),
            max_size=3,
        ),
        "page_context": json_value,
        "list_of_details": json_value,
    },
)
answer = st.tuples(
    st.sampled_from([200, 200, 200, 400, 401, 404, 429, 500]),
    st.one_of(
        zohoish.map(lambda body: ("json", body)), st.binary(max_size=30).map(lambda b: ("raw", b))
    ),
)


def client_answering(status: int, body: tuple[str, object]) -> httpx.Client:
    kind, content = body

    def handler(_request: httpx.Request) -> httpx.Response:
        if kind == "json":
            return httpx.Response(status, json=content)
        assert isinstance(content, bytes)
        return httpx.Response(status, content=content)

    return httpx.Client(transport=httpx.MockTransport(handler))


def auth_for(clock: FakeClock) -> ZohoOAuth:
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client("id", "secret", "refresh")
    return ZohoOAuth(
        client_id="id",
        client_secret="secret",
        refresh_token="refresh",
        client=httpx.Client(transport=accounts),
        clock=clock,
    )


@settings(max_examples=120, deadline=None)
@given(answer)
def test_a_malformed_campaigns_answer_gives_a_typed_error_or_one_outcome_per_contact(
    reply: tuple[int, tuple[str, object]],
) -> None:
    clock = FakeClock(START)
    target = ZohoCampaignsTarget(
        auth_for(clock),
        client=client_answering(*reply),
        base_url="https://campaigns.zoho.com/api/v1.1",
        clock=clock,
        retry=RetryPolicy(attempts=1),
        concurrency=1,
    )
    contacts = [TargetContact(f"k{i}", f"p{i}@example.com", {"First Name": "P"}) for i in range(3)]
    outcomes = outcome(lambda: target.upsert("list", contacts), FieldSyncError)
    schema = outcome(target.schema, FieldSyncError)

    if isinstance(outcomes, Exception):
        assert str(outcomes)
    else:
        assert [c.key for c in contacts] == [o.key for o in outcomes]
    assert not isinstance(schema, Exception) or str(schema)


@settings(max_examples=120, deadline=None)
@given(answer)
def test_a_malformed_invoice_answer_gives_a_typed_error_or_records(
    reply: tuple[int, tuple[str, object]],
) -> None:
    clock = FakeClock(START)
    source = ZohoInvoiceSource(
        auth_for(clock),
        organization_id="1",
        client=client_answering(*reply),
        base_url="https://www.zohoapis.com/invoice/v3",
        clock=clock,
        retry=RetryPolicy(attempts=1),
    )
    pages = outcome(lambda: list(itertools.islice(source.read(), 3)), FieldSyncError)
    schema = outcome(source.schema, FieldSyncError)

    if isinstance(pages, Exception):
        assert str(pages)
    else:
        assert all(isinstance(r, SourceRecord) for page in pages for r in page.records)
    assert not isinstance(schema, Exception) or str(schema)


# -- CSV injection ---------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_an_export_cell_that_starts_like_a_formula_is_prefixed_with_a_quote(start: str) -> None:
    # The key is exported as the source gave it; the name survives mapping unchanged.
    key = f'{start}HYPERLINK("http://evil")'
    name = "=1+1" if start in "\t\r" else f"{start}1+1"
    record = SourceRecord(key, START, {"email": "not an address", "first_name": name})
    store = InMemoryStore()
    target = FakeTarget()
    target.create_list(LIST)
    service = SyncService(store=store, clock=FakeClock(START), worker_id="w")
    service.register_integration("crm", source=FakeSource([record]), target=target)
    sync = service.create_sync("crm", SyncSpec(name="CSV", list_key=LIST, mapping=MAPPING))
    run = service.initiate(sync.id)
    out = io.StringIO(newline="")

    service.export_skipped(run.id, out)

    row = next(iter(csv.DictReader(io.StringIO(out.getvalue(), newline=""))))
    assert ("'" + key, "'" + name) == (row["key"], row["First Name"])


def test_a_record_key_with_a_lone_surrogate_is_counted_on_the_sqlite_store() -> None:
    record = SourceRecord("k\ud800", START, {"email": "ann@example.com", "first_name": "Ann"})
    with SQLiteStore(":memory:") as store:
        sync_records([record], store)
