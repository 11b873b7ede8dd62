""":class:`~fieldsync.testing.FakeTarget`'s open world: where each address stands (active,
unsubscribed, bounced, spam, Do-Not-Mail) and reading a list back (the
:class:`~fieldsync.ports.ListReader` port)."""

from __future__ import annotations

from collections.abc import Iterator

from fieldsync.domain.emails import email_key
from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.domain.reasons import ReasonCode
from fieldsync.exceptions import ListNotFoundError

__all__ = ["FakeStanding"]

# How a refused address reads back.
_READS_AS = {
    ReasonCode.DO_NOT_MAIL: MemberStatus.UNSUBSCRIBED,
    ReasonCode.UNSUBSCRIBED: MemberStatus.UNSUBSCRIBED,
    ReasonCode.BOUNCED: MemberStatus.BOUNCED,
    ReasonCode.SPAM: MemberStatus.SPAM,
}


class FakeStanding:
    """Consent refusals by address, and the ListReader methods over ``lists``."""

    lists: dict[str, dict[str, dict[str, object]]]
    _refused: dict[str, ReasonCode]

    def refuse_for_consent(self, email: str, reason: ReasonCode) -> None:
        """From now on upserts skip ``email`` with ``reason`` (``do_not_mail``,
        ``unsubscribed``, ``bounced`` or ``spam``), and it reads back with that status.

        Raises:
            ValueError: ``reason`` is not a consent reason.
        """
        if not reason.withholds_consent:
            raise ValueError(f"{reason.value!r} is not a consent reason")
        self._refused[email_key(email)] = reason

    def resubscribe(self, email: str) -> None:
        """The address is active again."""
        self._refused.pop(email_key(email), None)

    def consent_refusal(self, email: str) -> ReasonCode | None:
        """The consent reason the address is refused with, or ``None``."""
        return self._refused.get(email_key(email))

    # -- the ListReader port -----------------------------------------------------------------

    def members(self, list_key: str, *, status: MemberStatus) -> Iterator[ListMember]:
        """The list's members with ``status``, values by field name (custom ones too)."""
        members = self._members_of(list_key)
        for identity, values in list(members.items()):
            if self._status(identity) is status:
                email = str(values.get(self._email_field) or identity)
                text = {k: "" if v is None else str(v) for k, v in values.items()}
                yield ListMember(email, status, text)

    def member_count(self, list_key: str, *, status: MemberStatus) -> int:
        """How many members have ``status``."""
        return sum(1 for i in self._members_of(list_key) if self._status(i) is status)

    def unsubscribe(self, list_key: str, email: str) -> None:
        """The address reads as unsubscribed (and upserts skip it) from now on."""
        self._members_of(list_key)
        self._refused[email_key(email)] = ReasonCode.UNSUBSCRIBED

    @property
    def _email_field(self) -> str:
        raise NotImplementedError  # FakeTarget's

    def _status(self, identity: str) -> MemberStatus:
        reason = self._refused.get(identity)
        return MemberStatus.ACTIVE if reason is None else _READS_AS[reason]

    def _members_of(self, list_key: str) -> dict[str, dict[str, object]]:
        try:
            return self.lists[list_key]
        except KeyError:
            raise ListNotFoundError(f"no list {list_key!r}", endpoint="fake members") from None
