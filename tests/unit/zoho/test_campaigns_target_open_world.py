"""ZohoCampaignsTarget in the open world: consent refusals, bounces, reading a list back."""

from __future__ import annotations

import httpx
import pytest
from test_campaigns_target import ADDED, UPDATED, Rig, contact, kinds

from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind
from fieldsync.exceptions import ListNotFoundError
from fieldsync.ports import ListReader

SUBSCRIBE = "POST json/listsubscribe"
READ = "GET getlistsubscribers"


def test_consent_refusals_skip_the_contact_with_its_reason_code_and_zohos_message() -> None:
    rig = Rig()
    for email in ("a@example.com", "b@example.com"):
        rig.target().upsert(rig.list_key, [contact(email)])
    rig.emulator.do_not_mail("dnm@example.com")
    rig.emulator.unsubscribe(rig.list_key, "a@example.com")
    rig.emulator.report_spam("b@example.com")
    rig.emulator.calls.clear()

    outcomes = rig.target().upsert(
        rig.list_key,
        [contact(e) for e in ("dnm@example.com", "a@example.com", "b@example.com")],
    )

    assert [
        (OutcomeKind.SKIPPED, ReasonCode.DO_NOT_MAIL),
        (OutcomeKind.SKIPPED, ReasonCode.UNSUBSCRIBED),
        (OutcomeKind.SKIPPED, ReasonCode.SPAM),
    ] == kinds(outcomes)
    assert outcomes[0].message.startswith("Zoho Campaigns code 2006: ")
    assert "Do-Not-Mail" in outcomes[0].message
    assert 3 == rig.emulator.calls[SUBSCRIBE]  # one call each: never retried


def test_a_bounce_refused_is_skipped_as_bounced() -> None:
    rig = Rig(bounce_answer="error")
    rig.emulator.hard_bounce("ann@example.com")

    (outcome,) = rig.target().upsert(rig.list_key, [contact("ann@example.com")])

    assert (OutcomeKind.SKIPPED, ReasonCode.BOUNCED) == (outcome.kind, outcome.reason)


def test_a_bounce_ignored_reads_as_a_write_the_list_does_not_show() -> None:
    rig = Rig(bounce_answer="ignored")
    rig.target().upsert(rig.list_key, [contact("ann@example.com", **{"First Name": "Ann"})])
    rig.emulator.hard_bounce("ann@example.com")

    outcomes = rig.target().upsert(
        rig.list_key, [contact("ann@example.com", **{"First Name": "Annie"})]
    )

    assert [UPDATED] == kinds(outcomes)
    assert "Ann" == rig.emulator.subscribers(rig.list_key)["ann@example.com"]["First Name"]


def test_an_unknown_refusal_fails_only_that_contact_and_the_batch_goes_on() -> None:
    rig = Rig()
    rig.emulator.refuse("odd@example.com", "7321", "Something about this contact.")

    outcomes = rig.target().upsert(
        rig.list_key, [contact(e) for e in ("a@example.com", "odd@example.com", "b@example.com")]
    )

    assert [ADDED, (OutcomeKind.FAILED, ReasonCode.TARGET_REJECTED), ADDED] == kinds(outcomes)
    assert "Zoho Campaigns code 7321: Something about this contact." == outcomes[1].message
    assert 3 == rig.emulator.calls[SUBSCRIBE]


def test_the_target_reads_its_list_back_by_status_a_page_at_a_time() -> None:
    rig = Rig()
    target = rig.target()
    emails = [f"p{i:04d}@example.com" for i in range(1400)]
    for low in range(0, len(emails), 50):
        batch = emails[low : low + 50]
        target.upsert(rig.list_key, [contact(e, **{"First Name": e[:5]}) for e in batch])
    rig.emulator.hard_bounce(emails[3])
    rig.emulator.unsubscribe(rig.list_key, emails[7])
    rig.emulator.calls.clear()

    active = list(target.members(rig.list_key, status=MemberStatus.ACTIVE))
    bounced = list(target.members(rig.list_key, status=MemberStatus.BOUNCED))
    unsubscribed = list(target.members(rig.list_key, status=MemberStatus.UNSUBSCRIBED))

    assert sorted(set(emails) - {emails[3], emails[7]}) == sorted(m.email for m in active)
    assert [emails[3]] == [m.email for m in bounced]
    assert [(emails[7], MemberStatus.UNSUBSCRIBED)] == [(m.email, m.status) for m in unsubscribed]
    assert {"Contact Email": emails[0], "First Name": "p0000"} == {
        k: v for k, v in active[0].values.items() if v
    }
    assert active[0].member_id is not None
    assert active[0].added is not None
    # 1398 active members: 3 pages of 650 (the third short); one page for each other status.
    assert 3 + 1 + 1 == rig.emulator.calls[READ]


def test_counts_by_status_include_spam() -> None:
    rig = Rig()
    target = rig.target()
    target.upsert(rig.list_key, [contact("a@example.com"), contact("b@example.com")])
    rig.emulator.report_spam("a@example.com")

    counts = {s: target.member_count(rig.list_key, status=s) for s in MemberStatus}

    assert {
        MemberStatus.ACTIVE: 1,
        MemberStatus.UNSUBSCRIBED: 0,
        MemberStatus.BOUNCED: 0,
        MemberStatus.SPAM: 1,
    } == counts


def test_spam_members_cannot_be_listed() -> None:
    rig = Rig()

    with pytest.raises(ValueError, match="count them"):
        list(rig.target().members(rig.list_key, status=MemberStatus.SPAM))


def test_an_empty_list_reads_as_no_members_in_one_call() -> None:
    rig = Rig()

    assert [] == list(rig.target().members(rig.list_key, status=MemberStatus.ACTIVE))
    assert 1 == rig.emulator.calls[READ]


def test_reading_a_deleted_list_is_list_not_found() -> None:
    rig = Rig()
    rig.emulator.delete_list(rig.list_key)

    with pytest.raises(ListNotFoundError):
        list(rig.target().members(rig.list_key, status=MemberStatus.ACTIVE))


def test_a_smaller_maximum_range_falls_back_to_pages_of_200() -> None:
    rig = Rig()

    class SmallerRange(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.params.get("range") == "650":
                body = {"status": "error", "code": "6502", "message": "range above maximum"}
                return httpx.Response(200, json=body)
            return rig.emulator.handle_request(request)

    target = rig.target(SmallerRange())
    target.upsert(rig.list_key, [contact("a@example.com")])

    members = list(target.members(rig.list_key, status=MemberStatus.ACTIVE))

    assert [ListMember] == [type(m) for m in members]


def test_unsubscribing_makes_the_contact_read_as_unsubscribed() -> None:
    rig = Rig()
    target = rig.target()
    target.upsert(rig.list_key, [contact("a@example.com")])

    target.unsubscribe(rig.list_key, "a@example.com")

    assert {"a@example.com": "unsub"} == rig.emulator.statuses(rig.list_key)
    assert 1 == rig.emulator.calls["POST json/listunsubscribe"]


def test_the_target_is_a_list_reader() -> None:
    assert isinstance(Rig().target(), ListReader)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("dropped", [ADDED]), ("error", [(OutcomeKind.SKIPPED, ReasonCode.TARGET_REJECTED)])],
)
def test_a_contact_naming_a_deleted_field_is_handled_whichever_way_zoho_answers(
    answer: str, expected: list[tuple[OutcomeKind, ReasonCode | None]]
) -> None:
    rig = Rig(unknown_field_answer=answer)
    rig.emulator.add_field("Region")
    rig.emulator.delete_field("Region")

    outcomes = rig.target().upsert(rig.list_key, [contact("a@example.com", Region="EMEA")])

    assert expected == kinds(outcomes)


class Recording(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.forms: list[set[str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("json/listsubscribe"):
            self.forms.append(set(httpx.QueryParams(request.read().decode()).keys()))
        return self.inner.handle_request(request)


def test_a_refused_contact_is_never_resubscribed_with_donotmail_resub() -> None:
    rig = Rig()
    rig.emulator.do_not_mail("a@example.com")
    recording = Recording(rig.emulator)

    rig.target(recording).upsert(rig.list_key, [contact("a@example.com"), contact("b@x.com")])

    assert [{"listkey", "resfmt", "contactinfo"}] * 2 == recording.forms
