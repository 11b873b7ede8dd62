"""A working in-memory :class:`~fieldsync.ports.Target`: mailing lists in dictionaries.

It behaves like a marketing app in the ways a sync cares about: lists must exist, contacts
are matched by email (case-insensitively), values must fit the field types, invalid and
group addresses are refused, a plan has a contact limit (or upgrades itself),
double opt-in lists hold new contacts until they confirm, and addresses can be refused for
their consent (Do-Not-Mail, unsubscribed, bounced, spam) and lists read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from fieldsync.domain.emails import email_key, is_valid_email
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    Capacity,
    OutcomeKind,
    RateWindow,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.exceptions import AuthenticationError, ConfigurationError, ListNotFoundError
from fieldsync.testing._fake_standing import FakeStanding

__all__ = ["DEFAULT_GROUP_PREFIXES", "DEFAULT_TARGET_FIELDS", "FakeTarget"]

DEFAULT_TARGET_FIELDS = (
    Field("Contact Email", FieldType.EMAIL, required=True),
    Field("First Name"),
    Field("Last Name"),
    Field("Company Name"),
    Field("Phone", FieldType.PHONE),
)
"""The fields of a new :class:`FakeTarget`, like a fresh Zoho Campaigns account."""

DEFAULT_GROUP_PREFIXES = (
    "info",
    "admin",
    "sales",
    "support",
    "noreply",
    "no-reply",
    "postmaster",
    "webmaster",
)
"""Local parts that name a group rather than a person; such addresses are refused."""

_TEXT = (str,)
# What each field type accepts. bool is an int subclass, hence the explicit exclusions below.
_ACCEPTS: dict[FieldType, tuple[type, ...]] = {
    FieldType.TEXT: _TEXT,
    FieldType.TEXTAREA: _TEXT,
    FieldType.EMAIL: _TEXT,
    FieldType.PHONE: _TEXT,
    FieldType.URL: _TEXT,
    FieldType.PICKLIST: _TEXT,
    FieldType.INTEGER: (int,),
    FieldType.DECIMAL: (Decimal, int),
    FieldType.DATE: (date,),
    FieldType.DATETIME: (datetime,),
    FieldType.BOOLEAN: (bool,),
}

Contact = dict[str, object]


class FakeTarget(FakeStanding):
    """A :class:`~fieldsync.ports.Target` holding mailing lists in memory; also a
    :class:`~fieldsync.ports.ListReader` (``members``, ``member_count``, ``unsubscribe``),
    with :meth:`refuse_for_consent` and :meth:`resubscribe` for the open world.

    Args:
        fields: the contact fields; by default :data:`DEFAULT_TARGET_FIELDS`. The first
            email-typed field identifies contacts.
        max_batch: the most contacts one ``upsert`` takes.
        plan_limit: the account's contact limit (contacts across all lists), or ``None``.
        auto_upgrade: going past ``plan_limit`` upgrades the plan (counted in
            :attr:`upgrades`) instead of refusing contacts with ``plan_limit``.
        confirmation_required: lists are double opt-in: a new contact is held (skipped
            with ``confirmation_pending``) and one confirmation email is sent, until
            :meth:`confirm`.
        group_prefixes: local parts refused as group addresses (``info@...``).
        reports_added: answer ``ADDED``/``UPDATED``; when off, answer ``WRITTEN`` like a
            target that does not say whether a contact was new.
        windows: rate windows :meth:`limits` states, so that ``preview`` and the run's
            ``RunEstimated`` event say how long a run takes at them (the fake itself never
            refuses a call for its rate).

    Attributes:
        lists: list key -> email key (lower-cased) -> the contact's values.
        pending: list key -> email key -> values of contacts waiting to confirm.
        upserts: the emails of every accepted ``upsert`` call, one list per call.
        calls: every ``upsert`` call, those that raised included.
        upgrades: contacts accepted past the plan limit thanks to auto-upgrade.
        confirmation_emails: confirmation emails sent.
        fields_created: names of the fields :meth:`create_field` created.
        revoked: whether :meth:`revoke` was called.
        on_upsert: called with ``(list_key, contacts)`` at the start of every ``upsert``
            (a test hook: for example, pause the sync in the middle of a run).

    Raises:
        ValueError: ``max_batch`` is less than 1, or ``fields`` have no email field.
    """

    def __init__(
        self,
        *,
        fields: Iterable[Field] | None = None,
        max_batch: int = 50,
        plan_limit: int | None = None,
        auto_upgrade: bool = False,
        confirmation_required: bool = False,
        group_prefixes: Iterable[str] = DEFAULT_GROUP_PREFIXES,
        reports_added: bool = True,
        windows: Sequence[RateWindow] = (),
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        chosen: Iterable[Field] = DEFAULT_TARGET_FIELDS if fields is None else fields
        self._schema = Schema.of(*chosen)
        if self._schema.email_field is None:
            raise ValueError("a target needs an email field")
        self.max_batch = max_batch
        self.plan_limit = plan_limit
        self.auto_upgrade = auto_upgrade
        self.confirmation_required = confirmation_required
        self.group_prefixes: frozenset[str] = frozenset(p.lower() for p in group_prefixes)
        self.reports_added = reports_added
        self.windows: tuple[RateWindow, ...] = tuple(windows)
        self.lists: dict[str, dict[str, Contact]] = {}
        self.pending: dict[str, dict[str, Contact]] = {}
        self.upserts: list[list[str]] = []
        self.calls: int = 0
        self.upgrades: int = 0
        self.confirmation_emails: int = 0
        self.fields_created: list[str] = []
        self.revoked: bool = False
        self.on_upsert: Callable[[str, Sequence[TargetContact]], None] | None = None
        self._credentials_revoked = False
        self._failures: list[BaseException] = []
        self._contact_failures: dict[str, int] = {}
        self._used_now = 0
        self._refused: dict[str, ReasonCode] = {}

    def __repr__(self) -> str:
        return f"FakeTarget(lists={sorted(self.lists)}, calls={self.calls})"

    # -- setting the scene -------------------------------------------------------------------

    def create_list(self, list_key: str) -> None:
        """Create an empty list (nothing happens when it exists)."""
        self.lists.setdefault(list_key, {})
        self.pending.setdefault(list_key, {})

    def delete_list(self, list_key: str) -> None:
        """Delete a list: later upserts to it raise ListNotFoundError.

        Raises:
            ListNotFoundError: there is no such list.
        """
        self._list(list_key)
        del self.lists[list_key]
        del self.pending[list_key]

    def confirm(self, list_key: str, email: str) -> None:
        """A held contact confirms its subscription and joins the list.

        Raises:
            ListNotFoundError: there is no such list.
            KeyError: no contact with that email waits in the list.
        """
        contacts = self._list(list_key)
        contacts[email_key(email)] = self.pending[list_key].pop(email_key(email))

    def contact(self, list_key: str, email: str) -> Contact | None:
        """The values of the contact with ``email`` in a list, or ``None``."""
        return self.lists.get(list_key, {}).get(email_key(email))

    # -- fault hooks -------------------------------------------------------------------------

    def fail_next_upsert(self, exc: BaseException) -> None:
        """Make the next ``upsert`` raise ``exc`` with nothing written. Calls queue up."""
        self._failures.append(exc)

    def fail_writes_of(self, email: str, *, times: int = 1) -> None:
        """The next ``times`` writes of ``email`` fail with ``target_error``, as when an
        adapter's retries run out for one contact."""
        self._contact_failures[email_key(email)] = times

    def revoke_credentials(self) -> None:
        """The user revoked our access in the app: upserts raise AuthenticationError."""
        self._credentials_revoked = True

    def restore_credentials(self) -> None:
        """The user connected the account again: upserts work again."""
        self._credentials_revoked = False
        self.revoked = False

    # -- the Target port ---------------------------------------------------------------------

    def schema(self) -> Schema:
        """The contact fields, created ones included."""
        return self._schema

    def create_field(self, field: Field) -> Field:
        """Create a contact field and return it.

        Raises:
            ConfigurationError: the type is not a FieldType, or the name is taken.
            AuthenticationError: the credentials were revoked.
        """
        self._check_credentials()
        if not isinstance(field.type, FieldType):
            raise ConfigurationError(f"unknown field type {field.type!r}")
        if field.name in self._schema:
            raise ConfigurationError(f"the target already has a field {field.name!r}")
        created = Field(field.name, field.type, custom=True)
        self._schema = self._schema.with_fields([created])
        self.fields_created.append(created.name)
        return created

    def created_field_name(self, field: Field) -> str:
        """The name :meth:`create_field` gives ``field``: its own (a :class:`TargetRules`
        method, for ``preview``)."""
        return field.name

    def known_refusal(self, contact: TargetContact) -> ReasonCode | None:
        """``group_address`` for an address whose local part is in ``group_prefixes`` (a
        :class:`TargetRules` method, for ``preview``)."""
        if contact.email.partition("@")[0].lower() in self.group_prefixes:
            return ReasonCode.GROUP_ADDRESS
        return None

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        """Add or update contacts in a list, matched by email; one outcome per contact.

        Raises:
            ValueError: more than ``max_batch`` contacts.
            AuthenticationError: the credentials were revoked.
            ListNotFoundError: the list does not exist (or was deleted).
            BaseException: whatever :meth:`fail_next_upsert` was given.
        """
        self.calls += 1
        if self.on_upsert is not None:
            self.on_upsert(list_key, contacts)
        if len(contacts) > self.max_batch:
            raise ValueError(f"{len(contacts)} contacts in one call; the most is {self.max_batch}")
        self._check_credentials()
        if self._failures:
            raise self._failures.pop(0)
        self._list(list_key)
        self.upserts.append([c.email for c in contacts])
        if self.plan_limit is not None:  # counting every contact is only worth it for a limit
            self._used_now = self._used()  # counted once a call, kept up to date per contact
        return [self._upsert_one(list_key, contact) for contact in contacts]

    def limits(self) -> TargetLimits:
        """``max_batch`` and the stated ``windows`` (none by default)."""
        return TargetLimits(max_batch=self.max_batch, windows=self.windows)

    def capacity(self, list_key: str) -> Capacity:
        """The account's capacity: contacts across all lists, the plan limit, auto-upgrade."""
        return Capacity(used=self._used(), limit=self.plan_limit, auto_upgrade=self.auto_upgrade)

    def describe_credentials(self) -> tuple[str, ...]:
        """The one credential :meth:`revoke` revokes."""
        return ("fake target token",)

    def revoke(self) -> None:
        """Revoke our credentials (disabling an integration). Idempotent."""
        self.revoked = True
        self._credentials_revoked = True

    # -- one contact -------------------------------------------------------------------------

    def _upsert_one(self, list_key: str, contact: TargetContact) -> UpsertOutcome:
        key = contact.key
        address = contact.email
        if not is_valid_email(address):
            return _skip(key, ReasonCode.INVALID_EMAIL, f"{address!r} is not a valid address")
        if address.partition("@")[0].lower() in self.group_prefixes:
            return _skip(key, ReasonCode.GROUP_ADDRESS, f"{address} is a group address")
        identity = email_key(address)
        consent = self._refused.get(identity)
        if consent is not None:
            return _skip(key, consent, f"{address}: {consent.text}")
        if self._contact_failures.get(identity, 0) > 0:
            self._contact_failures[identity] -= 1
            text = "the write failed after retries"
            return UpsertOutcome(key, OutcomeKind.FAILED, ReasonCode.TARGET_ERROR, text)
        problem = self._type_problem(contact)
        if problem is not None:
            return UpsertOutcome(key, OutcomeKind.FAILED, ReasonCode.TARGET_REJECTED, problem)
        members = self.lists[list_key]
        values = {**dict(contact.values), self._email_field: address}
        if identity in members:
            members[identity].update(values)
            return UpsertOutcome(key, self._kind(OutcomeKind.UPDATED))
        missing = [f.name for f in self._schema if f.required and values.get(f.name) is None]
        if missing:
            text = f"required field(s) without a value: {', '.join(missing)}"
            return _skip(key, ReasonCode.MANDATORY_FIELD_MISSING, text)
        new_to_account = not any(identity in other for other in self.lists.values())
        if new_to_account and self.plan_limit is not None and self._used_now >= self.plan_limit:
            if not self.auto_upgrade:
                return _skip(key, ReasonCode.PLAN_LIMIT, f"the plan allows {self.plan_limit}")
            self.upgrades += 1
        if self.confirmation_required:
            held = self.pending[list_key]
            if identity not in held:
                self.confirmation_emails += 1
            held[identity] = values
            return _skip(key, ReasonCode.CONFIRMATION_PENDING, f"a confirmation went to {address}")
        members[identity] = values
        self._used_now += new_to_account
        return UpsertOutcome(key, self._kind(OutcomeKind.ADDED))

    def _type_problem(self, contact: TargetContact) -> str | None:
        for name, value in contact.values.items():
            field = self._schema.get(name)
            if field is None:
                return f"the target has no field {name!r}"
            if value is None:
                continue  # clears the field
            accepted = _ACCEPTS[field.type]
            wrong_bool = isinstance(value, bool) and bool not in accepted
            wrong_date = isinstance(value, datetime) and field.type is FieldType.DATE
            if not isinstance(value, accepted) or wrong_bool or wrong_date:
                return f"{type(value).__name__} value for {field.type.value} field {name!r}"
        return None

    def _kind(self, kind: OutcomeKind) -> OutcomeKind:
        return kind if self.reports_added else OutcomeKind.WRITTEN

    def _used(self) -> int:
        return len({identity for members in self.lists.values() for identity in members})

    @property
    def _email_field(self) -> str:
        email = self._schema.email_field
        assert email is not None  # checked in __init__
        return email

    def _list(self, list_key: str) -> dict[str, Contact]:
        try:
            return self.lists[list_key]
        except KeyError:
            raise ListNotFoundError(f"no list {list_key!r}", endpoint="fake upsert") from None

    def _check_credentials(self) -> None:
        if self._credentials_revoked:
            raise AuthenticationError("the fake target's token was revoked")


def _skip(key: str, reason: ReasonCode, message: str) -> UpsertOutcome:
    return UpsertOutcome(key, OutcomeKind.SKIPPED, reason, message)
