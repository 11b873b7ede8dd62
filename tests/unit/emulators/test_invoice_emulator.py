"""The Zoho Invoice emulator answers like Zoho Invoice v3: shapes, filters, errors, limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators._common import AccountsEmulator, FaultKind, Faults
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.testing.emulators.invoice import ORGANIZATION_HEADER, InvoiceEmulator

ROOT = "https://www.zohoapis.com/invoice/v3/"


class Rig:
    def __init__(self, *, contacts: int = 450, **options: Any) -> None:
        self.clock = FakeClock()
        self.accounts = AccountsEmulator(clock=self.clock)
        self.accounts.register_client("client", "secret", "refresh")
        self.invoice = InvoiceEmulator(
            accounts=self.accounts,
            clock=self.clock,
            organization=options.pop("organization", None)
            or generate_organization(contacts, seed=4),
            **options,
        )
        self.token = self.new_token()
        self.http = httpx.Client(transport=self.invoice, base_url=ROOT)

    def new_token(self) -> str:
        answer = httpx.Client(transport=self.accounts).post(
            "https://accounts.zoho.com/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": "client",
                "client_secret": "secret",
                "refresh_token": "refresh",
            },
        )
        return str(answer.json()["access_token"])

    def get(self, path: str, *, org: str | None = "default", **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Zoho-oauthtoken {self.token}"}
        if org is not None:
            headers[ORGANIZATION_HEADER] = self.invoice.organization_id if org == "default" else org
        return self.http.get(path, params=params, headers=headers)

    def all_pages(self, **params: Any) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = self.get("contacts", page=page, **params).json()
            yield from body["contacts"]
            if not body["page_context"]["has_more_page"]:
                return
            page += 1


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_a_contact_list_answers_in_zoho_envelope(rig: Rig) -> None:
    body = rig.get("contacts").json()

    assert (body["code"], body["message"]) == (0, "success")


def test_pages_hold_200_contacts_by_default(rig: Rig) -> None:
    context = rig.get("contacts").json()["page_context"]

    assert (context["page"], context["per_page"], context["has_more_page"]) == (1, 200, True)


def test_the_last_page_says_there_is_no_more(rig: Rig) -> None:
    body = rig.get("contacts", page=3).json()

    assert (len(body["contacts"]), body["page_context"]["has_more_page"]) == (50, False)


def test_a_page_size_above_200_is_capped(rig: Rig) -> None:
    assert rig.get("contacts", per_page=500).json()["page_context"]["per_page"] == 200


def test_paging_visits_every_contact_once(rig: Rig) -> None:
    ids = [row["contact_id"] for row in rig.all_pages(per_page=37)]

    assert sorted(ids) == sorted(c["contact_id"] for c in rig.invoice.contacts())


def test_the_status_filter_keeps_active_contacts(rig: Rig) -> None:
    statuses = {row["status"] for row in rig.all_pages(filter_by="Status.Active")}

    assert statuses == {"active"}


def test_the_contact_type_filter_keeps_vendors(rig: Rig) -> None:
    kinds = {row["contact_type"] for row in rig.all_pages(contact_type="vendor")}

    assert kinds == {"vendor"}


def test_contacts_sort_by_modification_time_newest_first(rig: Rig) -> None:
    rows = list(rig.all_pages(sort_column="last_modified_time", sort_order="D"))
    stamps = [row["last_modified_time"] for row in rows]

    assert stamps == sorted(stamps, reverse=True)


def test_contacts_sort_by_name_by_default(rig: Rig) -> None:
    names = [row["contact_name"].casefold() for row in rig.all_pages()]

    assert names == sorted(names)


def test_search_text_matches_part_of_a_name(rig: Rig) -> None:
    target = rig.invoice.contacts()[10]
    found = [row["contact_id"] for row in rig.all_pages(search_text=target["email"][:-3].upper())]

    assert target["contact_id"] in found


def test_an_unknown_filter_is_refused_with_code_2(rig: Rig) -> None:
    response = rig.get("contacts", filter_by="Status.Sleepy")

    assert (response.status_code, response.json()["code"]) == (400, 2)


def test_the_list_leaves_out_the_billing_address(rig: Rig) -> None:
    row = rig.get("contacts").json()["contacts"][0]

    assert "billing_address" not in row


def test_one_contact_carries_its_billing_address(rig: Rig) -> None:
    contact_id = rig.invoice.contacts()[0]["contact_id"]

    contact = rig.get(f"contacts/{contact_id}").json()["contact"]

    assert (
        contact["billing_address"]["country"]
        == rig.invoice.contacts()[0]["billing_address"]["country"]
    )


def test_an_unknown_contact_answers_404_with_code_1002(rig: Rig) -> None:
    response = rig.get("contacts/1")

    assert (response.status_code, response.json()["code"]) == (404, 1002)


def test_organizations_are_listed(rig: Rig) -> None:
    organizations = rig.get("organizations", org=None).json()["organizations"]

    assert [o["organization_id"] for o in organizations] == [rig.invoice.organization_id]


def test_contacts_need_an_organization(rig: Rig) -> None:
    response = rig.get("contacts", org=None)

    assert (response.status_code, response.json()["code"]) == (400, 2)


def test_the_organization_may_come_as_a_query_parameter(rig: Rig) -> None:
    response = rig.get("contacts", org=None, organization_id=rig.invoice.organization_id)

    assert response.json()["code"] == 0


def test_an_organization_the_user_is_not_in_answers_403(rig: Rig) -> None:
    response = rig.get("contacts", org="999")

    assert response.status_code == 403


def test_an_expired_token_answers_401_with_code_57(rig: Rig) -> None:
    rig.clock.advance(3601)

    response = rig.get("contacts")

    assert (response.status_code, response.json()["code"]) == (401, 57)


def test_a_revoked_refresh_token_invalidates_its_access_tokens(rig: Rig) -> None:
    rig.accounts.revoke("refresh")

    assert rig.get("contacts").status_code == 401


def test_the_101st_call_in_a_minute_is_refused_with_retry_after(rig: Rig) -> None:
    for _ in range(100):
        rig.get("contacts", per_page=1)

    response = rig.get("contacts", per_page=1)

    assert (response.status_code, response.headers["Retry-After"]) == (429, "60")
    assert rig.invoice.throttled == 1


def test_the_minute_window_slides(rig: Rig) -> None:
    for _ in range(100):
        rig.get("contacts", per_page=1)
    rig.clock.advance(60)

    assert rig.get("contacts", per_page=1).status_code == 200


def test_the_daily_cap_refuses_calls_until_the_next_day() -> None:
    rig = Rig(contacts=10, daily_cap=3)
    for _ in range(3):
        rig.get("contacts")

    refused = rig.get("contacts")
    rig.clock.advance(86_400)
    rig.token = rig.new_token()

    assert (refused.status_code, "day" in refused.json()["message"]) == (429, True)
    assert rig.get("contacts").status_code == 200


def test_updating_a_contact_stamps_it_with_the_clock_and_moves_it_first(rig: Rig) -> None:
    contact_id = rig.invoice.contacts()[123]["contact_id"]
    rig.clock.advance(60)

    rig.invoice.update_contact(contact_id, email="new@example.com")
    first = rig.get("contacts", sort_column="last_modified_time", sort_order="D").json()[
        "contacts"
    ][0]

    assert (first["contact_id"], first["email"]) == (contact_id, "new@example.com")
    assert first["last_modified_time"] == "2026-01-01T05:31:00+0530"


def test_custom_fields_can_be_set_by_label(rig: Rig) -> None:
    contact = rig.invoice.add_contact(contact_name="Ada", custom_fields={"Region": "EMEA"})

    assert [(e["label"], e["value"]) for e in contact["custom_fields"]] == [("Region", "EMEA")]


def test_a_deleted_contact_is_gone(rig: Rig) -> None:
    contact_id = rig.invoice.contacts()[0]["contact_id"]

    rig.invoice.delete_contact(contact_id)

    assert rig.get(f"contacts/{contact_id}").status_code == 404


def test_organizations_keep_their_contacts_apart() -> None:
    first = generate_organization(5, seed=1, organization_id="1")
    second = generate_organization(7, seed=2, organization_id="2")
    rig = Rig(organization=[first, second])

    sizes = [len(rig.get("contacts", org=org).json()["contacts"]) for org in ("1", "2")]

    assert sizes == [5, 7]


def test_latency_is_spent_on_the_clock() -> None:
    rig = Rig(contacts=1, latency=0.25)

    rig.get("contacts")

    assert rig.clock.sleeps == [0.25]


def test_retry_later_faults_answer_503() -> None:
    rig = Rig(contacts=1, faults=Faults(rate=1.0, kinds=frozenset({FaultKind.RETRY_LATER})))

    assert rig.get("contacts").status_code == 503


def test_faulted_calls_do_not_count_against_the_limits() -> None:
    rig = Rig(contacts=1, faults=Faults(rate=1.0, kinds=frozenset({FaultKind.SERVER_ERROR})))

    rig.get("contacts")

    assert rig.invoice.requests == 0


def test_other_methods_are_not_served(rig: Rig) -> None:
    response = rig.http.post("contacts", headers={"Authorization": f"Zoho-oauthtoken {rig.token}"})

    assert response.status_code == 404
