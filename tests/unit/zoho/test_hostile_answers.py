"""Hostile and malformed answers from the Zoho APIs: each class of them gives a typed error
(retriable or fatal, chosen on purpose) or one outcome per contact, never a foreign
exception, and a "success" that does not say so is never counted as a write."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from _hostile import START, campaigns, customer, invoice, nested, pages_handler
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, TargetContact
from fieldsync.exceptions import (
    FatalSyncError,
    FieldSyncError,
    RetriableError,
    ServiceUnavailableError,
    TransportError,
)
from fieldsync.testing.clock import FakeClock
from fieldsync.zoho.auth import ZohoOAuth

SHAPES = ["arrays", "objects", "unclosed", "mixed"]
CONTACT = TargetContact("k1", "ann@example.com", {"First Name": "Ann"})


def answering(body: bytes, status: int = 200) -> Any:
    return lambda _request: httpx.Response(status, content=body)


def ok_body(**fields: object) -> bytes:
    return json.dumps({"status": "success", "code": "0", **fields}).encode()


# -- nesting deeper than the parser's recursion limit --------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_a_deeply_nested_token_answer_is_a_typed_error(shape: str, depth: int) -> None:
    clock = FakeClock(START)
    auth = ZohoOAuth(
        client_id="id",
        client_secret="secret",
        refresh_token="refresh",
        client=httpx.Client(transport=httpx.MockTransport(answering(nested(depth, shape)))),
        clock=clock,
    )

    with pytest.raises(FieldSyncError):
        auth.access_token()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_a_deeply_nested_invoice_answer_is_a_retriable_error(shape: str, depth: int) -> None:
    source = invoice(answering(nested(depth, shape)))

    with pytest.raises(RetriableError):
        list(source.read())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_a_deeply_nested_campaigns_answer_is_a_typed_error_or_a_failed_contact(
    shape: str, depth: int
) -> None:
    target = campaigns(answering(nested(depth, shape)))

    (outcome,) = target.upsert("list", [CONTACT])
    with pytest.raises(RetriableError):
        target.schema()

    assert (OutcomeKind.FAILED, ReasonCode.TARGET_ERROR) == (outcome.kind, outcome.reason)


# -- a success that does not say so ----------------------------------------------------------

UNCONFIRMED = [
    {},
    {"message": "ok"},
    {"status": "success", "code": None},
    {"status": "success"},
    {"code": "0"},
    {"status": "ok", "code": "0"},
    {"response": {"message": "ok"}},
]


@pytest.mark.parametrize("body", UNCONFIRMED, ids=json.dumps)
def test_a_subscribe_answer_that_does_not_confirm_the_write_fails_the_contact(
    body: dict[str, object],
) -> None:
    target = campaigns(answering(json.dumps(body).encode()))

    (outcome,) = target.upsert("list", [CONTACT])

    assert (OutcomeKind.FAILED, ReasonCode.TARGET_ERROR) == (outcome.kind, outcome.reason)
    assert "without saying that the contact was written" in outcome.message


json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.text(max_size=8))
status_value = st.one_of(json_scalar, st.sampled_from(["success", "Success", " success "]))
code_value = st.one_of(
    json_scalar, st.sampled_from(["0", 0, "200", 200, 0.0, 200.0, " 0", "0.0", "00", True])
)
answer_body = st.fixed_dictionaries(
    {},
    optional={"status": status_value, "code": code_value, "message": st.text(max_size=20)},
)


@settings(max_examples=150, deadline=None)
@given(answer_body)
def test_a_subscribe_answer_counts_as_a_write_only_when_it_says_success_with_a_success_code(
    body: dict[str, object],
) -> None:
    target = campaigns(answering(json.dumps(body).encode()))

    (outcome,) = target.upsert("list", [CONTACT])

    status, code = body.get("status"), body.get("code")
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    confirmed = (
        isinstance(status, str)
        and status.strip().lower() == "success"
        and not isinstance(code, bool)
        and str(code).strip() in ("0", "200")
    )
    written = outcome.kind in (OutcomeKind.ADDED, OutcomeKind.UPDATED, OutcomeKind.WRITTEN)
    assert confirmed == written or outcome.kind is OutcomeKind.SKIPPED


def test_a_confirmed_subscribe_answer_is_still_a_write() -> None:
    target = campaigns(answering(ok_body(message="Contact added to the list successfully.")))

    (outcome,) = target.upsert("list", [CONTACT])

    assert OutcomeKind.ADDED == outcome.kind


# -- error codes at HTTP 200, and truncated answers --------------------------------------------


def test_an_unknown_campaigns_code_fails_the_contact_at_once_with_code_and_message() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json={"status": "error", "code": "8888", "message": "?"})

    target = campaigns(handler, attempts=3)

    (outcome,) = target.upsert("list", [CONTACT])

    assert 1 == len(calls)  # an answer about the contact: retrying earns the same answer
    assert OutcomeKind.FAILED == outcome.kind
    assert "Zoho Campaigns code 8888: ?" == outcome.message


def test_an_unknown_campaigns_code_answered_by_every_contact_does_not_stop_the_batch() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "error", "code": "8888", "message": "?"})

    contacts = [TargetContact(f"k{i}", f"person{i}@example.com", {}) for i in range(5)]

    outcomes = campaigns(handler, attempts=3).upsert("list", contacts)

    assert [OutcomeKind.FAILED] * 5 == [outcome.kind for outcome in outcomes]


def test_an_unknown_campaigns_code_on_the_field_list_is_a_retriable_error() -> None:
    target = campaigns(answering(b'{"status": "error", "code": "8888", "message": "?"}'))

    with pytest.raises(ServiceUnavailableError):
        target.schema()


def test_a_field_list_without_its_email_field_is_retried_as_a_truncated_answer() -> None:
    answers = [
        {"response": {"fieldnames": {"fieldname": []}}},
        {"status": "error", "code": "910", "message": "No fields found"},
        {
            "response": {
                "fieldnames": {
                    "fieldname": [{"DISPLAY_NAME": "Contact Email", "FIELD_NAME": "contact_email"}]
                }
            }
        },
    ]

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers.pop(0))

    schema = campaigns(handler, attempts=3).schema()

    assert "Contact Email" == schema.email_field


def test_a_field_list_that_stays_without_its_email_field_is_a_transport_error() -> None:
    target = campaigns(answering(b'{"response": {"fieldnames": {"fieldname": []}}}'))

    with pytest.raises(TransportError):
        target.schema()


def test_a_campaigns_range_refusal_is_fatal() -> None:
    target = campaigns(answering(b'{"status": "error", "code": "6502", "message": "range"}'))

    with pytest.raises(FatalSyncError):
        target.lists()


def test_an_invoice_error_code_at_http_200_is_retried_then_retriable() -> None:
    calls: list[int] = []

    def handler(_request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, json={"code": 9999, "message": "Something went wrong"})

    with pytest.raises(ServiceUnavailableError):
        list(invoice(handler, attempts=2).read())
    assert 2 == len(calls)


def test_an_invoice_not_found_code_at_http_200_is_fatal() -> None:
    source = invoice(answering(b'{"code": 1002, "message": "Organization does not exist"}'))

    with pytest.raises(FatalSyncError):
        list(source.read())


@pytest.mark.parametrize(
    "body",
    [
        {"code": 0, "message": "success"},
        {"code": 0, "contacts": {"a": 1}, "page_context": {"has_more_page": False}},
        {"code": 0, "contacts": [], "page_context": None},
        {"code": 0, "contacts": [], "page_context": {"page": 7, "has_more_page": False}},
    ],
    ids=["no contacts", "contacts not a list", "no page context", "another page"],
)
def test_an_invoice_answer_that_is_not_a_page_is_a_transport_error(
    body: dict[str, object],
) -> None:
    source = invoice(answering(json.dumps(body).encode()))

    with pytest.raises(TransportError):
        list(source.read())


# -- inconsistent paging ---------------------------------------------------------------------


def test_a_page_that_repeats_the_page_before_is_asked_for_once_more() -> None:
    first = [customer("1"), customer("2")]
    second = [customer("3"), customer("4")]
    answers = iter([first, first, second])  # page 1, page 2 (a repeat), page 2 again

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        body = {
            "code": 0,
            "contacts": next(answers),
            "page_context": {"page": page, "has_more_page": page < 2},
        }
        return httpx.Response(200, json=body)

    pages = list(invoice(handler).read())

    assert [["1", "2"], ["3", "4"]] == [[r.key for r in page.records] for page in pages]


def test_a_page_that_keeps_repeating_the_page_before_stops_the_read_with_a_transport_error() -> (
    None
):
    calls: list[int] = []
    first = [customer("1"), customer("2")]
    source = invoice(pages_handler([first, first, [customer("3")]], calls=calls))

    read = source.read()
    page = next(read)
    with pytest.raises(TransportError, match="inconsistent paging"):
        next(read)

    assert ["1", "2"] == [r.key for r in page.records]
    assert [1, 2, 2] == calls


def test_a_page_that_shares_some_rows_with_the_page_before_is_read_without_them() -> None:
    # What a change during the read does: a row moves to the front, the rest shift back.
    pages = [[customer("1"), customer("2")], [customer("2"), customer("3")]]

    read = list(invoice(pages_handler(pages)).read())

    assert ["1", "2", "3"] == [r.key for page in read for r in page.records]


# -- an outage: the circuit breaker ----------------------------------------------------------


@pytest.mark.parametrize("failure", ["connect", "http_503", "timeout"])
def test_a_batch_stops_after_three_contacts_in_a_row_ran_out_of_retries(failure: str) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if failure == "connect":
            raise httpx.ConnectError("connection refused")
        if failure == "timeout":
            raise httpx.ReadTimeout("slow")
        return httpx.Response(503, content=b"<html>down</html>")

    target = campaigns(handler, attempts=2)
    contacts = [TargetContact(f"k{i}", f"p{i}@example.com", {}) for i in range(10)]

    with pytest.raises(ServiceUnavailableError, match="3 contacts in a row"):
        target.upsert("list", contacts)
    assert 3 * 2 == len(calls)


def test_a_contact_answered_between_failures_keeps_the_breaker_closed() -> None:
    answers = iter([httpx.ConnectError("x"), httpx.ConnectError("x"), ok_body()] * 4)

    def handler(_request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(200, content=answer)

    target = campaigns(handler, attempts=1)
    contacts = [TargetContact(f"k{i}", f"p{i}@example.com", {}) for i in range(12)]

    outcomes = target.upsert("list", contacts)

    assert 12 == len(outcomes)


def test_ten_unknown_refusals_in_a_row_are_taken_for_the_accounts_and_stop_the_batch() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json={"status": "error", "code": "8888", "message": "?"})

    contacts = [TargetContact(f"k{i}", f"person{i}@example.com", {}) for i in range(12)]

    with pytest.raises(ServiceUnavailableError, match="10 contacts in a row"):
        campaigns(handler, attempts=3).upsert("list", contacts)
    assert 10 == len(calls)
