"""The open world of the Campaigns emulator: where each contact stands with the account.

Zoho Campaigns keeps, besides list memberships, an organization-wide Do-Not-Mail registry
(only the contact can subscribe again, through a sign-up form), hard bounces (ignored by
later adds, their fields frozen), spam reports, and per-list unsubscriptions. What
``json/listsubscribe`` answers for some of them is undocumented (shared/ZOHO_API.md, "The
open world"): :class:`Standing` plays the answer it is told to (:data:`BounceAnswer`,
:data:`UnknownFieldAnswer`), each kept in one named constant.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import attrs

from fieldsync.zoho.messages import DO_NOT_MAIL_CODE

__all__ = [
    "BOUNCED_CODE",
    "DO_NOT_MAIL_MESSAGE",
    "SPAM_CODE",
    "UNKNOWN_FIELD_CODE",
    "UNSUBSCRIBED_MESSAGE",
    "BounceAnswer",
    "Refusal",
    "Standing",
    "UnknownFieldAnswer",
]

# What listsubscribe answers for a hard-bounced contact (undocumented): "ignored" is a
# success that changes nothing, "error" a refusal naming the bounce.
BounceAnswer = Literal["ignored", "error"]
# What listsubscribe answers for a contactinfo naming a field Campaigns does not have
# (undocumented): "dropped" accepts the contact without that value, "error" refuses it.
UnknownFieldAnswer = Literal["dropped", "error"]

DO_NOT_MAIL_MESSAGE = "This email address is in the Do-Not-Mail registry of your organization."
UNSUBSCRIBED_MESSAGE = "This contact has unsubscribed from the mailing list."
BOUNCED_CODE = "2007"  # a guess: Zoho documents no code for a hard bounce
BOUNCED_MESSAGE = "The contact's email address has hard bounced; it cannot be updated."
SPAM_CODE = "2008"  # a guess: spam reports are documented only as a status
SPAM_MESSAGE = "The contact has marked your emails as spam."
UNKNOWN_FIELD_CODE = "2001"  # the code Zoho gives a contactinfo it cannot take
UNSUBSCRIBE_MESSAGE = "User successfully unsubscribed."


@attrs.frozen
class Refusal:
    """An error answer: code and message."""

    code: str
    message: str


class Standing:
    """Do-Not-Mail, bounces, spam reports and refusals set by a test, by lower-cased address.

    Args:
        bounce_answer: what ``listsubscribe`` answers for a hard-bounced contact.
        unknown_field_answer: what it answers for a ``contactinfo`` naming a field that
            does not exist (deleted or renamed in Campaigns).
    """

    def __init__(
        self,
        *,
        bounce_answer: BounceAnswer = "ignored",
        unknown_field_answer: UnknownFieldAnswer = "dropped",
    ) -> None:
        self.bounce_answer: BounceAnswer = bounce_answer
        self.unknown_field_answer: UnknownFieldAnswer = unknown_field_answer
        self.do_not_mail: set[str] = set()
        self.bounced: set[str] = set()
        self.spam: set[str] = set()
        self.refusals: dict[str, Refusal] = {}

    def refusal(self, ident: str, *, unsubscribed_here: bool) -> Refusal | None:
        """The error ``listsubscribe`` answers for this address, if any (the hard bounce's
        "ignored" answer is :meth:`ignores`, not a refusal)."""
        if ident in self.refusals:
            return self.refusals[ident]
        if ident in self.do_not_mail:
            return Refusal(DO_NOT_MAIL_CODE, DO_NOT_MAIL_MESSAGE)
        if ident in self.spam:
            return Refusal(SPAM_CODE, SPAM_MESSAGE)
        if ident in self.bounced and self.bounce_answer == "error":
            return Refusal(BOUNCED_CODE, BOUNCED_MESSAGE)
        if unsubscribed_here:
            return Refusal(DO_NOT_MAIL_CODE, UNSUBSCRIBED_MESSAGE)
        return None

    def ignores(self, ident: str) -> bool:
        """Whether ``listsubscribe`` answers success and changes nothing (a hard bounce)."""
        return ident in self.bounced and self.bounce_answer == "ignored"

    def unknown_fields(self, names: Collection[str], known: Collection[str]) -> Refusal | None:
        """The refusal of a ``contactinfo`` naming unknown fields, when told to refuse."""
        unknown = sorted(set(names) - set(known))
        if unknown and self.unknown_field_answer == "error":
            return Refusal(UNKNOWN_FIELD_CODE, f"Invalid field name(s): {', '.join(unknown)}.")
        return None

    def status(self, ident: str, *, unsubscribed_here: bool) -> str:
        """How ``getlistsubscribers`` reads the member: active, unsub, bounce or spam."""
        if ident in self.bounced:
            return "bounce"
        if ident in self.spam:
            return "spam"
        if ident in self.do_not_mail or unsubscribed_here:
            return "unsub"
        return "active"

    def resubscribe(self, ident: str) -> None:
        """The contact subscribed again through a sign-up form: active once more."""
        for registry in (self.do_not_mail, self.bounced, self.spam):
            registry.discard(ident)
        self.refusals.pop(ident, None)
