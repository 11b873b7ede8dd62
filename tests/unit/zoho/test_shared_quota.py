"""Zoho adapters sharing a store's quota ledger and token cache (issue 10), in one process.

Two adapter sets built on one store stand for two processes: they share nothing else.
The multi-process scenarios over real sockets are in tests/reliability/test_shared_quota.py.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from fieldsync.domain.records import RateWindow, TargetContact, TargetLimits
from fieldsync.exceptions import EndpointLockedError, QuotaExhaustedError, RateLimitedError
from fieldsync.http.retry import RetryPolicy
from fieldsync.stores import InMemoryStore, SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator, CampaignsEmulator, InvoiceEmulator
from fieldsync.testing.emulators.generate import generate_organization
from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

ROOT = "https://campaigns.zoho.com/api/v1.1"
SUBSCRIBE = "POST json/listsubscribe"
SECRET = "the-client-secret-value"
REFRESH = "1000.the-refresh-token-value"


class Account:
    """One Zoho account's emulators on a fake clock."""

    def __init__(self, **accounts_options: int) -> None:
        self.clock = FakeClock()
        self.accounts = AccountsEmulator(clock=self.clock, **accounts_options)
        self.accounts.register_client("client", SECRET, REFRESH)
        self.campaigns = CampaignsEmulator(accounts=self.accounts, clock=self.clock)
        self.invoice = InvoiceEmulator(
            accounts=self.accounts,
            clock=self.clock,
            organization=generate_organization(50, seed=1),
            daily_cap=3,
        )

    def auth(self, store: object | None) -> ZohoOAuth:
        return ZohoOAuth(
            client_id="client",
            client_secret=SECRET,
            refresh_token=REFRESH,
            client=httpx.Client(transport=self.accounts),
            clock=self.clock,
            ledger=store,  # type: ignore[arg-type]
            token_cache=store,  # type: ignore[arg-type]
        )

    def target(self, store: object | None, **options: object) -> ZohoCampaignsTarget:
        return ZohoCampaignsTarget(
            self.auth(store),
            client=httpx.Client(transport=self.campaigns),
            base_url=ROOT,
            clock=self.clock,
            concurrency=1,
            **options,  # type: ignore[arg-type]
        )


def contacts(prefix: str, n: int) -> list[TargetContact]:
    return [TargetContact(f"{prefix}{i}", f"{prefix}{i}@example.com", {}) for i in range(n)]


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "state.db")


# -- access tokens ---------------------------------------------------------------------------


def test_a_token_minted_by_one_process_is_reused_by_another(store: SQLiteStore) -> None:
    account = Account()
    first, second = account.auth(store), account.auth(store)

    assert first.access_token() == second.access_token()
    assert account.accounts.minted == 1


def test_without_a_shared_cache_each_process_mints_its_own() -> None:
    account = Account()

    account.auth(None).access_token()
    account.auth(None).access_token()

    assert account.accounts.minted == 2


def test_mints_are_counted_across_processes_on_one_ledger(store: SQLiteStore) -> None:
    account = Account()
    auths = [account.auth(store) for _ in range(11)]
    for auth in auths[:10]:
        auth.access_token()
        auth.invalidate()  # the API refused it: the next one must mint

    with pytest.raises(RateLimitedError, match="10 access tokens per 600 s"):
        auths[10].access_token()
    assert account.accounts.blocks == 0


def test_a_minting_block_met_by_one_process_stops_the_others_asking(store: SQLiteStore) -> None:
    account = Account(mint_limit=1)  # Zoho allows one mint: the second is blocked
    first = account.auth(store)
    first.access_token()
    first.invalidate()
    with pytest.raises(RateLimitedError):
        first.access_token()
    asked = len(account.accounts.calls)

    with pytest.raises(RateLimitedError, match="blocked minting") as raised:
        account.auth(store).access_token()

    assert len(account.accounts.calls) == asked
    assert raised.value.retry_after == pytest.approx(600.0)


def test_a_refused_token_is_dropped_from_the_shared_cache(store: SQLiteStore) -> None:
    account = Account()
    first = account.auth(store)
    token = first.access_token()

    first.invalidate(token)

    assert account.auth(store).access_token() != token
    assert account.accounts.minted == 2


def test_the_access_token_is_never_logged(
    store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    account = Account()
    with caplog.at_level(logging.DEBUG):
        token = account.auth(store).access_token()
        account.auth(store).access_token()

    assert token not in caplog.text
    assert token not in repr(store)


def test_the_refresh_token_and_secret_are_never_stored(tmp_path: Path) -> None:
    account = Account()
    with SQLiteStore(tmp_path / "state.db") as shared:
        account.auth(shared).access_token()

    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert REFRESH.encode() not in stored
    assert SECRET.encode() not in stored


# -- rate windows and locks ---------------------------------------------------------------


def test_two_targets_on_one_ledger_share_the_accounts_window() -> None:
    account = Account()
    shared = InMemoryStore()
    limits = TargetLimits(max_batch=50, windows=(RateWindow(6, 60.0, 1800.0),))
    first = account.target(shared, limits=limits)
    second = account.target(shared, limits=limits)

    first.upsert(account.campaigns.create_list("A"), contacts("a", 4))
    second.upsert(account.campaigns.create_list("B"), contacts("b", 4))

    assert account.campaigns.windows.lockouts == 0
    assert account.clock.sleeps == [pytest.approx(61.8)]  # the last two waited a window


def test_a_lock_met_by_one_target_defers_another_without_a_call() -> None:
    account = Account()
    shared = InMemoryStore()
    while account.campaigns.windows.hit(SUBSCRIBE) is None:  # another app trips the lock
        pass
    first = account.target(shared, retry=RetryPolicy(attempts=5, jitter=0.0))
    second = account.target(shared)
    with pytest.raises(EndpointLockedError):
        first.upsert(account.campaigns.create_list("A"), contacts("a", 3))
    calls = account.campaigns.calls[SUBSCRIBE]

    with pytest.raises(QuotaExhaustedError, match="locked") as raised:
        second.upsert(account.campaigns.create_list("B"), contacts("b", 3))

    assert account.campaigns.calls[SUBSCRIBE] == calls
    assert calls == 1  # the lock answer was not retried
    assert raised.value.resume_at == account.clock.now() + timedelta(minutes=30)


def test_after_the_lock_ends_the_endpoint_is_called_again() -> None:
    account = Account()
    shared = InMemoryStore()
    while account.campaigns.windows.hit(SUBSCRIBE) is None:
        pass
    target = account.target(shared)
    with pytest.raises(EndpointLockedError):
        target.upsert(account.campaigns.create_list("A"), contacts("a", 1))

    account.clock.advance(1_800.0)
    outcomes = target.upsert(account.campaigns.create_list("B"), contacts("b", 2))

    assert len(outcomes) == 2


def test_a_quota_share_leaves_room_in_each_window() -> None:
    account = Account()
    limits = TargetLimits(max_batch=50, windows=(RateWindow(10, 60.0, 1800.0),))
    target = account.target(None, limits=limits, quota_share=0.5, max_wait=10.0)

    target.upsert(account.campaigns.create_list("A"), contacts("a", 5))
    with pytest.raises(QuotaExhaustedError):
        target.upsert(account.campaigns.create_list("B"), contacts("b", 1))

    assert account.campaigns.calls[SUBSCRIBE] == 5


def test_an_invoice_daily_cap_met_by_one_process_stops_the_others(store: SQLiteStore) -> None:
    account = Account()
    calls: list[str] = []

    def counted(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return account.invoice.handle_request(request)

    def source() -> ZohoInvoiceSource:
        return ZohoInvoiceSource(
            account.auth(store),
            organization_id=account.invoice.organization_id,
            client=httpx.Client(transport=httpx.MockTransport(counted)),
            clock=account.clock,
            per_page=5,
        )

    with pytest.raises(EndpointLockedError) as first:
        list(source().read())
    made = len(calls)

    with pytest.raises(QuotaExhaustedError, match="locked") as second:
        list(source().read())

    assert len(calls) == made
    assert second.value.resume_at == first.value.resume_at
