"""A seeded Zoho Invoice organization synced into a Zoho Campaigns list, end to end: the
real adapters over httpx to the emulators, the service, and a SQLite file. The list must end
up exactly as the mapping and the criteria say, computed here from the organization's rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import fieldsync as fs
from fieldsync.domain.emails import email_key, is_valid_email, normalize_email
from fieldsync.testing import EmulatedZoho, FakeClock
from fieldsync.testing.emulators._campaigns_state import is_group_address

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
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    zoho = EmulatedZoho.build(contacts=600, seed=11, clock=FakeClock(START), campaigns_latency=0.05)
    store = fs.SQLiteStore(tmp_path / "e2e.db")
    service = fs.SyncService(store=store, clock=zoho.clock)
    service.register_integration("zoho", source=zoho.source, target=zoho.target)
    sync = service.create_sync(
        "zoho",
        fs.SyncSpec(
            name="Customers",
            list_key=zoho.list_key,
            mapping=MAPPING,
            criteria=fs.Criteria.parse(CRITERIA),
        ),
    )
    yield {
        "clock": zoho.clock,
        "invoice": zoho.invoice,
        "campaigns": zoho.campaigns,
        "list_key": zoho.list_key,
        "service": service,
        "sync": sync,
        "rows": list(zoho.organization.contacts),
    }
    store.close()
    zoho.close()


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
