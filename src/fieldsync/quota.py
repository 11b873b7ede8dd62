"""The values that cross the quota ports, and the slot planner every store shares.

A store that implements :class:`fieldsync.ports.QuotaLedger` (see ``docs/stores.md``) takes
a :class:`QuotaRequest`, calls :func:`decide` inside one of its own transactions with a
:class:`BookedTimes` view of the scope's booked call times and the scope's
:class:`QuotaLock`, stores the slots it answers with and returns the :class:`Reservation`.
A :class:`fieldsync.ports.TokenCache` keeps :class:`CachedToken` values.
:func:`quota_digest` names secret identifiers (refresh tokens, accounts) in scopes.

Defined in the pure domain (``fieldsync.domain.quota``); this is their public import path.
"""

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
    "QuotaLock",
    "QuotaRequest",
    "Reservation",
    "decide",
    "plan_slots",
    "prune_horizon",
    "quota_digest",
    "shared_windows",
]
