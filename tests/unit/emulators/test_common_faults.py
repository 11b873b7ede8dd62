"""FaultInjector and the shared answer helpers of the emulators."""

from __future__ import annotations

import json

import httpx
import pytest

from fieldsync.testing.emulators._common import (
    FaultInjector,
    FaultKind,
    Faults,
    json_response,
    request_params,
)


def retry_later() -> httpx.Response:
    return json_response({"status": "error", "code": "2101"})


def fault_of(kind: FaultKind) -> httpx.Response | None:
    return FaultInjector(Faults(rate=1.0, kinds=frozenset({kind}))).maybe_fault(retry_later)


def kinds_seen(seed: int, calls: int = 200) -> list[str]:
    injector = FaultInjector(Faults(rate=0.3, seed=seed))
    seen = []
    for _ in range(calls):
        try:
            answer = injector.maybe_fault(retry_later)
        except httpx.HTTPError as exc:
            seen.append(type(exc).__name__)
        else:
            seen.append("none" if answer is None else str(answer.status_code))
    return seen


def test_no_faults_are_injected_at_rate_zero() -> None:
    injector = FaultInjector(Faults())

    assert [injector.maybe_fault(retry_later) for _ in range(50)] == [None] * 50


def test_the_same_seed_injects_the_same_faults() -> None:
    assert kinds_seen(seed=3) == kinds_seen(seed=3)


def test_a_different_seed_injects_different_faults() -> None:
    assert kinds_seen(seed=3) != kinds_seen(seed=4)


def test_injected_faults_are_recorded_by_kind() -> None:
    injector = FaultInjector(Faults(rate=1.0, kinds=frozenset({FaultKind.SERVER_ERROR})))

    injector.maybe_fault(retry_later)

    assert injector.injected == [FaultKind.SERVER_ERROR]


def test_a_server_error_is_a_500_or_a_503() -> None:
    answer = fault_of(FaultKind.SERVER_ERROR)

    assert answer is not None
    assert answer.status_code in {500, 503}


def test_rate_limited_is_a_429_with_retry_after_one_second() -> None:
    answer = fault_of(FaultKind.RATE_LIMITED)

    assert answer is not None
    assert (answer.status_code, answer.headers.get("Retry-After")) == (429, "1")


def test_rate_limited_without_retry_after_has_no_such_header() -> None:
    answer = fault_of(FaultKind.RATE_LIMITED_NO_RETRY_AFTER)

    assert answer is not None
    assert (answer.status_code, answer.headers.get("Retry-After")) == (429, None)


def test_malformed_json_is_a_200_whose_body_does_not_parse() -> None:
    answer = fault_of(FaultKind.MALFORMED_JSON)

    assert answer is not None
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)


def test_an_html_error_page_is_a_502_with_an_html_body() -> None:
    answer = fault_of(FaultKind.HTML_ERROR_PAGE)

    assert answer is not None
    assert (
        answer.status_code,
        answer.headers["Content-Type"].split(";")[0],
    ) == (502, "text/html")


def test_retry_later_answers_with_the_apis_own_body() -> None:
    answer = fault_of(FaultKind.RETRY_LATER)

    assert answer is not None
    assert answer.json() == {"status": "error", "code": "2101"}


def test_a_timeout_raises_httpx_read_timeout() -> None:
    with pytest.raises(httpx.ReadTimeout):
        fault_of(FaultKind.TIMEOUT)


def test_a_dropped_connection_raises_httpx_remote_protocol_error() -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        fault_of(FaultKind.DROPPED_CONNECTION)


def test_faults_reach_the_client_through_a_transport() -> None:
    injector = FaultInjector(Faults(rate=1.0, kinds=frozenset({FaultKind.TIMEOUT})))

    def handler(request: httpx.Request) -> httpx.Response:
        return injector.maybe_fault(retry_later, request=request) or json_response({})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(httpx.ReadTimeout) as raised:
        client.get("https://example.test/x")

    assert str(raised.value.request.url) == "https://example.test/x"


def test_faults_accept_any_iterable_of_kinds() -> None:
    faults = Faults(kinds=[FaultKind.TIMEOUT])  # type: ignore[arg-type]

    assert frozenset({FaultKind.TIMEOUT}) == faults.kinds


def test_a_fault_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError):
        Faults(rate=1.5)


def test_json_response_carries_the_body_status_and_content_type() -> None:
    answer = json_response({"a": 1}, 404)

    assert (
        answer.status_code,
        answer.json(),
        answer.headers["Content-Type"].split(";")[0],
    ) == (404, {"a": 1}, "application/json")


def test_request_params_merges_the_query_and_the_form_body() -> None:
    request = httpx.Request(
        "POST", "https://example.test/x?resfmt=JSON&a=query", data={"a": "form", "b": "2"}
    )

    assert request_params(request) == {"resfmt": "JSON", "a": "form", "b": "2"}


def test_deep_json_answers_200_with_json_too_deep_for_the_parser() -> None:
    answer = fault_of(FaultKind.DEEP_JSON)

    assert answer is not None
    assert 200 == answer.status_code
    with pytest.raises(RecursionError):
        json.loads(answer.content)


def test_an_unconfirmed_write_answers_an_empty_object_to_a_write() -> None:
    injector = FaultInjector(Faults(rate=1.0, kinds=frozenset({FaultKind.UNCONFIRMED_WRITE})))

    answer = injector.maybe_fault(retry_later, writes=True)

    assert answer is not None
    assert (200, {}) == (answer.status_code, answer.json())


def test_an_unconfirmed_write_answers_retry_later_to_a_call_that_writes_nothing() -> None:
    answer = fault_of(FaultKind.UNCONFIRMED_WRITE)

    assert answer is not None
    assert {"status": "error", "code": "2101"} == answer.json()
