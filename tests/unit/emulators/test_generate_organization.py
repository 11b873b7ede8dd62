"""The organization generator: deterministic, realistic, and messy at the requested rates."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from fieldsync.domain.emails import is_valid_email
from fieldsync.testing.emulators._people import GROUP_LOCAL_PARTS
from fieldsync.testing.emulators.generate import (
    ContactMix,
    CustomFieldSpec,
    generate_organization,
    iter_contacts,
    parse_utc_offset,
)

N = 20_000


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return list(iter_contacts(N, seed=7))


def _share(count: int) -> float:
    return count / N


def test_the_same_seed_gives_the_same_organization() -> None:
    assert generate_organization(300, seed=3) == generate_organization(300, seed=3)


def test_different_seeds_give_different_contacts() -> None:
    first = generate_organization(50, seed=1).contacts
    second = generate_organization(50, seed=2).contacts

    assert [c["email"] for c in first] != [c["email"] for c in second]


def test_the_lazy_iterator_yields_the_rows_of_the_organization() -> None:
    organization = generate_organization(200, seed=5)

    assert list(organization.contacts) == list(iter_contacts(200, seed=5))


def test_the_iterator_is_lazy_enough_for_a_billion_rows() -> None:
    first_three = list(itertools.islice(iter_contacts(10**9, seed=1), 3))

    assert [row["contact_id"] for row in first_three] == [
        "460000000000000",
        "460000000000001",
        "460000000000002",
    ]


def test_contact_ids_are_unique(rows: list[dict[str, Any]]) -> None:
    assert len({row["contact_id"] for row in rows}) == N


def test_missing_emails_appear_at_about_the_requested_rate(rows: list[dict[str, Any]]) -> None:
    assert _share(sum(row["email"] == "" for row in rows)) == pytest.approx(0.03, abs=0.006)


def test_invalid_emails_appear_at_about_the_requested_rate(rows: list[dict[str, Any]]) -> None:
    invalid = sum(bool(row["email"]) and not is_valid_email(str(row["email"])) for row in rows)

    assert _share(invalid) == pytest.approx(0.03, abs=0.006)


def test_group_addresses_appear_at_about_the_requested_rate(rows: list[dict[str, Any]]) -> None:
    group = sum(str(row["email"]).split("@")[0] in GROUP_LOCAL_PARTS for row in rows)

    assert _share(group) == pytest.approx(0.01, abs=0.004)


def test_duplicate_emails_appear_at_about_the_requested_rate(rows: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    duplicates = 0
    for row in rows:
        email = str(row["email"]).lower()
        if not email or email.split("@")[0] in GROUP_LOCAL_PARTS:
            continue
        duplicates += email in seen
        seen.add(email)

    assert _share(duplicates) == pytest.approx(0.01, abs=0.004)


def test_some_emails_are_in_mixed_case(rows: list[dict[str, Any]]) -> None:
    mixed = sum(str(row["email"]) != str(row["email"]).lower() for row in rows)

    assert 0.1 < _share(mixed) < 0.2


def test_inactive_contacts_appear_at_about_the_requested_rate(
    rows: list[dict[str, Any]],
) -> None:
    assert _share(sum(row["status"] == "inactive" for row in rows)) == pytest.approx(0.1, abs=0.01)


def test_vendors_appear_at_about_the_requested_rate(rows: list[dict[str, Any]]) -> None:
    assert _share(sum(row["contact_type"] == "vendor" for row in rows)) == pytest.approx(
        0.05, abs=0.008
    )


def test_rates_can_be_changed() -> None:
    organization = generate_organization(2_000, seed=1, vendor_rate=0.5, inactive_rate=0.0)

    kinds = Counter(str(c["contact_type"]) for c in organization.contacts)
    assert kinds["vendor"] / 2_000 == pytest.approx(0.5, abs=0.05)
    assert all(c["status"] == "active" for c in organization.contacts)


def test_names_come_in_several_scripts(rows: list[dict[str, Any]]) -> None:
    names = " ".join(str(row["first_name"]) + str(row["last_name"]) for row in rows)

    assert re.search(r"[À-ÿ]", names)  # Latin with accents
    assert re.search(r"[\u4e00-\u9fff]", names)  # CJK
    assert re.search(r"[\u0600-\u06ff]", names)  # Arabic


def test_countries_include_india_the_united_states_and_germany(
    rows: list[dict[str, Any]],
) -> None:
    countries = {row["billing_address"]["country"] for row in rows}

    assert {"India", "United States", "Germany"} <= countries


def test_times_carry_the_organization_offset(rows: list[dict[str, Any]]) -> None:
    assert all(str(row["last_modified_time"]).endswith("+0530") for row in rows)


def test_a_contact_is_modified_after_it_was_created(rows: list[dict[str, Any]]) -> None:
    def parsed(text: object) -> datetime:
        return datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S%z")

    assert all(parsed(r["last_modified_time"]) >= parsed(r["created_time"]) for r in rows)


def test_custom_fields_are_zoho_entries_with_index_label_and_value() -> None:
    tier = CustomFieldSpec("Customer Tier", "dropdown")
    (row,) = iter_contacts(
        1, seed=11, custom_fields=(tier,), mix=ContactMix(empty_custom_value=0.0)
    )

    assert [(e["index"], e["label"]) for e in row["custom_fields"]] == [(1, "Customer Tier")]
    assert row["custom_field_hash"] == {"cf_customer_tier": row["custom_fields"][0]["value"]}


def test_custom_fields_without_a_value_are_left_out_of_the_row(
    rows: list[dict[str, Any]],
) -> None:
    entries = sum(len(row["custom_fields"]) for row in rows)

    assert entries / (4 * N) == pytest.approx(0.92, abs=0.01)


def test_custom_fields_are_given_by_label() -> None:
    organization = generate_organization(5, seed=1, custom_fields=("Region", "Account Manager"))

    assert organization.custom_field_labels == ("Region", "Account Manager")


def test_an_offset_with_a_colon_is_understood() -> None:
    assert parse_utc_offset("+05:30") == parse_utc_offset("+0530")


def test_a_malformed_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        parse_utc_offset("IST")


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        list(iter_contacts(-1))
