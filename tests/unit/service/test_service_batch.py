"""A batch's decisions and the target's answers become counts, fingerprints, claims and
skipped records (fieldsync.service._batch, plain data)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.planner import Decision, DecisionKind
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, StoredFingerprint, TargetContact, UpsertOutcome
from fieldsync.service._batch import contacts_to_send, tally


def decision(kind: DecisionKind, key: str = "k", reason: ReasonCode | None = None) -> Decision:
    email = f"{key}@example.com"
    if kind is DecisionKind.SKIP:
        return Decision(
            kind, key, email, {"Name": key}, None, reason or ReasonCode.INVALID_EMAIL, "why"
        )
    return Decision(kind, key, email, {"Contact Email": email}, f"fp-{key}")


def outcome(
    kind: OutcomeKind, key: str = "k", reason: ReasonCode | None = None
) -> dict[str, UpsertOutcome]:
    return {key: UpsertOutcome(key, kind, reason, "target says no" if reason else "")}


def test_only_adds_and_updates_are_sent() -> None:
    decisions = [
        decision(DecisionKind.ADD, "a"),
        decision(DecisionKind.UNCHANGED, "b"),
        decision(DecisionKind.SKIP, "c"),
        decision(DecisionKind.UPDATE, "d"),
    ]

    assert ["a", "d"] == [c.key for c in contacts_to_send(decisions)]


def test_a_sent_contact_carries_the_decision_values() -> None:
    assert [TargetContact("a", "a@example.com", {"Contact Email": "a@example.com"})] == (
        contacts_to_send([decision(DecisionKind.ADD, "a")])
    )


def test_an_added_contact_is_counted_and_its_fingerprint_stored() -> None:
    result = tally("r", [decision(DecisionKind.ADD)], outcome(OutcomeKind.ADDED))

    assert (1, (("k", StoredFingerprint("fp-k", "k@example.com")),)) == (
        result.counts.added,
        result.written,
    )


def test_written_counts_as_added_for_an_add_decision() -> None:
    result = tally("r", [decision(DecisionKind.ADD)], outcome(OutcomeKind.WRITTEN))

    assert (1, 0) == (result.counts.added, result.counts.updated)


def test_written_counts_as_updated_for_an_update_decision() -> None:
    result = tally("r", [decision(DecisionKind.UPDATE)], outcome(OutcomeKind.WRITTEN))

    assert (0, 1) == (result.counts.added, result.counts.updated)


def test_the_target_answer_wins_over_the_decision() -> None:
    result = tally("r", [decision(DecisionKind.UPDATE)], outcome(OutcomeKind.ADDED))

    assert (1, 0) == (result.counts.added, result.counts.updated)


def test_a_skip_decision_is_recorded_with_its_reason_and_claims_nothing() -> None:
    result = tally("r", [decision(DecisionKind.SKIP, reason=ReasonCode.DUPLICATE_EMAIL)], {})

    assert ((), {ReasonCode.DUPLICATE_EMAIL: 1}, "why") == (
        result.claims,
        result.counts.skipped_by_reason,
        result.skipped[0].reason_text,
    )


def test_an_unchanged_record_claims_its_email_and_writes_nothing() -> None:
    result = tally("r", [decision(DecisionKind.UNCHANGED, "Kay")], {})

    assert ((("Kay", "kay@example.com"),), (), 1) == (
        result.claims,
        result.written,
        result.counts.unchanged,
    )


def test_a_confirmation_pending_contact_is_skipped_but_remembered_as_written() -> None:
    answer = outcome(OutcomeKind.SKIPPED, reason=ReasonCode.CONFIRMATION_PENDING)

    result = tally("r", [decision(DecisionKind.ADD)], answer)

    assert (1, 1) == (result.counts.skipped, len(result.written))


def test_a_failed_write_is_counted_as_failed_with_the_target_message() -> None:
    answer = outcome(OutcomeKind.FAILED, reason=ReasonCode.TARGET_REJECTED)

    result = tally("r", [decision(DecisionKind.ADD)], answer)

    assert (1, True, "target says no") == (
        result.counts.failed,
        result.skipped[0].failed,
        result.skipped[0].reason_text,
    )


def test_a_contact_the_target_gave_no_outcome_for_fails_as_target_error() -> None:
    result = tally("r", [decision(DecisionKind.ADD)], {})

    assert {ReasonCode.TARGET_ERROR: 1} == result.counts.failed_by_reason


def test_nothing_sent_after_the_plan_limit_is_skipped_as_plan_limit() -> None:
    result = tally("r", [decision(DecisionKind.ADD, "a"), decision(DecisionKind.UPDATE, "b")], None)

    assert {ReasonCode.PLAN_LIMIT: 2} == result.counts.skipped_by_reason


def test_a_plan_limit_answer_marks_the_limit_reached() -> None:
    answer = outcome(OutcomeKind.SKIPPED, reason=ReasonCode.PLAN_LIMIT)

    assert tally("r", [decision(DecisionKind.ADD)], answer).plan_limit_reached


def test_skipped_values_are_kept_as_text() -> None:
    values = {
        "Amount": Decimal("1E+2"),
        "Since": date(2026, 1, 2),
        "At": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        "VIP": True,
        "Empty": None,
    }
    skip = Decision(DecisionKind.SKIP, "k", None, values, None, ReasonCode.MISSING_EMAIL, "none")

    (record,) = tally("r", [skip], {}).skipped

    expected = {
        "Amount": "100",
        "Since": "2026-01-02",
        "At": "2026-01-02T03:04:00+00:00",
        "VIP": "true",
        "Empty": "",
    }
    assert expected == dict(record.values)


_OUTCOMES = st.sampled_from(
    [
        (OutcomeKind.ADDED, None),
        (OutcomeKind.UPDATED, None),
        (OutcomeKind.WRITTEN, None),
        (OutcomeKind.SKIPPED, ReasonCode.GROUP_ADDRESS),
        (OutcomeKind.SKIPPED, ReasonCode.PLAN_LIMIT),
        (OutcomeKind.FAILED, ReasonCode.TARGET_REJECTED),
    ]
)


@given(
    st.lists(st.tuples(st.sampled_from(DecisionKind), st.none() | _OUTCOMES), max_size=30),
    st.booleans(),
)
def test_every_decision_is_counted_exactly_once(
    items: list[tuple[DecisionKind, tuple[OutcomeKind, ReasonCode | None] | None]],
    sent: bool,
) -> None:
    decisions = [decision(kind, f"k{i}") for i, (kind, _) in enumerate(items)]
    answers = {
        f"k{i}": UpsertOutcome(f"k{i}", answer[0], answer[1])
        for i, (_, answer) in enumerate(items)
        if answer is not None
    }

    result = tally("r", decisions, answers if sent else None)

    counts = result.counts
    assert len(decisions) == counts.total
    assert counts.skipped + counts.failed == len(result.skipped)
