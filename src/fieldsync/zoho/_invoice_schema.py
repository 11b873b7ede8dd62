"""Zoho Invoice contact rows as fieldsync values: the schema, conversions, times, positions.

Pure functions over the JSON the API answers; :mod:`fieldsync.zoho.invoice` does the HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from fieldsync.domain.fields import Field, FieldType

__all__ = [
    "STANDARD_FIELDS",
    "CustomFields",
    "Position",
    "field_name",
    "parse_zoho_time",
    "row_values",
]

# The contact fields every row of GET contacts carries, in the order the schema lists them.
STANDARD_FIELDS: tuple[Field, ...] = (
    Field("contact_id", FieldType.TEXT, required=True),
    Field("contact_name", FieldType.TEXT, required=True),
    Field("company_name", FieldType.TEXT),
    Field("first_name", FieldType.TEXT),
    Field("last_name", FieldType.TEXT),
    Field("email", FieldType.EMAIL),
    Field("phone", FieldType.PHONE),
    Field("mobile", FieldType.PHONE),
    Field("website", FieldType.URL),
    Field("status", FieldType.PICKLIST),
    Field("contact_type", FieldType.PICKLIST),
    Field("customer_sub_type", FieldType.PICKLIST),
    Field("currency_code", FieldType.TEXT),
    Field("outstanding_receivable_amount", FieldType.DECIMAL),
    Field("unused_credits_receivable_amount", FieldType.DECIMAL),
    Field("payment_terms", FieldType.INTEGER),
    Field("language_code", FieldType.TEXT),
    Field("created_time", FieldType.DATETIME),
    Field("last_modified_time", FieldType.DATETIME),
)
_STANDARD_NAMES = frozenset(field.name for field in STANDARD_FIELDS)

# Zoho custom field data types (Books' list; Invoice uses the same names) -> FieldType.
_CUSTOM_TYPES: dict[str, FieldType] = {
    "string": FieldType.TEXT,
    "multiline": FieldType.TEXTAREA,
    "email": FieldType.EMAIL,
    "url": FieldType.URL,
    "phone": FieldType.PHONE,
    "number": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "amount": FieldType.DECIMAL,
    "percent": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "date_time": FieldType.DATETIME,
    "datetime": FieldType.DATETIME,
    "check_box": FieldType.BOOLEAN,
    "dropdown": FieldType.PICKLIST,
}

# Zoho writes `+0530`; Python before 3.12 needs the offset with or without the colon spelt
# out, and `Z` for UTC is accepted as well.
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})")


def parse_zoho_time(text: str) -> datetime:
    """An aware datetime from ``2013-10-07T18:24:51+0530`` (``+05:30`` and ``Z`` too).

    Raises:
        ValueError: not such a time, or one without an offset.
    """
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a Zoho time with an offset: {text!r}")
    day, clock, offset = match.groups()
    offset = "+0000" if offset == "Z" else offset.replace(":", "")
    return datetime.strptime(f"{day}T{clock}{offset}", "%Y-%m-%dT%H:%M:%S%z")


class CustomFields:
    """The organization's contact custom fields known so far, by label, in a stable order.

    Labels come from the caller (declared) and from rows (discovered). A label equal to a
    standard field name is renamed ``"<label> (custom)"`` so both stay reachable.
    """

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self._types: dict[str, FieldType] = {}
        self._order: dict[str, int] = {}
        labels = tuple(dict.fromkeys(declared))
        for position, label in enumerate(labels):
            self._types[label] = FieldType.TEXT
            self._order[label] = position - len(labels)  # before every Zoho index

    def note(self, row: Mapping[str, Any]) -> None:
        """Learn the labels and types of the custom fields in one row."""
        for entry in _entries(row):
            label = str(entry["label"])
            kind = _CUSTOM_TYPES.get(str(entry.get("data_type", "")), FieldType.TEXT)
            if label not in self._types or self._types[label] is FieldType.TEXT:
                self._types[label] = kind
            self._order.setdefault(label, _int(entry.get("index"), default=10_000))

    def fields(self) -> tuple[Field, ...]:
        """The custom fields as schema fields (declared first, then by Zoho's index)."""
        labels = sorted(self._types, key=lambda label: (self._order[label], label))
        return tuple(Field(field_name(label), self._types[label], custom=True) for label in labels)

    def labels(self) -> tuple[str, ...]:
        """Every label known so far."""
        return tuple(self._types)

    def type_of(self, label: str) -> FieldType:
        """The type of a known label (``TEXT`` for an unknown one)."""
        return self._types.get(label, FieldType.TEXT)


def field_name(label: str) -> str:
    """The field name of a custom field (its label, unless a standard field has it)."""
    return f"{label} (custom)" if label in _STANDARD_NAMES else label


def row_values(row: Mapping[str, Any], custom: CustomFields) -> dict[str, object]:
    """A row's values by field name: standard fields typed, custom fields flattened by label.

    Every known field is present; an empty value (``""``, ``null``, a custom field the row
    leaves out) is ``None``, so "update empty values" can clear it in the target.
    """
    values: dict[str, object] = {f.name: _convert(row.get(f.name), f.type) for f in STANDARD_FIELDS}
    for label in custom.labels():
        values[field_name(label)] = None
    for entry in _entries(row):
        label = str(entry["label"])
        values[field_name(label)] = _convert(entry.get("value"), custom.type_of(label))
    return values


@attrs.frozen
class Position:
    """Where a read is: the page to read (again) and the ``since`` the read was made with."""

    page: int
    since: datetime | None = None

    def encode(self) -> str:
        """The opaque text kept in a checkpoint: ``page=3`` or ``page=3;since=<iso>``."""
        since = f";since={self.since.isoformat()}" if self.since is not None else ""
        return f"page={self.page}{since}"

    @classmethod
    def decode(cls, text: str) -> Position:
        """The position ``encode`` wrote.

        Raises:
            ValueError: text that ``encode`` did not write.
        """
        match = re.fullmatch(r"page=(\d+)(?:;since=(.+))?", text)
        if match is None or int(match[1]) < 1:
            raise ValueError(f"not a Zoho Invoice read position: {text!r}")
        since = datetime.fromisoformat(match[2]) if match[2] else None
        return cls(page=int(match[1]), since=since)


def _entries(row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = row.get("custom_fields")
    if not isinstance(raw, list):
        return []
    return [e for e in raw if isinstance(e, Mapping) and str(e.get("label", "")).strip()]


def _convert(raw: object, kind: FieldType) -> object:
    """A JSON value as a typed Python value; text the type cannot take stays text."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dict | list):
        # Kept as it came: the mapping refuses it for a scalar field (conversion_error),
        # where str() would have sent a Python repr such as "{'a': 1}".
        return raw
    try:
        if kind is FieldType.DECIMAL:
            return Decimal(str(raw))
        if kind is FieldType.INTEGER:
            return int(Decimal(str(raw)))
        if kind is FieldType.DATETIME:
            return parse_zoho_time(str(raw))
        if kind is FieldType.DATE:
            return date.fromisoformat(str(raw)[:10])
        if kind is FieldType.BOOLEAN:
            return (
                raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1", "yes")
            )
    except (ValueError, InvalidOperation, ArithmeticError):
        return str(raw)
    return str(raw)


def _int(raw: object, *, default: int) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return default
