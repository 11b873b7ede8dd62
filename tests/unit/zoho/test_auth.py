"""ZohoOAuth against the Zoho Accounts emulator: caching, refreshing, limits, revocation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import httpx
import pytest

from fieldsync.exceptions import (
    AuthenticationError,
    RateLimitedError,
    ServiceUnavailableError,
    TransportError,
)
from fieldsync.http import RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, FaultKind, Faults
from fieldsync.zoho.auth import ZohoOAuth

START = datetime(2026, 3, 1, tzinfo=UTC)
CLIENT_ID = "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECRET = "0123456789abcdef-the-client-secret"
REFRESH = "1000.refreshrefresh.tokentoken"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def accounts(clock: FakeClock) -> AccountsEmulator:
    emulator = AccountsEmulator(clock=clock, api_domain="https://www.zohoapis.in")
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)
    return emulator


def oauth(
    accounts: httpx.BaseTransport,
    clock: FakeClock,
    *,
    secret: str = SECRET,
    refresh_token: str = REFRESH,
    retry: RetryPolicy | None = None,
) -> ZohoOAuth:
    return ZohoOAuth(
        client_id=CLIENT_ID,
        client_secret=secret,
        refresh_token=refresh_token,
        data_centre="in",
        client=httpx.Client(transport=accounts),
        clock=clock,
        retry=retry or RetryPolicy(jitter=0.0),
    )


def test_the_access_token_is_one_the_api_accepts(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    token = oauth(accounts, clock).access_token()

    assert accounts.token_valid(token)


def test_the_access_token_is_cached_across_many_calls(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)

    tokens = {auth.access_token() for _ in range(50)}

    assert (len(tokens), accounts.minted) == (1, 1)


def test_a_token_is_refreshed_shortly_before_it_expires(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    first = auth.access_token()
    clock.advance(3600 - 60)

    second = auth.access_token()

    assert (second != first, accounts.token_valid(second), accounts.minted) == (True, True, 2)


def test_a_token_is_kept_until_the_margin_before_expiry(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    first = auth.access_token()
    clock.advance(3600 - 61)

    assert (auth.access_token(), accounts.minted) == (first, 1)


def test_invalidate_makes_the_next_call_mint_a_new_token(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    first = auth.access_token()

    auth.invalidate(first)

    assert (auth.access_token() != first, accounts.minted) == (True, 2)


def test_invalidating_an_older_token_keeps_the_newer_one(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    old = auth.access_token()
    auth.invalidate(old)
    new = auth.access_token()

    auth.invalidate(old)  # a second thread reporting the same stale token

    assert (auth.access_token(), accounts.minted) == (new, 2)


def test_concurrent_callers_share_one_mint(accounts: AccountsEmulator, clock: FakeClock) -> None:
    auth = oauth(accounts, clock)
    tokens: list[str] = []
    lock = threading.Lock()

    def get() -> None:
        token = auth.access_token()
        with lock:
            tokens.append(token)

    threads = [threading.Thread(target=get) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(set(tokens)), accounts.minted) == (1, 1)


def test_the_eleventh_mint_in_ten_minutes_is_refused_before_asking_zoho(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock, retry=RetryPolicy.none())
    for _ in range(10):
        auth.invalidate()
        auth.access_token()
        clock.advance(30)
    auth.invalidate()

    with pytest.raises(RateLimitedError) as raised:
        auth.access_token()

    assert (raised.value.retry_after, accounts.minted, accounts.blocks) == (300.0, 10, 0)


def test_a_policy_that_waits_out_the_minting_limit_then_mints(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    for _ in range(10):
        auth.invalidate()
        auth.access_token()
        clock.advance(30)
    auth.invalidate()

    auth.access_token()

    assert (clock.sleeps, accounts.minted, accounts.blocks) == ([300.0], 11, 0)


def a_second_mint_ahead_of_zohos_limit(clock: FakeClock) -> tuple[AccountsEmulator, ZohoOAuth]:
    """Accounts that allow one mint, and an auth that used it and dropped its token."""
    emulator = AccountsEmulator(clock=clock, mint_limit=1)
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)
    auth = oauth(emulator, clock)
    auth.access_token()
    auth.invalidate()
    return emulator, auth


def test_a_block_by_zoho_is_a_rate_limit_of_ten_minutes(clock: FakeClock) -> None:
    _, auth = a_second_mint_ahead_of_zohos_limit(clock)

    with pytest.raises(RateLimitedError) as raised:
        auth.access_token()

    assert (raised.value.retry_after, raised.value.api_code, clock.sleeps) == (
        600.0,
        "Access Denied",
        [],
    )


def test_during_a_block_by_zoho_nothing_is_asked_of_zoho_until_it_ends(clock: FakeClock) -> None:
    emulator, auth = a_second_mint_ahead_of_zohos_limit(clock)
    with pytest.raises(RateLimitedError):
        auth.access_token()
    calls = len(emulator.calls)
    clock.advance(300)

    auth.access_token()

    # it waited out the rest of the block, then asked once
    assert (len(emulator.calls) - calls, clock.sleeps[-1]) == (1, 300.0)


def test_api_domain_comes_from_the_token_answer(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    before = auth.api_domain

    auth.access_token()

    assert (before, auth.api_domain) == (None, "https://www.zohoapis.in")


def test_api_domain_stays_none_when_zoho_names_none(clock: FakeClock) -> None:
    emulator = AccountsEmulator(clock=clock, api_domain=None)
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)
    auth = oauth(emulator, clock)

    auth.access_token()

    assert auth.api_domain is None


def test_a_wrong_secret_is_an_authentication_error_with_the_code(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    with pytest.raises(AuthenticationError) as raised:
        oauth(accounts, clock, secret="wrong").access_token()

    assert (raised.value.api_code, raised.value.endpoint) == (
        "invalid_client",
        "POST /oauth/v2/token",
    )


def test_a_revoked_refresh_token_is_an_authentication_error_with_the_code(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    accounts.revoke(REFRESH)

    with pytest.raises(AuthenticationError) as raised:
        oauth(accounts, clock).access_token()

    assert raised.value.api_code == "invalid_code"


def test_an_error_answered_with_http_400_is_an_authentication_error(clock: FakeClock) -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(400, json={"error": "invalid_code"}))

    with pytest.raises(AuthenticationError) as raised:
        oauth(transport, clock).access_token()

    assert (raised.value.status_code, raised.value.api_code) == (400, "invalid_code")


def test_authentication_errors_are_not_retried(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    with pytest.raises(AuthenticationError):
        oauth(accounts, clock, secret="wrong").access_token()

    assert (len(accounts.calls), clock.sleeps) == (1, [])


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (FaultKind.TIMEOUT, TransportError),
        (FaultKind.DROPPED_CONNECTION, TransportError),
        (FaultKind.SERVER_ERROR, ServiceUnavailableError),
        (FaultKind.HTML_ERROR_PAGE, ServiceUnavailableError),
        (FaultKind.MALFORMED_JSON, TransportError),
        (FaultKind.RATE_LIMITED, RateLimitedError),
    ],
)
def test_failures_of_zoho_accounts_are_translated_to_fieldsync_errors(
    clock: FakeClock, kind: FaultKind, error: type[Exception]
) -> None:
    emulator = AccountsEmulator(clock=clock, faults=Faults(rate=1.0, kinds=frozenset({kind})))
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)

    with pytest.raises(error) as raised:
        oauth(emulator, clock, retry=RetryPolicy.none()).access_token()

    assert raised.value.endpoint == "POST /oauth/v2/token"  # type: ignore[attr-defined]


def test_temporary_failures_are_retried_until_a_token_is_minted(clock: FakeClock) -> None:
    emulator = AccountsEmulator(
        clock=clock, faults=Faults(rate=0.5, seed=1, kinds=frozenset({FaultKind.TIMEOUT}))
    )
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)

    token = oauth(emulator, clock, retry=RetryPolicy(attempts=20)).access_token()

    assert emulator.token_valid(token)


def test_an_answer_without_an_access_token_is_a_transport_error(clock: FakeClock) -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"expires_in": 3600}))

    with pytest.raises(TransportError):
        oauth(transport, clock, retry=RetryPolicy.none()).access_token()


def test_revoke_revokes_the_refresh_token_at_zoho(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock)
    token = auth.access_token()

    auth.revoke()

    assert (accounts.token_valid(token), accounts.calls[-1]) == (
        False,
        "POST /oauth/v2/token/revoke",
    )


def test_revoke_is_idempotent(accounts: AccountsEmulator, clock: FakeClock) -> None:
    auth = oauth(accounts, clock)

    auth.revoke()
    auth.revoke()

    assert accounts.calls.count("POST /oauth/v2/token/revoke") == 1


def test_revoking_a_token_already_revoked_at_zoho_succeeds(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth = oauth(accounts, clock, refresh_token="1000.never.registered")

    auth.revoke()

    assert accounts.calls == ["POST /oauth/v2/token/revoke"]


def test_after_revoke_no_token_is_minted(accounts: AccountsEmulator, clock: FakeClock) -> None:
    auth = oauth(accounts, clock)
    auth.revoke()

    with pytest.raises(AuthenticationError):
        auth.access_token()

    assert accounts.minted == 0


def test_revoke_refused_for_another_reason_is_an_authentication_error(clock: FakeClock) -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"error": "invalid_client"}))

    with pytest.raises(AuthenticationError) as raised:
        oauth(transport, clock).revoke()

    assert raised.value.endpoint == "POST /oauth/v2/token/revoke"


def test_the_revoke_call_carries_the_refresh_token_in_its_query(clock: FakeClock) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "success"})

    oauth(httpx.MockTransport(handler), clock).revoke()

    assert (seen[0].url.path, seen[0].url.params["token"]) == ("/oauth/v2/token/revoke", REFRESH)
