"""One batch of a run, as plain data: what to send, and what the answers mean for the counts,
the fingerprints, the email claims and the skipped records. No I/O here; ``_run`` does it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

import attrs

from fieldsync._secrets import redact_text
from fieldsync.domain.emails import email_key
from fieldsync.domain.planner import Decision, DecisionKind
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, StoredFingerprint, TargetContact, UpsertOutcome
from fieldsync.domain.sync import RunCounts, SkippedRecord

__all__ = ["BatchResult", "contacts_to_send", "tally"]

_SENT = frozenset({DecisionKind.ADD, DecisionKind.UPDATE})
_NOT_SENT_TEXT = "The target plan's contact limit was reached earlier in this run; not sent."
_NO_OUTCOME_TEXT = "The target gave no outcome for this record."


@attrs.frozen
class BatchResult:
    """What one batch changes: counts, fingerprints to store, claims and skipped records.

    ``plan_limit_reached`` is set when the target refused a contact for its plan limit:
    the rest of the run sends nothing.
    """

    counts: RunCounts
    written: tuple[tuple[str, StoredFingerprint], ...]
    claims: tuple[tuple[str, str], ...]
    skipped: tuple[SkippedRecord, ...]
    plan_limit_reached: bool


def contacts_to_send(decisions: Sequence[Decision]) -> list[TargetContact]:
    """The contacts of the add and update decisions, in order."""
    contacts = []
    for decision in decisions:
        if decision.kind in _SENT:
            assert decision.email is not None  # the planner never sends without an email
            contacts.append(TargetContact(decision.key, decision.email, decision.values))
    return contacts


def tally(
    run_id: str,
    decisions: Sequence[Decision],
    outcomes: Mapping[str, UpsertOutcome] | None,
) -> BatchResult:
    """Count a batch's decisions with the target's outcomes.

    Args:
        run_id: the run, for the skipped records.
        decisions: the batch's decisions.
        outcomes: the target's outcome per record key; ``None`` when nothing was sent
            because the plan limit was reached earlier (adds and updates are then skipped
            with ``plan_limit``).
    """
    added = updated = unchanged = 0
    skipped: Counter[ReasonCode] = Counter()
    failed: Counter[ReasonCode] = Counter()
    written: list[tuple[str, StoredFingerprint]] = []
    claims: list[tuple[str, str]] = []
    records: list[SkippedRecord] = []
    limit_reached = False

    def record(decision: Decision, reason: ReasonCode, text: str, *, fail: bool = False) -> None:
        (failed if fail else skipped)[reason] += 1
        values = {name: _text(value) for name, value in decision.values.items()}
        records.append(
            # the target's words (an API error) may quote a secret: scrubbed before stored
            SkippedRecord(
                run_id, decision.key, decision.email, reason, redact_text(text), values, fail
            )
        )

    for decision in decisions:
        kind, key = decision.kind, decision.key
        if kind is DecisionKind.SKIP:
            reason = decision.reason or ReasonCode.TARGET_REJECTED
            record(decision, reason, decision.reason_text or reason.text)
            continue
        # Every record that owns its email claims it, unchanged ones too, so that a later
        # record with the same email in this pass is a duplicate.
        assert decision.email is not None
        assert decision.fingerprint is not None
        claims.append((key, email_key(decision.email)))
        if kind is DecisionKind.UNCHANGED:
            unchanged += 1
            continue
        stored = StoredFingerprint(decision.fingerprint, decision.email)
        if outcomes is None:
            record(decision, ReasonCode.PLAN_LIMIT, _NOT_SENT_TEXT)
            continue
        outcome = outcomes.get(key)
        if outcome is None:
            record(decision, ReasonCode.TARGET_ERROR, _NO_OUTCOME_TEXT, fail=True)
            continue
        result = outcome.kind
        if result is OutcomeKind.WRITTEN:
            # The target does not say; what the store remembers decides.
            result = OutcomeKind.ADDED if kind is DecisionKind.ADD else OutcomeKind.UPDATED
        if result is OutcomeKind.ADDED:
            added += 1
            written.append((key, stored))
        elif result is OutcomeKind.UPDATED:
            updated += 1
            written.append((key, stored))
        else:
            reason = outcome.reason or ReasonCode.TARGET_REJECTED
            record(
                decision, reason, outcome.message or reason.text, fail=result is OutcomeKind.FAILED
            )
            limit_reached = limit_reached or reason is ReasonCode.PLAN_LIMIT
            if reason is ReasonCode.CONFIRMATION_PENDING:
                # Remembered as written, so the contact is not sent (and mailed) again.
                written.append((key, stored))
            elif result is OutcomeKind.SKIPPED and (
                reason.refused_for_its_data or reason.withholds_consent
            ):
                # Remembered as refused: unchanged (for consent: at all), it is not sent
                # again for the same answer.
                written.append((key, attrs.evolve(stored, rejected=reason)))

    counts = RunCounts(
        added=added,
        updated=updated,
        unchanged=unchanged,
        skipped_by_reason=skipped,
        failed_by_reason=failed,
    )
    return BatchResult(counts, tuple(written), tuple(claims), tuple(records), limit_reached)


def _text(value: object) -> str:
    """A value as the export shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
