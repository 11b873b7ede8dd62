from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from fieldsync.domain.criteria import Condition, Criteria, Operator
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMapping, MappingPlan
from fieldsync.domain.planner import Decision, DecisionKind, Planner, Prepared, fingerprint
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import SourceRecord, StoredFingerprint
from fieldsync.exceptions import MappingError

SOURCE = Schema.of(
    Field("email", FieldType.EMAIL),
    Field("name"),
    Field("age", FieldType.INTEGER),
    Field("country"),
)
TARGET = Schema.of(
    Field("Contact Email", FieldType.EMAIL),
    Field("First Name"),
    Field("Age", FieldType.INTEGER),
)
PLAN: MappingPlan = FieldMapping.of(
    ("email", "Contact Email"), ("name", "First Name"), ("age", "Age")
).plan(SOURCE, TARGET)
IN_INDIA = Criteria.all_of(Condition("country", Operator.EQ, "India"))
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def record(key: str = "k1", **values: object) -> SourceRecord:
    values.setdefault("email", f"{key}@example.com")
    values.setdefault("country", "India")
    return SourceRecord(key, WHEN, values)


def prepare(rec: SourceRecord, criteria: Criteria = IN_INDIA, **options: bool) -> Prepared:
    return Planner(PLAN, criteria, **options).prepare(rec)


def decide(
    *records: SourceRecord,
    previous: Mapping[str, StoredFingerprint] | None = None,
    claimed: Mapping[str, str] | None = None,
) -> list[Decision]:
    planner = Planner(PLAN, IN_INDIA)
    prepared = [planner.prepare(r) for r in records]
    return planner.decide_page(prepared, previous or {}, claimed or {})


def kinds(decisions: list[Decision]) -> list[tuple[DecisionKind, ReasonCode | None]]:
    return [(d.kind, d.reason) for d in decisions]


# -- prepare: a good record ------------------------------------------------------------------


def test_a_good_record_is_prepared_with_its_mapped_values() -> None:
    prepared = prepare(record(name="Ann", age="42"))

    expected = {"Contact Email": "k1@example.com", "First Name": "Ann", "Age": 42}
    assert expected == prepared.values


def test_a_good_record_is_not_skipped() -> None:
    prepared = prepare(record())

    assert (prepared.skip, prepared.skip_text) == (None, "")


def test_a_good_record_carries_the_fingerprint_of_its_values() -> None:
    prepared = prepare(record(name="Ann"))

    assert fingerprint(prepared.values) == prepared.fingerprint


def test_the_email_is_normalised_in_the_prepared_record_and_its_values() -> None:
    prepared = prepare(record(email="  Ann@Example.COM "))

    expected = ("Ann@example.com", "Ann@example.com")
    assert expected == (prepared.email, prepared.values["Contact Email"])


def test_criteria_that_match_everything_let_every_record_through() -> None:
    prepared = prepare(record(country="Mars"), Criteria.all())

    assert prepared.skip is None


def test_the_planner_refuses_a_plan_with_problems() -> None:
    bad = FieldMapping.of(("name", "First Name")).plan(SOURCE, TARGET)

    with pytest.raises(MappingError):
        Planner(bad, IN_INDIA)


# -- prepare: skips, in order ------------------------------------------------------------------


def test_a_record_failing_the_criteria_is_skipped_with_the_verdicts_reason() -> None:
    rec = record(country="US")
    prepared = prepare(rec)

    expected = (ReasonCode.CRITERIA_NOT_MET, IN_INDIA.compile()(rec.values).reason)
    assert expected == (prepared.skip, prepared.skip_text)


def test_the_criteria_reason_text_names_the_condition_and_the_value() -> None:
    prepared = prepare(record(country="US"))

    assert prepared.skip_text == 'country == "India" was not met (country is "US")'


def test_the_reason_comes_from_the_condition_that_failed() -> None:
    criteria = Criteria.all_of(
        Condition("country", Operator.EQ, "India"), Condition("name", Operator.IS_NOT_EMPTY)
    )
    prepared = prepare(record(name=""), criteria)

    assert prepared.skip_text == "name is not empty was not met (name is empty)"


def test_the_criteria_are_checked_before_conversion() -> None:
    prepared = prepare(record(country="US", age="12abc"))

    assert prepared.skip == ReasonCode.CRITERIA_NOT_MET


def test_the_criteria_are_checked_before_the_email() -> None:
    prepared = prepare(record(country="US", email=""))

    assert prepared.skip == ReasonCode.CRITERIA_NOT_MET


def test_a_record_skipped_by_the_criteria_keeps_its_mapped_values() -> None:
    prepared = prepare(record(country="US", name="Ann"))

    expected = {"Contact Email": "k1@example.com", "First Name": "Ann"}
    assert expected == prepared.values


def test_a_value_that_does_not_convert_skips_the_record_naming_field_and_value() -> None:
    prepared = prepare(record(age="12abc"))

    expected = (
        ReasonCode.CONVERSION_ERROR,
        "The value '12abc' for field \"Age\" is not a number.",
    )
    assert expected == (prepared.skip, prepared.skip_text)


def test_a_record_that_does_not_convert_keeps_its_source_values_as_text() -> None:
    prepared = prepare(record(age="12abc", name=None))

    expected = {"email": "k1@example.com", "country": "India", "age": "12abc", "name": ""}
    assert expected == prepared.values


def test_a_record_that_does_not_convert_keeps_its_normalised_email() -> None:
    prepared = prepare(record(age="12abc", email=" Ann@EXAMPLE.com"))

    assert prepared.email == "Ann@example.com"


def test_conversion_is_checked_before_the_email() -> None:
    prepared = prepare(record(age="12abc", email="not an address"))

    assert prepared.skip == ReasonCode.CONVERSION_ERROR


@pytest.mark.parametrize("email", [None, "", "   "])
def test_a_record_without_an_email_is_skipped(email: object) -> None:
    prepared = prepare(record(email=email))

    expected = (ReasonCode.MISSING_EMAIL, ReasonCode.MISSING_EMAIL.text, None)
    assert expected == (prepared.skip, prepared.skip_text, prepared.email)


def test_a_record_with_an_invalid_email_is_skipped_naming_the_address() -> None:
    prepared = prepare(record(email="ann@@example"))

    expected = (ReasonCode.INVALID_EMAIL, 'The email address "ann@@example" is not valid.')
    assert expected == (prepared.skip, prepared.skip_text)


def test_a_skipped_record_has_no_fingerprint() -> None:
    assert prepare(record(email="nope")).fingerprint is None


def test_update_empty_values_keeps_empty_fields_as_clears() -> None:
    prepared = prepare(record(name="  "), update_empty_values=True)

    assert prepared.values["First Name"] is None


def test_without_update_empty_values_empty_fields_are_left_out() -> None:
    prepared = prepare(record(name="  "))

    assert "First Name" not in prepared.values


# -- decide_page -----------------------------------------------------------------------------


def test_a_record_the_store_does_not_know_is_added() -> None:
    assert kinds(decide(record())) == [(DecisionKind.ADD, None)]


def test_a_record_whose_values_changed_is_updated() -> None:
    previous = {"k1": StoredFingerprint("old-fingerprint", "k1@example.com")}

    assert kinds(decide(record(), previous=previous)) == [(DecisionKind.UPDATE, None)]


def test_a_record_whose_values_did_not_change_is_unchanged() -> None:
    rec = record(name="Ann")
    stored = StoredFingerprint(prepare(rec).fingerprint or "", "k1@example.com")

    assert kinds(decide(rec, previous={"k1": stored})) == [(DecisionKind.UNCHANGED, None)]


def test_a_record_whose_email_changed_is_an_add_of_the_new_address() -> None:
    rec = record(email="new@example.com")
    stored = StoredFingerprint(prepare(rec).fingerprint or "", "old@example.com")

    assert kinds(decide(rec, previous={"k1": stored})) == [(DecisionKind.ADD, None)]


def test_an_email_that_only_changed_case_is_the_same_contact() -> None:
    rec = record(email="ann@example.com")
    stored = StoredFingerprint("old-fingerprint", "ANN@example.com")

    assert kinds(decide(rec, previous={"k1": stored})) == [(DecisionKind.UPDATE, None)]


def test_a_decision_carries_the_prepared_key_email_values_and_fingerprint() -> None:
    rec = record(name="Ann")
    prepared = prepare(rec)

    (decision,) = decide(rec)

    expected = Decision(
        DecisionKind.ADD, "k1", "k1@example.com", prepared.values, prepared.fingerprint
    )
    assert expected == decision


def test_a_skipped_record_stays_skipped_with_its_reason() -> None:
    (decision,) = decide(record(email="nope"))

    expected = (
        DecisionKind.SKIP,
        ReasonCode.INVALID_EMAIL,
        'The email address "nope" is not valid.',
    )
    assert expected == (decision.kind, decision.reason, decision.reason_text)


def test_a_prepared_record_without_email_or_reason_is_skipped_as_missing_email() -> None:
    prepared = Prepared("k1", None, {}, None)

    (decision,) = Planner(PLAN, IN_INDIA).decide_page([prepared], {}, {})

    expected = (DecisionKind.SKIP, ReasonCode.MISSING_EMAIL, ReasonCode.MISSING_EMAIL.text)
    assert expected == (decision.kind, decision.reason, decision.reason_text)


def test_the_second_record_with_an_email_on_one_page_is_a_duplicate() -> None:
    decisions = decide(record("k1", email="ann@example.com"), record("k2", email="ann@example.com"))

    expected = [(DecisionKind.ADD, None), (DecisionKind.SKIP, ReasonCode.DUPLICATE_EMAIL)]
    assert expected == kinds(decisions)


def test_duplicates_are_found_whatever_the_case_of_the_email() -> None:
    decisions = decide(record("k1", email="ann@example.com"), record("k2", email="ANN@Example.com"))

    assert decisions[1].reason == ReasonCode.DUPLICATE_EMAIL


def test_the_duplicate_reason_names_the_email_and_the_first_record() -> None:
    decisions = decide(record("k1", email="ann@example.com"), record("k2", email="ann@example.com"))

    expected = 'The email address "ann@example.com" already came from record k1.'
    assert expected == decisions[1].reason_text


def test_an_email_claimed_on_an_earlier_page_makes_a_duplicate() -> None:
    decisions = decide(record("k2", email="ann@example.com"), claimed={"ann@example.com": "k1"})

    assert kinds(decisions) == [(DecisionKind.SKIP, ReasonCode.DUPLICATE_EMAIL)]


def test_a_record_that_claimed_its_own_email_earlier_is_not_a_duplicate() -> None:
    # A resumed run reads the page it stopped in again.
    decisions = decide(record("k1", email="ann@example.com"), claimed={"ann@example.com": "k1"})

    assert kinds(decisions) == [(DecisionKind.ADD, None)]


def test_a_skipped_record_does_not_claim_its_email() -> None:
    decisions = decide(
        record("k1", email="ann@example.com", country="US"),
        record("k2", email="ann@example.com"),
    )

    expected = [(DecisionKind.SKIP, ReasonCode.CRITERIA_NOT_MET), (DecisionKind.ADD, None)]
    assert expected == kinds(decisions)


def test_decisions_keep_the_order_of_the_page() -> None:
    decisions = decide(record("k3"), record("k1"), record("k2"))

    assert [d.key for d in decisions] == ["k3", "k1", "k2"]


# -- refusals remembered -----------------------------------------------------------------------


def test_a_record_the_target_refused_is_skipped_again_while_unchanged() -> None:
    rec = record(name="Ann")
    refused = StoredFingerprint(
        prepare(rec).fingerprint or "", "k1@example.com", ReasonCode.GROUP_ADDRESS
    )

    (decision,) = decide(rec, previous={"k1": refused})

    assert (decision.kind, decision.reason) == (DecisionKind.SKIP, ReasonCode.GROUP_ADDRESS)
    assert "refused this record before" in decision.reason_text


def test_a_refused_record_that_changed_is_added() -> None:
    refused = StoredFingerprint("an older fingerprint", "k1@example.com", ReasonCode.GROUP_ADDRESS)

    (decision,) = decide(record(name="Ann"), previous={"k1": refused})

    assert decision.kind is DecisionKind.ADD


@pytest.mark.parametrize(
    "reason",
    [ReasonCode.DO_NOT_MAIL, ReasonCode.UNSUBSCRIBED, ReasonCode.BOUNCED, ReasonCode.SPAM],
)
def test_a_consent_refusal_skips_the_address_even_when_the_record_changed(
    reason: ReasonCode,
) -> None:
    refused = StoredFingerprint("an older fingerprint", "K1@Example.com", reason)

    (decision,) = decide(record(name="Ann"), previous={"k1": refused})

    assert (decision.kind, decision.reason) == (DecisionKind.SKIP, reason)
    assert reason.text in decision.reason_text


def test_a_consent_refusal_does_not_follow_the_record_to_a_new_address() -> None:
    refused = StoredFingerprint("an older fingerprint", "old@example.com", ReasonCode.DO_NOT_MAIL)

    (decision,) = decide(record(name="Ann"), previous={"k1": refused})

    assert decision.kind is DecisionKind.ADD
