"""The data every benchmark uses: Zoho-like contacts, the schemas, the mapping, the criteria.

The rows come from :func:`fieldsync.testing.emulators.generate.iter_contacts` (seeded, so
every run sees the same data), flattened the way a source adapter hands them over: one
``SourceRecord`` per contact with plain values by source field name. About 10 % of the rows
are skipped: 5 % inactive customers (the criteria), 2 % without an email, 2 % with an
invalid one and 1 % repeating an earlier address.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.mapping import FieldMapping, MappingPlan
from fieldsync.domain.records import SourcePage, SourceRecord
from fieldsync.testing.emulators.generate import ContactMix, iter_contacts

__all__ = [
    "CRITERIA_TEXT",
    "MIX",
    "SOURCE_SCHEMA",
    "TARGET_SCHEMA",
    "criteria",
    "flatten",
    "mapping",
    "pages",
    "plan",
    "records",
]

MIX = ContactMix(
    missing_email=0.02,
    invalid_email=0.02,
    group_email=0.0,
    duplicate_email=0.01,
    inactive=0.05,
    vendor=0.0,
)
"""About 10 % skipped: 5 % by the criteria, 5 % by the email (missing, invalid, duplicate)."""

SOURCE_SCHEMA = Schema.of(
    Field("email", FieldType.EMAIL),
    Field("first_name"),
    Field("last_name"),
    Field("company_name"),
    Field("phone", FieldType.PHONE),
    Field("country"),
    Field("status", FieldType.PICKLIST),
    Field("outstanding_receivable_amount", FieldType.DECIMAL),
    Field("created_time", FieldType.DATETIME),
)

TARGET_SCHEMA = Schema.of(
    Field("Contact Email", FieldType.EMAIL, required=True),
    Field("First Name"),
    Field("Last Name"),
    Field("Company Name"),
    Field("Phone", FieldType.PHONE),
    Field("Country", custom=True),
    Field("Outstanding", FieldType.DECIMAL, custom=True),
    Field("Customer Since", FieldType.DATETIME, custom=True),
)

_PAIRS = (
    ("email", "Contact Email"),
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("company_name", "Company Name"),
    ("phone", "Phone"),
    ("country", "Country"),
    ("outstanding_receivable_amount", "Outstanding"),
    ("created_time", "Customer Since"),
)

CRITERIA_TEXT = 'status == "active"'


def mapping() -> FieldMapping:
    """The benchmark's mapping: eight fields, text, phone, decimal and datetime among them."""
    return FieldMapping.of(*_PAIRS)


def criteria() -> Criteria:
    """The benchmark's criteria: active customers only."""
    return Criteria.parse(CRITERIA_TEXT)


def plan() -> MappingPlan:
    """The mapping planned against the benchmark's schemas (no problems)."""
    checked = mapping().plan(SOURCE_SCHEMA, TARGET_SCHEMA)
    checked.raise_for_problems()
    return checked


def flatten(row: dict[str, Any]) -> SourceRecord:
    """One generated Zoho contact row as a source record."""
    return SourceRecord(
        key=row["contact_id"],
        modified_at=datetime.fromisoformat(row["last_modified_time"]),
        values={
            "email": row["email"],
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "company_name": row["company_name"],
            "phone": row["phone"],
            "country": row["billing_address"]["country"],
            "status": row["status"],
            "outstanding_receivable_amount": row["outstanding_receivable_amount"],
            "created_time": row["created_time"],
        },
    )


def records(n: int, *, seed: int = 7) -> Iterator[SourceRecord]:
    """``n`` source records, generated lazily (constant memory)."""
    return (flatten(row) for row in iter_contacts(n, seed=seed, mix=MIX))


def pages(items: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    """``items`` cut into lists of ``size`` (the last one may be shorter)."""
    page: list[SourceRecord] = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def source_pages(items: Iterable[SourceRecord], size: int) -> Iterator[SourcePage]:
    """``items`` as source pages whose position is the page number."""
    for number, page in enumerate(pages(items, size)):
        yield SourcePage(page, f"page:{number}")
