"""The per-record decision: skip (with a reason), add, update, or leave unchanged.

The planner works on plain data and does no I/O. The service streams each page of source
records through :meth:`Planner.prepare` (criteria, mapping, email check, fingerprint: work
that needs only the record), looks up what the store remembers for the page's keys and
emails, then calls :meth:`Planner.decide_page` for the decisions.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from json.encoder import encode_basestring_ascii as _quote
from typing import TYPE_CHECKING, Any

import attrs

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.emails import email_key, email_problem, is_valid_email, normalize_email
from fieldsync.domain.mapping import MappingPlan
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import SourceRecord, StoredFingerprint

if TYPE_CHECKING:
    from fieldsync.domain.sync import SyncConfig

__all__ = ["Decision", "DecisionKind", "Planner", "Prepared", "fingerprint"]


class DecisionKind(enum.Enum):
    """What to do with one record."""

    ADD = "add"  # write it: the target has never had it (or not at this email)
    UPDATE = "update"  # write it: its values changed since its last write
    UNCHANGED = "unchanged"  # nothing to write: same values as its last write
    SKIP = "skip"  # do not write it, for the reason given


@attrs.frozen
class Prepared:
    """A record after the checks that need only the record itself.

    Args:
        key: the source record's key.
        email: the normalised email, when the record has one.
        values: the mapped values by target field name; when the mapping failed, the
            source values as text (so that an export can show them).
        fingerprint: the fingerprint of ``values``; ``None`` for a skipped record.
        skip: why the record is skipped, if it is.
        skip_text: the reason for people.
    """

    key: str
    email: str | None
    values: Mapping[str, object]
    fingerprint: str | None
    skip: ReasonCode | None = None
    skip_text: str = ""


@attrs.frozen
class Decision:
    """What to do with one record, and why when it is skipped.

    Args:
        kind: add, update, leave unchanged, or skip.
        key: the source record's key.
        email: the normalised email (what a skipped record had, if anything).
        values: what to write, by target field name (for a skipped record, what the export
            shows: see :class:`Prepared`).
        fingerprint: the fingerprint to store once written; ``None`` for a skipped record.
        reason: why the record is skipped; ``None`` otherwise.
        reason_text: the reason for people.
    """

    kind: DecisionKind
    key: str
    email: str | None
    values: Mapping[str, object]
    fingerprint: str | None
    reason: ReasonCode | None = None
    reason_text: str = ""


_NO_EMAIL = ReasonCode.MISSING_EMAIL.text


class Planner:
    """Decides what happens to each record of a run.

    Args:
        plan: a mapping plan without problems.
        criteria: the sync criteria, evaluated on the source values.
        update_empty_values: an empty source value clears the target field (see
            :meth:`MappingPlan.compile`).

    Raises:
        MappingError: the plan has problems.
    """

    @classmethod
    def of(cls, plan: MappingPlan, config: SyncConfig) -> Planner:
        """The planner of one configuration version: its criteria and its options."""
        return cls(plan, config.criteria, update_empty_values=config.options.update_empty_values)

    def __init__(
        self, plan: MappingPlan, criteria: Criteria, *, update_empty_values: bool = False
    ) -> None:
        self._map = plan.compile_raw(update_empty_values=update_empty_values)
        # Criteria that match everything cost nothing per record.
        self._criteria = criteria.compile() if criteria.items else None
        email_target, email_source = plan.email_target, plan.email_source
        # compile() has checked that the mapping maps the email.
        assert email_target is not None
        assert email_source is not None
        self._email_target = email_target
        self._email_source = email_source

    def prepare(self, record: SourceRecord) -> Prepared:
        """Check one record: criteria, then mapping, then email; fingerprint what passes.

        A skipped record keeps its mapped values (or its source values as text when the
        mapping failed) for the export of skipped records.
        """
        key, source = record.key, record.values
        if record.defect is not None:
            # Nothing about it can be trusted, not even its criteria values.
            text = f"{ReasonCode.INVALID_RECORD.text[:-1]}: {record.defect}"
            email = normalize_email(_safe_get(source, self._email_source))
            shown = _as_text(source)
            return Prepared(key, email, shown, None, ReasonCode.INVALID_RECORD, text)
        values, error = self._map(source)
        if error is None:
            email = normalize_email(values.get(self._email_target))
            raw = source.get(self._email_source)
            if isinstance(raw, str) and not raw.isprintable():
                # Whatever the target field's type cleans from text, an address is taken
                # as it came: one with a NUL removed is another address (invalid_email).
                email = normalize_email(raw) or email
        else:
            values = _as_text(source)
            email = normalize_email(source.get(self._email_source))
        if self._criteria is not None:
            verdict = self._criteria(source)
            if not verdict.matched:
                text = verdict.reason or ReasonCode.CRITERIA_NOT_MET.text
                return Prepared(key, email, values, None, ReasonCode.CRITERIA_NOT_MET, text)
        if error is not None:
            return Prepared(key, email, values, None, ReasonCode.CONVERSION_ERROR, error.message)
        if email is None:
            return Prepared(key, None, values, None, ReasonCode.MISSING_EMAIL, _NO_EMAIL)
        if not is_valid_email(email):
            text = email_problem(email)
            return Prepared(key, email, values, None, ReasonCode.INVALID_EMAIL, text)
        values[self._email_target] = email
        return Prepared(key, email, values, fingerprint(values))

    def decide_page(
        self,
        prepared: Sequence[Prepared],
        previous: Mapping[str, StoredFingerprint],
        claimed: Mapping[str, str],
    ) -> list[Decision]:
        """The decisions for one page of prepared records, in order.

        Args:
            prepared: the page's records from :meth:`prepare`.
            previous: record key -> what the store remembers of its last write.
            claimed: :func:`~fieldsync.domain.emails.email_key` -> the key of the record that
                claimed that email earlier in this pass (on an earlier page or run).

        A record whose email an earlier record claimed (earlier in the pass, or earlier on
        this page) is skipped as a duplicate: the first one wins. A record is added when the
        store remembers nothing for it, or remembers another email (an email change is an
        add of the new address); updated when its fingerprint changed; unchanged otherwise.
        A record the target refused last time is skipped again with the same reason while
        it is unchanged, and added once it changes; one refused for the contact's consent
        (Do-Not-Mail, unsubscribed, bounced, spam) is skipped while its address stays the
        same, whatever else changes.
        """
        decisions: list[Decision] = []
        owners: dict[str, str] = {}
        # Enum members looked up once per page rather than per record.
        add, update, unchanged = DecisionKind.ADD, DecisionKind.UPDATE, DecisionKind.UNCHANGED
        for item in prepared:
            key, email = item.key, item.email
            if item.skip is not None or email is None:
                # A Prepared made by hand may lack an email without saying why.
                reason = item.skip or ReasonCode.MISSING_EMAIL
                text = item.skip_text or reason.text
                decisions.append(
                    Decision(DecisionKind.SKIP, key, email, item.values, None, reason, text)
                )
                continue
            identity = email_key(email)
            owner = claimed.get(identity) or owners.setdefault(identity, key)
            if owner != key:
                text = f'The email address "{email}" already came from record {owner}.'
                decisions.append(
                    Decision(
                        DecisionKind.SKIP,
                        key,
                        email,
                        item.values,
                        None,
                        ReasonCode.DUPLICATE_EMAIL,
                        text,
                    )
                )
                continue
            stored = previous.get(key)
            if stored is not None and stored.rejected is not None:
                same_address = email_key(stored.email) == identity
                if stored.rejected.withholds_consent and same_address:
                    # Consent is never overridden: whatever changed, not sent again until
                    # the target shows the address active again.
                    reason = stored.rejected
                    text = f"The target refused this address before: {reason.text}"
                    decisions.append(
                        Decision(DecisionKind.SKIP, key, email, item.values, None, reason, text)
                    )
                    continue
                if stored.fingerprint == item.fingerprint:
                    # Sending it again would only earn the same refusal (and cost a call).
                    reason = stored.rejected
                    text = (
                        f"The target refused this record before ({reason.value}); unchanged since."
                    )
                    decisions.append(
                        Decision(DecisionKind.SKIP, key, email, item.values, None, reason, text)
                    )
                    continue
                kind = add  # it never made it into the list
            elif stored is None or email_key(stored.email) != identity:
                kind = add
            elif stored.fingerprint != item.fingerprint:
                kind = update
            else:
                kind = unchanged
            decisions.append(Decision(kind, key, email, item.values, item.fingerprint))
        return decisions


def _safe_get(values: Mapping[str, object], name: str) -> object:
    value = values.get(name)
    return value if isinstance(value, str) else None


def _as_text(values: Mapping[str, object]) -> dict[str, object]:
    return {name: "" if value is None else str(value) for name, value in values.items()}


# -- fingerprints ----------------------------------------------------------------------------


# Enough precision that normalize() only strips trailing zeros and never rounds.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _decimal_text(value: Decimal) -> str:
    """Equal decimals give equal text (1.0 and 1.00, 0 and -0), without rounding."""
    if value.is_zero():
        return "0"
    return str(value.normalize(_EXACT))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _datetime_text(value: datetime) -> str:
    """An aware datetime as whole microseconds since the epoch: one instant, one text,
    whatever its offset (and cheaper than converting to UTC and formatting)."""
    if value.tzinfo is None:  # naive: no instant to speak of; "T" keeps it apart
        return value.isoformat()
    return str((value - _EPOCH) // _MICROSECOND)


def _float_text(value: float) -> str:
    return "0.0" if value == 0 else repr(value)


_CANONICAL: dict[type, tuple[str, Callable[[Any], str]]] = {
    int: ("int", str),
    bool: ("bool", str),
    Decimal: ("decimal", _decimal_text),
    float: ("float", _float_text),
    date: ("date", date.isoformat),
    datetime: ("datetime", _datetime_text),
}


def _entry(kind: type) -> tuple[str, Callable[[Any], str]]:
    """The tag and text function of a subclass of a known type: its nearest known base's."""
    for base in kind.__mro__:
        if base in _CANONICAL:
            return _CANONICAL[base]
    raise TypeError(f"cannot fingerprint a {kind.__name__} value")


def fingerprint(values: Mapping[str, object]) -> str:
    """A fingerprint of mapped values, stable across processes and Python versions.

    Equal fingerprints mean equal canonical values: each value is tagged with its type (so
    ``1`` and ``"1"`` differ), decimals lose trailing zeros (``1.0`` equals ``1.00``) and
    aware datetimes become microseconds since the epoch (one instant in two offsets is
    equal). The canonical form is compact ASCII JSON of ``[name, type tag, text]`` items
    sorted by name (``null`` text for ``None``), hashed with BLAKE2b (16 bytes, as 32 hex
    digits).

    Raises:
        TypeError: a value is not ``None``, ``str``, ``int``, ``bool``, ``float``,
            ``Decimal``, ``date`` or ``datetime``.
    """
    # The JSON is written by hand, with the json module's own string quoting, because this
    # runs once per record and json.dumps() costs twice as much. The text of a value that
    # is not a string is digits, letters and ISO punctuation: it needs no escaping.
    parts = []
    for name, value in sorted(values.items()):
        if isinstance(value, str):
            parts.append(f'[{_quote(name)},"str",{_quote(value)}]')
        elif value is None:
            parts.append(f'[{_quote(name)},"null",null]')
        else:
            kind = type(value)
            tag, text = _CANONICAL.get(kind) or _entry(kind)
            parts.append(f'[{_quote(name)},"{tag}","{text(value)}"]')
    canonical = "[" + ",".join(parts) + "]"
    return hashlib.blake2b(canonical.encode("ascii"), digest_size=16).hexdigest()
