"""FakeSource, FakeTarget and RecordingNotifier behave like the ports they fake."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import Capacity, OutcomeKind, TargetContact, UpsertOutcome
from fieldsync.domain.sync import Notification, NotificationKind
from fieldsync.exceptions import (
    AuthenticationError,
    ConfigurationError,
    ListNotFoundError,
    ServiceUnavailableError,
)
from fieldsync.ports import Notifier, Source, Target
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.contract import SourceContract, TargetContract
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def contact(email: str, **values: object) -> TargetContact:
    return TargetContact(key=email, email=email, values={"Contact Email": email, **values})


def keys(source: FakeSource, **kwargs: object) -> list[list[str]]:
    return [[r.key for r in page.records] for page in source.read(**kwargs)]  # type: ignore[arg-type]


# -- the shipped contract suites pass against the fakes ------------------------------------


class TestFakeSourceMeetsTheSourceContract(SourceContract):
    @pytest.fixture
    def source(self) -> FakeSource:
        source = FakeSource(page_size=2, clock=FakeClock(T0))
        for i in range(5):
            source.put(f"k{i}", {"email": f"p{i}@example.com"}, modified_at=T0 + timedelta(i))
        return source


class TestFakeTargetMeetsTheTargetContract(TargetContract):
    @pytest.fixture
    def target(self) -> FakeTarget:
        return FakeTarget()

    @pytest.fixture
    def list_key(self, target: FakeTarget) -> str:
        target.create_list("contract")
        return "contract"


def test_the_fakes_implement_their_ports() -> None:
    assert (True, True, True) == (
        isinstance(FakeSource(), Source),
        isinstance(FakeTarget(), Target),
        isinstance(RecordingNotifier(), Notifier),
    )


# -- FakeSource --------------------------------------------------------------------------


def test_a_read_yields_pages_newest_first_then_by_key() -> None:
    source = FakeSource(page_size=2)
    source.put("b", {}, modified_at=T0)
    source.put("a", {}, modified_at=T0)
    source.put("c", {}, modified_at=T0 + timedelta(hours=1))

    assert [["c", "a"], ["b"]] == keys(source)


def test_a_read_since_an_instant_keeps_records_modified_at_or_after_it() -> None:
    source = FakeSource()
    source.put("old", {}, modified_at=T0)
    source.put("edge", {}, modified_at=T0 + timedelta(hours=1))
    source.put("new", {}, modified_at=T0 + timedelta(hours=2))

    assert [["new", "edge"]] == keys(source, since=T0 + timedelta(hours=1))


def test_a_read_resumed_at_a_page_position_starts_at_that_page() -> None:
    source = FakeSource(page_size=1)
    for key in "abc":
        source.put(key, {}, modified_at=T0)

    assert [["b"], ["c"]] == keys(source, resume="page:1")


def test_a_resume_position_the_source_never_gave_is_refused() -> None:
    with pytest.raises(ValueError, match="not a position"):
        FakeSource().read(resume="cursor-7")


def test_put_stamps_records_with_the_clock_by_default() -> None:
    source = FakeSource(clock=FakeClock(T0))

    record = source.put("a", {"email": "a@example.com"})

    assert T0 == record.modified_at


def test_the_default_schema_gains_a_text_field_for_every_unknown_value_name() -> None:
    source = FakeSource()
    source.put("a", {"email": "a@example.com", "Region": "South"})

    assert Field("Region") == source.schema().get("Region")


def test_a_given_schema_refuses_values_of_fields_it_lacks() -> None:
    source = FakeSource(schema=Schema.of(Field("email", FieldType.EMAIL)))

    with pytest.raises(ValueError, match="Region"):
        source.put("a", {"email": "a@example.com", "Region": "South"})


def test_reads_and_pages_are_recorded() -> None:
    source = FakeSource(page_size=1)
    source.put("a", {}, modified_at=T0)
    source.put("b", {}, modified_at=T0)

    list(source.read(since=T0))

    assert ([(T0, None)], 2) == (source.reads, source.pages_read)


def test_fail_next_read_raises_after_the_given_number_of_pages() -> None:
    source = FakeSource(page_size=1)
    for key in "abc":
        source.put(key, {}, modified_at=T0)
    source.fail_next_read(ServiceUnavailableError("down"), after_pages=1)
    pages = source.read()
    first = next(pages)

    with pytest.raises(ServiceUnavailableError):
        next(pages)
    assert ["a"] == [r.key for r in first.records]


def test_a_failure_hook_applies_to_one_read_only() -> None:
    source = FakeSource()
    source.put("a", {}, modified_at=T0)
    source.fail_next_read(ServiceUnavailableError("down"))
    with pytest.raises(ServiceUnavailableError):
        list(source.read())

    assert [["a"]] == keys(source)


def test_a_revoked_source_refuses_to_read() -> None:
    source = FakeSource()
    source.revoke()

    with pytest.raises(AuthenticationError):
        list(source.read())


def test_count_and_delete_track_the_records() -> None:
    source = FakeSource()
    source.put("a", {}, modified_at=T0)
    source.put("b", {}, modified_at=T0)

    source.delete("a")

    assert (1, ["b"]) == (source.count(), [r.key for r in source.records])


def test_the_on_page_hook_sees_every_page_before_it_is_yielded() -> None:
    source = FakeSource(page_size=1)
    source.put("a", {}, modified_at=T0)
    source.put("b", {}, modified_at=T0)
    positions: list[str] = []
    source.on_page = lambda page: positions.append(page.position)

    list(source.read())

    assert ["page:0", "page:1"] == positions


# -- FakeTarget --------------------------------------------------------------------------


@pytest.fixture
def target() -> FakeTarget:
    target = FakeTarget()
    target.create_list("news")
    return target


def test_an_upsert_to_a_list_that_does_not_exist_raises_list_not_found() -> None:
    with pytest.raises(ListNotFoundError):
        FakeTarget().upsert("nope", [contact("a@example.com")])


def test_a_new_email_is_added_and_the_same_email_in_other_case_is_updated(
    target: FakeTarget,
) -> None:
    first = target.upsert("news", [contact("Ann@example.com")])
    second = target.upsert("news", [contact("ann@EXAMPLE.com", **{"First Name": "Ann"})])

    assert [OutcomeKind.ADDED, OutcomeKind.UPDATED] == [first[0].kind, second[0].kind]


def test_an_update_changes_the_stored_values(target: FakeTarget) -> None:
    target.upsert("news", [contact("ann@example.com", **{"First Name": "A"})])
    target.upsert("news", [contact("ann@example.com", **{"First Name": "Ann"})])

    stored = target.contact("news", "ann@example.com")
    assert stored is not None
    assert "Ann" == stored["First Name"]


@pytest.mark.parametrize(
    ("email", "reason"),
    [("not-an-email", ReasonCode.INVALID_EMAIL), ("info@example.com", ReasonCode.GROUP_ADDRESS)],
)
def test_invalid_and_group_addresses_are_skipped_with_a_reason(
    target: FakeTarget, email: str, reason: ReasonCode
) -> None:
    (outcome,) = target.upsert("news", [contact(email)])

    assert (OutcomeKind.SKIPPED, reason) == (outcome.kind, outcome.reason)


@pytest.mark.parametrize(
    "values",
    [{"First Name": 5}, {"Unknown": "x"}],
    ids=["wrong type", "unknown field"],
)
def test_values_that_do_not_fit_the_fields_fail_as_target_rejected(
    target: FakeTarget, values: dict[str, object]
) -> None:
    (outcome,) = target.upsert("news", [contact("ann@example.com", **values)])

    assert (OutcomeKind.FAILED, ReasonCode.TARGET_REJECTED) == (outcome.kind, outcome.reason)


def test_typed_fields_accept_values_of_their_type() -> None:
    fields = [
        Field("Email", FieldType.EMAIL),
        Field("Amount", FieldType.DECIMAL),
        Field("Since", FieldType.DATE),
        Field("VIP", FieldType.BOOLEAN),
    ]
    target = FakeTarget(fields=fields)
    target.create_list("l")
    values = {"Email": "a@example.com", "Amount": Decimal("1.5"), "Since": date(2026, 1, 1)}

    (outcome,) = target.upsert("l", [TargetContact("a", "a@example.com", {**values, "VIP": True})])

    assert OutcomeKind.ADDED == outcome.kind


def test_a_new_contact_past_the_plan_limit_is_skipped_with_plan_limit() -> None:
    target = FakeTarget(plan_limit=1)
    target.create_list("news")

    outcomes = target.upsert("news", [contact("a@example.com"), contact("b@example.com")])

    assert [None, ReasonCode.PLAN_LIMIT] == [o.reason for o in outcomes]


def test_an_existing_contact_is_updated_even_at_the_plan_limit() -> None:
    target = FakeTarget(plan_limit=1)
    target.create_list("news")
    target.upsert("news", [contact("a@example.com")])

    (outcome,) = target.upsert("news", [contact("a@example.com")])

    assert OutcomeKind.UPDATED == outcome.kind


def test_auto_upgrade_accepts_contacts_past_the_limit_and_counts_them() -> None:
    target = FakeTarget(plan_limit=1, auto_upgrade=True)
    target.create_list("news")

    target.upsert("news", [contact("a@example.com"), contact("b@example.com")])

    assert (2, 1) == (len(target.lists["news"]), target.upgrades)


def test_a_double_opt_in_list_holds_new_contacts_and_mails_them_once() -> None:
    target = FakeTarget(confirmation_required=True)
    target.create_list("news")

    first = target.upsert("news", [contact("a@example.com")])
    target.upsert("news", [contact("a@example.com")])

    assert (ReasonCode.CONFIRMATION_PENDING, 1, {}) == (
        first[0].reason,
        target.confirmation_emails,
        target.lists["news"],
    )


def test_a_confirmed_contact_joins_the_list() -> None:
    target = FakeTarget(confirmation_required=True)
    target.create_list("news")
    target.upsert("news", [contact("a@example.com")])

    target.confirm("news", "a@example.com")

    assert ["a@example.com"] == list(target.lists["news"])


def test_a_required_field_without_a_value_is_skipped_as_mandatory_field_missing() -> None:
    target = FakeTarget(fields=[Field("Email", FieldType.EMAIL), Field("Name", required=True)])
    target.create_list("l")

    (outcome,) = target.upsert("l", [TargetContact("a", "a@example.com", {})])

    assert ReasonCode.MANDATORY_FIELD_MISSING == outcome.reason


def test_a_created_field_is_in_the_schema_and_a_second_one_of_that_name_is_refused(
    target: FakeTarget,
) -> None:
    target.create_field(Field("Country"))

    with pytest.raises(ConfigurationError):
        target.create_field(Field("Country"))
    assert (["Country"], True) == (target.fields_created, "Country" in target.schema())


def test_more_contacts_than_max_batch_in_one_call_is_a_caller_bug() -> None:
    target = FakeTarget(max_batch=1)
    target.create_list("news")

    with pytest.raises(ValueError, match="the most is 1"):
        target.upsert("news", [contact("a@example.com"), contact("b@example.com")])


def test_fail_next_upsert_raises_once_and_writes_nothing(target: FakeTarget) -> None:
    target.fail_next_upsert(ServiceUnavailableError("down"))

    with pytest.raises(ServiceUnavailableError):
        target.upsert("news", [contact("a@example.com")])
    assert ({}, [], 1) == (target.lists["news"], target.upserts, target.calls)


def test_revoked_credentials_make_upserts_raise_authentication_error(target: FakeTarget) -> None:
    target.revoke_credentials()

    with pytest.raises(AuthenticationError):
        target.upsert("news", [contact("a@example.com")])


def test_restored_credentials_make_upserts_work_again(target: FakeTarget) -> None:
    target.revoke_credentials()
    target.restore_credentials()

    (outcome,) = target.upsert("news", [contact("a@example.com")])

    assert OutcomeKind.ADDED == outcome.kind


def test_fail_writes_of_fails_that_contact_the_given_number_of_times(target: FakeTarget) -> None:
    target.fail_writes_of("a@example.com", times=1)

    first = target.upsert("news", [contact("a@example.com"), contact("b@example.com")])
    (second,) = target.upsert("news", [contact("a@example.com")])

    assert ([ReasonCode.TARGET_ERROR, None], OutcomeKind.ADDED) == (
        [o.reason for o in first],
        second.kind,
    )


def test_a_deleted_list_cannot_be_written(target: FakeTarget) -> None:
    target.delete_list("news")

    with pytest.raises(ListNotFoundError):
        target.upsert("news", [contact("a@example.com")])


def test_capacity_counts_each_contact_once_across_lists() -> None:
    target = FakeTarget(plan_limit=10, auto_upgrade=True)
    target.create_list("a")
    target.create_list("b")
    target.upsert("a", [contact("x@example.com")])
    target.upsert("b", [contact("x@example.com"), contact("y@example.com")])

    assert Capacity(used=2, limit=10, auto_upgrade=True) == target.capacity("a")


def test_a_target_that_does_not_report_added_answers_written() -> None:
    target = FakeTarget(reports_added=False)
    target.create_list("news")

    outcomes = target.upsert("news", [contact("a@example.com")])

    assert [UpsertOutcome("a@example.com", OutcomeKind.WRITTEN)] == outcomes


def test_upserts_record_the_emails_of_each_call(target: FakeTarget) -> None:
    target.upsert("news", [contact("a@example.com"), contact("b@example.com")])
    target.upsert("news", [contact("c@example.com")])

    assert [["a@example.com", "b@example.com"], ["c@example.com"]] == target.upserts


# -- RecordingNotifier -------------------------------------------------------------------


def test_the_recording_notifier_keeps_notifications_in_order() -> None:
    notifier = RecordingNotifier()
    for n, kind in enumerate([NotificationKind.RUN_COMPLETED, NotificationKind.RUN_FAILED]):
        notifier.notify(Notification(str(n), kind, "title", "summary", T0))

    assert [NotificationKind.RUN_COMPLETED, NotificationKind.RUN_FAILED] == notifier.kinds
