"""Zoho Campaigns field types and value formats <-> fieldsync's :class:`FieldType`.

``custom/add`` takes one of ``Text, Integer, Phone, Date, Picklist, Email, Checkbox,
LongInteger, URL, textarea, RadioOption, Multiselect, DateTime, Decimal, Percent``;
``contact/allfields`` reports a field's type in ``type`` or ``UITYPE`` (spellings vary in
case). Types fieldsync does not know read as :attr:`FieldType.TEXT`, which every source type
can feed.

Values travel as text inside ``contactinfo``. Zoho documents no value formats for the API;
the date formats below are the ones Zoho's contact import documents (``mm/dd/yyyy`` and
``mm/dd/yyyy hh:mm:ss``, checkboxes ``true``/``false``) and are kept in one place each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from fieldsync.domain.fields import FieldType

__all__ = [
    "CAMPAIGNS_TYPES",
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "campaigns_type",
    "field_type",
    "to_campaigns_value",
]

DATE_FORMAT = "%m/%d/%Y"
DATETIME_FORMAT = "%m/%d/%Y %H:%M:%S"  # sent in UTC

# The type custom/add is asked for, per fieldsync type. INTEGER becomes LongInteger because
# fieldsync's integers are 64-bit and Campaigns' "Integer" may not be.
CAMPAIGNS_TYPES: Mapping[FieldType, str] = {
    FieldType.TEXT: "Text",
    FieldType.TEXTAREA: "textarea",
    FieldType.EMAIL: "Email",
    FieldType.PHONE: "Phone",
    FieldType.URL: "URL",
    FieldType.INTEGER: "LongInteger",
    FieldType.DECIMAL: "Decimal",
    FieldType.DATE: "Date",
    FieldType.DATETIME: "DateTime",
    FieldType.BOOLEAN: "Checkbox",
    FieldType.PICKLIST: "Picklist",
}

# Reading types back: by lower-case name. Multiselect holds several values, which a field
# fieldsync writes as one text does not model, so it reads as TEXT.
_FROM_CAMPAIGNS: Mapping[str, FieldType] = {
    "text": FieldType.TEXT,
    "textarea": FieldType.TEXTAREA,
    "email": FieldType.EMAIL,
    "phone": FieldType.PHONE,
    "url": FieldType.URL,
    "integer": FieldType.INTEGER,
    "longinteger": FieldType.INTEGER,
    "decimal": FieldType.DECIMAL,
    "percent": FieldType.DECIMAL,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "checkbox": FieldType.BOOLEAN,
    "picklist": FieldType.PICKLIST,
    "radiooption": FieldType.PICKLIST,
    "multiselect": FieldType.TEXT,
}


def campaigns_type(field_type: FieldType) -> str:
    """The ``fieldtype`` to ask ``custom/add`` for, for a field of ``field_type``."""
    return CAMPAIGNS_TYPES[field_type]


def field_type(raw: object) -> FieldType:
    """The fieldsync type of a Campaigns type name (any case); unknown ones are TEXT."""
    if not isinstance(raw, str):
        return FieldType.TEXT
    key = raw.strip().lower().replace(" ", "").replace("_", "")
    return _FROM_CAMPAIGNS.get(key, FieldType.TEXT)


def to_campaigns_value(value: object) -> str:
    """A mapped value as the text ``contactinfo`` carries.

    ``None`` (clear the field) is ``""``; booleans ``"true"``/``"false"``; decimals in
    plain notation (``Decimal("1E+3")`` is ``"1000"``); dates :data:`DATE_FORMAT`;
    datetimes in UTC, :data:`DATETIME_FORMAT` (a naive one is taken as UTC).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)
