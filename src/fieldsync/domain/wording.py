"""How the domain's values read when printed: counts by reason, times, durations."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime, timedelta

from fieldsync.domain.reasons import ReasonCode

__all__ = ["bidi_safe", "by_reason", "duration", "isolate", "when"]

FSI, PDI = "\u2068", "\u2069"
# Right-to-left letters, and the controls that embed, override or isolate a direction.
_BIDI_CLASSES = frozenset(
    {"R", "AL", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)


def isolate(text: str) -> str:
    """``text`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: whatever
    direction it has, or controls it leaves open (an unterminated U+202E), end with it
    and never reorder the words around it."""
    return f"{FSI}{text}{PDI}"


def bidi_safe(text: str) -> str:
    """``text`` isolated (:func:`isolate`) when it has right-to-left letters or
    directional controls; plain left-to-right text is returned as it is."""
    if any(unicodedata.bidirectional(c) in _BIDI_CLASSES for c in text):
        return isolate(text)
    return text


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
