"""ZohoApi: the token header, one refresh on a refused token, retries, pacing, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import (
    AuthenticationError,
    QuotaExhaustedError,
    ServiceUnavailableError,
    SyncError,
    TransportError,
)
from fieldsync.http import Pacer, RateLimiter, RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, FaultKind, Faults
from fieldsync.zoho._api import ZohoApi, raise_for_http_status, retry_after
from fieldsync.zoho.auth import ZohoOAuth

CLIENT_ID = "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECRET = "0123456789abcdef-the-client-secret"
REFRESH = "1000.refreshrefresh.tokentoken"
BASE = "https://api.example.test/v1"
NO_JITTER = RetryPolicy(jitter=0.0)


class TinyApi:
    """A small API that checks tokens with the accounts emulator, and can be told to fail.

    ``script`` holds the answers to give before the real one (status codes or callables).
    """

    def __init__(self, accounts: AccountsEmulator) -> None:
        self.accounts = accounts
        self.requests: list[httpx.Request] = []
        self.script: list[int | Callable[[httpx.Request], httpx.Response]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.headers.get("Authorization", "").removeprefix("Zoho-oauthtoken ")
        if not self.accounts.token_valid(token):
            return httpx.Response(401, json={"code": 57, "message": "invalid token"})
        if self.script:
            step = self.script.pop(0)
            return step(request) if callable(step) else httpx.Response(step, text="failure")
        return httpx.Response(200, json={"code": 0, "path": request.url.path})


def classify(response: httpx.Response, body: dict[str, object] | None, endpoint: str) -> None:
    if response.status_code == 403:
        raise AuthenticationError("not a member", status_code=403, endpoint=endpoint)
    raise_for_http_status(response, endpoint)
    if body is not None and body.get("code") not in (0, None):
        raise SyncError(str(body.get("message")), api_code=str(body["code"]), endpoint=endpoint)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, tzinfo=UTC))


@pytest.fixture
def accounts(clock: FakeClock) -> AccountsEmulator:
    emulator = AccountsEmulator(clock=clock, api_domain="https://www.zohoapis.in")
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)
    return emulator


@pytest.fixture
def api(accounts: AccountsEmulator) -> TinyApi:
    return TinyApi(accounts)


def make(
    accounts: AccountsEmulator,
    handler: Callable[[httpx.Request], httpx.Response],
    clock: FakeClock,
    *,
    retry: RetryPolicy = NO_JITTER,
    auth_retry: RetryPolicy = NO_JITTER,
    base_url: str | Callable[[], str] = BASE,
) -> ZohoApi:
    auth = ZohoOAuth(
        client_id=CLIENT_ID,
        client_secret=SECRET,
        refresh_token=REFRESH,
        data_centre="in",
        client=httpx.Client(transport=accounts),
        clock=clock,
        retry=auth_retry,
    )
    return ZohoApi(
        auth,
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        base_url=base_url,
        retry=retry,
        clock=clock,
        classify=classify,
    )


def test_a_request_carries_the_access_token_and_returns_the_json_body(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    body = make(accounts, api, clock).request("GET", "contacts")

    assert (body, api.requests[0].headers["Authorization"].startswith("Zoho-oauthtoken 1000.")) == (
        {"code": 0, "path": "/v1/contacts"},
        True,
    )


def test_the_token_is_minted_once_for_many_requests(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    zoho = make(accounts, api, clock)

    for _ in range(20):
        zoho.request("GET", "contacts")

    assert accounts.minted == 1


def test_a_refused_token_is_refreshed_once_and_the_call_retried(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    zoho = make(accounts, api, clock)
    zoho.request("GET", "contacts")
    accounts.expire_access_tokens()

    body = zoho.request("GET", "contacts")

    assert (body["code"], accounts.minted, len(api.requests)) == (0, 2, 3)


def test_a_token_refused_again_after_the_refresh_is_an_authentication_error(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    requests: list[httpx.Request] = []

    def always_401(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(401, json={"code": 57})

    with pytest.raises(AuthenticationError):
        make(accounts, always_401, clock).request("GET", "contacts")

    assert (len(requests), accounts.minted) == (2, 2)


def test_a_403_refuses_the_user_and_is_not_worth_a_new_token(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    requests: list[httpx.Request] = []

    def always_403(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(403, json={"code": 6041, "message": "not a member"})

    with pytest.raises(AuthenticationError):
        make(accounts, always_403, clock).request("GET", "contacts")

    assert (len(requests), accounts.minted) == (1, 1)


def test_a_revoked_refresh_token_surfaces_as_an_authentication_error(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    zoho = make(accounts, api, clock)
    zoho.request("GET", "contacts")
    accounts.revoke(REFRESH)

    with pytest.raises(AuthenticationError) as raised:
        zoho.request("GET", "contacts")

    assert raised.value.api_code == "invalid_code"


def test_retriable_answers_are_retried_per_the_policy(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    api.script = [503, 500]

    body = make(accounts, api, clock).request("GET", "contacts")

    assert (body["code"], clock.sleeps) == (0, [0.5, 1.0])


def test_errors_classify_does_not_call_retriable_are_not_retried(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    api.script = [lambda _: httpx.Response(200, json={"code": 1002, "message": "no such"})]

    with pytest.raises(SyncError) as raised:
        make(accounts, api, clock).request("GET", "contacts/7")

    assert (raised.value.api_code, raised.value.endpoint, len(api.requests)) == (
        "1002",
        "GET contacts/7",
        1,
    )


def test_a_connection_failure_is_a_transport_error_after_the_retries(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(TransportError) as raised:
        make(accounts, refuse, clock, retry=RetryPolicy(attempts=3)).request("GET", "contacts")

    assert (raised.value.endpoint, len(clock.sleeps)) == ("GET contacts", 2)


def test_a_malformed_json_answer_is_a_transport_error(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    truncated = httpx.Response(200, content=b'{"code": 0, "cont')
    api.script = [lambda _: truncated]

    with pytest.raises(TransportError):
        make(accounts, api, clock, retry=RetryPolicy.none()).request("GET", "contacts")


def test_an_html_error_page_reaches_classify_without_a_body(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    api.script = [lambda _: httpx.Response(502, html="<html>Bad Gateway</html>")]

    with pytest.raises(ServiceUnavailableError) as raised:
        make(accounts, api, clock, retry=RetryPolicy.none()).request("GET", "contacts")

    assert raised.value.status_code == 502


def test_error_messages_name_the_endpoint_without_the_query_or_url(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    api.script = [lambda _: httpx.Response(200, json={"code": 9, "message": "nope"})]

    with pytest.raises(SyncError) as raised:
        make(accounts, api, clock).request("GET", "contacts?authtoken=leaky", params={"x": "y"})

    text = str(raised.value)
    assert ("leaky" in text, "example.test" in text, raised.value.endpoint) == (
        False,
        False,
        "GET contacts",
    )


def test_every_attempt_is_paced_retries_included(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    api.script = [503]
    pacer = Pacer(RateLimiter([RateWindow(1, 10.0)], margin=0.0), clock)

    make(accounts, api, clock).request("POST", "json/listsubscribe", pacer=pacer)

    assert clock.sleeps == [0.5, 9.5]  # the back-off, then the rest of the window


def test_an_exhausted_quota_is_not_retried(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    pacer = Pacer(RateLimiter([RateWindow(1, 86_400.0)], margin=0.0), clock, max_wait=60.0)
    zoho = make(accounts, api, clock)
    zoho.request("POST", "json/listsubscribe", pacer=pacer)

    with pytest.raises(QuotaExhaustedError):
        zoho.request("POST", "json/listsubscribe", pacer=pacer)

    assert (len(api.requests), clock.sleeps) == (1, [])


def test_a_base_url_function_follows_the_token_answers_api_domain(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    zoho = make(accounts, api, clock, base_url=lambda: f"{zoho.auth.api_domain}/invoice/v3")

    zoho.request("GET", "contacts")

    assert str(api.requests[0].url) == "https://www.zohoapis.in/invoice/v3/contacts"


def test_a_failing_token_source_is_not_retried_again_by_each_api_attempt(
    clock: FakeClock, api: TinyApi
) -> None:
    down = AccountsEmulator(clock=clock, faults=Faults(rate=1.0, kinds={FaultKind.TIMEOUT}))

    with pytest.raises(TransportError) as raised:
        make(down, api, clock, auth_retry=RetryPolicy(attempts=3)).request("GET", "contacts")

    assert (len(down.calls), raised.value.endpoint, api.requests) == (
        3,
        "POST /oauth/v2/token",
        [],
    )


def test_form_bodies_and_query_parameters_are_sent(
    accounts: AccountsEmulator, api: TinyApi, clock: FakeClock
) -> None:
    make(accounts, api, clock).request(
        "POST", "json/listsubscribe", params={"resfmt": "JSON"}, data={"listkey": "k1"}
    )

    sent = api.requests[0]
    assert (sent.url.params["resfmt"], sent.content) == ("JSON", b"listkey=k1")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "1e12"}, 86_400.0),
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "soon"}, None),
        (
            {
                "Retry-After": "Wed, 21 Oct 2026 07:28:10 -0000",
                "Date": "Wed, 21 Oct 2026 07:28:00 GMT",
            },
            10.0,
        ),
        ({"Retry-After": "Wed, 21 Oct 2026 07:28:10 GMT", "Date": "not a date"}, None),
    ],
)
def test_retry_after_reads_what_it_can_and_never_raises(
    headers: dict[str, str], expected: float | None
) -> None:
    assert retry_after(httpx.Response(429, headers=headers)) == expected
