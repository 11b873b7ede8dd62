"""Client-side pacing under a service's rate limits, so its lockout is never tripped.

:class:`RateLimiter` is a pure calculator: numbers in (POSIX seconds), numbers out (seconds
to wait). It keeps, per :class:`~fieldsync.domain.records.RateWindow`, a log of the times
it handed out, and answers "when may the next call go?" so that no window ever holds more
than ``limit`` calls in any stretch of ``period`` seconds. :class:`Pacer` adds the booking
and the waiting: it books slots with the same rule in a quota ledger (shared by every
process on a store; :func:`fieldsync.domain.quota.plan_slots`), then sleeps on a
:class:`~fieldsync.ports.Clock`.

Why a margin: the server counts calls when they *arrive*, we count them when they *leave*.
Latency varies from call to call, so two calls sent exactly ``period`` apart may arrive
closer together. Each window is therefore treated as ``period * (1 + margin)`` long: with
the default 3 %, "500 a minute" is paced as 500 every 61.8 s, which absorbs up to 1.8 s of
latency jitter (far more than a call's latency varies) at the price of 3 % of the peak rate.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from fieldsync._run_scope import announce_wait
from fieldsync.domain.quota import QuotaRequest, shared_windows
from fieldsync.domain.records import RateWindow
from fieldsync.events import WaitReason
from fieldsync.exceptions import QuotaExhaustedError
from fieldsync.quota import LocalQuota

if TYPE_CHECKING:
    from fieldsync.ports import Clock, QuotaLedger

__all__ = ["Pacer", "RateLimiter"]


class _Log:
    """One window's reserved call times, oldest first, and its stretched period."""

    def __init__(self, window: RateWindow, margin: float) -> None:
        self.window = window
        self.span = window.period * (1.0 + margin)
        self.times: deque[float] = deque()

    def earliest(self, planned: Sequence[float] = ()) -> float:
        """The earliest time one more call fits, given that it goes after all logged ones
        and after ``planned`` (calls not logged yet, in order, each after the logged ones)."""
        limit, logged = self.window.limit, len(self.times)
        back = logged + len(planned) - limit  # index of the call `limit` places back
        if back < 0:
            return -math.inf
        # That call must have left the window: t >= that call + span.
        oldest = self.times[back] if back < logged else planned[back - logged]
        return oldest + self.span

    def prune(self, horizon: float) -> None:
        # Calls at or before `horizon - span` cannot share a window with a call at or
        # after `horizon`, and every later slot is at or after the last one handed out.
        cutoff = horizon - self.span
        while self.times and self.times[0] <= cutoff:
            self.times.popleft()


class RateLimiter:
    """Sliding-window limits on calls, for several windows at once.

    Slots are handed out first come, first served: a reserved slot is never earlier than
    one reserved before it, so each window's log stays sorted and a new slot only needs
    checking against the calls before it. Thread-safe.

    Args:
        windows: the limits to obey together (e.g. 500 per 60 s, 12,500 per hour and
            75,000 per day). Their ``lockout`` is not used here.
        margin: each window is stretched by this fraction of its period (see the module
            docstring).

    Raises:
        ValueError: a window whose limit is below 1 or whose period is not positive, or a
            negative margin.
    """

    def __init__(self, windows: Sequence[RateWindow], *, margin: float = 0.03) -> None:
        if not margin >= 0.0:
            raise ValueError(f"margin must be at least 0, not {margin!r}")
        for window in windows:
            if window.limit < 1 or not window.period > 0:
                raise ValueError(f"a rate window needs limit >= 1 and period > 0, not {window}")
        self.windows: tuple[RateWindow, ...] = tuple(windows)
        self.margin = margin
        self._logs = [_Log(window, margin) for window in self.windows]
        self._last = -math.inf
        self._lock = threading.Lock()

    def delay(self, now: float) -> float:
        """Seconds a call at ``now`` would have to wait. Reserves nothing.

        Args:
            now: the current time, POSIX seconds.
        """
        with self._lock:
            return self._slot(now)[0] - now

    def reserve(self, now: float, *, max_delay: float = math.inf) -> float:
        """Reserve the next free slot and return how long to wait for it.

        The call is recorded at ``now + delay``; send it then, not before. Several calls
        may be reserved before any is sent: each gets its own slot.

        Args:
            now: the current time, POSIX seconds.
            max_delay: when the wait would be longer than this, reserve nothing (the
                returned delay, above ``max_delay``, says how long it would have been).

        Returns:
            Seconds to wait, 0.0 when the call may go at once.
        """
        with self._lock:
            slot, _ = self._slot(now)
            delay = slot - now
            if delay > max_delay:
                return delay
            self._last = slot
            for log in self._logs:
                log.times.append(slot)
                log.prune(slot)
            return delay

    def delay_for(self, now: float, count: int) -> float:
        """Seconds the last of ``count`` calls would wait if they were reserved now, one
        after the other. Reserves nothing: for checking that a whole batch fits before any
        of it is sent."""
        with self._lock:
            planned: list[float] = []
            for _ in range(count):
                planned.append(self._slot(now, planned)[0])
            return planned[-1] - now if planned else 0.0

    def held(self) -> tuple[int, ...]:
        """How many call times each window's log holds now (old ones are dropped as slots
        are reserved, so a window never holds more than its limit)."""
        with self._lock:
            return tuple(len(log.times) for log in self._logs)

    def binding_window(self, now: float) -> RateWindow | None:
        """The window that makes a call at ``now`` wait longest, or ``None`` if none does."""
        with self._lock:
            return self._slot(now)[1]

    def _slot(self, now: float, planned: Sequence[float] = ()) -> tuple[float, RateWindow | None]:
        slot, binding = max(now, planned[-1] if planned else self._last), None
        for log in self._logs:
            earliest = log.earliest(planned)
            if earliest > slot:
                slot, binding = earliest, log.window
        return slot, binding

    def __repr__(self) -> str:
        windows = ", ".join(f"{w.limit}/{w.period:g}s" for w in self.windows)
        return f"RateLimiter([{windows}], margin={self.margin})"


class Pacer:
    """Waits, on a clock, until a call may go: the slots are booked in a quota ledger.

    The limiter gives the windows and margin; the ledger keeps the booked times, so that
    every pacer booking the same ``scope`` in the same ledger (in this process, or in any
    process sharing a store) shares the windows. :meth:`reserve` books a whole batch's
    slots in one ledger round trip; :meth:`acquire` then hands them out one per call, in
    order, and sleeps until each. A slot whose time has passed by more than the margin
    (``period * margin`` of the shortest window) is no longer used: the margin absorbs only
    that much lateness, so the pacer gives such slots back and books again, in one round
    trip. Thread-safe: concurrent callers queue up in slot order and sleep outside the lock.

    Args:
        limiter: the windows and the margin (its own log is not used).
        clock: where the time comes from and where the waiting happens.
        max_wait: the longest wait accepted, in seconds. A longer one means an hourly or
            daily window is used up: :meth:`acquire` raises instead of blocking for hours.
        name: what is paced (e.g. ``"POST json/listsubscribe"``), for error messages.
        ledger: where slots are booked (a private :class:`~fieldsync.LocalQuota` when
            omitted, which is pacing within this object only; see :meth:`use_ledger`).
        scope: the quota domain in the ledger (``name``, or ``"pacer"``, by default).
        share: the fraction of each window this pacer may fill (``quota_share``), to leave
            room for other clients of the same account.

    Raises:
        ValueError: ``share`` not in (0, 1].
    """

    def __init__(
        self,
        limiter: RateLimiter,
        clock: Clock,
        *,
        max_wait: float = 900.0,
        name: str | None = None,
        ledger: QuotaLedger | None = None,
        scope: str | None = None,
        share: float = 1.0,
    ) -> None:
        self.limiter = limiter
        self.clock = clock
        self.max_wait = max_wait
        self.name = name
        self.ledger: QuotaLedger = ledger if ledger is not None else LocalQuota()
        self.scope: str = scope or name or "pacer"
        self.windows: tuple[RateWindow, ...] = shared_windows(limiter.windows, share)
        periods = [window.period for window in self.windows]
        self._tolerance = min(periods, default=0.0) * limiter.margin
        self._slots: deque[float] = deque()
        self._locked_until = -math.inf
        self._lock_reason = ""
        self._lock = threading.Lock()

    def reserve(self, count: int) -> None:
        """Book ``count`` slots now (one ledger round trip) for the next calls of
        :meth:`acquire`: how a batch checks that all of it fits before any of it is sent.

        Raises:
            QuotaExhaustedError: the scope is locked, or the last slot would be more than
                ``max_wait`` away; nothing was booked. ``resume_at`` says until when.
        """
        with self._lock:
            self._book(count, self.clock.now().timestamp())

    def acquire(self) -> None:
        """Wait until one more call may go, and count it: take the next reserved slot (or
        book one), then sleep until it.

        Raises:
            QuotaExhaustedError: the scope is locked, or the wait would exceed ``max_wait``.
                Nothing was booked; ``resume_at`` (aware, UTC) says when a call would fit.
        """
        with self._lock:
            now = self.clock.now().timestamp()
            if now < self._locked_until:
                raise self._locked_error(self._locked_until, self._lock_reason)
            if self._slots and now > self._slots[0] + self._tolerance:
                self._book(len(self._slots), now)  # late: give them back, book again
            elif not self._slots:
                self._book(1, now)
            slot = self._slots.popleft()
        if slot > now:
            announce_wait(
                slot - now, clock=self.clock, reason=WaitReason.RATE_LIMIT, endpoint=self.name
            )
            self.clock.sleep(slot - now)

    def release_unused(self) -> None:
        """Give back the reserved slots no call took (a batch stopped early)."""
        with self._lock:
            unused = tuple(self._slots)
            self._slots.clear()
        if unused:
            self.ledger.release(self.scope, unused)

    def use_ledger(self, ledger: QuotaLedger) -> None:
        """Book in ``ledger`` from now on (an adapter adopting its service's store).

        Slots booked in the old ledger and not taken yet are given back to it; a lock this
        pacer met is recorded in ``ledger``, so that whoever shares it waits too. Times
        booked in the old ledger are not carried over: switch before the first call.
        """
        with self._lock:
            old, unused = self.ledger, tuple(self._slots)
            if ledger is old:
                return
            self._slots.clear()
            self.ledger = ledger
            until, reason = self._locked_until, self._lock_reason
        if unused:
            old.release(self.scope, unused)
        if until > self.clock.now().timestamp():
            ledger.lock(self.scope, until=until, reason=reason)

    def lock(self, until: datetime, reason: str) -> None:
        """Record that the service locked this scope until ``until``: no call goes from
        this pacer, nor from any sharing its ledger, until then."""
        end = until.timestamp()
        with self._lock:
            if end > self._locked_until:
                self._locked_until, self._lock_reason = end, reason
        self.release_unused()
        self.ledger.lock(self.scope, until=end, reason=reason)

    def _book(self, count: int, now: float) -> None:
        request = QuotaRequest(
            self.scope,
            self.windows,
            count,
            now,
            margin=self.limiter.margin,
            max_delay=self.max_wait,
            release=tuple(self._slots),
        )
        self._slots.clear()
        answer = self.ledger.reserve(request)
        if answer.resume_at is not None:
            if answer.lock is not None:
                self._locked_until, self._lock_reason = answer.lock.until, answer.lock.reason
                raise self._locked_error(answer.lock.until, answer.lock.reason)
            window = answer.binding
            limit = f" of {window.limit} calls per {window.period:g} s" if window else ""
            resume_at = datetime.fromtimestamp(answer.resume_at, UTC)
            raise QuotaExhaustedError(
                f"the rate limit{limit} is used up until {resume_at.isoformat()}",
                resume_at=resume_at,
                endpoint=self.name,
            )
        self._slots.extend(answer.slots)

    def _locked_error(self, until: float, reason: str) -> QuotaExhaustedError:
        resume_at = datetime.fromtimestamp(until, UTC)
        return QuotaExhaustedError(
            f"the service locked this endpoint until {resume_at.isoformat()} ({reason})",
            resume_at=resume_at,
            endpoint=self.name,
        )

    def __repr__(self) -> str:
        return f"Pacer({self.limiter!r}, max_wait={self.max_wait:g}, scope={self.scope!r})"
