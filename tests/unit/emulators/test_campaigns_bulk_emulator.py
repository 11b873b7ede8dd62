"""CampaignsEmulator's addlistsubscribersinbulk: the answer's three lists, its window, its lock."""

from __future__ import annotations

from typing import Any

from test_campaigns_emulator import Api

from fieldsync.domain.records import RateWindow
from fieldsync.testing.emulators.campaigns import LOCKOUT_STATUS

BULK = "POST addlistsubscribersinbulk"


def bulk(api: Api, *emails: str) -> tuple[int, dict[str, Any]]:
    response = api.http.post(
        "addlistsubscribersinbulk",
        data={"listkey": api.list_key, "resfmt": "JSON", "emailids": ",".join(emails)},
    )
    body: dict[str, Any] = response.json()
    return response.status_code, body


def test_a_bulk_add_of_new_addresses_answers_success_without_the_three_lists() -> None:
    api = Api()

    _, body = bulk(api, "ann@example.com", "bob@example.com")

    assert ("success", "0") == (body["status"], body["code"])
    assert not {"existing_contacts", "readd_contacts", "ignored_contacts"} & body.keys()
    assert {"ann@example.com", "bob@example.com"} == set(api.emulator.subscribers(api.list_key))


def test_a_bulk_add_lists_existing_readded_and_ignored_addresses() -> None:
    api = Api()
    bulk(api, "ann@example.com", "gone@example.com")
    api.emulator.delete_contact("Gone@example.com")

    _, body = bulk(api, "ANN@example.com", "gone@example.com", "nope", "info@example.com")

    assert ["ANN@example.com"] == body["existing_contacts"]
    assert ["gone@example.com"] == body["readd_contacts"]
    assert ["nope", "info@example.com"] == body["ignored_contacts"]


def test_a_deleted_contact_leaves_every_list() -> None:
    api = Api()
    bulk(api, "ann@example.com")

    api.emulator.delete_contact("ann@example.com")

    assert {} == api.emulator.subscribers(api.list_key)


def test_bulk_adds_past_their_window_lock_the_endpoint_for_its_lockout_only() -> None:
    api = Api(limits={BULK: (RateWindow(3, 60.0, 600.0),)})
    for i in range(3):
        assert 200 == bulk(api, f"p{i}@example.com")[0]

    status, _ = bulk(api, "late@example.com")
    api.clock.advance(599)
    still, _ = bulk(api, "later@example.com")
    api.clock.advance(2)
    after, _ = bulk(api, "last@example.com")

    assert (LOCKOUT_STATUS, LOCKOUT_STATUS, 200) == (status, still, after)
    assert 1 == api.emulator.windows.lockouts
    assert "success" == api.subscribe(Contact_Email="other@example.com")["status"]


def test_the_documented_bulk_window_is_two_thousand_calls_a_minute_locking_ten_minutes() -> None:
    from fieldsync.testing.emulators.campaigns import DEFAULT_LIMITS

    assert (RateWindow(2000, 60.0, 600.0),) == tuple(DEFAULT_LIMITS[BULK])
