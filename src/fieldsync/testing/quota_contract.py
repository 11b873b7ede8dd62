"""A contract suite for a store's quota ledger and token cache (the quota ports).

Subclass :class:`QuotaContract` beside :class:`~fieldsync.testing.store_contract.StoreContract`
and give it the same ``store`` fixture. A store that several processes can share subclasses
:class:`SharedQuotaContract` instead and also provides ``reopen``: a picklable function of
no arguments that opens another connection to the *same* store
(``functools.partial(SQLiteStore, path)``); the suite then books from several processes at
once and checks that no window ever held more than its limit::

    class TestPostgresStore(StoreContract, SharedQuotaContract):
        @pytest.fixture
        def store(self, url):
            with PostgresStore(url) as store:
                yield store

        @pytest.fixture
        def reopen(self, url):
            return functools.partial(PostgresStore, url)

This module imports pytest: import it from your tests only.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from fieldsync.domain.quota import CachedToken, QuotaRequest
from fieldsync.domain.records import RateWindow
from fieldsync.ports import MintLock, QuotaLedger, TokenCache

__all__ = [
    "QuotaContract",
    "SharedQuotaContract",
    "book_batches",
    "claim_at_once",
    "slots_within_limit",
]

T0 = 1_772_000_000.0  # an instant in 2026, POSIX seconds: the caller's clock, not the store's
WINDOW = RateWindow(5, 10.0)
SCOPE = "test/scope"


def _request(now: float = T0, count: int = 1, **changes: Any) -> QuotaRequest:
    fields: dict[str, Any] = {
        "scope": SCOPE,
        "windows": (WINDOW,),
        "count": count,
        "now": now,
        "margin": 0.0,
    }
    fields.update(changes)
    return QuotaRequest(**fields)


def slots_within_limit(slots: Sequence[float], window: RateWindow, margin: float = 0.0) -> bool:
    """Whether no stretch of ``window.period * (1 + margin)`` holds more than its limit."""
    ordered = sorted(slots)
    span = window.period * (1.0 + margin)
    limit = window.limit
    return all(ordered[i + limit] - ordered[i] >= span for i in range(len(ordered) - limit))


def book_batches(
    opener: Callable[[], Any], scope: str, window: RateWindow, batches: int, size: int, now: float
) -> list[float]:
    """Open the store with ``opener`` and book ``batches`` reservations of ``size`` slots
    at ``now``; return every slot booked. Runs in a child process of the contract suite."""
    store = opener()
    try:
        booked: list[float] = []
        for _ in range(batches):
            request = QuotaRequest(scope, (window,), size, now, margin=0.0)
            booked.extend(store.reserve(request).slots)
        return booked
    finally:
        store.close()


def claim_at_once(opener: Callable[[], Any], key: str, owner: str, at: float) -> bool:
    """Open the store with ``opener``, wait until the POSIX time ``at`` (so that every
    process claims at the same moment) and claim the mint of ``key`` for ``owner``; return
    whether the claim is ours. Runs in a child process of the contract suite."""
    store = opener()
    try:
        time.sleep(max(0.0, at - time.time()))
        return bool(store.claim_mint(key, owner, now=T0, until=T0 + 60.0))
    finally:
        store.close()


class QuotaContract:
    """What fieldsync relies on from a :class:`QuotaLedger`, :class:`TokenCache` and
    :class:`MintLock`.

    Provide a ``store`` fixture; override ``reopen`` for a store shared across processes.
    """

    # the ledger -------------------------------------------------------------------------

    def test_it_is_a_quota_ledger_a_token_cache_and_a_mint_lock(self, store: Any) -> None:
        assert isinstance(store, QuotaLedger), (
            "the store should implement fieldsync.ports.QuotaLedger"
        )
        assert isinstance(store, TokenCache), (
            "the store should implement fieldsync.ports.TokenCache"
        )
        assert isinstance(store, MintLock), "the store should implement fieldsync.ports.MintLock"

    def test_an_empty_scope_books_every_slot_at_now(self, store: QuotaLedger) -> None:
        answer = store.reserve(_request(count=3))
        assert answer.slots == (T0, T0, T0), (
            "an empty scope should book every slot asked for at now"
        )
        assert not answer.refused, "a reservation that fits should not be refused"

    def test_a_full_window_pushes_the_next_slot_to_a_period_after_the_oldest(
        self, store: QuotaLedger
    ) -> None:
        store.reserve(_request(count=5))
        assert store.reserve(_request(now=T0 + 1.0)).slots == (T0 + 10.0,), (
            "with the window full, the next slot should be one period after the oldest booked"
        )

    def test_the_margin_stretches_the_window(self, store: QuotaLedger) -> None:
        store.reserve(_request(count=5, margin=0.1))
        assert store.reserve(_request(now=T0 + 1.0, margin=0.1)).slots == (T0 + 11.0,), (
            "the margin should stretch the window: period * (1 + margin)"
        )

    def test_a_batch_is_planned_slot_by_slot_against_itself(self, store: QuotaLedger) -> None:
        assert store.reserve(_request(count=7)).slots == (T0,) * 5 + (T0 + 10.0,) * 2, (
            "a batch should be planned slot by slot against its own slots"
        )

    def test_every_window_is_obeyed_at_once(self, store: QuotaLedger) -> None:
        windows = (RateWindow(3, 10.0), RateWindow(4, 100.0))
        slots = store.reserve(_request(count=5, windows=windows)).slots
        assert slots == (T0, T0, T0, T0 + 10.0, T0 + 100.0), "every window should be obeyed at once"

    def test_a_reservation_beyond_max_delay_books_nothing(self, store: QuotaLedger) -> None:
        store.reserve(_request(count=5))
        refused = store.reserve(_request(count=2, max_delay=5.0))
        assert refused.slots == (), (
            "a reservation that would wait past max_delay should book nothing"
        )
        assert refused.resume_at == T0 + 10.0, (
            "a refused reservation should say when to come back (resume_at)"
        )
        assert refused.binding == WINDOW, (
            "a refused reservation should name the window that refused it (binding)"
        )
        assert store.reserve(_request(count=5, now=T0 + 10.0)).slots == (T0 + 10.0,) * 5, (
            "a refused reservation should have booked nothing that takes room"
        )

    def test_scopes_are_independent(self, store: QuotaLedger) -> None:
        store.reserve(_request(count=5))
        assert store.reserve(_request(scope="other")).slots == (T0,), (
            "scopes should be independent: another scope's slots take no room"
        )

    def test_released_slots_make_room_again(self, store: QuotaLedger) -> None:
        booked = store.reserve(_request(count=5)).slots
        store.release(SCOPE, booked[3:])
        assert store.reserve(_request(count=2)).slots == (T0, T0), (
            "released slots should make room again"
        )

    def test_releasing_nothing_or_in_an_unknown_scope_changes_nothing(
        self, store: QuotaLedger
    ) -> None:
        store.reserve(_request(count=5))
        store.release(SCOPE, ())
        store.release("unknown", (T0,))
        assert store.reserve(_request(max_delay=0.0)).refused, (
            "releasing nothing, or in an unknown scope, should change nothing"
        )

    def test_a_reservation_releases_before_it_plans(self, store: QuotaLedger) -> None:
        booked = store.reserve(_request(count=5)).slots
        answer = store.reserve(_request(count=1, release=booked[4:]))
        assert answer.slots == (T0,), (
            "a reservation should release its release= slots before it plans"
        )

    def test_slots_older_than_the_longest_window_no_longer_count(self, store: QuotaLedger) -> None:
        store.reserve(_request(count=5))
        assert store.reserve(_request(count=5, now=T0 + 10.0)).slots == (T0 + 10.0,) * 5, (
            "slots older than the longest window should no longer count"
        )

    def test_a_lock_refuses_every_reservation_until_its_end(self, store: QuotaLedger) -> None:
        store.lock(SCOPE, until=T0 + 1800.0, reason="locked for 30 minutes")
        refused = store.reserve(_request(now=T0 + 60.0))
        assert refused.slots == (), "a locked scope should refuse every reservation"
        assert refused.resume_at == T0 + 1800.0, (
            "a refusal under a lock should resume at the lock's end"
        )
        assert refused.lock is not None, "a refusal under a lock should carry the lock"
        assert refused.lock.reason == "locked for 30 minutes", (
            "the lock a refusal carries should keep its reason"
        )
        assert store.reserve(_request(now=T0 + 1800.0)).slots == (T0 + 1800.0,), (
            "a lock should end at its until: a reservation then books"
        )

    def test_a_lock_is_seen_until_its_end_only(self, store: QuotaLedger) -> None:
        store.lock(SCOPE, until=T0 + 60.0, reason="429")
        held = store.lock_of(SCOPE, now=T0)
        assert held is not None, "lock_of should see a lock before its end"
        assert (held.scope, held.until, held.reason) == (SCOPE, T0 + 60, "429"), (
            "lock_of should answer the lock's scope, end and reason"
        )
        assert store.lock_of(SCOPE, now=T0 + 60.0) is None, (
            "lock_of should see no lock from its end on"
        )
        assert store.lock_of("other", now=T0) is None, "a lock should hold for its scope only"

    def test_a_shorter_lock_does_not_shorten_a_longer_one(self, store: QuotaLedger) -> None:
        store.lock(SCOPE, until=T0 + 1800.0, reason="long")
        store.lock(SCOPE, until=T0 + 60.0, reason="short")
        held = store.lock_of(SCOPE, now=T0)
        assert held is not None, "a lock should still be seen after a shorter one was set"
        assert held.until == T0 + 1800.0, "a shorter lock should not shorten a longer one"

    def test_a_longer_lock_extends_a_shorter_one(self, store: QuotaLedger) -> None:
        store.lock(SCOPE, until=T0 + 60.0, reason="short")
        store.lock(SCOPE, until=T0 + 1800.0, reason="long")
        held = store.lock_of(SCOPE, now=T0)
        assert held is not None, "a longer lock should still be seen after it was set"
        assert (held.until, held.reason) == (T0 + 1800.0, "long"), (
            "a longer lock should extend a shorter one, with its reason"
        )

    def test_threads_booking_at_once_never_overfill_a_window(self, store: QuotaLedger) -> None:
        found: list[float] = []
        guard = threading.Lock()
        start = threading.Barrier(6)

        def book() -> None:
            start.wait()
            for _ in range(4):
                slots = store.reserve(_request(count=3)).slots
                with guard:
                    found.extend(slots)

        threads = [threading.Thread(target=book) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(found) == 6 * 4 * 3, (
            "threads booking at once should each get every slot asked for"
        )
        assert slots_within_limit(found, WINDOW), (
            "threads booking at once should never put more in a window than its limit"
        )

    # the token cache --------------------------------------------------------------------

    def test_no_token_is_cached_at_first(self, store: TokenCache) -> None:
        assert store.cached_token("k", now=T0) is None, "a new store should have no token cached"

    def test_a_stored_token_reads_back_until_it_expires(self, store: TokenCache) -> None:
        token = CachedToken("1000.secret", T0 + 3000.0, "https://www.zohoapis.eu")
        store.store_token("k", token)
        assert store.cached_token("k", now=T0) == token, (
            "a stored token should read back equal before its expiry"
        )
        assert store.cached_token("k", now=T0 + 3000.0) is None, (
            "a token should no longer be read back from its expiry on"
        )

    def test_a_token_without_an_api_domain_reads_back(self, store: TokenCache) -> None:
        store.store_token("k", CachedToken("1000.secret", T0 + 60.0))
        assert store.cached_token("k", now=T0) == CachedToken("1000.secret", T0 + 60.0), (
            "a token without an api_domain should read back equal"
        )

    def test_storing_a_token_replaces_the_previous_one(self, store: TokenCache) -> None:
        store.store_token("k", CachedToken("1000.old", T0 + 60.0))
        store.store_token("k", CachedToken("1000.new", T0 + 3000.0))
        found = store.cached_token("k", now=T0)
        assert found is not None, "a stored token should be read back before its expiry"
        assert found.access_token == "1000.new", "storing a token should replace the previous one"  # noqa: S105

    def test_tokens_are_kept_by_key(self, store: TokenCache) -> None:
        store.store_token("k", CachedToken("1000.secret", T0 + 60.0))
        assert store.cached_token("other", now=T0) is None, (
            "tokens should be kept by key: another key finds none"
        )

    def test_dropping_a_token_forgets_it(self, store: TokenCache) -> None:
        store.store_token("k", CachedToken("1000.secret", T0 + 60.0))
        store.drop_token("k")
        assert store.cached_token("k", now=T0) is None, "drop_token should forget the token"

    def test_dropping_another_token_keeps_the_newer_one(self, store: TokenCache) -> None:
        store.store_token("k", CachedToken("1000.newer", T0 + 60.0))
        store.drop_token("k", access_token="1000.refused")  # noqa: S106
        assert store.cached_token("k", now=T0) is not None, (
            "drop_token with another access token should keep the newer one"
        )
        store.drop_token("k", access_token="1000.newer")  # noqa: S106
        assert store.cached_token("k", now=T0) is None, (
            "drop_token with the token's own access token should forget it"
        )

    def test_the_store_repr_shows_no_token(self, store: TokenCache) -> None:
        store.store_token("k", CachedToken("1000.very-secret", T0 + 60.0))
        assert "very-secret" not in repr(store), "repr(store) should show no access token"
        assert "very-secret" not in repr(store.cached_token("k", now=T0)), (
            "repr of a cached token should show no access token"
        )

    # the mint lock ----------------------------------------------------------------------

    def test_a_free_mint_is_claimed(self, store: MintLock) -> None:
        assert store.claim_mint("k", "a", now=T0, until=T0 + 60.0), _FREE

    def test_a_held_claim_refuses_another_owner_until_it_ends(self, store: MintLock) -> None:
        assert store.claim_mint("k", "a", now=T0, until=T0 + 60.0), _FREE
        assert not store.claim_mint("k", "b", now=T0 + 59.0, until=T0 + 119.0), _HELD
        assert store.claim_mint("k", "b", now=T0 + 60.0, until=T0 + 120.0), (
            "a claim should end at its `until`: another owner may claim the mint then"
        )
        assert not store.claim_mint("k", "a", now=T0 + 61.0, until=T0 + 121.0), _HELD

    def test_the_owner_renews_its_own_claim(self, store: MintLock) -> None:
        assert store.claim_mint("k", "a", now=T0, until=T0 + 60.0), _FREE
        assert store.claim_mint("k", "a", now=T0 + 30.0, until=T0 + 90.0), (
            "the owner of a claim should be able to claim it again (a renewal)"
        )
        assert not store.claim_mint("k", "b", now=T0 + 80.0, until=T0 + 140.0), (
            "a renewed claim should last until its new `until`"
        )

    def test_a_released_claim_is_free_at_once(self, store: MintLock) -> None:
        assert store.claim_mint("k", "a", now=T0, until=T0 + 60.0), _FREE
        store.release_mint("k", "a")
        assert store.claim_mint("k", "b", now=T0 + 1.0, until=T0 + 61.0), (
            "a claim its owner released should be free at once"
        )

    def test_only_the_owner_releases_a_claim(self, store: MintLock) -> None:
        assert store.claim_mint("k", "a", now=T0, until=T0 + 60.0), _FREE
        store.release_mint("k", "b")
        store.release_mint("other", "a")
        assert not store.claim_mint("k", "b", now=T0 + 1.0, until=T0 + 61.0), (
            "release_mint by another owner, or of another key, should leave the claim held"
        )

    def test_claims_are_kept_by_key(self, store: MintLock) -> None:
        assert store.claim_mint("k", "a", now=T0, until=T0 + 60.0), _FREE
        assert store.claim_mint("other", "b", now=T0, until=T0 + 60.0), (
            "a claim on one key should not hold another key's mint"
        )

    def test_threads_claiming_at_once_make_one_owner(self, store: MintLock) -> None:
        won: list[str] = []
        start = threading.Barrier(8)

        def claim(owner: str) -> None:
            start.wait()
            if store.claim_mint("k", owner, now=T0, until=T0 + 60.0):
                won.append(owner)

        threads = [threading.Thread(target=claim, args=(f"o{n}",)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, f"of 8 threads claiming a mint at once, one should win: {won}"


_FREE = "claim_mint should claim a mint nobody holds (and return True)"
_HELD = "claim_mint should refuse (return False) a mint another owner holds until its `until`"


class SharedQuotaContract(QuotaContract):
    """:class:`QuotaContract` for a store several processes share (SQLite, PostgreSQL): the
    subclass also provides ``reopen``, a picklable function of no arguments that opens
    another connection to the *same* store, and the suite books from several processes at
    once."""

    @pytest.fixture
    def reopen(self) -> Callable[[], Any]:
        """A picklable opener of a second connection to the same store (override it)."""
        raise NotImplementedError("a SharedQuotaContract subclass must provide `reopen`")

    def test_processes_booking_at_once_never_overfill_a_window(
        self, store: QuotaLedger, reopen: Callable[[], Any]
    ) -> None:
        spawn = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(3, mp_context=spawn) as pool:
            futures = [pool.submit(book_batches, reopen, SCOPE, WINDOW, 6, 4, T0) for _ in range(3)]
            found = [slot for future in futures for slot in future.result()]
        found.extend(store.reserve(_request(count=2)).slots)  # and this connection sees them
        assert len(found) == 3 * 6 * 4 + 2, (
            "processes booking at once should each get every slot asked for"
        )
        assert slots_within_limit(found, WINDOW), (
            "processes booking at once should never put more in a window than its limit"
        )

    def test_processes_claiming_at_once_make_one_owner(
        self, store: MintLock, reopen: Callable[[], Any]
    ) -> None:
        spawn = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(4, mp_context=spawn) as pool:
            at = time.time() + 2.0  # every child started and connected by then
            futures = [pool.submit(claim_at_once, reopen, "k", f"p{n}", at) for n in range(4)]
            won = [future.result() for future in futures]
        assert won.count(True) == 1, "of processes claiming a mint at once, exactly one should win"
        assert not store.claim_mint("k", "here", now=T0 + 1.0, until=T0 + 61.0), (
            "a mint claimed by another process and not yet expired should not be claimable"
        )
