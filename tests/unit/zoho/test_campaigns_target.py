"""ZohoCampaignsTarget against the Campaigns emulator, in simulated time."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from fieldsync.domain.fields import Field, FieldType
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    Capacity,
    OutcomeKind,
    RateWindow,
    TargetContact,
    TargetLimits,
)
from fieldsync.exceptions import (
    AuthenticationError,
    ConfigurationError,
    ListNotFoundError,
    QuotaExhaustedError,
)
from fieldsync.http.retry import RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators._common import AccountsEmulator, Faults
from fieldsync.testing.emulators.campaigns import CampaignsEmulator
from fieldsync.zoho.auth import ZohoOAuth
from fieldsync.zoho.campaigns import ZohoCampaignsTarget

ROOT = "https://campaigns.zoho.com/api/v1.1"
SUBSCRIBE = "POST json/listsubscribe"


class Rig:
    def __init__(self, *, api_domain: str | None = None, **emulator: Any) -> None:
        self.clock = FakeClock()
        self.accounts = AccountsEmulator(clock=self.clock, api_domain=api_domain)
        self.accounts.register_client("client", "secret", "refresh")
        self.emulator = CampaignsEmulator(accounts=self.accounts, clock=self.clock, **emulator)
        self.list_key = self.emulator.create_list("Invoice customers")
        self.auth = ZohoOAuth(
            client_id="client",
            client_secret="secret",
            refresh_token="refresh",
            client=httpx.Client(transport=self.accounts),
            clock=self.clock,
        )

    def target(
        self, transport: httpx.BaseTransport | None = None, **options: Any
    ) -> ZohoCampaignsTarget:
        options.setdefault("base_url", ROOT)
        options.setdefault("concurrency", 1)
        client = httpx.Client(transport=transport or self.emulator)
        return ZohoCampaignsTarget(self.auth, client=client, clock=self.clock, **options)


class Scripted(httpx.BaseTransport):
    """Answers listsubscribe calls for some addresses from a script, then the emulator."""

    def __init__(self, inner: httpx.BaseTransport, script: dict[str, list[httpx.Response]]):
        self.inner = inner
        self.script = script
        self.hosts: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        if request.url.path.endswith("json/listsubscribe"):
            form = dict(httpx.QueryParams(request.read().decode()))
            email = json.loads(form["contactinfo"])["Contact Email"]
            if self.script.get(email):
                return self.script[email].pop(0)
        return self.inner.handle_request(request)


def contact(email: str, **values: object) -> TargetContact:
    return TargetContact(key=email, email=email, values={"Contact Email": email, **values})


def kinds(outcomes: Any) -> list[tuple[OutcomeKind, ReasonCode | None]]:
    return [(o.kind, o.reason) for o in outcomes]


def answer(code: str, message: str = "", status: int = 200) -> httpx.Response:
    body = {"status": "error", "code": code, "message": message or f"code {code}"}
    return httpx.Response(status, json=body)


ADDED = (OutcomeKind.ADDED, None)
UPDATED = (OutcomeKind.UPDATED, None)

# -- schema and fields -------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["fieldnames", "fieldname"])
def test_the_schema_lists_display_names_with_contact_email_as_the_email_field(shape: str) -> None:
    schema = Rig(allfields_shape=shape).target().schema()

    assert "Contact Email" == schema.email_field
    assert {"First Name", "Last Name", "Company Name", "Phone"} <= set(schema.names)


def test_a_created_field_keeps_an_alphanumeric_name_and_appears_in_the_schema() -> None:
    target = Rig().target()

    created = target.create_field(Field("Country", FieldType.TEXT))

    assert Field("Country", FieldType.TEXT, custom=True) == created
    assert Field("Country", FieldType.TEXT, custom=True) == target.schema().get("Country")


def test_a_field_name_with_spaces_comes_back_alphanumeric_with_its_campaigns_type() -> None:
    rig = Rig()
    target = rig.target()

    created = target.create_field(Field("Customer Since", FieldType.DATE))

    assert Field("CustomerSince", FieldType.DATE, custom=True) == created
    assert created == target.schema().get("CustomerSince")


def test_creating_a_field_that_exists_returns_the_existing_field() -> None:
    rig = Rig()
    rig.emulator.add_field("Country", "Picklist")

    created = rig.target().create_field(Field("Country", FieldType.TEXT))

    assert Field("Country", FieldType.PICKLIST, custom=True) == created


def test_a_field_name_without_letters_or_digits_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        Rig().target().create_field(Field("—", FieldType.TEXT))


# -- upsert ------------------------------------------------------------------------------


def test_a_new_contact_is_added_and_writing_it_again_updates_it() -> None:
    rig = Rig()
    target = rig.target()

    first = target.upsert(rig.list_key, [contact("ann@example.com", **{"First Name": "Ann"})])
    second = target.upsert(rig.list_key, [contact("ANN@example.com", **{"First Name": "Anne"})])

    assert [ADDED, UPDATED] == kinds([*first, *second])
    assert {"ann@example.com": "Anne"} == {
        email: values["First Name"]
        for email, values in rig.emulator.subscribers(rig.list_key).items()
    }


def test_values_are_written_as_campaigns_text_and_none_clears_a_field() -> None:
    rig = Rig()
    rig.emulator.add_field("Since")
    rig.emulator.add_field("Seen")
    rig.emulator.add_field("Balance")
    rig.emulator.add_field("Vip")
    target = rig.target()
    target.upsert(rig.list_key, [contact("ann@example.com", **{"First Name": "Ann"})])
    values = {
        "Since": date(2024, 3, 1),
        "Seen": datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        "Balance": Decimal("1234.50"),
        "Vip": True,
        "First Name": None,
    }

    target.upsert(rig.list_key, [contact("ann@example.com", **values)])

    assert {
        "Contact Email": "ann@example.com",
        "Since": "03/01/2024",
        "Seen": "03/01/2024 09:30:00",
        "Balance": "1234.50",
        "Vip": "true",
    } == rig.emulator.subscribers(rig.list_key)["ann@example.com"]


@pytest.mark.parametrize("style", ["text", "number"])
@pytest.mark.parametrize(
    ("email", "reason"),
    [("not-an-address", ReasonCode.INVALID_EMAIL), ("info@example.com", ReasonCode.GROUP_ADDRESS)],
)
def test_a_refused_address_is_skipped_with_its_reason_whatever_the_code_form(
    style: str, email: str, reason: ReasonCode
) -> None:
    rig = Rig(code_style=style)

    outcomes = rig.target().upsert(rig.list_key, [contact(email), contact("ann@example.com")])

    assert [(OutcomeKind.SKIPPED, reason), ADDED] == kinds(outcomes)


def test_a_contact_missing_a_mandatory_field_is_skipped() -> None:
    rig = Rig()
    rig.emulator.add_field("Member Id", mandatory=True)

    outcomes = rig.target().upsert(rig.list_key, [contact("ann@example.com")])

    assert [(OutcomeKind.SKIPPED, ReasonCode.MANDATORY_FIELD_MISSING)] == kinds(outcomes)


def test_a_list_needing_confirmation_skips_the_contact_as_pending() -> None:
    rig = Rig()
    key = rig.emulator.create_list("Double opt-in", confirmation_required=True)

    outcomes = rig.target().upsert(key, [contact("ann@example.com")])

    assert [(OutcomeKind.SKIPPED, ReasonCode.CONFIRMATION_PENDING)] == kinds(outcomes)
    assert {"ann@example.com"} == rig.emulator.pending(key)


def test_at_the_plan_limit_the_rest_of_the_batch_is_skipped_without_a_call() -> None:
    rig = Rig(plan_limit=2)
    batch = [contact(f"p{i}@example.com") for i in range(5)]

    outcomes = rig.target().upsert(rig.list_key, batch)

    limit = (OutcomeKind.SKIPPED, ReasonCode.PLAN_LIMIT)
    assert [ADDED, ADDED, limit, limit, limit] == kinds(outcomes)
    assert 3 == rig.emulator.calls[SUBSCRIBE]


def test_with_auto_upgrade_the_plan_limit_never_stops_the_sync() -> None:
    rig = Rig(plan_limit=2, auto_upgrade=True)
    batch = [contact(f"p{i}@example.com") for i in range(5)]

    outcomes = rig.target().upsert(rig.list_key, batch)

    assert [ADDED] * 5 == kinds(outcomes)
    assert 2 == rig.emulator.upgrades


def test_a_deleted_list_stops_the_batch_with_list_not_found() -> None:
    rig = Rig()
    rig.emulator.delete_list(rig.list_key)

    with pytest.raises(ListNotFoundError):
        rig.target().upsert(rig.list_key, [contact("ann@example.com"), contact("b@example.com")])

    assert 1 == rig.emulator.calls[SUBSCRIBE]


def test_an_unknown_list_key_is_list_not_found() -> None:
    with pytest.raises(ListNotFoundError):
        Rig().target().upsert("no-such-list", [contact("ann@example.com")])


def test_revoked_credentials_stop_the_batch_with_an_authentication_error() -> None:
    rig = Rig()
    target = rig.target()
    target.upsert(rig.list_key, [contact("ann@example.com")])
    rig.accounts.revoke("refresh")

    with pytest.raises(AuthenticationError):
        target.upsert(rig.list_key, [contact("bob@example.com")])


def test_a_privilege_refusal_stops_the_batch_without_spending_a_token_mint() -> None:
    rig = Rig()
    script = {"ann@example.com": [answer("2701", "no privilege")]}
    target = rig.target(Scripted(rig.emulator, script))

    with pytest.raises(AuthenticationError):
        target.upsert(rig.list_key, [contact("ann@example.com")])

    assert rig.accounts.minted == 1


def test_an_expired_token_is_refreshed_and_the_write_goes_through() -> None:
    rig = Rig()
    target = rig.target()
    target.upsert(rig.list_key, [contact("ann@example.com")])
    rig.accounts.expire_access_tokens()

    assert [ADDED] == kinds(target.upsert(rig.list_key, [contact("bob@example.com")]))


@pytest.mark.parametrize(
    "failure",
    [lambda: answer("2101"), lambda: answer("", status=503), lambda: answer("", status=429)],
    ids=["retry-later", "503", "429"],
)
def test_a_temporary_refusal_is_retried_until_the_write_succeeds(
    failure: Callable[[], httpx.Response],
) -> None:
    rig = Rig()
    flaky = Scripted(rig.emulator, {"ann@example.com": [failure(), failure()]})

    outcomes = rig.target(flaky).upsert(rig.list_key, [contact("ann@example.com")])

    assert [ADDED] == kinds(outcomes)


def test_when_retries_run_out_that_contact_fails_and_the_others_go_on() -> None:
    rig = Rig()
    flaky = Scripted(rig.emulator, {"ann@example.com": [answer("2101") for _ in range(3)]})
    target = rig.target(flaky, retry=RetryPolicy(attempts=3))

    outcomes = target.upsert(rig.list_key, [contact("ann@example.com"), contact("b@example.com")])

    assert [(OutcomeKind.FAILED, ReasonCode.TARGET_ERROR), ADDED] == kinds(outcomes)


def test_a_success_message_that_says_nothing_is_a_write() -> None:
    rig = Rig()
    said = httpx.Response(200, json={"status": "success", "code": 0, "message": "Done."})
    scripted = Scripted(rig.emulator, {"ann@example.com": [said]})

    outcomes = rig.target(scripted).upsert(rig.list_key, [contact("ann@example.com")])

    assert [(OutcomeKind.WRITTEN, None)] == kinds(outcomes)


def test_several_workers_give_the_outcomes_in_the_order_of_the_contacts() -> None:
    rig = Rig()
    batch = [contact(f"p{i}@example.com") for i in range(20)] + [contact("nope")]

    outcomes = rig.target(concurrency=4).upsert(rig.list_key, batch)

    assert [c.key for c in batch] == [o.key for o in outcomes]
    assert [ADDED] * 20 + [(OutcomeKind.SKIPPED, ReasonCode.INVALID_EMAIL)] == kinds(outcomes)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_under_20_percent_faults_every_contact_is_written_or_failed_with_a_reason(
    concurrency: int,
) -> None:
    rig = Rig(faults=Faults(rate=0.2, seed=11))
    target = rig.target(concurrency=concurrency)
    batches = [[contact(f"p{i}@example.com") for i in range(j, j + 50)] for j in range(0, 200, 50)]

    outcomes = [o for batch in batches for o in target.upsert(rig.list_key, batch)]

    written = {o.key for o in outcomes if o.kind in (OutcomeKind.ADDED, OutcomeKind.UPDATED)}
    failed = [o for o in outcomes if o.kind not in (OutcomeKind.ADDED, OutcomeKind.UPDATED)]
    assert 200 == len(outcomes)
    assert all((OutcomeKind.FAILED, ReasonCode.TARGET_ERROR) == (o.kind, o.reason) for o in failed)
    assert written == set(rig.emulator.subscribers(rig.list_key))
    assert len(rig.emulator.faults.injected) >= 30


# -- limits --------------------------------------------------------------------------------


def test_a_long_run_never_trips_a_lockout_and_keeps_95_percent_of_the_rate() -> None:
    rig = Rig()
    target = rig.target()
    start = rig.clock.now()
    for first in range(0, 3000, 50):
        batch = [contact(f"p{i}@example.com") for i in range(first, first + 50)]
        target.upsert(rig.list_key, batch)
    minutes = (rig.clock.now() - start).total_seconds() / 60

    assert 0 == rig.emulator.windows.lockouts
    assert 3000 == len(rig.emulator.subscribers(rig.list_key))
    assert 3000 / minutes >= 0.95 * 500


def test_when_the_daily_cap_is_used_up_the_next_batch_raises_and_sends_nothing() -> None:
    rig = Rig()
    limits = TargetLimits(max_batch=8, windows=(RateWindow(500, 60.0), RateWindow(10, 86_400.0)))
    target = rig.target(limits=limits)
    target.upsert(rig.list_key, [contact(f"p{i}@example.com") for i in range(8)])

    with pytest.raises(QuotaExhaustedError) as caught:
        target.upsert(rig.list_key, [contact(f"q{i}@example.com") for i in range(8)])

    assert 8 == rig.emulator.calls[SUBSCRIBE]
    assert caught.value.resume_at is not None
    assert caught.value.resume_at > rig.clock.now()


def test_a_locked_endpoint_stops_the_batch_and_defers_instead_of_calling_it_again() -> None:
    rig = Rig()
    locked = httpx.Client(transport=rig.emulator)
    token = rig.auth.access_token()
    for _ in range(501):  # an unpaced client trips the lock for everyone on the account
        locked.post(
            f"{ROOT}/json/listsubscribe",
            headers={"Authorization": f"Zoho-oauthtoken {token}"},
            data={"listkey": rig.list_key, "resfmt": "JSON", "contactinfo": "{}"},
        )
    assert rig.emulator.windows.lockouts == 1
    refused = rig.emulator.windows.refused
    target = rig.target(retry=RetryPolicy(attempts=3, jitter=0.0))

    with pytest.raises(QuotaExhaustedError) as caught:
        target.upsert(rig.list_key, [contact(f"p{i}@example.com") for i in range(10)])

    assert rig.emulator.windows.refused - refused == 1  # the lock answer is never retried
    assert caught.value.resume_at is not None
    assert caught.value.resume_at >= rig.clock.now()


def test_the_whole_batch_is_checked_against_the_windows_before_any_call() -> None:
    rig = Rig()
    limits = TargetLimits(max_batch=8, windows=(RateWindow(500, 60.0), RateWindow(10, 86_400.0)))
    target = rig.target(limits=limits)
    target.upsert(rig.list_key, [contact(f"p{i}@example.com") for i in range(6)])

    with pytest.raises(QuotaExhaustedError):
        target.upsert(rig.list_key, [contact(f"q{i}@example.com") for i in range(5)])

    assert 6 == rig.emulator.calls[SUBSCRIBE]


def test_limits_are_the_documented_listsubscribe_windows() -> None:
    limits = Rig().target().limits()

    assert [(500, 60.0), (12_500, 3600.0), (75_000, 86_400.0)] == [
        (w.limit, w.period) for w in limits.windows
    ]


# -- lists, capacity, credentials ----------------------------------------------------------


def test_lists_give_key_name_and_count_across_pages() -> None:
    rig = Rig()
    keys = [rig.list_key] + [rig.emulator.create_list(f"List {i}") for i in range(150)]
    rig.target().upsert(rig.list_key, [contact("ann@example.com")])

    lists = rig.target().lists()

    assert keys == [lst.key for lst in lists]
    assert ("Invoice customers", 1) == (lists[0].name, lists[0].contacts)


def test_an_account_without_lists_has_no_lists() -> None:
    rig = Rig()
    rig.emulator.delete_list(rig.list_key)

    assert [] == rig.target().lists()


def test_capacity_counts_the_accounts_contacts_against_the_given_plan() -> None:
    rig = Rig()
    target = rig.target(plan_limit=2000, auto_upgrade=True)
    target.upsert(rig.list_key, [contact("ann@example.com"), contact("bob@example.com")])

    assert Capacity(used=2, limit=2000, auto_upgrade=True) == target.capacity(rig.list_key)


def test_capacity_of_an_unknown_list_is_list_not_found() -> None:
    with pytest.raises(ListNotFoundError):
        Rig().target().capacity("no-such-list")


def test_the_base_url_follows_the_token_answers_api_domain() -> None:
    rig = Rig(api_domain="https://www.zohoapis.eu")
    recording = Scripted(rig.emulator, {})

    rig.target(recording, base_url=None).schema()

    assert ["campaigns.zoho.eu"] == recording.hosts


def test_credentials_are_described_and_revoked_through_the_auth() -> None:
    rig = Rig()
    target = rig.target()

    described = target.describe_credentials()
    target.revoke()

    assert 1 == len(described)
    with pytest.raises(AuthenticationError):
        target.schema()
