"""The list comparison of ``verify``, with plain data: the three views in, the kinds out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldsync import (
    ListMember,
    MemberStatus,
    OnSourceChange,
    ReasonCode,
    RunCounts,
    StoredFingerprint,
    SyncOptions,
)
from fieldsync.domain.drift import Expected, FieldDrift, VerifyReport, compare, value_text

EMAIL = "Contact Email"


def member(email: str, status: MemberStatus = MemberStatus.ACTIVE, **values: str) -> ListMember:
    return ListMember(email, status, {EMAIL: email, **values})


def written(email: str, rejected: ReasonCode | None = None) -> StoredFingerprint:
    return StoredFingerprint("f", email, rejected)


def report(**found: object) -> VerifyReport:
    at = datetime(2026, 5, 4, tzinfo=UTC)
    return VerifyReport("s", "list", at, 0, 0, **found)  # type: ignore[arg-type]


def test_each_kind_is_found_once() -> None:
    expected = [
        Expected("1", "ann@example.com", {EMAIL: "ann@example.com", "First Name": "Ann"}),
        Expected("2", "bob@example.com", {EMAIL: "bob@example.com", "First Name": "Bob"}),
        Expected("3", "cy@example.com", {"First Name": "Cy", "Region": "North"}),
        Expected("4", "dee@example.com", {}),
        Expected("5", "eve@example.com", {}),
        Expected("6", "new@example.com", {}),  # never written: the next run's business
        Expected("7", "fay.new@example.com", {}),  # its address changed since the last run
    ]
    stored = {
        "1": written("ann@example.com"),
        "2": written("bob@example.com"),
        "3": written("cy@example.com"),
        "4": written("dee@example.com"),
        "5": written("eve@example.com", ReasonCode.DO_NOT_MAIL),
        "7": written("fay@example.com"),
    }
    members = [
        member("ann@example.com", **{"First Name": "Ann "}),  # spaces are not drift
        member("CY@example.com", **{"First Name": "Edited"}),
        member("dee@example.com", MemberStatus.BOUNCED),
        member("eve@example.com"),  # active again
        member("stranger@example.org"),
        member("gone@example.com"),
        member("fay@example.com"),
        member("left@example.com", MemberStatus.UNSUBSCRIBED),
        member("other@example.org", MemberStatus.UNSUBSCRIBED),  # not ours, out: unreported
    ]
    owners = {"gone@example.com": "9", "fay@example.com": "7", "left@example.com": "8"}
    source = {str(n): None for n in range(1, 8)} | {"7": "fay.new@example.com"}

    found = compare(expected, stored, members, owners, source, email_field=EMAIL)

    assert ("2",) == found.missing
    assert (FieldDrift("3", "CY@example.com", {"First Name": ("Edited", "Cy")}),) == found.differing
    assert {"dee@example.com": ReasonCode.BOUNCED} == found.refused
    assert ("eve@example.com",) == found.cleared
    assert ("stranger@example.org",) == found.not_ours
    assert ("gone@example.com",) == found.deleted  # "left" is out of the list already
    assert ("fay@example.com",) == found.replaced


def test_a_record_the_sync_skips_now_keeps_its_address_without_being_replaced() -> None:
    owners = {"kept@example.com": "1"}
    found = compare(
        [], {}, [member("kept@example.com")], owners, {"1": "kept@example.com"}, email_field=EMAIL
    )
    assert () == found.replaced == found.deleted == found.not_ours


@pytest.mark.parametrize("policy", list(OnSourceChange))
def test_only_the_unsubscribe_policies_make_deleted_and_replaced_drift(
    policy: OnSourceChange,
) -> None:
    options = SyncOptions(on_source_delete=policy, on_email_change=policy)
    found = report(deleted=("a@example.com",), replaced=("b@example.com",), options=options)
    assert found.drift is (policy is OnSourceChange.UNSUBSCRIBE)
    assert not report(not_ours=("x@example.com",), refused={"y": ReasonCode.SPAM}).drift
    assert report(missing=("1",)).drift


def test_the_report_says_which_fields_cannot_be_read_back() -> None:
    assert "Region not compared" in report(unreadable=("Region",)).note
    assert "The list matches" in str(report())
    assert "" == value_text(None)


def test_readded_is_part_of_added_and_deleted_stands_beside_the_total() -> None:
    counts = RunCounts(added=3, readded=2, deleted=4)
    assert 3 == counts.total
    assert "3 added (2 re-added)" in str(counts)
    assert "4 deleted in the source" in str(counts)
    assert 4 == (counts + RunCounts(readded=0)).deleted
    with pytest.raises(ValueError, match="part of added"):
        RunCounts(added=1, readded=2)
