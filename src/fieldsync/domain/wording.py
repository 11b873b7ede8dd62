"""How the domain's values read when printed: counts by reason, times, durations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from fieldsync.domain.reasons import ReasonCode

__all__ = ["by_reason", "duration", "when"]


def by_reason(counts: Mapping[ReasonCode, int]) -> str:
    """``"invalid_email 3, criteria 1"``: counts by reason, largest first."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].value))
    return ", ".join(f"{reason.value} {n:,}" for reason, n in ordered)


def when(moment: datetime) -> str:
    """A time as people read it: ``"2026-03-02 09:00:00 UTC"`` (in the time's own zone)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def duration(span: timedelta) -> str:
    """``"4 s"``, ``"2 min 5 s"``, ``"1 h 3 min"``: a run's length, to the second."""
    seconds = max(0, round(span.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"
