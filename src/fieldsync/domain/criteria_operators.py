"""The operators of sync criteria and what they mean: how each one reads record values.

A predicate is built once per condition, with the condition's own value prepared ahead
(folded text, a number, a date), and then called once per record with the record's raw
value. Records come from outside, so a predicate accepts any object and never raises:
a value it cannot read simply does not match. The rules, also listed in
:mod:`fieldsync.domain.criteria`:

- text: compared case-insensitively (``str.casefold``) without surrounding whitespace.
  ``None`` reads as ``""``; booleans as ``true``/``false``; numbers as their digits;
  dates and datetimes in ISO form. Other objects (lists, dicts, ...) have no text.
- empty: ``None``, blank text and empty lists, tuples, dicts and sets.
- numbers: ``int``, ``float``, ``Decimal`` (finite), and text holding one (``"42"``,
  ``"-1,234.50"``). Booleans are not numbers.
- dates: ``date``, ``datetime``, and ISO 8601 text (``2024-01-31``,
  ``2024-01-31T10:15:00+05:30``). A naive datetime is UTC; a date compared with a datetime
  is compared with the datetime's calendar date.
"""

from __future__ import annotations

import enum
import math
import operator
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

from fieldsync.domain.fields import FieldType

__all__ = [
    "LIST_VALUE",
    "NO_VALUE",
    "Operator",
    "Predicate",
    "fold",
    "is_empty",
    "moment_of",
    "number_of",
    "operators_for",
    "predicate_for",
    "text_of",
    "value_fault",
]


class Operator(enum.Enum):
    """How a condition compares a field with its value; the value is the operator's text."""

    EQ = "=="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    CONTAINS = "contains"
    NOT_CONTAINS = "not contains"
    STARTS_WITH = "starts with"
    ENDS_WITH = "ends with"
    IS_EMPTY = "is empty"
    IS_NOT_EMPTY = "is not empty"
    IN = "in"  # the value is a tuple
    NOT_IN = "not in"  # the value is a tuple
    BEFORE = "before"
    AFTER = "after"


NO_VALUE = frozenset({Operator.IS_EMPTY, Operator.IS_NOT_EMPTY})
"""Operators that take no value."""
LIST_VALUE = frozenset({Operator.IN, Operator.NOT_IN})
"""Operators whose value is a tuple of values."""

Predicate = Callable[[object], bool]
"""Whether one record value meets a condition. Never raises."""

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_CONTAINERS = (list, tuple, dict, set, frozenset)


def fold(text: str) -> str:
    """``text`` without surrounding whitespace, case-folded: the form text is compared in."""
    # The unbound str methods ignore overrides in str subclasses (StrEnum and the like).
    return str.casefold(str.strip(text))


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # past sys.get_int_max_str_digits(); Decimal has no such limit
        return format(Decimal(value), "f")


def text_of(value: object) -> str | None:
    """The folded text of a record value, or ``None`` when it has no text form."""
    if isinstance(value, str):
        return fold(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, float | Decimal):
        return str(value).casefold()
    if isinstance(value, date):  # datetime included
        return value.isoformat().casefold()
    return None


def number_of(value: object) -> Decimal | None:
    """The value as a finite number, or ``None`` when it is not one."""
    if isinstance(value, str):
        text = str.strip(value)
        return Decimal(text.replace(",", "")) if _NUMBER.fullmatch(text) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        # repr() is the shortest text that reads back as the float: 0.1, not 0.1000...0555
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def moment_of(value: object) -> date | datetime | None:
    """The value as a date or an aware datetime (naive means UTC), or ``None``."""
    if isinstance(value, str):
        text = str.strip(value)
        try:
            if _DATE.fullmatch(text):
                return date.fromisoformat(text)
            if _DATETIME.fullmatch(text):
                value = datetime.fromisoformat(text)
            else:
                return None
        except ValueError:  # well formed but impossible: 2024-02-30
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    return None


def is_empty(value: object) -> bool:
    """Whether a record value counts as empty: ``None``, blank text, an empty collection."""
    if value is None:
        return True
    if isinstance(value, str):
        return not str.strip(value)
    if isinstance(value, _CONTAINERS):
        return len(value) == 0
    return False


def negate(predicate: Predicate) -> Predicate:
    """The exact opposite of ``predicate`` (so a missing value is ``!=`` anything)."""

    def opposite(value: object) -> bool:
        return not predicate(value)

    return opposite


def _never(value: object) -> bool:
    return False


def equal_to(expected: Iterable[object]) -> Predicate:
    """Matches a value equal to any of ``expected`` (``==`` with one, ``in`` with several).

    Text is compared as folded text. A number in the record, or numeric text when a
    number is expected, is compared numerically, so ``7`` equals ``"7.0"``.
    """
    expected = tuple(expected)
    texts = frozenset(t for t in map(text_of, expected) if t is not None)
    # Numeric text in the record is read as a number only when a real number is expected:
    # a quoted "007" stays text, so it does not equal the text "7".
    numbers_for_text = frozenset(
        n for e in expected if not isinstance(e, str) and (n := number_of(e)) is not None
    )
    numbers = frozenset(n for n in map(number_of, expected) if n is not None)

    def matches(value: object) -> bool:
        if isinstance(value, str):
            key = fold(value)
            if key in texts:
                return True
            number = number_of(key) if numbers_for_text else None
            return number is not None and number in numbers_for_text
        if value is None or isinstance(value, bool | date):
            return text_of(value) in texts
        number = number_of(value)
        return number is not None and number in numbers

    return matches


def _text_test(expected: object, test: Callable[[str, str], bool]) -> Predicate:
    needle = text_of(expected)
    if needle is None:
        return _never

    def matches(value: object) -> bool:
        text = text_of(value)
        return text is not None and test(text, needle)

    return matches


def contains(expected: object) -> Predicate:
    """Matches a value whose text contains the text of ``expected``."""
    return _text_test(expected, str.__contains__)


def starts_with(expected: object) -> Predicate:
    """Matches a value whose text starts with the text of ``expected``."""
    return _text_test(expected, str.startswith)


def ends_with(expected: object) -> Predicate:
    """Matches a value whose text ends with the text of ``expected``."""
    return _text_test(expected, str.endswith)


def numbered(expected: object, relation: Callable[[Decimal, Decimal], bool]) -> Predicate:
    """Matches a number that stands in ``relation`` (``operator.gt``, ...) to ``expected``.

    When ``expected`` is not a number, nothing matches.
    """
    bound = number_of(expected)
    if bound is None:
        return _never

    def matches(value: object) -> bool:
        number = number_of(value)
        return number is not None and relation(number, bound)

    return matches


def dated(expected: object, relation: Callable[[date, date], bool]) -> Predicate:
    """Matches a date or datetime in ``relation`` (``operator.lt`` for before) to ``expected``.

    When one side is a date and the other a datetime, the datetime's calendar date is
    used. When ``expected`` is not a date, nothing matches.
    """
    bound = moment_of(expected)
    if bound is None:
        return _never
    bound_day = bound.date() if isinstance(bound, datetime) else bound
    bound_is_instant = isinstance(bound, datetime)

    def matches(value: object) -> bool:
        moment = moment_of(value)
        if moment is None:
            return False
        if isinstance(moment, datetime):
            return relation(moment, bound) if bound_is_instant else relation(moment.date(), bound)
        return relation(moment, bound_day)

    return matches


def _listed(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)


_PREDICATES: dict[Operator, Callable[[object], Predicate]] = {
    Operator.EQ: lambda value: equal_to(_listed(value)),
    Operator.NE: lambda value: negate(equal_to(_listed(value))),
    Operator.IN: lambda value: equal_to(_listed(value)),
    Operator.NOT_IN: lambda value: negate(equal_to(_listed(value))),
    Operator.CONTAINS: contains,
    Operator.NOT_CONTAINS: lambda value: negate(contains(value)),
    Operator.STARTS_WITH: starts_with,
    Operator.ENDS_WITH: ends_with,
    Operator.IS_EMPTY: lambda value: is_empty,
    Operator.IS_NOT_EMPTY: lambda value: negate(is_empty),
    Operator.GT: lambda value: numbered(value, operator.gt),
    Operator.GE: lambda value: numbered(value, operator.ge),
    Operator.LT: lambda value: numbered(value, operator.lt),
    Operator.LE: lambda value: numbered(value, operator.le),
    Operator.BEFORE: lambda value: dated(value, operator.lt),
    Operator.AFTER: lambda value: dated(value, operator.gt),
}


def predicate_for(op: Operator, value: object) -> Predicate:
    """The predicate of a condition ``<field> <op> <value>``, with ``value`` prepared once."""
    return _PREDICATES[op](value)


# -- which operators and values fit which field types ------------------------------------------

_ORDERING = frozenset({Operator.GT, Operator.GE, Operator.LT, Operator.LE})
_DATING = frozenset({Operator.BEFORE, Operator.AFTER})
_BASIC = NO_VALUE | LIST_VALUE | {Operator.EQ, Operator.NE}
_TEXT_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.TEXTAREA,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.URL,
        FieldType.PICKLIST,
    }
)
_NUMBER_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
_DATE_TYPES = frozenset({FieldType.DATE, FieldType.DATETIME})


def operators_for(kind: FieldType) -> frozenset[Operator]:
    """The operators that make sense on a field of type ``kind``.

    Text fields take everything but ordering and dating, numbers take ordering, dates take
    ``before``/``after``, booleans only equality, ``in`` and emptiness.
    """
    if kind in _TEXT_TYPES:
        return frozenset(Operator) - _ORDERING - _DATING
    if kind in _NUMBER_TYPES:
        return _BASIC | _ORDERING
    return _BASIC | _DATING if kind in _DATE_TYPES else _BASIC


def value_fault(kind: FieldType, value: object) -> str | None:
    """Why a condition value cannot match a field of type ``kind`` (``None`` when it can)."""
    if kind in _NUMBER_TYPES and number_of(value) is None:
        return "is not a number"
    if kind in _DATE_TYPES and (not isinstance(value, str) or moment_of(value) is None):
        return 'is not an ISO date such as "2024-01-31"'
    if kind is FieldType.BOOLEAN and text_of(value) not in ("true", "false"):
        return "is not true or false"
    return None
