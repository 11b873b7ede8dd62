"""A seeded Zoho Invoice organization synced into a Zoho Campaigns list, end to end: the
real adapters over httpx to the emulators, the service, and a SQLite file. The list must end
up exactly as the mapping and the criteria say, computed here from the organization's rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import fieldsync as fs
from fieldsync.domain.emails import email_key, is_valid_email, normalize_email
from fieldsync.testing import FakeClock
from fieldsync.testing.emulators import (
    AccountsEmulator,
    CampaignsEmulator,
    InvoiceEmulator,
    generate_organization,
)
from fieldsync.testing.emulators._campaigns_state import is_group_address
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

START = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
MAPPING = fs.FieldMapping.of(
    ("email", "Contact Email"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    fs.FieldMap("Region", "Region", create=True),
)
CRITERIA = 'status == "active" and Region != "EMEA"'


def custom(row: Mapping[str, Any], label: str) -> object:
    return next((f.get("value") for f in row.get("custom_fields", []) if f["label"] == label), None)


def expected_list(rows: list[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """email key -> the customers that qualify for it, computed without fieldsync's planner."""
    wanted: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("contact_type") != "customer" or row.get("status") != "active":
            continue
        if custom(row, "Region") == "EMEA":
            continue
        email = normalize_email(row.get("email"))
        if email is None or not is_valid_email(email) or is_group_address(email):
            continue
        wanted[email_key(email)].append(row)
    return wanted


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    clock = FakeClock(START)
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client("1000.E2E", "e2e-secret", "1000.e2e-refresh")
    organization = generate_organization(600, seed=11)
    invoice = InvoiceEmulator(
        accounts=accounts, clock=clock, organization=organization, daily_cap=None
    )
    campaigns = CampaignsEmulator(accounts=accounts, clock=clock, latency=0.05)
    list_key = campaigns.create_list("Customers")
    auth = ZohoOAuth(
        client_id="1000.E2E",
        client_secret="e2e-secret",
        refresh_token="1000.e2e-refresh",
        client=httpx.Client(transport=accounts),
        clock=clock,
    )
    source = ZohoInvoiceSource(
        auth,
        organization_id=organization.organization_id,
        client=httpx.Client(transport=invoice),
        clock=clock,
    )
    target = ZohoCampaignsTarget(
        auth, client=httpx.Client(transport=campaigns), clock=clock, concurrency=1
    )
    store = fs.SQLiteStore(tmp_path / "e2e.db")
    service = fs.SyncService(store=store, clock=clock)
    service.register_integration("zoho", source=source, target=target)
    sync = service.create_sync(
        "Customers",
        integration="zoho",
        list_key=list_key,
        mapping=MAPPING,
        criteria=fs.Criteria.parse(CRITERIA),
    )
    yield {
        "clock": clock,
        "invoice": invoice,
        "campaigns": campaigns,
        "list_key": list_key,
        "service": service,
        "sync": sync,
        "rows": list(organization.contacts),
    }
    store.close()


def test_the_list_ends_up_exactly_as_the_mapping_and_criteria_say(world: dict[str, Any]) -> None:
    service, campaigns = world["service"], world["campaigns"]

    run = service.initiate(world["sync"].id)

    expected = expected_list(world["rows"])
    subscribers = {email_key(e): v for e, v in campaigns.subscribers(world["list_key"]).items()}
    assert set(subscribers) == set(expected)
    for key, rows in expected.items():
        if len(rows) == 1:  # a duplicated email keeps whichever record was read first
            (row,) = rows
            assert subscribers[key]["First Name"] == (row.get("first_name") or "").strip()
            # an empty Region is left out of the write ("update empty field value" is off)
            assert subscribers[key].get("Region") == (custom(row, "Region") or None)
    customers = sum(r.get("contact_type") == "customer" for r in world["rows"])
    assert (run.status, run.total, run.added, run.failed) == (
        fs.RunStatus.COMPLETED,
        customers,
        len(expected),
        0,
    )
    assert campaigns.windows.lockouts == 0


def test_a_second_run_sends_only_the_contacts_that_changed(world: dict[str, Any]) -> None:
    service, campaigns, invoice = world["service"], world["campaigns"], world["invoice"]
    service.initiate(world["sync"].id)
    before = campaigns.calls["POST json/listsubscribe"]
    expected = expected_list(world["rows"])
    changed = [rows[0] for rows in expected.values() if len(rows) == 1][:7]
    world["clock"].advance(timedelta(hours=3))
    for row in changed:
        invoice.update_contact(row["contact_id"], last_name="Changed")

    again = service.run(world["sync"].id)

    assert campaigns.calls["POST json/listsubscribe"] - before == len(changed)
    assert again.updated == len(changed)
    subscribers = {email_key(e): v for e, v in campaigns.subscribers(world["list_key"]).items()}
    for row in changed:
        assert subscribers[email_key(normalize_email(row["email"]) or "")]["Last Name"] == "Changed"
