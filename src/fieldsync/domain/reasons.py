"""Reason codes: why a record was skipped or failed. Every skip and failure carries one."""

from __future__ import annotations

import enum

__all__ = ["ReasonCode"]


class ReasonCode(enum.Enum):
    """Why a record was not written. The value is the code shown in exports and history."""

    INVALID_RECORD = "invalid_record"  # the source could not read the record whole
    CRITERIA_NOT_MET = "criteria_not_met"  # the sync criteria rejected the record
    MISSING_EMAIL = "missing_email"  # no email value at all
    INVALID_EMAIL = "invalid_email"  # the email is not a valid address
    DUPLICATE_EMAIL = "duplicate_email"  # an earlier record in this pass has the same email
    CONVERSION_ERROR = "conversion_error"  # a value does not convert to the target field type
    GROUP_ADDRESS = "group_address"  # the target refuses role addresses (info@, admin@)
    PLAN_LIMIT = "plan_limit"  # the target's plan contact limit is reached (auto-upgrade off)
    MANDATORY_FIELD_MISSING = "mandatory_field_missing"  # the target requires a field we lack
    CONFIRMATION_PENDING = "confirmation_pending"  # double opt-in list: a confirmation was sent
    DO_NOT_MAIL = "do_not_mail"  # the address is in the target's Do-Not-Mail registry
    UNSUBSCRIBED = "unsubscribed"  # the contact unsubscribed from the list
    BOUNCED = "bounced"  # the address hard-bounced; the target ignores it
    SPAM = "spam"  # the contact marked the list's mail as spam
    TARGET_REJECTED = "target_rejected"  # the target refused the record for another reason
    TARGET_ERROR = "target_error"  # the write failed after retries (counted as failed)

    @property
    def text(self) -> str:
        """A sentence for people, used when no more specific text is known."""
        return _TEXT[self]

    @property
    def refused_for_its_data(self) -> bool:
        """The target refused the record for what it holds: the same data would earn the
        same answer, so the refusal is remembered and the record not sent again until it
        changes."""
        return self in _REFUSED_FOR_ITS_DATA

    @property
    def withholds_consent(self) -> bool:
        """The contact's own standing forbids mailing it (Do-Not-Mail, unsubscribed, bounced,
        spam): whatever its values, it is not sent again until the target shows it active
        again. Consent is never overridden."""
        return self in _CONSENT

    @property
    def passes(self) -> bool:
        """Nothing in the record is wrong (retries ran out, the plan was full): the pass
        keeps its watermark so that the next one sends the record again."""
        return self in _PASSING


_REFUSED_FOR_ITS_DATA = frozenset(
    {
        ReasonCode.INVALID_EMAIL,
        ReasonCode.GROUP_ADDRESS,
        ReasonCode.MANDATORY_FIELD_MISSING,
        ReasonCode.TARGET_REJECTED,
    }
)
_CONSENT = frozenset(
    {ReasonCode.DO_NOT_MAIL, ReasonCode.UNSUBSCRIBED, ReasonCode.BOUNCED, ReasonCode.SPAM}
)
_PASSING = frozenset({ReasonCode.TARGET_ERROR, ReasonCode.PLAN_LIMIT})


_TEXT: dict[ReasonCode, str] = {
    ReasonCode.INVALID_RECORD: "The source sent a record that cannot be read whole.",
    ReasonCode.CRITERIA_NOT_MET: "The record does not meet the sync criteria.",
    ReasonCode.MISSING_EMAIL: "The record has no email address.",
    ReasonCode.INVALID_EMAIL: "The email address is not valid.",
    ReasonCode.DUPLICATE_EMAIL: "Another record in this sync has the same email address.",
    ReasonCode.CONVERSION_ERROR: "A value cannot be converted to the target field's type.",
    ReasonCode.GROUP_ADDRESS: "The target does not accept group addresses such as info@.",
    ReasonCode.PLAN_LIMIT: "The target plan's contact limit is reached.",
    ReasonCode.MANDATORY_FIELD_MISSING: "A field the target requires has no value.",
    ReasonCode.CONFIRMATION_PENDING: "The list needs the contact to confirm; an email was sent.",
    ReasonCode.DO_NOT_MAIL: "The address is in the target's Do-Not-Mail registry; "
    "only the contact can subscribe again.",
    ReasonCode.UNSUBSCRIBED: "The contact unsubscribed from the list.",
    ReasonCode.BOUNCED: "The address hard-bounced; the target ignores it.",
    ReasonCode.SPAM: "The contact reported the list's mail as spam.",
    ReasonCode.TARGET_REJECTED: "The target refused the record.",
    ReasonCode.TARGET_ERROR: "The target could not be written to after retries.",
}
