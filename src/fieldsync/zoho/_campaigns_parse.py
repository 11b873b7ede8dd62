"""Reading Zoho Campaigns answers into fieldsync values, tolerant of the shapes seen.

``contact/allfields`` answers ``{"response": {"fieldnames": {"fieldname": [...]}}}``, and
some clients meet ``{"response": {"fieldname": [...]}}``; a field's type comes as ``type``
or ``UITYPE``; flags and counts come as booleans, numbers or text. All of these are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.exceptions import TransportError
from fieldsync.zoho._field_types import field_type

__all__ = [
    "DEFAULT_FIELD_LENGTH",
    "EMAIL_FIELD",
    "STANDARD_FIELD_NAMES",
    "MailingList",
    "alphanumeric",
    "list_rows",
    "schema_from",
    "to_int",
]

EMAIL_FIELD = "Contact Email"  # the display name contactinfo carries the address under
_EMAIL_FIELD_NAME = "contact_email"
# FIELD_NAMEs of Campaigns' built-in contact fields; any other field is a custom one
# (when the answer does not flag custom fields itself).
STANDARD_FIELD_NAMES = frozenset(
    {
        "contact_email", "title", "salutation", "firstname", "lastname", "job_title",
        "companyname", "phone", "mobile", "secondary_email", "fax", "department",
        "industry", "country", "state", "city", "zip", "street", "lead_source", "website",
    }
)  # fmt: skip
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]+")
DEFAULT_FIELD_LENGTH = 255
"""The length assumed for a text field whose length ``contact/allfields`` does not
give (unconfirmed: Zoho documents no lengths; 255 is what fieldsync creates text fields
with). Longer values are cut to it when mapped."""
_TEXT_TYPES = frozenset(
    {FieldType.TEXT, FieldType.TEXTAREA, FieldType.PICKLIST, FieldType.PHONE, FieldType.URL}
)


class MailingList(NamedTuple):
    """A Campaigns mailing list: its key, its name and its contact count (when given)."""

    key: str
    name: str
    contacts: int | None


def alphanumeric(name: str) -> str:
    """``name`` with everything but ASCII letters and digits removed (``custom/add`` takes
    only those): ``"Customer Type"`` -> ``"CustomerType"``."""
    return _NOT_ALPHANUMERIC.sub("", name)


def _field_rows(body: Mapping[str, object]) -> list[Mapping[str, object]]:
    inner = body.get("response", body)
    if not isinstance(inner, Mapping):
        return []
    found: object = inner.get("fieldnames", inner.get("fieldname"))
    if isinstance(found, Mapping) and "fieldname" in found:
        found = found["fieldname"]
    if isinstance(found, Mapping):
        found = [found]  # a single field may come as an object rather than a list
    if not isinstance(found, list):
        return []
    return [row for row in found if isinstance(row, Mapping)]


def _text(row: Mapping[str, object], *keys: str) -> str | None:
    for key in keys:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _field(row: Mapping[str, object]) -> Field | None:
    name = _text(row, "DISPLAY_NAME", "display_name", "FIELD_DISPLAY_NAME")
    if name is None:
        return None
    field_name = (_text(row, "FIELD_NAME", "field_name") or "").lower()
    is_email = field_name == _EMAIL_FIELD_NAME or name.lower() == EMAIL_FIELD.lower()
    flag = next((row[k] for k in ("IS_CUSTOM", "is_custom", "CUSTOM_FIELD") if k in row), None)
    kind = FieldType.EMAIL if is_email else field_type(_text(row, "type", "UITYPE", "TYPE"))
    return Field(
        name=name,
        type=kind,
        required=is_email or _truthy(row.get("IS_MANDATORY", row.get("is_mandatory"))),
        custom=_truthy(flag) if flag is not None else field_name not in STANDARD_FIELD_NAMES,
        max_length=_length(row, kind),
    )


def _length(row: Mapping[str, object], kind: FieldType) -> int | None:
    """The field's length as the answer gives it, else :data:`DEFAULT_FIELD_LENGTH` for
    text (non-text fields: none)."""
    for key in ("FIELD_LENGTH", "field_length", "fieldlength", "MAX_LENGTH", "maxlength"):
        given = to_int(row.get(key))
        if given is not None and given > 0:
            return given
    return DEFAULT_FIELD_LENGTH if kind in _TEXT_TYPES else None


def schema_from(body: Mapping[str, object], *, endpoint: str) -> Schema:
    """The contact schema in a ``contact/allfields`` answer; field names are display names.

    Raises:
        TransportError: the answer lists no contact email field (a truncated or malformed
            answer: every account has one), so it is retried like one.
    """
    fields: dict[str, Field] = {}
    email: str | None = None
    for row in _field_rows(body):
        field = _field(row)
        if field is None or field.name in fields:
            continue
        fields[field.name] = field
        if email is None and field.type is FieldType.EMAIL and field.required:
            email = field.name
    if email is None:
        raise TransportError(
            "Zoho Campaigns answered a field list without its Contact Email field",
            endpoint=endpoint,
        )
    return Schema.of(*fields.values(), email_field=email)


def to_int(value: object) -> int | None:
    """A count sent as a number or as text, or ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def list_rows(body: Mapping[str, object]) -> Sequence[MailingList]:
    """The lists in a ``getmailinglists`` answer (rows without a key are left out)."""
    rows = body.get("list_of_details")
    if isinstance(rows, Mapping):
        rows = [rows]
    if not isinstance(rows, list):
        return []
    found = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        key = _text(row, "listkey", "list_key")
        if key is not None:
            name = _text(row, "listname", "list_name") or key
            found.append(MailingList(key, name, to_int(row.get("noofcontacts"))))
    return found
