"""Campaigns answers become the right fieldsync errors, whatever form their code takes."""

from __future__ import annotations

import httpx
import pytest

from fieldsync.domain.reasons import ReasonCode
from fieldsync.exceptions import (
    AuthenticationError,
    EndpointLockedError,
    FatalSyncError,
    ListNotFoundError,
    RateLimitedError,
    RecordRejectedError,
    ServiceUnavailableError,
    SyncError,
    TransportError,
)
from fieldsync.zoho._campaigns_codes import (
    MessageKind,
    answer_code,
    classify,
    message_kind,
)
from fieldsync.zoho.messages import ADDED_MESSAGE, CONFIRMATION_MESSAGE, UPDATED_MESSAGE

SUBSCRIBE = "POST json/listsubscribe"
FIELDS = "GET contact/allfields"


def error(code: object) -> dict[str, object]:
    return {"status": "error", "code": code, "message": "refused"}


def rejection(body: dict[str, object], endpoint: str = SUBSCRIBE) -> SyncError:
    with pytest.raises(SyncError) as caught:
        classify(httpx.Response(200), body, endpoint)
    return caught.value


@pytest.mark.parametrize("code", ["2004", 2004, 2004.0, " 2004 "])
def test_a_code_as_text_or_number_reads_the_same(code: object) -> None:
    assert "2004" == answer_code(error(code))


def test_a_code_wrapped_in_response_is_read() -> None:
    assert "200" == answer_code({"response": {"code": "200", "message": "Success"}})


@pytest.mark.parametrize("body", [{"status": "success", "code": "0"}, {"response": {"code": 200}}])
def test_success_answers_pass(body: dict[str, object]) -> None:
    assert classify(httpx.Response(200), body, SUBSCRIBE) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("903", ReasonCode.MANDATORY_FIELD_MISSING),
        (914, ReasonCode.PLAN_LIMIT),
        ("2004", ReasonCode.INVALID_EMAIL),
        (2005, ReasonCode.GROUP_ADDRESS),
        ("2302", ReasonCode.PLAN_LIMIT),
    ],
)
def test_per_record_codes_on_listsubscribe_reject_the_record_with_a_reason(
    code: object, reason: ReasonCode
) -> None:
    rejected = rejection(error(code))

    assert isinstance(rejected, RecordRejectedError)
    assert reason is rejected.reason


def test_an_unknown_code_on_listsubscribe_refuses_that_contact_with_its_code() -> None:
    refused = rejection(error("7777"))

    assert isinstance(refused, RecordRejectedError)
    assert (ReasonCode.TARGET_REJECTED, "7777") == (refused.reason, refused.api_code)


def test_an_unknown_code_asking_to_try_later_is_temporary() -> None:
    body = {"status": "error", "code": "7777", "message": "Please try again later."}

    assert ServiceUnavailableError is type(rejection(body))


def test_an_unknown_code_elsewhere_is_temporary() -> None:
    assert ServiceUnavailableError is type(rejection(error("7777"), FIELDS))


def test_a_known_codes_own_reason_wins_over_a_consent_word_in_its_message() -> None:
    body = {"status": "error", "code": "903", "message": "Mandatory: Unsubscribe Reason"}

    refused = rejection(body)

    assert isinstance(refused, RecordRejectedError)
    assert ReasonCode.MANDATORY_FIELD_MISSING is refused.reason


@pytest.mark.parametrize(
    ("code", "message", "reason"),
    [
        ("2006", "refused", ReasonCode.DO_NOT_MAIL),
        (2006, "This contact has unsubscribed from the list.", ReasonCode.UNSUBSCRIBED),
        ("7001", "The email address is in the Do-Not-Mail registry.", ReasonCode.DO_NOT_MAIL),
        ("7002", "The contact has hard bounced; it cannot be edited.", ReasonCode.BOUNCED),
        ("7003", "The contact marked your mail as SPAM.", ReasonCode.SPAM),
    ],
)
def test_a_consent_refusal_is_told_by_its_code_or_its_wording(
    code: object, message: str, reason: ReasonCode
) -> None:
    refused = rejection({"status": "error", "code": code, "message": message})

    assert isinstance(refused, RecordRejectedError)
    assert reason is refused.reason


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("1007", AuthenticationError),
        ("2704", AuthenticationError),
        ("2102", ListNotFoundError),
        ("2501", ListNotFoundError),
        (2206, ListNotFoundError),
        ("2707", ListNotFoundError),
        ("2101", ServiceUnavailableError),
        ("1004", FatalSyncError),
    ],
)
def test_call_level_codes_raise_their_error(code: object, kind: type[SyncError]) -> None:
    assert kind is type(rejection(error(code)))


def test_a_per_record_code_elsewhere_is_a_plain_sync_error_with_its_code() -> None:
    rejected = rejection(error("903"), FIELDS)

    assert (SyncError, "903") == (type(rejected), rejected.api_code)


def test_http_429_is_rate_limited_even_without_retry_after() -> None:
    body = {"status": "error", "message": "Too many requests. Please try again later."}
    with pytest.raises(RateLimitedError) as caught:
        classify(httpx.Response(429), body, SUBSCRIBE)

    assert caught.value.retry_after is None


def test_an_answer_saying_the_endpoint_is_locked_is_a_lock_with_its_length() -> None:
    message = "API call limit of json/listsubscribe exceeded; it is locked for 30 minute(s)."
    with pytest.raises(EndpointLockedError) as caught:
        classify(httpx.Response(429), {"status": "error", "message": message}, SUBSCRIBE)

    assert caught.value.lock_seconds == 1800.0
    assert caught.value.resume_at is None  # the adapter sets it from its clock


def test_a_lock_answer_without_a_length_leaves_the_length_to_the_adapter() -> None:
    body = {"status": "error", "code": "9999", "message": "The API is locked."}
    with pytest.raises(EndpointLockedError) as caught:
        classify(httpx.Response(200), body, SUBSCRIBE)

    assert caught.value.lock_seconds is None


def test_a_success_that_mentions_a_lock_is_still_a_success() -> None:
    body = {"status": "success", "code": 0, "message": "Contact unlocked and added."}
    classify(httpx.Response(200), body, SUBSCRIBE)


def test_an_html_error_page_is_a_transport_error() -> None:
    with pytest.raises(TransportError):
        classify(httpx.Response(418, text="<html></html>"), None, SUBSCRIBE)


def test_a_server_error_is_retriable() -> None:
    with pytest.raises(ServiceUnavailableError):
        classify(httpx.Response(503), None, SUBSCRIBE)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (ADDED_MESSAGE, MessageKind.ADDED),
        (UPDATED_MESSAGE, MessageKind.UPDATED),
        (CONFIRMATION_MESSAGE, MessageKind.CONFIRMATION_SENT),
        ("User successfully subscribed.", MessageKind.UNKNOWN),
        ("", MessageKind.UNKNOWN),
    ],
)
def test_success_messages_say_what_happened_when_they_can(message: str, kind: MessageKind) -> None:
    assert kind is message_kind(message)
