"""The values that cross the quota ports, the slot planner every store shares, and
:class:`LocalQuota`, the ledger and token cache of one process.

A store that implements :class:`fieldsync.ports.QuotaLedger` (see ``docs/stores.md``) takes
a :class:`QuotaRequest`, calls :func:`decide` inside one of its own transactions with a
:class:`BookedTimes` view of the scope's booked call times and the scope's
:class:`QuotaLock`, stores the slots it answers with and returns the :class:`Reservation`.
A :class:`fieldsync.ports.TokenCache` keeps :class:`CachedToken` values.
:func:`quota_digest` names secret identifiers (refresh tokens, accounts) in scopes.

The values and the planner are defined in the pure domain (``fieldsync.domain.quota``);
this is their public import path. :class:`LocalQuota` is also ``fieldsync.LocalQuota``.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Sequence

from fieldsync.domain.quota import (
    BookedTimes,
    CachedToken,
    QuotaLock,
    QuotaRequest,
    Reservation,
    decide,
    plan_slots,
    prune_horizon,
    quota_digest,
    shared_windows,
)

__all__ = [
    "BookedTimes",
    "CachedToken",
    "LocalQuota",
    "QuotaLock",
    "QuotaRequest",
    "Reservation",
    "decide",
    "plan_slots",
    "prune_horizon",
    "quota_digest",
    "shared_windows",
]


class _Times:
    """One scope's booked times, ascending (a :class:`~fieldsync.domain.quota.BookedTimes`)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def count_since(self, since: float) -> int:
        return len(self.times) - bisect.bisect_right(self.times, since)

    def times_since(self, since: float, offset: int, limit: int) -> Sequence[float]:
        first = bisect.bisect_right(self.times, since) + offset
        return self.times[first : first + limit]

    def latest(self) -> float | None:
        return self.times[-1] if self.times else None

    def remove(self, slot: float) -> None:
        index = bisect.bisect_left(self.times, slot)
        if index < len(self.times) and self.times[index] == slot:
            del self.times[index]

    def prune(self, horizon: float) -> None:
        del self.times[: bisect.bisect_right(self.times, horizon)]


class LocalQuota:
    """A :class:`~fieldsync.ports.QuotaLedger`, :class:`~fieldsync.ports.TokenCache` and
    :class:`~fieldsync.ports.MintLock` in memory: shared by the threads of one process, by
    nothing else. Thread-safe.

    The Zoho adapters keep their bookings and token in one until they are registered with
    a :class:`~fieldsync.SyncService`, whose store they then share (``docs/http.md``).
    Passing one yourself (``ZohoOAuth(..., ledger=fs.LocalQuota())``) is the explicit
    choice to keep an account's limits inside this process: two processes in a row on one
    Zoho account then each believe they have its whole window, and together may trip its
    30-minute lockout.
    """

    def __init__(self) -> None:
        self._quota_lock = threading.Lock()
        self._quota_scopes: dict[str, _Times] = {}
        self._quota_locks: dict[str, QuotaLock] = {}
        self._quota_tokens: dict[str, CachedToken] = {}
        self._mint_claims: dict[str, tuple[str, float]] = {}  # key -> (owner, until)

    def reserve(self, request: QuotaRequest) -> Reservation:
        """Book ``request.count`` slots (or refuse); see :class:`~fieldsync.ports.QuotaLedger`."""
        with self._quota_lock:
            times = self._quota_scopes.setdefault(request.scope, _Times())
            for slot in request.release:
                times.remove(slot)
            times.prune(prune_horizon(request))
            answer = decide(request, times, self._quota_locks.get(request.scope))
            if answer.slots:
                # Slots are never earlier than a booked time: appending keeps the order.
                times.times.extend(answer.slots)
            return answer

    def release(self, scope: str, slots: Sequence[float]) -> None:
        """Give back booked slots that were never used."""
        with self._quota_lock:
            times = self._quota_scopes.get(scope)
            if times is not None:
                for slot in slots:
                    times.remove(slot)

    def lock(self, scope: str, *, until: float, reason: str) -> None:
        """Record a lock of ``scope``; a lock that ends later is kept."""
        with self._quota_lock:
            held = self._quota_locks.get(scope)
            if held is None or held.until < until:
                self._quota_locks[scope] = QuotaLock(scope, until, reason)

    def lock_of(self, scope: str, *, now: float) -> QuotaLock | None:
        """The scope's lock, when it lasts beyond ``now``."""
        with self._quota_lock:
            held = self._quota_locks.get(scope)
            return held if held is not None and held.until > now else None

    def cached_token(self, key: str, *, now: float) -> CachedToken | None:
        """The token under ``key`` while valid at ``now``."""
        with self._quota_lock:
            token = self._quota_tokens.get(key)
            return token if token is not None and token.expires_at > now else None

    def store_token(self, key: str, token: CachedToken) -> None:
        """Keep ``token`` under ``key``."""
        with self._quota_lock:
            self._quota_tokens[key] = token

    def drop_token(self, key: str, *, access_token: str | None = None) -> None:
        """Forget the token under ``key`` (only when it is ``access_token``, if given)."""
        with self._quota_lock:
            held = self._quota_tokens.get(key)
            if held is not None and access_token in (None, held.access_token):
                del self._quota_tokens[key]

    def claim_mint(self, key: str, owner: str, *, now: float, until: float) -> bool:
        """Claim the right to mint the token under ``key``; see
        :class:`~fieldsync.ports.MintLock`."""
        with self._quota_lock:
            held = self._mint_claims.get(key)
            if held is not None and held[0] != owner and held[1] > now:
                return False
            self._mint_claims[key] = (owner, until)
            return True

    def release_mint(self, key: str, owner: str) -> None:
        """Give back ``owner``'s claim on ``key``."""
        with self._quota_lock:
            held = self._mint_claims.get(key)
            if held is not None and held[0] == owner:
                del self._mint_claims[key]

    def __repr__(self) -> str:
        return f"LocalQuota(scopes={len(self._quota_scopes)}, locks={len(self._quota_locks)})"
