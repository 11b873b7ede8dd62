"""How long writing a number of contacts takes at a target's rate limits.

A run that writes 200,000 contacts to Zoho Campaigns through ``json/listsubscribe`` (500
calls a minute, 12,500 an hour, 75,000 a day) cannot go faster than its daily window
lets it: the first 75,000 calls fill the first day, the next 75,000 the second, and the
last 50,000 take four hours of the third at 12,500 an hour. :func:`estimate_run` works
that out from a :class:`~fieldsync.domain.records.TargetLimits`, the way the pacer books
slots (first come, first served, each window stretched by the pacer's margin), from empty
windows; :class:`RunEstimate` says it for people: "about 2 days 3 h for 200,000 contacts
at 75,000 a day". Latency is left out: calls in flight at once hide it, and on the slow
windows it is nothing beside the waits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from fieldsync.domain.records import RateWindow, TargetLimits

__all__ = ["RunEstimate", "duration_text", "estimate_run", "rate_text"]

_MINUTE, _HOUR, _DAY = 60.0, 3600.0, 86_400.0
_PERIOD_WORDS = {_MINUTE: "a minute", _HOUR: "an hour", _DAY: "a day"}


@attrs.frozen
class RunEstimate:
    """The expected duration of writing ``contacts`` at a target's limits.

    Attributes:
        contacts: the contacts to write.
        calls: the calls they take (``contacts / per_call``, rounded up).
        seconds: when the last call may leave, counted from the first, at the limits.
        window: the rate window that sets that time (the hourly cap, say), or ``None``
            when every call fits in the windows at once.
        per_call: contacts one call carries.
    """

    contacts: int
    calls: int
    seconds: float
    window: RateWindow | None = None
    per_call: int = 1

    def __str__(self) -> str:
        """``about 2 days 3 h for 200,000 contacts at 75,000 a day``."""
        noun = "contact" if self.contacts == 1 else "contacts"
        text = f"{duration_text(self.seconds)} for {self.contacts:,} {noun}"
        if self.window is not None:
            text += f" at {rate_text(self.window, self.per_call)}"
        return text


def estimate_run(contacts: int, limits: TargetLimits, *, margin: float = 0.03) -> RunEstimate:
    """How long ``contacts`` take at ``limits``, starting from empty windows.

    Args:
        contacts: how many contacts will be written (adds and updates; unchanged and
            skipped records cost no call).
        limits: the target's windows and contacts per call.
        margin: each window is stretched by this fraction of its period, as the pacer does
            (:class:`fieldsync.http.RateLimiter`).

    Raises:
        ValueError: ``contacts`` or ``margin`` is negative, or ``limits.per_call`` below 1.
    """
    if contacts < 0:
        raise ValueError(f"cannot estimate a negative number of contacts ({contacts})")
    if margin < 0:
        raise ValueError(f"margin must be at least 0, not {margin!r}")
    if limits.per_call < 1:
        raise ValueError(f"a call carries at least one contact, not {limits.per_call}")
    calls = math.ceil(contacts / limits.per_call)
    windows = sorted(
        (w for w in limits.windows if w.limit >= 1 and w.period > 0),
        key=lambda w: w.period,
        reverse=True,
    )
    seconds, window = _last_slot(calls, windows, margin)
    return RunEstimate(contacts, calls, seconds, window, limits.per_call)


def _last_slot(
    calls: int, windows: Sequence[RateWindow], margin: float
) -> tuple[float, RateWindow | None]:
    """When the last of ``calls`` calls leaves, and the window that made it wait.

    The longest window cuts the calls into blocks of its limit, one (stretched) period
    apart; the shorter windows pace the calls within a block. So the last call leaves at
    the start of its block plus its place within the block, unless the shorter windows
    alone hold it back longer (a long window that never fills)."""
    if calls <= 0 or not windows:
        return 0.0, None
    longest, shorter = windows[0], windows[1:]
    blocks, place = divmod(calls - 1, longest.limit)
    alone, alone_window = _last_slot(calls, shorter, margin)
    if not blocks:
        return alone, alone_window
    within, _ = _last_slot(place + 1, shorter, margin)
    blocked = blocks * longest.period * (1.0 + margin) + within
    return (blocked, longest) if blocked > alone else (alone, alone_window)


def rate_text(window: RateWindow, per_call: int = 1) -> str:
    """``12,500 an hour``: the contacts ``window`` lets through in its period."""
    contacts = window.limit * per_call
    words = _PERIOD_WORDS.get(window.period)
    if words is None:
        words = f"per {duration_text(window.period, about=False)}"
    return f"{contacts:,} {words}"


def duration_text(seconds: float, *, about: bool = True) -> str:
    """``about 16 h``, ``about 2 days 3 h``, ``under a minute``: a duration for people,
    rounded to what matters at its size."""
    lead = "about " if about else ""
    if seconds < _MINUTE:
        if not about:
            return f"{seconds:g} s"
        return "under a minute"
    if seconds < _HOUR:
        return f"{lead}{max(1, round(seconds / _MINUTE))} min"
    if seconds < 10 * _HOUR:
        hours, minutes = divmod(round(seconds / _MINUTE), 60)
        return f"{lead}{hours} h" + (f" {minutes} min" if minutes else "")
    if seconds < _DAY:
        return f"{lead}{round(seconds / _HOUR)} h"
    days, hours = divmod(round(seconds / _HOUR), 24)
    text = f"{lead}{days} day{'' if days == 1 else 's'}"
    return text + (f" {hours} h" if hours else "")
