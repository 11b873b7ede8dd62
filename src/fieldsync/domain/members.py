"""What a target's list holds, read back: its members and where each stands.

A sync knows what it sent; a list lives on and other hands touch it (people unsubscribe,
addresses bounce, marketers edit and remove contacts). Reading the list back gives the
third view that ``verify`` compares with the sync's ledger and the source.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import StoredFingerprint

__all__ = ["ListMember", "MemberStatus", "check_consent", "with_consent"]


class MemberStatus(enum.Enum):
    """Where a member stands with the list."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"  # left the list, or in the Do-Not-Mail registry
    BOUNCED = "bounced"  # hard-bounced: the target ignores the address
    SPAM = "spam"  # reported the list's mail as spam

    @property
    def reason(self) -> ReasonCode | None:
        """The consent reason a run skips such a member with (``None`` for active)."""
        return _REASONS.get(self)


_REASONS = {
    MemberStatus.UNSUBSCRIBED: ReasonCode.UNSUBSCRIBED,
    MemberStatus.BOUNCED: ReasonCode.BOUNCED,
    MemberStatus.SPAM: ReasonCode.SPAM,
}


@attrs.frozen
class ListMember:
    """One member of a list as the target reports it.

    Args:
        email: the address, as the target holds it.
        status: where it stands.
        values: the field values the target reports, by target field name (for Zoho
            Campaigns only the standard fields: custom fields cannot be read back).
        member_id: the target's own id of the contact, when it gives one.
        added: when it joined the list, as the target words it (``None``: not said).
    """

    email: str
    status: MemberStatus
    values: Mapping[str, str] = attrs.field(factory=dict)
    member_id: str | None = None
    added: str | None = None


def with_consent(
    stored: StoredFingerprint | None, email: str, reason: ReasonCode | None
) -> StoredFingerprint | None:
    """What a store keeps for a record once the target shows its address's standing.

    Args:
        stored: what the store keeps now (``None``: a record never written).
        email: the address the target showed.
        reason: a consent reason (the record is skipped from now on), or ``None``: the
            target shows the address active again, so a consent refusal is forgotten
            (with the fingerprint: the next run sends the record again).

    Raises:
        ValueError: ``reason`` is not a consent reason.
    """
    if reason is not None:
        check_consent({email: reason})
        if stored is None:
            return StoredFingerprint("", email, reason)
        return attrs.evolve(stored, rejected=reason)
    if stored is not None and stored.rejected is not None and stored.rejected.withholds_consent:
        return None
    return stored


def check_consent(consent: Mapping[str, ReasonCode | None]) -> None:
    """Refuse a standing that is not about consent.

    Raises:
        ValueError: a reason other than ``None`` or a consent reason.
    """
    for email, reason in consent.items():
        if reason is not None and not reason.withholds_consent:
            raise ValueError(f"{reason.value!r} for {email!r} is not a consent reason")
