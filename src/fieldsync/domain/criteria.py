"""Sync criteria: which source records a sync writes.

A :class:`Criteria` combines :class:`Condition` s on record fields with *all* or *any*,
nested as deep as needed, and reads and writes a small language (``docs/criteria.md``)::

    country == "India" and (status == "active" or outstanding_receivable_amount > 0)

The store saves criteria as text, so ``Criteria.parse(c.to_text()) == c`` for every
criteria ``c``. That holds because criteria are kept in one **canonical form**, which the
constructor produces and the parser therefore produces too:

- a group nested in a group of the same kind is spliced into it
  (``all_of(a, all_of(b, c)) == all_of(a, b, c)``);
- a group of one item is that item (``any_of(a) == all_of(a)``: a one-condition criteria
  is an *all* group); groups nested inside others always hold two or more items;
- :meth:`Criteria.all` (no items) matches everything: it is dropped from an *all* group
  and makes an *any* group match everything. An *any* group of no items is refused;
- condition values are ``str``, ``int``, ``Decimal``, ``bool`` (``float`` becomes
  ``Decimal``; ``date`` and ``datetime`` become their ISO text), ``in`` takes a tuple of
  those, and ``is empty`` takes none.

``to_text`` writes nested groups in parentheses and text values in double quotes.

Evaluation (:mod:`fieldsync.domain.criteria_operators` has the details):

- ``==``, ``!=``, ``contains``, ``starts with``, ``ends with``, ``in`` compare text
  case-insensitively and ignore surrounding whitespace; a number in the record, or
  numeric text when the condition holds a number, is compared as a number.
- a missing field, ``None``, blank text and an empty list are *empty*; they equal ``""``.
- ``!=``, ``not contains`` and ``not in`` are the exact opposites of ``==``,
  ``contains`` and ``in``: a missing country is ``!= "India"``.
- ``>``, ``>=``, ``<``, ``<=`` compare numbers (numeric text included); anything else
  does not match. ``before`` and ``after`` compare dates and datetimes (ISO text
  included; a naive datetime is UTC; a date against a datetime uses the datetime's date).
- evaluation never raises, whatever the record holds: a value that cannot be read as
  the operator needs does not match.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal

import attrs

from fieldsync.domain import criteria_operators as ops
from fieldsync.domain.criteria_operators import LIST_VALUE, NO_VALUE, Operator
from fieldsync.domain.criteria_parser import (
    IDENTIFIER,
    KEYWORDS,
    MAX_DEPTH,
    ParsedCondition,
    ParsedGroup,
    parse_criteria,
)
from fieldsync.domain.errors import CriteriaError
from fieldsync.domain.fields import Schema

__all__ = ["Combinator", "Condition", "Criteria", "CriteriaProblem", "Operator", "Verdict"]


class Combinator(enum.Enum):
    """How a group combines its items."""

    ALL = "all"  # every item must match ("and")
    ANY = "any"  # at least one item must match ("or")


def _to_operator(op: Operator | str) -> Operator:
    return Operator(op)


def _scalar(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a plain str, whatever the subclass
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        number = ops.number_of(value)
        if number is None:
            raise ValueError(f"{value!r} is not a finite number")
        return number if isinstance(value, float) else value
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"a condition value is text, a number, a boolean or a date, not {value!r}")


def _value_key(value: object) -> object:
    # True == 1 in Python; the conditions `x == true` and `x == 1` must still differ.
    if isinstance(value, tuple):
        return tuple(map(_value_key, value))
    kind = "bool" if isinstance(value, bool) else "text" if isinstance(value, str) else "number"
    return kind, value


@attrs.frozen
class Condition:
    """One test on one field, e.g. ``Condition("country", Operator.EQ, "India")``.

    Args:
        field: the source field's name.
        op: the operator (or its text, ``"=="``).
        value: what to compare with: text, a number, a boolean or a date; a list, tuple
            or set of those for ``in``/``not in``; nothing for ``is empty``/``is not empty``.

    Raises:
        ValueError, TypeError: the value does not fit the operator.
    """

    field: str = attrs.field(validator=attrs.validators.min_len(1))
    op: Operator = attrs.field(converter=_to_operator)
    value: object = attrs.field(default=None, eq=_value_key)

    def __attrs_post_init__(self) -> None:
        value = self.value
        if self.op in NO_VALUE:
            if value is not None:
                raise ValueError(f"{self.op.value!r} takes no value")
        elif self.op in LIST_VALUE:
            if not isinstance(value, list | tuple | set | frozenset):
                raise TypeError(f"{self.op.value!r} takes a list of values, not {value!r}")
            object.__setattr__(self, "value", tuple(map(_scalar, value)))
        elif value is None:
            raise ValueError(f"{self.op.value!r} needs a value")
        else:
            object.__setattr__(self, "value", _scalar(value))

    def __str__(self) -> str:
        name = field_text(self.field)
        if self.op in NO_VALUE:
            return f"{name} {self.op.value}"
        if isinstance(self.value, tuple):
            return f"{name} {self.op.value} ({', '.join(map(value_text, self.value))})"
        return f"{name} {self.op.value} {value_text(self.value)}"


def _items(items: Iterable[Condition | Criteria]) -> tuple[Condition | Criteria, ...]:
    return tuple(items)


@attrs.frozen
class Criteria:
    """Conditions and nested groups combined with all (and) or any (or).

    Build with :meth:`all`, :meth:`all_of`, :meth:`any_of` or :meth:`parse`; the
    constructor brings any combination to the canonical form (module docstring).

    Raises:
        ValueError: an *any* group with no items, or groups nested deeper than 100.
        TypeError: an item that is neither a Condition nor a Criteria.
    """

    combinator: Combinator
    items: tuple[Condition | Criteria, ...] = attrs.field(converter=_items)
    _depth: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        combinator, items = _canonical(self.combinator, self.items)
        object.__setattr__(self, "combinator", combinator)
        object.__setattr__(self, "items", items)
        depth = max((i._depth + 1 for i in items if isinstance(i, Criteria)), default=0)
        if depth > MAX_DEPTH:
            raise ValueError(f"criteria groups nest deeper than {MAX_DEPTH} levels")
        object.__setattr__(self, "_depth", depth)

    @classmethod
    def all(cls) -> Criteria:
        """Criteria that match every record (no conditions)."""
        return cls(Combinator.ALL, ())

    @classmethod
    def all_of(cls, *items: Condition | Criteria) -> Criteria:
        """Criteria that match when every item matches."""
        return cls(Combinator.ALL, items)

    @classmethod
    def any_of(cls, *items: Condition | Criteria) -> Criteria:
        """Criteria that match when at least one item matches.

        Raises:
            ValueError: no items.
        """
        return cls(Combinator.ANY, items)

    @classmethod
    def parse(cls, text: str) -> Criteria:
        """Read criteria text (``docs/criteria.md``); blank text matches everything.

        Raises:
            CriteriaSyntaxError: the text does not parse; it says what and where.
        """
        return _group(parse_criteria(text))

    def to_text(self) -> str:
        """The criteria in the criteria language; ``""`` for :meth:`all`."""
        joiner = " and " if self.combinator is Combinator.ALL else " or "
        return joiner.join(
            f"({item.to_text()})" if isinstance(item, Criteria) else str(item)
            for item in self.items
        )

    def __str__(self) -> str:
        return self.to_text()

    def conditions(self) -> Iterator[Condition]:
        """Every condition, depth first, in the order they are written."""
        for item in self.items:
            if isinstance(item, Criteria):
                yield from item.conditions()
            else:
                yield item

    def fields(self) -> frozenset[str]:
        """The names of the fields the criteria test."""
        return frozenset(c.field for c in self.conditions())

    def validate(self, schema: Schema) -> tuple[CriteriaProblem, ...]:
        """Every problem with the criteria against a source ``schema`` (empty when none).

        Codes: ``unknown_field``, ``operator_type_mismatch`` (``>`` on text, ``before``
        on a number, ``contains`` on a number...), ``value_type_mismatch`` (``"abc"``
        against a number field, a value that is not an ISO date for a date field).
        """
        return tuple(p for c in self.conditions() if (p := _problem(c, schema)) is not None)

    def check(self, schema: Schema) -> None:
        """Raise when the criteria do not fit ``schema``.

        Raises:
            CriteriaError: with every problem :meth:`validate` finds.
        """
        problems = self.validate(schema)
        if problems:
            raise CriteriaError(problems)

    def compile(self) -> Callable[[Mapping[str, object]], Verdict]:
        """A function from a record's values to a :class:`Verdict`; build it once per run."""
        return _compile(self)

    def evaluate(self, values: Mapping[str, object]) -> Verdict:
        """Whether a record's ``values`` meet the criteria, and if not, which condition failed."""
        return self.compile()(values)


def _canonical(
    combinator: Combinator, items: tuple[object, ...]
) -> tuple[Combinator, tuple[Condition | Criteria, ...]]:
    flat: list[Condition | Criteria] = []
    for item in items:
        if isinstance(item, Condition):
            flat.append(item)
        elif not isinstance(item, Criteria):
            raise TypeError(f"a criteria item is a Condition or a Criteria, not {item!r}")
        elif not item.items:  # matches everything: adds nothing to an all group...
            if combinator is Combinator.ANY:  # ...and makes an any group match everything
                return Combinator.ALL, ()
        elif len(item.items) == 1 or item.combinator is combinator:
            flat.extend(item.items)
        else:
            flat.append(item)
    if not flat and combinator is Combinator.ANY:
        raise ValueError("an 'any' group needs at least one item")
    if len(flat) == 1 and isinstance(flat[0], Criteria):
        return flat[0].combinator, flat[0].items
    if len(flat) == 1:
        return Combinator.ALL, (flat[0],)
    return combinator, tuple(flat)


def _group(node: ParsedGroup) -> Criteria:
    """The criteria a parse tree stands for (the parser builds plain nodes, not Criteria,
    so that it needs nothing of this module)."""
    return Criteria(Combinator(node.combinator), map(_item, node.items))


def _item(node: ParsedCondition | ParsedGroup) -> Condition | Criteria:
    if isinstance(node, ParsedCondition):
        return Condition(node.field, node.op, node.value)
    return _group(node)


@attrs.frozen
class Verdict:
    """The outcome of criteria on one record.

    Args:
        matched: whether the record meets the criteria.
        failed: the first condition that failed (for an *any* group where nothing
            matched, the first failure of its first item); ``None`` when matched.
        value: the record's value of the failed condition's field.
    """

    matched: bool
    failed: Condition | None = None
    value: object = None

    @property
    def reason(self) -> str:
        """A sentence for people: ``country == "India" was not met (country is "US")``."""
        if self.failed is None:
            return "the record meets the criteria"
        name = field_text(self.failed.field)
        return f"{self.failed} was not met ({name} is {describe(self.value)})"


@attrs.frozen
class CriteriaProblem:
    """Something wrong with criteria against a schema.

    Args:
        code: a stable code: ``unknown_field``, ``operator_type_mismatch`` or
            ``value_type_mismatch``.
        message: a sentence for people that names the condition.
        condition: the condition at fault.
    """

    code: str
    message: str
    condition: Condition | None = None


# -- text ------------------------------------------------------------------------------------

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quote(text: str, mark: str) -> str:
    """``text`` between ``mark`` s with backslash escapes, as the parser reads it back."""
    if text.isprintable() and mark not in text and "\\" not in text:
        return f"{mark}{text}{mark}"
    out = []
    for ch in text:
        if ch in (mark, "\\"):
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return f"{mark}{''.join(out)}{mark}"


def field_text(name: str) -> str:
    """A field name as written in criteria: bare when it can be, else in backquotes."""
    if IDENTIFIER.fullmatch(name) and name.lower() not in KEYWORDS:
        return name
    return quote(name, "`")


def value_text(value: object) -> str:
    """A canonical condition value as written in criteria."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return format(Decimal(value), "f")  # no exponent, and no limit on digits
    return quote(str(value), '"')


def describe(value: object) -> str:
    """A record value for a sentence: ``"US"``, ``42``, ``empty``, ``a list``."""
    if ops.is_empty(value):
        return "empty"
    if isinstance(value, str):
        text = value.strip()
        return quote(text if len(text) <= 60 else text[:59] + "…", '"')
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    written = ops.text_of(value)
    return f"a {type(value).__name__}" if written is None else written


# -- validation and evaluation -------------------------------------------------------------


def _problem(condition: Condition, schema: Schema) -> CriteriaProblem | None:
    field = schema.get(condition.field)
    if field is None:
        name = quote(condition.field, '"')
        message = f"{condition}: the source has no field {name}"
        return CriteriaProblem("unknown_field", message, condition)
    kind = field.type
    a_field = f"{'an' if kind.value[0] in 'aeiou' else 'a'} {kind.value} field"
    if condition.op not in ops.operators_for(kind):
        message = f"{condition}: '{condition.op.value}' does not apply to {a_field}"
        return CriteriaProblem("operator_type_mismatch", message, condition)
    values = condition.value if isinstance(condition.value, tuple) else (condition.value,)
    for value in values if condition.op not in NO_VALUE else ():
        fault = ops.value_fault(kind, value)
        if fault is not None:
            message = f"{condition}: {value_text(value)} {fault}, for {a_field}"
            return CriteriaProblem("value_type_mismatch", message, condition)
    return None


Check = Callable[[Mapping[str, object]], Verdict]

_MATCHED = Verdict(True)


def _compile_condition(condition: Condition) -> Check:
    predicate = ops.predicate_for(condition.op, condition.value)
    field = condition.field

    def check(values: Mapping[str, object]) -> Verdict:
        value = values.get(field)
        return _MATCHED if predicate(value) else Verdict(False, condition, value)

    return check


def _compile(node: Condition | Criteria) -> Check:
    if isinstance(node, Condition):
        return _compile_condition(node)
    checks = tuple(map(_compile, node.items))
    if node.combinator is Combinator.ALL:

        def all_of(values: Mapping[str, object]) -> Verdict:
            for check in checks:
                verdict = check(values)
                if not verdict.matched:
                    return verdict
            return _MATCHED

        return all_of

    def any_of(values: Mapping[str, object]) -> Verdict:
        first: Verdict | None = None
        for check in checks:
            verdict = check(values)
            if verdict.matched:
                return verdict
            if first is None:
                first = verdict
        assert first is not None  # an any group holds two or more items
        return first

    return any_of
