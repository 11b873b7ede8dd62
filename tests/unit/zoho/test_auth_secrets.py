"""No secret ever shows: not in repr, str, describe, errors or log records."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import httpx
import pytest

from fieldsync.exceptions import FieldSyncError
from fieldsync.http import RetryPolicy
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, FaultKind, Faults
from fieldsync.zoho.auth import ZohoOAuth

CLIENT_ID = "1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SECRET = "0123456789abcdef-the-client-secret"
REFRESH = "1000.refreshrefresh.tokentoken"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, tzinfo=UTC))


def oauth(transport: httpx.BaseTransport, clock: FakeClock, **kwargs: object) -> ZohoOAuth:
    return ZohoOAuth(
        client_id=CLIENT_ID,
        client_secret=kwargs.pop("secret", SECRET),  # type: ignore[arg-type]
        refresh_token=REFRESH,
        data_centre="in",
        client=httpx.Client(transport=transport),
        clock=clock,
        retry=RetryPolicy(jitter=0.0),
    )


def leaks(text: str, *secrets: str) -> list[str]:
    return [secret for secret in (SECRET, REFRESH, *secrets) if secret in text]


def test_repr_masks_the_client_id_and_names_the_data_centre(clock: FakeClock) -> None:
    auth = oauth(httpx.MockTransport(lambda _: httpx.Response(500)), clock)

    assert repr(auth) == "ZohoOAuth(client_id='1000.AB…YZ', data_centre='in')"


def test_describe_names_the_client_and_host_without_secrets(clock: FakeClock) -> None:
    auth = oauth(httpx.MockTransport(lambda _: httpx.Response(500)), clock)

    assert auth.describe() == "Zoho OAuth refresh token for client 1000.AB…YZ (accounts.zoho.in)"


def test_repr_and_str_hold_no_token_after_minting(clock: FakeClock) -> None:
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client(CLIENT_ID, SECRET, REFRESH)
    auth = oauth(accounts, clock)
    token = auth.access_token()

    assert leaks(repr(auth) + str(auth) + auth.describe(), token) == []


def test_errors_hold_no_secret(clock: FakeClock) -> None:
    accounts = AccountsEmulator(clock=clock)
    accounts.register_client(CLIENT_ID, "another-secret", REFRESH)

    with pytest.raises(FieldSyncError) as raised:
        oauth(accounts, clock).access_token()

    assert leaks(str(raised.value) + repr(raised.value)) == []


@pytest.mark.parametrize("kind", [FaultKind.TIMEOUT, FaultKind.DROPPED_CONNECTION])
def test_transport_errors_hold_no_secret_even_from_the_revoke_url(
    clock: FakeClock, kind: FaultKind
) -> None:
    accounts = AccountsEmulator(clock=clock, faults=Faults(rate=1.0, kinds=frozenset({kind})))

    with pytest.raises(FieldSyncError) as raised:
        oauth(accounts, clock).revoke()

    assert leaks(str(raised.value) + repr(raised.value)) == []


def test_log_records_hold_no_secret_or_token(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    accounts = AccountsEmulator(
        clock=clock, faults=Faults(rate=0.5, seed=2, kinds=frozenset({FaultKind.SERVER_ERROR}))
    )
    accounts.register_client(CLIENT_ID, SECRET, REFRESH)
    auth = oauth(accounts, clock)
    token = auth.access_token()
    auth.revoke()

    logged = "\n".join(record.getMessage() for record in caplog.records)

    assert (leaks(logged, token), "token=REDACTED" in logged) == ([], True)
