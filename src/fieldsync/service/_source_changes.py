"""The source's changes the list cannot follow by itself: an address replaced in the source
(same record, new email). With ``on_email_change = "unsubscribe"`` a run unsubscribes the
old address once the new one is written; deletions are ``verify``'s (``_verify``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fieldsync.domain.emails import email_key
from fieldsync.domain.planner import Decision, DecisionKind
from fieldsync.domain.records import StoredFingerprint
from fieldsync.domain.sync import OnSourceChange, SyncConfig
from fieldsync.ports import ListReader, Target

__all__ = ["replaced_addresses", "unsubscriber"]


def unsubscriber(config: SyncConfig, target: Target) -> ListReader | None:
    """The target that takes replaced addresses out of the list, when the sync asks for it
    and the target can (``None`` otherwise)."""
    asked = config.options.on_email_change is OnSourceChange.UNSUBSCRIBE
    return target if asked and isinstance(target, ListReader) else None


def replaced_addresses(
    decisions: Sequence[Decision],
    previous: Mapping[str, StoredFingerprint],
    written: Sequence[tuple[str, StoredFingerprint]],
) -> list[str]:
    """The old addresses of the records whose new address was just written: each had been
    written (and not refused) at another address."""
    done = {key for key, _ in written}
    old = []
    for decision in decisions:
        stored = previous.get(decision.key)
        if decision.kind is not DecisionKind.ADD or decision.key not in done or stored is None:
            continue
        moved = decision.email is not None and email_key(stored.email) != email_key(decision.email)
        if stored.rejected is None and stored.email and moved:
            old.append(stored.email)
    return old
