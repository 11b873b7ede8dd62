"""ZohoCampaignsTarget.add_emails: addlistsubscribersinbulk against the emulator, in
simulated time, and the answer's three lists read in every shape they may come in."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_campaigns_target import Rig

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, RateWindow, TargetContact, TargetLimits
from fieldsync.exceptions import ConfigurationError, ListNotFoundError, QuotaExhaustedError
from fieldsync.ports import BulkEmailTarget
from fieldsync.zoho._campaigns_bulk_answer import read_answer
from fieldsync.zoho.campaigns import DEFAULT_BULK_LIMITS

BULK = "POST addlistsubscribersinbulk"
SUBSCRIBE = "POST json/listsubscribe"


def bare(email: str, key: str | None = None) -> TargetContact:
    return TargetContact(key or email, email, {"Contact Email": email})


def kinds(outcomes: Any) -> list[tuple[str, OutcomeKind, ReasonCode | None, bool]]:
    return [(o.key, o.kind, o.reason, o.readded) for o in outcomes]


def test_the_target_offers_the_bulk_route_with_its_documented_window() -> None:
    target = Rig().target()

    assert isinstance(target, BulkEmailTarget)
    assert DEFAULT_BULK_LIMITS == target.bulk_limits()
    assert ([(2000, 60.0, 600.0)], 10) == (
        [(w.limit, w.period, w.lockout) for w in DEFAULT_BULK_LIMITS.windows],
        DEFAULT_BULK_LIMITS.per_call,
    )


def test_twenty_five_new_addresses_take_three_calls_and_are_added() -> None:
    rig = Rig()
    contacts = [bare(f"p{i}@example.com") for i in range(25)]

    outcomes = rig.target().add_emails(rig.list_key, contacts)

    assert [OutcomeKind.ADDED] * 25 == [o.kind for o in outcomes]
    assert [c.key for c in contacts] == [o.key for o in outcomes]
    assert (3, 0) == (rig.emulator.calls[BULK], rig.emulator.calls[SUBSCRIBE])
    assert 25 == len(rig.emulator.subscribers(rig.list_key))


def test_existing_readded_and_ignored_addresses_each_get_their_outcome() -> None:
    rig = Rig()
    target = rig.target()
    target.add_emails(rig.list_key, [bare("ann@example.com"), bare("gone@example.com")])
    rig.emulator.delete_contact("gone@example.com")
    batch = [
        bare("ANN@example.com", "k1"),
        bare("gone@example.com", "k2"),
        bare("new@example.com", "k3"),
        bare("info@example.com", "k4"),
        bare("not-an-address", "k5"),
    ]

    outcomes = target.add_emails(rig.list_key, batch)

    assert [
        ("k1", OutcomeKind.UPDATED, None, False),
        ("k2", OutcomeKind.ADDED, None, True),
        ("k3", OutcomeKind.ADDED, None, False),
        ("k4", OutcomeKind.SKIPPED, ReasonCode.GROUP_ADDRESS, False),
        ("k5", OutcomeKind.SKIPPED, ReasonCode.INVALID_EMAIL, False),
    ] == kinds(outcomes)


def test_the_field_values_of_a_contact_are_not_sent() -> None:
    rig = Rig()
    contact = TargetContact("k", "ann@example.com", {"First Name": "Ann"})

    rig.target().add_emails(rig.list_key, [contact])

    assert {"ann@example.com": {"Contact Email": "ann@example.com"}} == rig.emulator.subscribers(
        rig.list_key
    )


@pytest.mark.parametrize(
    "answer",
    [
        {"existing_contacts": ["a@example.com"], "ignored_contacts": ["c@example.com"]},
        {"existing_contacts": "a@example.com", "ignored_contacts": "c@example.com,x@y.z"},
        {
            "existing_contacts": [{"contact_email": "A@example.com"}],
            "ignored_contacts": [{"email": "c@example.com", "reason": "Hard bounce"}],
        },
        {
            "response": {
                "existing_contacts": {"contact": ["a@example.com"]},
                "ignored_contacts": {"c@example.com": "Do-Not-Mail"},
            }
        },
    ],
)
def test_the_answer_lists_are_read_whatever_their_shape(answer: dict[str, Any]) -> None:
    contacts = [bare("a@example.com"), bare("b@example.com"), bare("c@example.com")]

    outcomes = read_answer(contacts, {"status": "success", "code": 0, **answer})

    assert [OutcomeKind.UPDATED, OutcomeKind.ADDED, OutcomeKind.SKIPPED] == [
        o.kind for o in outcomes
    ]
    assert ReasonCode.TARGET_REJECTED == outcomes[2].reason


def test_an_answer_without_the_lists_means_every_address_was_added() -> None:
    outcomes = read_answer([bare("a@example.com")], {"status": "success", "code": "0"})

    assert [OutcomeKind.ADDED] == [o.kind for o in outcomes]


def test_a_reason_zoho_gives_for_an_ignored_address_is_kept_in_the_message() -> None:
    answer = {"ignored_contacts": [{"email": "c@example.com", "reason": "Hard bounce"}]}

    (outcome,) = read_answer([bare("c@example.com")], answer)

    assert "Hard bounce" in outcome.message


def test_the_plan_limit_skips_the_refused_call_and_the_rest_of_the_batch_unsent() -> None:
    rig = Rig(plan_limit=15)
    contacts = [bare(f"p{i}@example.com") for i in range(30)]

    outcomes = rig.target().add_emails(rig.list_key, contacts)

    assert [OutcomeKind.ADDED] * 10 + [OutcomeKind.SKIPPED] * 20 == [o.kind for o in outcomes]
    assert {ReasonCode.PLAN_LIMIT} == {o.reason for o in outcomes[10:]}
    assert 2 == rig.emulator.calls[BULK]  # the third call was never sent


def test_the_bulk_window_is_its_own_and_a_full_one_raises_before_any_call() -> None:
    rig = Rig()
    limits = TargetLimits(max_batch=100, windows=(RateWindow(3, 86_400.0, 600.0),), per_call=10)
    target = rig.target(bulk_limits=limits)
    target.add_emails(rig.list_key, [bare(f"p{i}@example.com") for i in range(30)])

    with pytest.raises(QuotaExhaustedError) as caught:
        target.add_emails(rig.list_key, [bare("late@example.com")])

    assert 3 == rig.emulator.calls[BULK]
    assert caught.value.resume_at is not None
    target.upsert(rig.list_key, [bare("other@example.com")])  # listsubscribe's window is free
    assert (1, 0) == (rig.emulator.calls[SUBSCRIBE], rig.emulator.windows.lockouts)


def test_a_pacer_keeps_two_thousand_bulk_calls_a_minute_without_a_lockout() -> None:
    rig = Rig()
    target = rig.target()
    start = rig.clock.now()

    for first in range(0, 25_000, 100):
        target.add_emails(
            rig.list_key, [bare(f"p{i}@example.com") for i in range(first, first + 100)]
        )

    assert (2500, 0) == (rig.emulator.calls[BULK], rig.emulator.windows.lockouts)
    assert (rig.clock.now() - start).total_seconds() >= 60.0  # the second minute was waited for


def test_a_deleted_list_is_fatal() -> None:
    rig = Rig()
    rig.emulator.delete_list(rig.list_key)

    with pytest.raises(ListNotFoundError):
        rig.target().add_emails(rig.list_key, [bare("ann@example.com")])


def test_a_target_with_the_route_switched_off_says_so() -> None:
    target = Rig().target(bulk_limits=None)

    assert target.bulk_limits() is None
    with pytest.raises(ConfigurationError):
        target.add_emails("key", [bare("ann@example.com")])


def test_calls_in_flight_add_every_address_once() -> None:
    rig = Rig()
    target = rig.target(concurrency=4)
    contacts = [bare(f"p{i}@example.com") for i in range(95)]

    outcomes = target.add_emails(rig.list_key, contacts)

    assert [c.key for c in contacts] == [o.key for o in outcomes]
    assert (10, 95) == (rig.emulator.calls[BULK], len(rig.emulator.subscribers(rig.list_key)))


def test_an_answer_that_does_not_confirm_success_fails_the_call_s_contacts() -> None:
    rig = Rig()

    class Silent(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path.endswith("addlistsubscribersinbulk"):
                return httpx.Response(200, json={"message": "ok"})
            return rig.emulator.handle_request(request)

    outcomes = rig.target(Silent()).add_emails(rig.list_key, [bare("ann@example.com")])

    assert [(OutcomeKind.FAILED, ReasonCode.TARGET_ERROR)] == [(o.kind, o.reason) for o in outcomes]
