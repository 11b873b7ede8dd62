"""AccountsEmulator: Zoho Accounts' refresh-token grant, minting limit and revocation."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, FaultKind, Faults

START = datetime(2026, 3, 1, tzinfo=UTC)
CLIENT_ID = "1000.CLIENTID0123456789"
SECRET = "s3cr3t-client-secret"
REFRESH = "1000.refresh.token"
URL = "https://accounts.zoho.com/oauth/v2/token"
ACCESS_DENIED = {
    "error": "Access Denied",
    "error_description": (
        "You have made too many requests continuously. Please try again after some time."
    ),
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def accounts(clock: FakeClock) -> AccountsEmulator:
    emulator = AccountsEmulator(clock=clock)
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)
    return emulator


def grant(accounts: AccountsEmulator, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        **overrides,
    }
    with httpx.Client(transport=accounts) as client:
        return client.post(URL, data=form)


def revoke(accounts: AccountsEmulator, token: str) -> httpx.Response:
    with httpx.Client(transport=accounts) as client:
        return client.post(URL + "/revoke", params={"token": token})


def test_a_grant_answers_an_access_token_valid_for_an_hour(accounts: AccountsEmulator) -> None:
    body = grant(accounts).json()

    assert (
        body["expires_in"],
        body["token_type"],
        body["api_domain"],
    ) == (3600, "Bearer", "https://www.zohoapis.com")


def test_a_minted_token_is_valid_until_it_expires(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    token = grant(accounts).json()["access_token"]
    valid_before = accounts.token_valid(token)
    clock.advance(3600)

    assert (valid_before, accounts.token_valid(token)) == (True, False)


def test_tokens_are_new_each_time_and_never_a_secret(accounts: AccountsEmulator) -> None:
    tokens = {grant(accounts).json()["access_token"] for _ in range(5)}

    assert len(tokens - {SECRET, REFRESH, CLIENT_ID}) == 5


def test_the_same_seed_mints_the_same_tokens(clock: FakeClock) -> None:
    def first_token() -> str:
        emulator = AccountsEmulator(clock=clock, seed=9)
        emulator.register_client(CLIENT_ID, SECRET, REFRESH)
        return str(grant(emulator).json()["access_token"])

    assert first_token() == first_token()


def test_a_wrong_secret_answers_invalid_client(accounts: AccountsEmulator) -> None:
    answer = grant(accounts, client_secret="wrong")

    assert (answer.status_code, answer.json()) == (200, {"error": "invalid_client"})


def test_a_wrong_client_id_answers_invalid_client(accounts: AccountsEmulator) -> None:
    assert grant(accounts, client_id="1000.OTHER").json() == {"error": "invalid_client"}


def test_an_unknown_refresh_token_answers_invalid_code(accounts: AccountsEmulator) -> None:
    assert grant(accounts, refresh_token="1000.nope").json() == {"error": "invalid_code"}


def test_a_revoked_refresh_token_answers_invalid_code(accounts: AccountsEmulator) -> None:
    accounts.revoke(REFRESH)

    assert grant(accounts).json() == {"error": "invalid_code"}


def test_the_eleventh_mint_in_ten_minutes_is_denied_with_http_400(
    accounts: AccountsEmulator,
) -> None:
    for _ in range(10):
        grant(accounts)

    answer = grant(accounts)

    assert (
        answer.status_code,
        answer.json(),
        accounts.minted,
        accounts.blocks,
    ) == (400, ACCESS_DENIED, 10, 1)


def test_minting_stays_blocked_for_the_block_period(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    for _ in range(11):
        grant(accounts)
    clock.advance(599)
    still_blocked = grant(accounts).status_code
    clock.advance(1)

    assert (still_blocked, grant(accounts).status_code) == (400, 200)


def test_mints_spread_over_more_than_ten_minutes_are_never_blocked(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    for _ in range(30):
        grant(accounts)
        clock.advance(61)

    assert (accounts.minted, accounts.blocks) == (30, 0)


def test_the_revoke_endpoint_revokes_the_refresh_token_and_its_access_tokens(
    accounts: AccountsEmulator,
) -> None:
    token = grant(accounts).json()["access_token"]

    answer = revoke(accounts, REFRESH)

    assert (
        answer.json(),
        accounts.token_valid(token),
        grant(accounts).json(),
    ) == ({"status": "success"}, False, {"error": "invalid_code"})


def test_revoking_twice_succeeds_twice(accounts: AccountsEmulator) -> None:
    revoke(accounts, REFRESH)

    assert revoke(accounts, REFRESH).json() == {"status": "success"}


def test_revoking_an_unknown_token_answers_invalid_code(accounts: AccountsEmulator) -> None:
    assert revoke(accounts, "1000.unknown").json() == {"error": "invalid_code"}


def test_an_unknown_access_token_is_not_valid(accounts: AccountsEmulator) -> None:
    assert not accounts.token_valid("1000.made.up")


def test_expire_access_tokens_invalidates_every_token_minted(
    accounts: AccountsEmulator,
) -> None:
    token = grant(accounts).json()["access_token"]

    accounts.expire_access_tokens()

    assert not accounts.token_valid(token)


def test_api_domain_none_leaves_it_out_of_the_answer(clock: FakeClock) -> None:
    emulator = AccountsEmulator(clock=clock, api_domain=None)
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)

    assert "api_domain" not in grant(emulator).json()


def test_every_request_is_logged_without_its_query(accounts: AccountsEmulator) -> None:
    grant(accounts)
    revoke(accounts, REFRESH)

    assert accounts.calls == ["POST /oauth/v2/token", "POST /oauth/v2/token/revoke"]


def test_latency_is_slept_on_the_clock(clock: FakeClock) -> None:
    emulator = AccountsEmulator(clock=clock, latency=0.25)
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)

    grant(emulator)

    assert clock.sleeps == [0.25]


def test_injected_faults_answer_instead_of_the_grant(clock: FakeClock) -> None:
    emulator = AccountsEmulator(
        clock=clock, faults=Faults(rate=1.0, kinds=frozenset({FaultKind.SERVER_ERROR}))
    )
    emulator.register_client(CLIENT_ID, SECRET, REFRESH)

    status = grant(emulator).status_code

    assert (status in {500, 503}, emulator.minted) == (True, 0)


def test_an_unknown_path_answers_404(accounts: AccountsEmulator) -> None:
    with httpx.Client(transport=accounts) as client:
        assert client.get("https://accounts.zoho.com/oauth/v2/auth").status_code == 404
