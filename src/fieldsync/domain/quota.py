"""Quotas shared through a store: the values of the quota ledger and token cache ports.

A *scope* names one quota domain, e.g. the ``json/listsubscribe`` calls of one Zoho
Campaigns account. Every call that counts against a scope's windows is *booked* in a
:class:`~fieldsync.ports.QuotaLedger` before it leaves: a whole batch's slots in one
reservation (:class:`QuotaRequest` in, :class:`Reservation` out). A store that implements
the ledger plans the slots with :func:`plan_slots`, inside one transaction, from the times
booked before (by any process): so no interleaving of processes puts more calls in a window
than its limit.

Times are POSIX seconds (floats), taken from the caller's clock.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Protocol

import attrs

from fieldsync.domain.records import RateWindow

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


def quota_digest(*parts: str) -> str:
    """A short non-reversible name for secret identifiers (a refresh token, an account),
    for scopes and token-cache keys: the same parts give the same digest in every process.
    """
    blob = "\x1f".join(parts).encode("utf-8")
    return hashlib.sha256(b"fieldsync-quota\x1f" + blob).hexdigest()[:24]


def shared_windows(windows: Sequence[RateWindow], share: float) -> tuple[RateWindow, ...]:
    """``windows`` with each limit cut to ``share`` of it (at least one call).

    Raises:
        ValueError: ``share`` is not in (0, 1].
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"quota_share must be in (0, 1], not {share!r}")
    return tuple(
        attrs.evolve(window, limit=max(1, math.floor(window.limit * share + 1e-9)))
        for window in windows
    )


@attrs.frozen
class QuotaRequest:
    """A reservation of ``count`` consecutive call slots in one scope.

    Attributes:
        scope: the quota domain (``"zoho-campaigns/<digest>/listsubscribe"``).
        windows: the limits to obey together (already cut to the quota share).
        count: how many slots; 0 only releases.
        now: the caller's current time, POSIX seconds.
        margin: each window is stretched by this fraction of its period.
        max_delay: when the last slot would be later than ``now + max_delay``, nothing is
            booked and the reservation is refused.
        release: slots booked earlier by this caller and never used: removed in the same
            transaction (one booked time each).
    """

    scope: str
    windows: tuple[RateWindow, ...]
    count: int
    now: float
    margin: float = 0.03
    max_delay: float = math.inf
    release: tuple[float, ...] = ()


@attrs.frozen
class QuotaLock:
    """The service locked a scope (or refused it for its rate) until ``until``."""

    scope: str
    until: float
    reason: str


@attrs.frozen
class Reservation:
    """The answer to a :class:`QuotaRequest`.

    Attributes:
        slots: the booked times, ascending, one per call: each call leaves at or after its
            slot. Empty when refused.
        resume_at: refused: when the request would fit (a lock's end, or when the last
            slot would have been); ``None`` when booked.
        binding: the window that made the last slot latest, if one did.
        lock: refused because the scope is locked: the lock.
    """

    slots: tuple[float, ...] = ()
    resume_at: float | None = None
    binding: RateWindow | None = None
    lock: QuotaLock | None = None

    @property
    def refused(self) -> bool:
        """Whether nothing was booked (a lock, or the last slot too far off)."""
        return self.resume_at is not None


@attrs.frozen
class CachedToken:
    """An access token kept for reuse. The token itself never appears in a repr.

    Attributes:
        access_token: the secret.
        expires_at: POSIX seconds after which it must not be used (already shortened by
            the owner's safety margin).
        api_domain: the API domain the token answer named, if any.
    """

    access_token: str = attrs.field(repr=False)
    expires_at: float
    api_domain: str | None = None


class BookedTimes(Protocol):
    """A store's view of one scope's booked times, inside its reservation transaction."""

    def count_since(self, since: float) -> int:
        """How many booked times are later than ``since``."""
        ...

    def times_since(self, since: float, offset: int, limit: int) -> Sequence[float]:
        """The booked times later than ``since``, ascending, skipping the first ``offset``
        and returning at most ``limit``."""
        ...

    def latest(self) -> float | None:
        """The latest booked time, or ``None`` when none is booked."""
        ...


def plan_slots(request: QuotaRequest, booked: BookedTimes) -> tuple[list[float], RateWindow | None]:
    """The earliest ``request.count`` slots that keep every window within its limit.

    Slots are first come, first served: never earlier than ``now`` nor than any booked
    time, so a scope's log stays sorted and each new slot needs checking only against the
    call ``limit`` places back in each window (stretched by the margin). Reads at most
    ``count`` booked times per window, whatever the window holds.

    Returns:
        The slots, ascending, and the window that made the last one latest (or ``None``).
    """
    if request.count <= 0:
        return [], None
    now = request.now
    latest = booked.latest()
    start = now if latest is None else max(now, latest)
    tails = []
    for window in request.windows:
        span = window.period * (1.0 + request.margin)
        # Times at or before now - span cannot share a window with a slot at or after now.
        held = booked.count_since(now - span)
        skip = max(0, held - window.limit)
        # Only the calls `limit` places back from a new slot matter, and only when the
        # window will hold more than its limit with the new slots.
        wanted = held + request.count > window.limit
        times = booked.times_since(now - span, skip, request.count) if wanted else ()
        tails.append((window, span, held, skip, list(times)))
    planned: list[float] = []
    binding: RateWindow | None = None
    for index in range(request.count):
        slot = planned[-1] if planned else start
        for window, span, held, skip, times in tails:
            back = held + index - window.limit  # the call `limit` places back
            if back < 0:
                continue
            oldest = times[back - skip] if back < held else planned[back - held]
            if oldest + span > slot:
                slot, binding = oldest + span, window
        planned.append(slot)
    return planned, binding


def prune_horizon(request: QuotaRequest) -> float:
    """Booked times at or before this can never matter to ``request``'s scope again: a
    ledger deletes them as it books (the scope's longest window, stretched, before now)."""
    spans = [w.period * (1.0 + request.margin) for w in request.windows]
    return request.now - max(spans, default=0.0)


def decide(request: QuotaRequest, booked: BookedTimes, lock: QuotaLock | None) -> Reservation:
    """What a ledger answers ``request`` (after applying its ``release``): refused for a
    lock still running at ``now``, refused when the last slot is later than ``max_delay``,
    else the slots to book. The caller books ``slots`` in the same transaction."""
    if lock is not None and lock.until > request.now:
        return Reservation(resume_at=lock.until, lock=lock)
    slots, binding = plan_slots(request, booked)
    if slots and slots[-1] - request.now > request.max_delay:
        return Reservation(resume_at=slots[-1], binding=binding)
    return Reservation(slots=tuple(slots), binding=binding)
