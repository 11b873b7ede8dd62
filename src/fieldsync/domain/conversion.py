"""Converting source values to the types of target fields.

Which source types may feed which target types (checked once, when a mapping is planned)::

    source type                                  may feed
    TEXT TEXTAREA PICKLIST EMAIL PHONE URL       any text-like target
    INTEGER                                      INTEGER, DECIMAL, text-like
    DECIMAL                                      DECIMAL, text-like
    DATE                                         DATE, DATETIME, text-like
    DATETIME                                     DATETIME, DATE, text-like
    BOOLEAN                                      BOOLEAN, text-like

A converter turns one source value into the Python type of its target field (``str`` for
text-like fields, ``int``, ``decimal.Decimal``, ``datetime.date``, ``datetime.datetime``,
``bool``), returns ``None`` for an empty value (``None``, ``""``, whitespace only) and raises
:class:`Unconvertible` when the value cannot be converted. Converters accept the forms real
sources send, which are often strings whatever the field's type (Zoho's JSON carries dates
and some amounts as text):

- numbers: ``"42"``, ``"-1234.50"``, and English thousands grouping ``"1,234.50"`` (groups
  of exactly three digits before a ``.`` decimal point, as Zoho's formatted amounts and
  English-locale spreadsheets write them). Any other use of ``,`` is refused rather than
  guessed at: ``"1.234,50"`` or ``"1,23"`` could mean two different numbers. Exponents,
  underscores, currency signs and ``NaN``/``Infinity`` are refused too.
- integers: a number with no fraction (``"12.0"`` is 12, ``"12.5"`` fails) that fits in 64
  bits, the range targets store.
- dates and datetimes: ISO 8601 calendar dates in extended form, ``2024-03-01``, optionally
  with a time, ``2024-03-01T10:15:00`` or ``2024-03-01 10:15``, and ``Z`` or an offset
  written ``+05:30``, ``+0530`` or ``+05`` (Zoho writes ``2013-10-07T18:24:51+0530``); the
  rest of the syntax is what :meth:`datetime.fromisoformat` reads. Week dates, ordinal
  dates and the basic form (``20240301``) are refused.
  A datetime without an offset, or a date fed to a DATETIME field, is taken as UTC. A
  datetime fed to a DATE field keeps the calendar date in its own offset.
- booleans: ``true``/``false``, ``yes``/``no``, ``1``/``0`` (any case), and the integers 1/0.

Text is stripped of surrounding whitespace, and control characters other than tab and
newline (C0, DEL, C1) and lone surrogates are removed: targets refuse or garble them (Zoho
Campaigns rejects a contact whose field holds a NUL byte), and a lone surrogate cannot even
be encoded as UTF-8 for the request.

Rules at the boundary (what a value that no target can take becomes):

- **Email fields are never altered** beyond trimming: removing a NUL from
  ``ann\x00@example.com`` would write another address. The control character stays, and
  the address is refused as ``invalid_email``.
- **Long text is cut** to the target field's ``max_length`` (characters), or to
  :data:`MAX_TEXT` when the target states none: a 5 MB first name is a data error, and the
  first characters are what a person would keep. Email fields are not cut (an address cut
  short is another address); one longer than 254 characters is invalid anyway.
- **Nested values** (a JSON object or array where a field wants one value) are refused
  as ``conversion_error``; their Python repr is never sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

from fieldsync.domain.fields import FieldType

__all__ = [
    "Converter",
    "MAX_TEXT",
    "TEXT_LIKE",
    "Unconvertible",
    "can_feed",
    "clean_text",
    "converter_for",
]

TEXT_LIKE: frozenset[FieldType] = frozenset(
    {
        FieldType.TEXT,
        FieldType.TEXTAREA,
        FieldType.PICKLIST,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.URL,
    }
)
"""The text-like field types: any of them may feed any other."""

_FEEDS: dict[FieldType, frozenset[FieldType]] = {
    **dict.fromkeys(TEXT_LIKE, TEXT_LIKE),
    FieldType.INTEGER: TEXT_LIKE | {FieldType.INTEGER, FieldType.DECIMAL},
    FieldType.DECIMAL: TEXT_LIKE | {FieldType.DECIMAL},
    FieldType.DATE: TEXT_LIKE | {FieldType.DATE, FieldType.DATETIME},
    FieldType.DATETIME: TEXT_LIKE | {FieldType.DATETIME, FieldType.DATE},
    FieldType.BOOLEAN: TEXT_LIKE | {FieldType.BOOLEAN},
}

Converter = Callable[[object], object]
"""Converts one value: the target type, ``None`` when empty; raises :class:`Unconvertible`."""


class Unconvertible(ValueError):
    """A value that cannot be converted; the message says why, for people."""


def can_feed(source: FieldType, target: FieldType) -> bool:
    """Whether values of a ``source`` field may be written to a ``target`` field."""
    return target in _FEEDS[source]


MAX_TEXT = 65_535
"""The most characters a text value keeps when its target field states no ``max_length``."""


def converter_for(target: FieldType, *, max_length: int | None = None) -> Converter:
    """The converter that turns any source value into a value for a ``target`` field.

    Args:
        target: the target field's type.
        max_length: the target field's length; text values are cut to it (to
            :data:`MAX_TEXT` when ``None``). Email fields are never cut.
    """
    convert = _CONVERTERS[target]
    if target not in TEXT_LIKE or target is FieldType.EMAIL:
        return convert
    limit = MAX_TEXT if max_length is None else min(max_length, MAX_TEXT)

    def cut(value: object) -> object:
        text = convert(value)
        # Slicing a str no longer than the limit gives the same object back: no copy.
        return text[:limit].rstrip() if isinstance(text, str) and len(text) > limit else text

    return cut


# -- text ------------------------------------------------------------------------------------

_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without control characters (but tab and newline) and surrounding whitespace."""
    # isprintable() is a fast C check that is true for nearly every real value.
    if not text.isprintable():
        text = _UNWANTED.sub("", text)
    return text.strip()


def _to_text(value: object) -> str | None:
    if type(value) is str:  # the common case first, with clean_text() inlined
        text = value if value.isprintable() else _UNWANTED.sub("", value)
        return text.strip() or None
    if isinstance(value, str):
        return clean_text(value) or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            raise Unconvertible("is not a finite number")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unconvertible("is not a finite number")
        return repr(value)
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    raise Unconvertible(f"is a {type(value).__name__}, not a text value")


def _to_email(value: object) -> str | None:
    """Text for an email field: trimmed, nothing removed (see the module docstring)."""
    if isinstance(value, str):
        return value.strip() or None
    return _to_text(value)


# -- numbers ---------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d*)?|[+-]?\.\d+", re.ASCII)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_INT64 = range(_INT64_MIN, _INT64_MAX + 1)


def _text_number(text: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    if _NUMBER.fullmatch(text) is None:
        raise Unconvertible("is not a number")
    return Decimal(text.replace(",", ""))


def _to_decimal(value: object) -> Decimal | None:
    if isinstance(value, float):  # first: what JSON sources send for amounts
        if not math.isfinite(value):
            raise Unconvertible("is not a finite number")
        # repr() is the shortest text that reads back as the float: 0.1, not 0.1000000000000000055
        return Decimal(repr(value))
    if isinstance(value, str):
        return _text_number(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise Unconvertible("is a boolean, not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise Unconvertible("is not a finite number")
        return value
    raise Unconvertible(f"is a {type(value).__name__}, not a number")


def _to_integer(value: object) -> int | None:
    # The common cases first, without the detour through Decimal.
    if type(value) is str:
        text = value.strip()
        if len(text) < 19 and text.isascii() and text.isdigit():
            value = int(text)
    if type(value) is int:
        if value not in _INT64:
            raise Unconvertible("is too large for a whole-number field")
        return value
    amount = _to_decimal(value)
    if amount is None:
        return None
    # The range check comes first so that int() never builds a huge number.
    if not _INT64_MIN <= amount <= _INT64_MAX:
        raise Unconvertible("is too large for a whole-number field")
    if amount != amount.to_integral_value():
        raise Unconvertible("has a fraction; the field takes whole numbers")
    return int(amount)


# -- dates -----------------------------------------------------------------------------------


def _parse_datetime(text: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    # Only the extended calendar form (YYYY-MM-DD...): fromisoformat() alone would also read
    # week dates, ordinal dates and the basic form, which no source sends and which are
    # more likely a mistake than a date. These checks cost less than a regular expression.
    if not (text.isascii() and text[4:5] == "-" and text[7:8] == "-"):
        raise Unconvertible("is not an ISO 8601 date or datetime")
    try:
        return _aware(datetime.fromisoformat(text))
    except ValueError as exc:  # well-formed but impossible: 2024-13-45
        raise Unconvertible("is not a real date") from exc


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _to_datetime(value: object) -> datetime | None:
    if isinstance(value, str):
        return _parse_datetime(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return _midnight(value)
    raise Unconvertible(f"is a {type(value).__name__}, not a date")


def _to_date(value: object) -> date | None:
    if type(value) is date:
        return value
    instant = _to_datetime(value)
    return None if instant is None else instant.date()


# -- booleans --------------------------------------------------------------------------------

_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _to_boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _BOOLEANS:
            return _BOOLEANS[text]
        raise Unconvertible("is not true/false, yes/no or 1/0")
    if value is None:
        return None
    if type(value) is int and value in (0, 1):
        return value == 1
    raise Unconvertible("is not a boolean")


_CONVERTERS: dict[FieldType, Converter] = {
    **dict.fromkeys(TEXT_LIKE, _to_text),
    FieldType.EMAIL: _to_email,
    FieldType.INTEGER: _to_integer,
    FieldType.DECIMAL: _to_decimal,
    FieldType.DATE: _to_date,
    FieldType.DATETIME: _to_datetime,
    FieldType.BOOLEAN: _to_boolean,
}
