"""One mint at a time per refresh token (issue 19): a ZohoOAuth that finds another owner
minting waits for the token that owner stores, for a bounded time, instead of minting its
own. Stores stand for processes here; the multi-process stampede is in
tests/reliability/test_mint_stampede.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from fieldsync.clock import SystemClock
from fieldsync.domain.quota import CachedToken
from fieldsync.ports import TokenCache
from fieldsync.stores import InMemoryStore, LocalQuota, SQLiteStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator
from fieldsync.zoho import ZohoOAuth
from fieldsync.zoho.auth import MINT_CLAIM

SECRET = "the-client-secret-value"
REFRESH = "1000.the-refresh-token-value"
PEER = "another-process"


class HookedClock(FakeClock):
    """A fake clock that runs ``on_sleep`` at the first sleep: what a peer process does
    while this one waits."""

    def __init__(self) -> None:
        super().__init__()
        self.on_sleep: Callable[[], None] | None = None
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        hook, self.on_sleep = self.on_sleep, None
        if hook is not None:
            hook()
        super().sleep(seconds)


def auth(accounts: AccountsEmulator, store: object, clock: object, **options: float) -> ZohoOAuth:
    return ZohoOAuth(
        client_id="client",
        client_secret=SECRET,
        refresh_token=REFRESH,
        client=httpx.Client(transport=accounts),
        clock=clock,  # type: ignore[arg-type]
        ledger=store,  # type: ignore[arg-type]
        token_cache=store,  # type: ignore[arg-type]
        **options,
    )


@pytest.fixture
def clock() -> HookedClock:
    return HookedClock()


@pytest.fixture
def accounts(clock: HookedClock) -> AccountsEmulator:
    emulator = AccountsEmulator(clock=clock)
    emulator.register_client("client", SECRET, REFRESH)
    return emulator


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> InMemoryStore | SQLiteStore:
    if request.param == "memory":
        return InMemoryStore()
    return SQLiteStore(tmp_path / "state.db")


def test_a_waiter_takes_the_token_the_minting_peer_stores(
    accounts: AccountsEmulator, store: InMemoryStore | SQLiteStore, clock: HookedClock
) -> None:
    waiter = auth(accounts, store, clock)
    now = clock.now().timestamp()
    assert store.claim_mint(waiter.quota_key, PEER, now=now, until=now + MINT_CLAIM)

    def peer_finishes() -> None:
        token = CachedToken("1000.minted-by-the-peer", now + 3000.0)
        store.store_token(waiter.quota_key, token)
        store.release_mint(waiter.quota_key, PEER)

    clock.on_sleep = peer_finishes

    assert waiter.access_token() == "1000.minted-by-the-peer"
    assert accounts.minted == 0
    assert 0 < clock.slept < 1.0


def test_a_peer_that_never_stores_a_token_costs_the_bounded_wait_then_a_mint(
    accounts: AccountsEmulator,
    store: InMemoryStore | SQLiteStore,
    clock: HookedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    waiter = auth(accounts, store, clock, mint_wait=10.0)
    now = clock.now().timestamp()
    store.claim_mint(waiter.quota_key, PEER, now=now, until=now + MINT_CLAIM)  # then hangs

    token = waiter.access_token()

    assert accounts.token_valid(token)
    assert accounts.minted == 1
    assert 10.0 <= clock.slept < 11.0
    assert "minting one here instead of waiting longer" in caplog.text
    assert token not in caplog.text


def test_a_claim_that_ended_is_taken_over_without_waiting(
    accounts: AccountsEmulator, store: InMemoryStore | SQLiteStore, clock: HookedClock
) -> None:
    waiter = auth(accounts, store, clock)
    now = clock.now().timestamp()
    store.claim_mint(waiter.quota_key, PEER, now=now - 120.0, until=now - 60.0)  # crashed

    assert accounts.token_valid(waiter.access_token())
    assert (accounts.minted, clock.slept) == (1, 0.0)


def test_the_minter_releases_its_claim(
    accounts: AccountsEmulator, store: InMemoryStore | SQLiteStore, clock: HookedClock
) -> None:
    first = auth(accounts, store, clock)
    first.access_token()
    now = clock.now().timestamp()

    assert store.claim_mint(first.quota_key, PEER, now=now, until=now + MINT_CLAIM)


def test_a_failed_mint_releases_its_claim_too(
    accounts: AccountsEmulator, store: InMemoryStore | SQLiteStore, clock: HookedClock
) -> None:
    refused = ZohoOAuth(
        client_id="client",
        client_secret="wrong-secret",
        refresh_token=REFRESH,
        client=httpx.Client(transport=accounts),
        clock=clock,
        ledger=store,
        token_cache=store,
    )
    with pytest.raises(Exception, match="refused"):
        refused.access_token()
    now = clock.now().timestamp()

    assert store.claim_mint(refused.quota_key, PEER, now=now, until=now + MINT_CLAIM)


def test_a_cache_without_a_mint_lock_mints_as_before(
    accounts: AccountsEmulator, clock: HookedClock
) -> None:
    class PlainCache:
        """A token cache and nothing more (a custom one written before the mint lock)."""

        def __init__(self) -> None:
            self.inner = LocalQuota()

        def cached_token(self, key: str, *, now: float) -> CachedToken | None:
            return self.inner.cached_token(key, now=now)

        def store_token(self, key: str, token: CachedToken) -> None:
            self.inner.store_token(key, token)

        def drop_token(self, key: str, *, access_token: str | None = None) -> None:
            self.inner.drop_token(key, access_token=access_token)

    cache: TokenCache = PlainCache()
    first, second = (
        ZohoOAuth(
            client_id="client",
            client_secret=SECRET,
            refresh_token=REFRESH,
            client=httpx.Client(transport=accounts),
            clock=clock,
            token_cache=cache,
        )
        for _ in range(2)
    )

    assert first.access_token() == second.access_token()
    assert accounts.minted == 1


def test_eight_objects_asking_at_once_on_one_store_make_one_mint(tmp_path: Path) -> None:
    clock = SystemClock()
    accounts = AccountsEmulator(clock=clock, latency=0.3)  # a mint takes a while
    accounts.register_client("client", SECRET, REFRESH)
    store = SQLiteStore(tmp_path / "state.db")
    found: list[str] = []
    start = threading.Barrier(8)

    def ask() -> None:
        own = auth(accounts, store, clock)  # each its own process, as far as it knows
        start.wait()
        found.append(own.access_token())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert accounts.minted == 1
    assert len(found) == 8
    assert len(set(found)) == 1
    store.close()


def test_a_store_adopted_at_registration_coordinates_the_mint(
    accounts: AccountsEmulator, store: InMemoryStore | SQLiteStore, clock: HookedClock
) -> None:
    waiter = ZohoOAuth(  # the simplest wiring: no ledger, no token cache
        client_id="client",
        client_secret=SECRET,
        refresh_token=REFRESH,
        client=httpx.Client(transport=accounts),
        clock=clock,
    )
    waiter.share_quota(store)  # what SyncService.register_integration does
    now = clock.now().timestamp()
    assert store.claim_mint(waiter.quota_key, PEER, now=now, until=now + MINT_CLAIM)

    def peer_finishes() -> None:
        store.store_token(waiter.quota_key, CachedToken("1000.minted-by-the-peer", now + 3000.0))
        store.release_mint(waiter.quota_key, PEER)

    clock.on_sleep = peer_finishes

    assert waiter.access_token() == "1000.minted-by-the-peer"
    assert accounts.minted == 0
