"""Comparing a list with what a sync sent and what its source says now: plain data in,
decisions out (``SyncService.verify`` does the reading and the writing).

Three views meet here: the source read in full (each record as the sync would send it
now), the store's ledger (which records were written, at which address, which were
refused), and the list read back (each member's status and the standard fields the target
returns). The store keeps a hash of what was sent, not the values, so a member's fields are
compared with the source's current mapped values: a field the source changed since the
last run differs too, and a repair sends it, as the next run would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import attrs

from fieldsync.domain.emails import email_key
from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import StoredFingerprint
from fieldsync.domain.sync import OnSourceChange, RunCounts, SyncOptions

__all__ = ["Expected", "FieldDrift", "Findings", "VerifyReport", "compare", "value_text"]


def value_text(value: object) -> str:
    """A value as a list shows it back: text, ``""`` for nothing, surrounding spaces off."""
    return "" if value is None else str(value).strip()


@attrs.frozen
class Expected:
    """A source record as the sync would send it now.

    Args:
        key: the record's key.
        email: its normalised address.
        values: what would be written, by target field name.
    """

    key: str
    email: str
    values: Mapping[str, object] = attrs.field(factory=dict)


@attrs.frozen
class FieldDrift:
    """A member whose fields differ from the source's values (edited by hand).

    Args:
        key: the source record's key.
        email: the member's address.
        fields: target field name -> (what the list holds, what the source says).
    """

    key: str
    email: str
    fields: Mapping[str, tuple[str, str]]


@attrs.frozen
class Findings:
    """What :func:`compare` finds, by kind (see :class:`VerifyReport` for each)."""

    missing: tuple[str, ...] = ()
    differing: tuple[FieldDrift, ...] = ()
    not_ours: tuple[str, ...] = ()
    refused: Mapping[str, ReasonCode] = attrs.field(factory=dict)
    cleared: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()


@attrs.frozen
class VerifyReport:
    """What ``SyncService.verify`` found in a sync's list, by kind.

    Args:
        sync_id: the sync.
        list_key: its list.
        checked_at: when the list was read.
        members: members read back (active, unsubscribed and bounced).
        records: source records the sync sends (read in full, by key).
        missing: record keys the sync wrote whose address is no longer in the list
            (removed by hand).
        differing: members whose standard fields differ from the source (edited by hand).
        not_ours: active addresses in the list that no record of the sync holds (added
            elsewhere; reported, never touched). An address the sync unsubscribed, such as
            the old address of a changed email, is out of the list and not reported.
        refused: address -> consent reason, for members the list shows unsubscribed,
            bounced or in the Do-Not-Mail registry that the sync had not recorded; recorded
            now, so runs skip them.
        cleared: addresses the sync had as refused that the list shows active again; their
            refusal is forgotten, so the next run sends them.
        deleted: addresses of records deleted in the source, still active in the list.
        replaced: addresses a record had before its email changed in the source, still
            active in the list.
        unreadable: mapped target fields the list does not give back (custom fields): they
            cannot be compared.
        options: the sync's policies for ``deleted`` and ``replaced``.
        repair: what the repair did (a run's counts), when one was asked for.
        repair_run: the run that holds the repair in the history.
    """

    sync_id: str
    list_key: str
    checked_at: datetime
    members: int
    records: int
    missing: tuple[str, ...] = ()
    differing: tuple[FieldDrift, ...] = ()
    not_ours: tuple[str, ...] = ()
    refused: Mapping[str, ReasonCode] = attrs.field(factory=dict)
    cleared: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unreadable: tuple[str, ...] = ()
    options: SyncOptions = attrs.field(factory=SyncOptions)
    repair: RunCounts | None = None
    repair_run: str | None = None

    @property
    def to_unsubscribe(self) -> tuple[str, ...]:
        """The addresses the sync's policies take out of the list (deleted in the source
        with ``on_source_delete = "unsubscribe"``, replaced with ``on_email_change``)."""
        out: tuple[str, ...] = ()
        if self.options.on_source_delete is OnSourceChange.UNSUBSCRIBE:
            out += self.deleted
        if self.options.on_email_change is OnSourceChange.UNSUBSCRIBE:
            out += self.replaced
        return out

    @property
    def drift(self) -> bool:
        """Whether the list differs from what the sync would make it: a missing or
        differing contact, or an address its policies unsubscribe still active. Contacts
        not ours, refusals (recorded, then honoured) and the policies' ``keep`` are not
        drift."""
        return bool(self.missing or self.differing or self.to_unsubscribe)

    @property
    def note(self) -> str:
        """What verify cannot see, for people."""
        if not self.unreadable:
            return "Every mapped field was compared."
        names = ", ".join(self.unreadable)
        return f"Custom fields cannot be read back through the target's API: {names} not compared."

    def __str__(self) -> str:
        """The report for people, a few lines."""
        head = "matches" if not self.drift else "differs"
        lines = [
            f"The list {head}: {self.members:,} members read, {self.records:,} source records.",
            f"  missing (removed by hand): {len(self.missing):,}",
            f"  differing (edited by hand): {len(self.differing):,}",
            f"  not ours (added elsewhere, left alone): {len(self.not_ours):,}",
            f"  unsubscribed, bounced or Do-Not-Mail, now recorded: {len(self.refused):,}",
            f"  active again, refusal cleared: {len(self.cleared):,}",
            f"  deleted in the source, still subscribed: {len(self.deleted):,}"
            f" (policy: {self.options.on_source_delete.value})",
            f"  old addresses of changed emails, still subscribed: {len(self.replaced):,}"
            f" (policy: {self.options.on_email_change.value})",
            f"  {self.note}",
        ]
        if self.repair is not None:
            lines.append(f"  repaired: {self.repair}")
        return "\n".join(lines)


def compare(
    expected: Sequence[Expected],
    stored: Mapping[str, StoredFingerprint],
    members: Sequence[ListMember],
    owners: Mapping[str, str],
    source_emails: Mapping[str, str | None],
    *,
    email_field: str,
) -> Findings:
    """Compare the three views: what differs, by kind.

    Args:
        expected: the source records the sync sends, as it would send them now.
        stored: record key -> what the store keeps of its last write.
        members: the list's members (any status).
        owners: :func:`~fieldsync.domain.emails.email_key` -> the record key that wrote
            the address (the store's claims), for members no source record holds now.
        source_emails: every key the source holds (records the sync skips included) ->
            the email key of its address now (``None``: it has none).
        email_field: the target's email field (never compared as a field).
    """
    by_email = {email_key(m.email): m for m in members}
    current = {email_key(e.email): e for e in expected}
    missing: list[str] = []
    differing: list[FieldDrift] = []
    refused: dict[str, ReasonCode] = {}
    cleared: list[str] = []
    for record in expected:
        last = stored.get(record.key)
        ident = email_key(record.email)
        if last is None or email_key(last.email) != ident:
            continue  # never written at this address: the next run's business
        member = by_email.get(ident)
        if last.rejected is not None:
            consent = last.rejected.withholds_consent
            if consent and member is not None and member.status is MemberStatus.ACTIVE:
                cleared.append(member.email)
            continue
        if member is None:
            missing.append(record.key)
        elif member.status.reason is not None:
            refused[member.email] = member.status.reason
        else:
            fields = _differences(record.values, member.values, email_field)
            if fields:
                differing.append(FieldDrift(record.key, member.email, fields))
    not_ours: list[str] = []
    deleted: list[str] = []
    replaced: list[str] = []
    for ident, member in by_email.items():
        if ident in current:
            continue
        if member.status is not MemberStatus.ACTIVE:
            continue  # out of the list already: nothing to report or to do
        owner = owners.get(ident)
        if owner is None:
            not_ours.append(member.email)
        elif owner not in source_emails:
            deleted.append(member.email)
        elif source_emails[owner] != ident:
            replaced.append(member.email)
        # else: the record still holds the address and the sync skips it now (criteria)
    return Findings(
        missing=tuple(missing),
        differing=tuple(differing),
        not_ours=tuple(sorted(not_ours)),
        refused=refused,
        cleared=tuple(cleared),
        deleted=tuple(sorted(deleted)),
        replaced=tuple(sorted(replaced)),
    )


def _differences(
    sent: Mapping[str, object], listed: Mapping[str, str], email_field: str
) -> dict[str, tuple[str, str]]:
    found = {}
    for name, value in sent.items():
        if name == email_field or name not in listed:
            continue  # a field the list does not give back cannot be compared
        want, have = value_text(value), value_text(listed[name])
        if want != have:
            found[name] = (have, want)
    return found
