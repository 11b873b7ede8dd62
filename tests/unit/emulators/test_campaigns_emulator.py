"""CampaignsEmulator answers like Zoho Campaigns v1.1: shapes, codes, limits and lockouts."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fieldsync.domain.records import RateWindow
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators._campaigns_state import GROUP_ADDRESS_LOCAL_PARTS
from fieldsync.testing.emulators._common import AccountsEmulator, FaultKind, Faults
from fieldsync.testing.emulators._people import GROUP_LOCAL_PARTS
from fieldsync.testing.emulators.campaigns import LOCKOUT_STATUS, CampaignsEmulator
from fieldsync.zoho.messages import ADDED_MESSAGE, CONFIRMATION_MESSAGE, UPDATED_MESSAGE

ROOT = "https://campaigns.zoho.com/api/v1.1"


class Api:
    """An emulator and a client holding a valid access token."""

    def __init__(self, **options: Any) -> None:
        self.clock = FakeClock()
        self.accounts = AccountsEmulator(clock=self.clock)
        self.accounts.register_client("client", "secret", "refresh")
        options.setdefault("code_style", "text")
        self.emulator = CampaignsEmulator(accounts=self.accounts, clock=self.clock, **options)
        self.list_key = self.emulator.create_list("Customers")
        minted = httpx.Client(transport=self.accounts).post(
            "https://accounts.zoho.com/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": "refresh",
                "client_id": "client",
                "client_secret": "secret",
            },
        )
        self.token = minted.json()["access_token"]
        self.http = httpx.Client(
            transport=self.emulator,
            base_url=ROOT,
            headers={"Authorization": f"Zoho-oauthtoken {self.token}"},
        )

    def subscribe(self, list_key: str | None = None, **info: str) -> dict[str, Any]:
        contact = {k.replace("_", " "): v for k, v in info.items()}
        response = self.http.post(
            "json/listsubscribe",
            data={
                "listkey": list_key or self.list_key,
                "resfmt": "JSON",
                "contactinfo": json.dumps(contact),
            },
        )
        body: dict[str, Any] = response.json()
        return body

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.http.get(path, params=params).json()
        return body


def test_subscribing_a_new_address_adds_it_and_says_so() -> None:
    api = Api()

    body = api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")

    assert ("success", "0", ADDED_MESSAGE) == (body["status"], body["code"], body["message"])
    assert {"ann@example.com": {"Contact Email": "ann@example.com", "First Name": "Ann"}} == (
        api.emulator.subscribers(api.list_key)
    )


def test_subscribing_a_known_address_in_another_case_updates_the_same_contact() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")

    body = api.subscribe(Contact_Email="ANN@example.com", First_Name="Anne")

    assert UPDATED_MESSAGE == body["message"]
    assert {"ann@example.com": "Anne"} == {
        email: values["First Name"]
        for email, values in api.emulator.subscribers(api.list_key).items()
    }


def test_an_empty_value_clears_the_field() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")

    api.subscribe(Contact_Email="ann@example.com", First_Name="")

    assert {"Contact Email": "ann@example.com"} == api.emulator.subscribers(api.list_key)[
        "ann@example.com"
    ]


def test_a_list_needing_confirmation_adds_the_contact_only_once_confirmed() -> None:
    api = Api()
    key = api.emulator.create_list("Double opt-in", confirmation_required=True)

    body = api.subscribe(key, Contact_Email="ann@example.com")
    before = api.emulator.subscribers(key)
    api.emulator.confirm(key, "ann@example.com")

    assert (CONFIRMATION_MESSAGE, {}) == (body["message"], before)
    assert ["ann@example.com"] == list(api.emulator.subscribers(key))


@pytest.mark.parametrize(
    ("email", "code"),
    [("not-an-address", "2004"), ("ann@example", "2004"), ("info@example.com", "2005")],
)
def test_an_address_the_service_refuses_gets_its_code(email: str, code: str) -> None:
    api = Api()

    body = api.subscribe(Contact_Email=email)

    assert ("error", code) == (body["status"], body["code"])


def test_every_group_address_of_the_generator_is_refused() -> None:
    assert set(GROUP_LOCAL_PARTS) <= GROUP_ADDRESS_LOCAL_PARTS


def test_a_contact_without_an_email_misses_a_mandatory_field() -> None:
    api = Api()

    assert "903" == api.subscribe(First_Name="Ann")["code"]


def test_a_new_contact_without_a_mandatory_custom_field_is_refused() -> None:
    api = Api()
    api.emulator.add_field("Member Id", mandatory=True)

    assert "903" == api.subscribe(Contact_Email="ann@example.com")["code"]


def test_contactinfo_that_is_not_a_json_object_is_a_format_error() -> None:
    api = Api()

    response = api.http.post(
        "json/listsubscribe",
        data={"listkey": api.list_key, "resfmt": "JSON", "contactinfo": "{Contact Email:x"},
    )

    assert "2001" == response.json()["code"]


def test_the_plan_limit_refuses_new_contacts_but_not_updates() -> None:
    api = Api(plan_limit=1)
    api.subscribe(Contact_Email="ann@example.com")

    refused = api.subscribe(Contact_Email="bob@example.com")
    updated = api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")

    assert ("914", UPDATED_MESSAGE) == (refused["code"], updated["message"])


def test_auto_upgrade_never_refuses_and_counts_the_upgrades() -> None:
    api = Api(plan_limit=2, auto_upgrade=True)

    codes = {api.subscribe(Contact_Email=f"p{i}@example.com")["code"] for i in range(5)}

    assert ({"0"}, 2, 6) == (codes, api.emulator.upgrades, api.emulator.plan_limit)


def test_an_unknown_list_key_is_invalid() -> None:
    api = Api()

    assert "2501" == api.subscribe("nope", Contact_Email="ann@example.com")["code"]


def test_a_deleted_list_says_so() -> None:
    api = Api()
    api.emulator.delete_list(api.list_key)

    assert "2206" == api.subscribe(Contact_Email="ann@example.com")["code"]


def test_an_expired_token_is_unauthorized() -> None:
    api = Api()
    api.accounts.expire_access_tokens()

    assert "1007" == api.subscribe(Contact_Email="ann@example.com")["code"]


@pytest.mark.parametrize(("style", "expected"), [("text", "2004"), ("number", 2004)])
def test_codes_come_as_text_or_as_numbers(style: str, expected: object) -> None:
    api = Api(code_style=style)

    assert expected == api.subscribe(Contact_Email="nope")["code"]


def test_mixed_codes_use_both_forms() -> None:
    api = Api(code_style="mixed", seed=4)

    kinds = {type(api.subscribe(Contact_Email="nope")["code"]) for _ in range(20)}

    assert {str, int} == kinds


def test_a_custom_field_is_created_with_code_200_and_listed() -> None:
    api = Api()

    created = api.http.post(
        "custom/add", data={"type": "json", "fieldname": "Country", "fieldtype": "Text"}
    ).json()
    fields = api.get("contact/allfields", type="json")["response"]["fieldnames"]["fieldname"]

    assert ("200", "Country") == (created["response"]["code"], created["response"]["fieldname"])
    assert {"DISPLAY_NAME": "Country", "type": "Text", "IS_CUSTOM": True} == {
        k: v for k, v in fields[-1].items() if k in ("DISPLAY_NAME", "type", "IS_CUSTOM")
    }


@pytest.mark.parametrize(
    ("name", "code"), [("Country", "916"), ("country", "916"), ("Home Town", "903")]
)
def test_a_custom_field_that_clashes_or_is_not_alphanumeric_is_refused(
    name: str, code: str
) -> None:
    api = Api()
    api.http.post("custom/add", data={"type": "json", "fieldname": "Country", "fieldtype": "Text"})

    answer = api.http.post(
        "custom/add", data={"type": "json", "fieldname": name, "fieldtype": "Text"}
    ).json()

    assert code == answer["code"]


def test_the_flat_field_shape_lists_fields_under_fieldname_with_uitype() -> None:
    api = Api(allfields_shape="fieldname")

    rows = api.get("contact/allfields", type="json")["response"]["fieldname"]

    assert ("Contact Email", "Email") == (rows[0]["DISPLAY_NAME"], rows[0]["UITYPE"])


def test_list_subscribers_are_paged_from_index_one() -> None:
    api = Api()
    for i in range(5):
        api.subscribe(Contact_Email=f"p{i}@example.com")

    page = api.get("getlistsubscribers", listkey=api.list_key, resfmt="JSON", fromindex=3, range=2)

    assert ["p2@example.com", "p3@example.com"] == [
        row["contact_email"] for row in page["list_of_details"]
    ]


def test_a_range_above_the_maximum_is_refused() -> None:
    api = Api()

    body = api.get("getlistsubscribers", listkey=api.list_key, resfmt="JSON", range=5000)

    assert "6502" == body["code"]


def test_the_subscriber_count_counts_the_list() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")

    body = api.get("listsubscriberscount", listkey=api.list_key, resfmt="JSON")

    assert 1 == body["no_of_contacts"]


def test_mailing_lists_carry_key_name_and_count() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")

    (row,) = api.get("getmailinglists", resfmt="JSON")["list_of_details"]

    assert (api.list_key, "Customers", "1") == (
        row["listkey"],
        row["listname"],
        row["noofcontacts"],
    )


def test_an_account_without_lists_answers_2401() -> None:
    api = Api()
    api.emulator.delete_list(api.list_key)

    assert "2401" == api.get("getmailinglists", resfmt="JSON")["code"]


def test_bulk_add_takes_at_most_ten_addresses() -> None:
    api = Api()
    emails = ",".join(f"p{i}@example.com" for i in range(11))

    body = api.http.post(
        "addlistsubscribersinbulk",
        data={"listkey": api.list_key, "resfmt": "JSON", "emailids": emails},
    ).json()

    assert "6502" == body["code"]


def test_bulk_add_ignores_invalid_and_group_addresses() -> None:
    api = Api()

    api.http.post(
        "addlistsubscribersinbulk",
        data={
            "listkey": api.list_key,
            "resfmt": "JSON",
            "emailids": "ann@example.com,nope,sales@example.com",
        },
    )

    assert ["ann@example.com"] == list(api.emulator.subscribers(api.list_key))


def test_an_answer_is_xml_unless_json_is_asked_for() -> None:
    api = Api()

    response = api.http.get("getmailinglists")

    assert response.text.startswith("<?xml")


def test_an_unknown_endpoint_is_not_found() -> None:
    api = Api()

    response = api.http.get("nosuchthing", params={"resfmt": "JSON"})

    assert (404, "1004") == (response.status_code, response.json()["code"])


def test_an_unpaced_client_trips_the_lockout_and_stays_locked_for_30_minutes() -> None:
    api = Api()
    statuses = [
        api.http.post(
            "json/listsubscribe",
            data={"listkey": api.list_key, "resfmt": "JSON", "contactinfo": "{}"},
        ).status_code
        for _ in range(502)
    ]
    api.clock.advance(29 * 60)
    still_locked = api.subscribe(Contact_Email="ann@example.com")
    api.clock.advance(2 * 60)
    open_again = api.subscribe(Contact_Email="ann@example.com")

    assert [200] * 500 + [LOCKOUT_STATUS] * 2 == statuses
    assert 1 == api.emulator.windows.lockouts
    assert ("error", "success") == (still_locked["status"], open_again["status"])


def test_injected_limits_replace_the_documented_ones() -> None:
    api = Api(limits={"GET contact/allfields": [RateWindow(2, 60.0, 600.0)]})

    statuses = [api.http.get("contact/allfields?type=json").status_code for _ in range(3)]

    assert [200, 200, LOCKOUT_STATUS] == statuses


def test_the_retry_later_fault_is_the_api_code_2101() -> None:
    api = Api(faults=Faults(rate=1.0, kinds=frozenset({FaultKind.RETRY_LATER})))

    assert "2101" == api.subscribe(Contact_Email="ann@example.com")["code"]


def test_a_faulted_call_changes_nothing() -> None:
    api = Api(faults=Faults(rate=1.0, kinds=frozenset({FaultKind.SERVER_ERROR})))
    contact = json.dumps({"Contact Email": "ann@example.com"})

    api.http.post(
        "json/listsubscribe",
        data={"listkey": api.list_key, "resfmt": "JSON", "contactinfo": contact},
    )

    assert {} == api.emulator.subscribers(api.list_key)


def test_latency_is_slept_on_the_clock() -> None:
    api = Api(latency=0.25)
    before = len(api.clock.sleeps)

    api.subscribe(Contact_Email="ann@example.com")

    assert [0.25] == api.clock.sleeps[before:]


def test_calls_are_counted_per_endpoint() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")
    api.get("getmailinglists", resfmt="JSON")

    assert {"POST json/listsubscribe": 1, "GET getmailinglists": 1} == dict(api.emulator.calls)
