"""Zoho Invoice contact rows as fieldsync values: the schema, conversions, times, positions.

Pure functions over the JSON the API answers; :mod:`fieldsync.zoho.invoice` does the HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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

# Zoho writes `+0530`; `+05:30` and `Z` for UTC are accepted as well. The pattern checks the
# form (offset minutes under 60, which `datetime.fromisoformat` would carry into the hour);
# `fromisoformat` checks the ranges. Fractions of a second are dropped.
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?[0-5]\d)")


def parse_zoho_time(text: str) -> datetime:
    """An aware datetime from ``2013-10-07T18:24:51+0530`` (``+05:30`` and ``Z`` too).

    Raises:
        ValueError: not such a time, or one without an offset.
    """
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a Zoho time with an offset: {text!r}")
    day, clock, offset = match.groups()
    return datetime.fromisoformat(f"{day}T{clock}{offset}")


class CustomFields:
    """The organization's contact custom fields known so far, by label, in a stable order.

    Labels come from the caller (declared) and from rows (discovered). A label equal to a
    standard field name is renamed ``"<label> (custom)"`` so both stay reachable.
    """

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self._types: dict[str, FieldType] = {}
        self._order: dict[str, int] = {}
        self._names: tuple[str, ...] | None = None  # field names of the labels, when known
        labels = tuple(dict.fromkeys(declared))
        for position, label in enumerate(labels):
            self._types[label] = FieldType.TEXT
            self._order[label] = position - len(labels)  # before every Zoho index

    def note(self, row: Mapping[str, Any]) -> None:
        """Learn the labels and types of the custom fields in one row."""
        for entry in _entries(row):
            label = str(entry["label"])
            known = self._types.get(label)
            if known is not None and known is not FieldType.TEXT:
                continue  # typed already: the first type seen stays
            self._types[label] = _CUSTOM_TYPES.get(str(entry.get("data_type", "")), FieldType.TEXT)
            self._order.setdefault(label, _int(entry.get("index"), default=10_000))
            if known is None:
                self._names = None

    def fields(self) -> tuple[Field, ...]:
        """The custom fields as schema fields (declared first, then by Zoho's index)."""
        labels = sorted(self._types, key=lambda label: (self._order[label], label))
        return tuple(Field(field_name(label), self._types[label], custom=True) for label in labels)

    def names(self) -> tuple[str, ...]:
        """The field name of every label known so far (see :func:`field_name`)."""
        if self._names is None:
            self._names = tuple(field_name(label) for label in self._types)
        return self._names

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
    values = {name: _convert(row.get(name), parse) for name, parse in _STANDARD_PARSERS}
    values.update(dict.fromkeys(custom.names()))
    for entry in _entries(row):
        label = str(entry["label"])
        parse = _PARSERS.get(custom.type_of(label))
        values[field_name(label)] = _convert(entry.get("value"), parse)
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


def _convert(raw: object, parse: Callable[[object], object] | None) -> object:
    """A JSON value as a typed Python value (``parse`` is its type's, ``None`` for a type
    kept as text); text the type cannot take stays text."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if not raw.strip():
            return None
        if parse is None:
            return str(raw)  # a subclass of str as a str
    elif isinstance(raw, dict | list):
        # Kept as it came: the mapping refuses it for a scalar field (conversion_error),
        # where str() would have sent a Python repr such as "{'a': 1}".
        return raw
    elif parse is None:
        return str(raw)
    try:
        return parse(raw)
    except (ValueError, InvalidOperation, ArithmeticError):
        return str(raw)


def _boolean(raw: object) -> bool:
    return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1", "yes")


# How a non-empty scalar becomes each type that is not kept as text.
_PARSERS: dict[FieldType, Callable[[object], object]] = {
    FieldType.DECIMAL: lambda raw: Decimal(str(raw)),
    FieldType.INTEGER: lambda raw: int(Decimal(str(raw))),
    FieldType.DATETIME: lambda raw: parse_zoho_time(str(raw)),
    FieldType.DATE: lambda raw: date.fromisoformat(str(raw)[:10]),
    FieldType.BOOLEAN: _boolean,
}
# Looked up once: an enum member hashes in Python, slowly, and rows come by the thousand.
_STANDARD_PARSERS = tuple((field.name, _PARSERS.get(field.type)) for field in STANDARD_FIELDS)


def _int(raw: object, *, default: int) -> int:
    try:
        return int(str(raw))
    except ValueError:
        return default
