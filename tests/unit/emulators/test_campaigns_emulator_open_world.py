"""CampaignsEmulator's open world: consent, bounces, hand edits, deletions, reading back."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from test_campaigns_emulator import Api

from fieldsync.domain.records import RateWindow
from fieldsync.zoho.messages import CONFIRMATION_MESSAGE, UPDATED_MESSAGE


def unsubscribe(api: Api, email: str) -> dict[str, Any]:
    info = json.dumps({"Contact Email": email})
    data = {"listkey": api.list_key, "resfmt": "JSON", "contactinfo": info}
    body: dict[str, Any] = api.http.post("json/listunsubscribe", data=data).json()
    return body


def emails(body: dict[str, Any]) -> list[str]:
    return [row["contact_email"] for row in body["list_of_details"]]


def read(api: Api, **params: Any) -> dict[str, Any]:
    return api.get("getlistsubscribers", listkey=api.list_key, resfmt="JSON", **params)


def test_a_do_not_mail_address_is_refused_with_2006_and_reads_as_unsub() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")
    api.emulator.do_not_mail("Ann@Example.com")

    body = api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")

    assert ("error", "2006") == (body["status"], body["code"])
    assert "Do-Not-Mail" in body["message"]
    assert ["ann@example.com"] == emails(read(api, status="unsub"))
    assert "2502" == read(api, status="active")["code"]


def test_a_resubscribed_contact_is_active_and_accepted_again() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")
    api.emulator.do_not_mail("ann@example.com")
    api.emulator.resubscribe("ann@example.com")

    assert "success" == api.subscribe(Contact_Email="ann@example.com")["status"]
    assert {"ann@example.com": "active"} == api.emulator.statuses(api.list_key)


def test_listunsubscribe_answers_zohos_message_and_the_contact_reads_as_unsub() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")

    body = unsubscribe(api, "ann@example.com")

    assert ("success", "User successfully unsubscribed.") == (body["status"], body["message"])
    assert {"ann@example.com": "unsub"} == api.emulator.statuses(api.list_key)
    assert "2006" == api.subscribe(Contact_Email="ann@example.com")["code"]


def test_a_hard_bounce_is_ignored_with_a_success_by_default() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")
    api.emulator.hard_bounce("ann@example.com")

    body = api.subscribe(Contact_Email="ann@example.com", First_Name="Annie")

    assert ("success", UPDATED_MESSAGE) == (body["status"], body["message"])
    assert "Ann" == api.emulator.subscribers(api.list_key)["ann@example.com"]["First Name"]
    assert ["ann@example.com"] == emails(read(api, status="bounce"))


def test_a_hard_bounce_can_be_refused_naming_the_bounce() -> None:
    api = Api(bounce_answer="error")
    api.emulator.hard_bounce("ann@example.com")

    body = api.subscribe(Contact_Email="ann@example.com")

    assert "error" == body["status"]
    assert "bounce" in body["message"]
    assert {} == api.emulator.subscribers(api.list_key)


def test_spam_reports_are_refused_and_counted() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")
    api.subscribe(Contact_Email="bob@example.com")
    api.emulator.report_spam("ann@example.com")

    refused = api.subscribe(Contact_Email="ann@example.com")
    counts = {
        status: api.get("listsubscriberscount", listkey=api.list_key, resfmt="JSON", status=status)[
            "no_of_contacts"
        ]
        for status in ("active", "unsub", "bounce", "spam")
    }

    assert "error" == refused["status"]
    assert "spam" in refused["message"]
    assert {"active": 1, "unsub": 0, "bounce": 0, "spam": 1} == counts


def test_any_refusal_can_be_set_for_one_address() -> None:
    api = Api()
    api.emulator.refuse("ann@example.com", "7321", "Something about this contact.")

    body = api.subscribe(Contact_Email="ann@example.com")

    assert ("7321", "Something about this contact.") == (body["code"], body["message"])


def test_a_double_opt_in_list_holds_the_contact_until_it_confirms() -> None:
    api = Api()
    key = api.emulator.create_list("Sign-up", confirmation_required=True)

    body = api.subscribe(key, Contact_Email="ann@example.com")

    assert ("success", CONFIRMATION_MESSAGE) == (body["status"], body["message"])
    assert {} == api.emulator.subscribers(key)
    api.emulator.confirm(key, "ann@example.com")
    assert ["ann@example.com"] == list(api.emulator.subscribers(key))


def test_hand_edits_and_removals_show_in_the_list() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com", First_Name="Ann")
    api.subscribe(Contact_Email="bob@example.com", First_Name="Bob")

    api.emulator.edit_contact("ann@example.com", **{"First Name": "Anne"})
    api.emulator.remove_contact(api.list_key, "bob@example.com")

    rows = read(api)["list_of_details"]
    assert [("ann@example.com", "Anne")] == [(r["contact_email"], r["firstname"]) for r in rows]


def test_a_deleted_field_drops_its_value_silently_by_default() -> None:
    api = Api()
    api.emulator.add_field("Country")
    api.emulator.delete_field("Country")

    body = api.subscribe(Contact_Email="ann@example.com", Country="IN")

    assert "success" == body["status"]
    assert {"Contact Email": "ann@example.com"} == api.emulator.subscribers(api.list_key)[
        "ann@example.com"
    ]


def test_a_deleted_field_can_be_refused_instead() -> None:
    api = Api(unknown_field_answer="error")
    api.emulator.add_field("Country")
    api.emulator.delete_field("Country")

    body = api.subscribe(Contact_Email="ann@example.com", Country="IN")

    assert ("error", "2001") == (body["status"], body["code"])
    assert "Country" in body["message"]


def test_only_custom_fields_can_be_deleted() -> None:
    with pytest.raises(KeyError):
        Api().emulator.delete_field("First Name")


def test_reading_past_the_end_answers_2502_and_a_deleted_list_2203() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")

    past = read(api, fromindex=2, range=5)
    api.emulator.delete_list(api.list_key)

    assert "2502" == past["code"]
    assert "2203" == read(api)["code"]


def test_a_page_carries_the_standard_fields_and_added_time_and_sorts_both_ways() -> None:
    api = Api()
    for name in ("ann", "bob", "cid"):
        api.subscribe(Contact_Email=f"{name}@example.com")
        api.clock.advance(60)

    ascending = read(api, sort="asc", range=650)
    descending = read(api, sort="desc", range=650)

    assert ["ann@example.com", "bob@example.com", "cid@example.com"] == emails(ascending)
    assert list(reversed(emails(ascending))) == emails(descending)
    row = ascending["list_of_details"][0]
    assert {"contact_email", "firstname", "lastname", "companyname", "phone", "zuid"} <= set(row)
    assert re.fullmatch(r"\d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d [AP]M", row["added_time"])
    assert "6502" == read(api, range=651)["code"]


def test_getlistsubscribers_answers_post_too_within_the_same_window() -> None:
    api = Api(limits={"GET getlistsubscribers": (RateWindow(2, 300.0, 1800.0),)})
    api.subscribe(Contact_Email="ann@example.com")
    data = {"listkey": api.list_key, "resfmt": "JSON"}

    posted = api.http.post("getlistsubscribers", data=data).json()
    read(api)

    assert ["ann@example.com"] == emails(posted)
    assert 429 == api.http.post("getlistsubscribers", data=data).status_code


def test_getlistsubscribers_locks_after_500_calls_in_five_minutes() -> None:
    api = Api()
    api.subscribe(Contact_Email="ann@example.com")
    for _ in range(500):
        read(api)

    locked = api.http.get("getlistsubscribers", params={"listkey": api.list_key, "resfmt": "JSON"})

    assert 429 == locked.status_code
    assert "locked for 30 minute" in locked.json()["message"]
