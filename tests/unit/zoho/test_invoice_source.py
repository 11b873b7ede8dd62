"""ZohoInvoiceSource against the Invoice emulator, in simulated time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fieldsync.domain.fields import FieldType
from fieldsync.domain.records import SourceRecord
from fieldsync.exceptions import AuthenticationError, QuotaExhaustedError, SyncError
from fieldsync.http.retry import RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators._common import AccountsEmulator, Faults
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.testing.emulators.invoice import InvoiceEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.invoice import ZohoInvoiceSource

SECRET = "client-secret-value"
REFRESH_TOKEN = "1000.refresh-token-value"


class Rig:
    def __init__(self, *, contacts: int = 600, seed: int = 3, **emulator: Any) -> None:
        self.clock = FakeClock()
        self.accounts = AccountsEmulator(clock=self.clock)
        self.accounts.register_client("client", SECRET, REFRESH_TOKEN)
        self.invoice = InvoiceEmulator(
            accounts=self.accounts,
            clock=self.clock,
            organization=generate_organization(contacts, seed=seed),
            **emulator,
        )
        self.auth = ZohoOAuth(
            client_id="client",
            client_secret=SECRET,
            refresh_token=REFRESH_TOKEN,
            client=httpx.Client(transport=self.accounts),
            clock=self.clock,
        )

    def source(self, **options: Any) -> ZohoInvoiceSource:
        options.setdefault("organization_id", self.invoice.organization_id)
        options.setdefault("client", httpx.Client(transport=self.invoice))
        return ZohoInvoiceSource(self.auth, clock=self.clock, **options)

    def customers(self, *, active_only: bool = False) -> set[str]:
        return {
            c["contact_id"]
            for c in self.invoice.contacts()
            if c["contact_type"] == "customer" and (not active_only or c["status"] == "active")
        }


def keys(pages: Any) -> list[str]:
    return [record.key for page in pages for record in page.records]


def records(pages: Any) -> list[SourceRecord]:
    return [record for page in pages for record in page.records]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_full_read_yields_every_customer_once_over_many_pages(rig: Rig) -> None:
    pages = list(rig.source(per_page=50).read())

    assert len(pages) > 10
    assert Counter(keys(pages)) == Counter(rig.customers())


def test_vendors_are_not_read(rig: Rig) -> None:
    vendors = {c["contact_id"] for c in rig.invoice.contacts() if c["contact_type"] == "vendor"}

    assert vendors
    assert vendors.isdisjoint(keys(rig.source().read()))


def test_only_active_reads_active_customers_only(rig: Rig) -> None:
    assert set(keys(rig.source(only_active=True).read())) == rig.customers(active_only=True)


def test_records_come_newest_change_first(rig: Rig) -> None:
    times = [r.modified_at for r in records(rig.source(per_page=70).read())]

    assert times == sorted(times, reverse=True)


def test_an_incremental_read_keeps_what_changed_since_the_watermark(rig: Rig) -> None:
    everything = records(rig.source().read())
    since = everything[100].modified_at

    got = keys(rig.source().read(since=since))

    assert set(got) == {r.key for r in everything if r.modified_at >= since}


def test_an_incremental_read_stops_at_the_watermark_without_reading_further_pages(
    rig: Rig,
) -> None:
    since = records(rig.source().read())[30].modified_at
    calls_before = rig.invoice.requests

    list(rig.source(per_page=20).read(since=since))

    assert rig.invoice.requests - calls_before == 2


def test_a_record_modified_exactly_at_the_watermark_is_kept(rig: Rig) -> None:
    rig.clock.advance(timedelta(days=3650))
    changed = rig.invoice.update_contact(sorted(rig.customers())[0])

    got = keys(rig.source().read(since=rig.clock.now()))

    assert got == [changed["contact_id"]]


def test_a_read_resumes_at_a_page_position(rig: Rig) -> None:
    source = rig.source(per_page=50)
    third = list(source.read())[2]

    resumed = next(iter(source.read(resume=third.position)))

    assert [r.key for r in resumed.records] == [r.key for r in third.records]


def test_a_resumed_read_keeps_the_since_of_its_position(rig: Rig) -> None:
    source = rig.source(per_page=20)
    since = records(source.read())[70].modified_at
    second = list(source.read(since=since))[1]

    rest = keys(source.read(resume=second.position))

    assert rest == keys(list(source.read(since=since))[1:])


def test_a_position_from_another_since_is_refused(rig: Rig) -> None:
    source = rig.source(per_page=50)
    position = next(iter(source.read(since=datetime(2024, 1, 1, tzinfo=UTC)))).position

    with pytest.raises(ValueError, match="since"):
        next(iter(source.read(since=datetime(2025, 1, 1, tzinfo=UTC), resume=position)))


def test_modification_times_keep_their_offset(rig: Rig) -> None:
    rig.invoice.add_contact(contact_id="1", last_modified_time="2027-03-01T18:24:51+05:30")
    rig.invoice.add_contact(contact_id="2", last_modified_time="2027-03-01T12:00:00Z")

    first, second = records(rig.source().read())[:2]

    assert first.modified_at == datetime(2027, 3, 1, 12, 54, 51, tzinfo=UTC)
    assert second.modified_at == datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_custom_fields_are_in_the_schema_with_their_types(rig: Rig) -> None:
    schema = rig.source().schema()

    assert [(f.name, f.type, f.custom) for f in schema.fields[-4:]] == [
        ("Country", FieldType.TEXT, True),
        ("Region", FieldType.PICKLIST, True),
        ("Customer Tier", FieldType.PICKLIST, True),
        ("Signup Date", FieldType.DATE, True),
    ]


def test_standard_fields_have_their_types(rig: Rig) -> None:
    schema = rig.source().schema()

    names = ("email", "website", "status", "payment_terms")
    types = {field.name: field.type for field in schema if field.name in names}
    assert types == {
        "email": FieldType.EMAIL,
        "website": FieldType.URL,
        "status": FieldType.PICKLIST,
        "payment_terms": FieldType.INTEGER,
    }


def test_custom_fields_are_flattened_into_values_by_label(rig: Rig) -> None:
    contact = rig.invoice.add_contact(
        contact_name="Ada", custom_fields={"Region": "EMEA", "Customer Tier": "Gold"}
    )

    (record,) = [r for r in records(rig.source().read()) if r.key == contact["contact_id"]]

    assert (record.values["Region"], record.values["Customer Tier"]) == ("EMEA", "Gold")


def test_a_custom_field_a_record_leaves_out_is_empty(rig: Rig) -> None:
    contact = rig.invoice.add_contact(contact_name="Ada", custom_fields={"Region": "EMEA"})

    (record,) = [r for r in records(rig.source().read()) if r.key == contact["contact_id"]]

    assert record.values["Customer Tier"] is None


def test_a_declared_custom_field_is_in_the_schema_before_any_record_has_it() -> None:
    rig = Rig(contacts=0)

    schema = rig.source(custom_fields=("Account Manager",)).schema()

    assert "Account Manager" in schema


def test_the_schema_email_field_is_email(rig: Rig) -> None:
    assert rig.source().schema().email_field == "email"


def test_a_read_right_after_the_schema_takes_page_one_from_it(rig: Rig) -> None:
    plain = rig.invoice.requests
    expected = keys(rig.source().read())
    pages = rig.invoice.requests - plain
    source = rig.source()
    source.schema()
    before = rig.invoice.requests

    got = keys(source.read())

    assert got == expected
    assert rig.invoice.requests - before == pages - 1


def test_page_one_of_the_schema_serves_one_read_only(rig: Rig) -> None:
    source = rig.source()
    source.schema()
    first = rig.invoice.requests
    list(source.read())
    second = rig.invoice.requests

    list(source.read())

    assert rig.invoice.requests - second == second - first + 1  # page 1 asked for again


def test_a_schema_call_that_fetches_nothing_drops_the_kept_page(rig: Rig) -> None:
    source = rig.source()
    source.schema()
    changed = rig.invoice.update_contact(sorted(rig.customers())[0])
    source.schema()  # custom fields known: no call, and the page kept is dropped

    got = records(source.read())

    assert got[0].key == changed["contact_id"]


def test_page_one_of_the_schema_is_not_taken_a_minute_later(rig: Rig) -> None:
    source = rig.source()
    source.schema()
    rig.clock.advance(timedelta(minutes=1))
    changed = rig.invoice.update_contact(sorted(rig.customers())[0])

    got = records(source.read())

    assert got[0].key == changed["contact_id"]


def test_an_expired_token_is_refreshed_once_and_the_read_goes_on(rig: Rig) -> None:
    source = rig.source(per_page=100)
    pages = source.read()
    first = next(pages)
    rig.accounts.expire_access_tokens()

    rest = list(pages)

    assert len(first.records) + len(keys(rest)) == len(rig.customers())
    assert rig.accounts.minted == 2


def test_a_revoked_refresh_token_raises_authentication_error(rig: Rig) -> None:
    rig.accounts.revoke(REFRESH_TOKEN)

    with pytest.raises(AuthenticationError):
        list(rig.source().read())


def test_an_organization_the_user_is_not_in_raises_authentication_error(rig: Rig) -> None:
    with pytest.raises(AuthenticationError, match="organization 42"):
        list(rig.source(organization_id="42").read())


def test_a_long_read_never_trips_the_per_minute_limit() -> None:
    rig = Rig(contacts=3_000, daily_cap=None)

    pages = list(rig.source(per_page=10).read())

    assert len(pages) > 250
    assert rig.invoice.throttled == 0
    assert rig.clock.now() - datetime(2026, 1, 1, tzinfo=UTC) > timedelta(minutes=2)


def test_the_daily_cap_ends_the_read_with_quota_exhausted() -> None:
    rig = Rig(contacts=300, daily_cap=5)

    with pytest.raises(QuotaExhaustedError) as caught:
        list(rig.source(per_page=20).read())

    assert caught.value.resume_at == datetime(2026, 1, 2, tzinfo=UTC)


def test_a_known_daily_limit_stops_the_read_before_zoho_refuses() -> None:
    rig = Rig(contacts=300, daily_cap=None)

    with pytest.raises(QuotaExhaustedError):
        list(rig.source(per_page=20, daily_limit=4).read())

    assert rig.invoice.requests == 4


def test_faults_on_a_fifth_of_the_calls_still_read_every_record_exactly_once() -> None:
    rig = Rig(contacts=1_000, faults=Faults(rate=0.2, seed=9), daily_cap=None)

    got = keys(rig.source(per_page=25, retry=RetryPolicy(attempts=8)).read())

    assert Counter(got) == Counter(rig.customers())


def test_a_record_changed_during_a_read_is_not_lost_and_others_are_read_once(rig: Rig) -> None:
    source = rig.source(per_page=50)
    started = rig.clock.now()
    pages = source.read()
    first = next(pages)
    later = next(r for r in records(source.read()) if r.key not in {x.key for x in first.records})
    rig.clock.advance(1)
    rig.invoice.update_contact(later.key, email="moved@example.com")

    read = [r.key for r in first.records] + keys(pages)
    next_pass = keys(source.read(since=started))

    assert Counter(read) - Counter(rig.customers()) == Counter()
    assert set(read) | set(next_pass) == rig.customers()


def test_a_non_zero_code_at_http_200_names_the_code(rig: Rig) -> None:
    answer = httpx.Response(200, json={"code": 1234, "message": "Something odd"})
    client = httpx.Client(transport=httpx.MockTransport(lambda _: answer))

    with pytest.raises(SyncError, match="code 1234"):
        list(rig.source(client=client).read())


def test_the_api_host_follows_the_token_api_domain() -> None:
    clock = FakeClock()
    accounts = AccountsEmulator(clock=clock, api_domain="https://www.zohoapis.in")
    accounts.register_client("client", "secret", "refresh")
    invoice = InvoiceEmulator(accounts=accounts, clock=clock)
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(f"{request.url.host}{request.url.path}")
        return invoice.handle_request(request)

    auth = ZohoOAuth(
        client_id="client",
        client_secret="secret",
        refresh_token="refresh",
        data_centre="in",
        client=httpx.Client(transport=accounts),
        clock=clock,
    )
    source = ZohoInvoiceSource(
        auth,
        organization_id=invoice.organization_id,
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        clock=clock,
    )

    list(source.read())

    assert hosts == ["www.zohoapis.in/invoice/v3/contacts"]


def test_count_is_unknown(rig: Rig) -> None:
    assert rig.source().count() is None


def test_credentials_are_described_without_the_secret(rig: Rig) -> None:
    described = " ".join(rig.source().describe_credentials())

    assert SECRET not in described
    assert REFRESH_TOKEN not in described


def test_revoke_revokes_the_refresh_token(rig: Rig) -> None:
    rig.source().revoke()

    with pytest.raises(AuthenticationError):
        list(rig.source().read())


def test_a_page_size_above_200_is_refused(rig: Rig) -> None:
    with pytest.raises(ValueError, match="per_page"):
        rig.source(per_page=201)
