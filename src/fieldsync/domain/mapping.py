"""Field mappings: which source field feeds which target field, checked against schemas.

A :class:`FieldMapping` is a list of :class:`FieldMap` pairs ("Map more fields" adds
pairs). :meth:`FieldMapping.plan` checks it against the source and target schemas and
returns a :class:`MappingPlan` with every problem found and the target fields to create
(``create=True``, the "New Field" checkbox). A plan without problems converts records:
:meth:`MappingPlan.compile` does the per-run work once and returns a fast function that
turns a record's values into target values (see :mod:`fieldsync.domain.conversion` for the
conversions and the type compatibility table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

import attrs

from fieldsync.domain.conversion import Converter, Unconvertible, can_feed, converter_for
from fieldsync.domain.errors import MappingError
from fieldsync.domain.fields import Field, Schema

__all__ = [
    "ConversionFailure",
    "FieldMap",
    "FieldMapping",
    "Mapped",
    "MappingPlan",
    "MappingProblem",
]


@attrs.frozen
class FieldMap:
    """One pair of a mapping: the ``source`` field's values are written to ``target``.

    Args:
        source: the source field's name.
        target: the target field's name; defaults to ``source``.
        create: create the target field when the target lacks it ("New Field"), named
            ``target`` and of the source field's type.
    """

    source: str = attrs.field(validator=attrs.validators.min_len(1))
    target: str = attrs.field(
        default=attrs.Factory(lambda pair: pair.source, takes_self=True),
        validator=attrs.validators.min_len(1),
    )
    create: bool = False

    def __str__(self) -> str:
        arrow = f"{self.source} -> {self.target}"
        return f"{arrow} (new field)" if self.create else arrow


PairSpec = FieldMap | tuple[str, str] | tuple[str, str, bool]
"""A pair as :meth:`FieldMapping.of` takes it: a ``FieldMap`` or ``(source, target[, create])``."""


def _to_pair(item: PairSpec) -> FieldMap:
    return item if isinstance(item, FieldMap) else FieldMap(*item)


def _as_tuple(pairs: Iterable[FieldMap]) -> tuple[FieldMap, ...]:
    return tuple(pairs)


@attrs.frozen
class FieldMapping:
    """The pairs of a sync's field mapping, in the order the user gave them.

    Build one with :meth:`of`; iterate over it for its pairs.
    """

    pairs: tuple[FieldMap, ...] = attrs.field(converter=_as_tuple)

    @classmethod
    def of(cls, *pairs: PairSpec) -> FieldMapping:
        """A mapping of ``pairs``: ``FieldMap`` values, ``(source, target)`` or
        ``(source, target, create)`` tuples."""
        return cls(tuple(_to_pair(p) for p in pairs))

    def with_pairs(self, *more: PairSpec) -> FieldMapping:
        """A copy with ``more`` pairs added at the end ("Map more fields")."""
        return FieldMapping((*self.pairs, *(_to_pair(p) for p in more)))

    def with_targets_renamed(self, renamed: Mapping[str, str]) -> FieldMapping:
        """A copy whose pairs write ``renamed[target]`` instead of ``target`` (a target that
        created a field under another name than the one asked for, for example)."""
        return FieldMapping(
            tuple(attrs.evolve(p, target=renamed.get(p.target, p.target)) for p in self.pairs)
        )

    def __iter__(self) -> Iterator[FieldMap]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def plan(self, source: Schema, target: Schema) -> MappingPlan:
        """Check the mapping against ``source`` and ``target`` schemas, finding every problem.

        Never raises for a bad mapping: the problems are in the plan (``plan.ok``,
        ``plan.raise_for_problems()``).
        """
        problems: list[MappingProblem] = []
        if not self.pairs:
            problems.append(MappingProblem("empty_mapping", "The mapping has no pairs."))
        to_create: dict[str, Field] = {}
        for pair in self.pairs:
            problems.extend(_check_pair(pair, source, target, to_create))
        extended = target.with_fields(to_create.values())
        problems.extend(_check_targets(self.pairs, extended.email_field))
        return MappingPlan(
            mapping=self,
            source=source,
            target=extended,
            problems=tuple(problems),
            fields_to_create=tuple(to_create.values()),
        )


def _check_pair(
    pair: FieldMap, source: Schema, target: Schema, to_create: dict[str, Field]
) -> Iterator[MappingProblem]:
    """The problems of one pair; adds the field it needs created to ``to_create``."""
    src = source.get(pair.source)
    dst = target.get(pair.target)
    if src is None:
        yield MappingProblem(
            "unknown_source_field", f'The source has no field "{pair.source}".', pair
        )
    if dst is None:
        if not pair.create:
            yield MappingProblem(
                "unknown_target_field",
                f'The target has no field "{pair.target}"; map it as a new field to create it.',
                pair,
            )
        elif src is not None:
            to_create.setdefault(pair.target, Field(pair.target, src.type, custom=True))
    elif src is not None and not can_feed(src.type, dst.type):
        yield MappingProblem(
            "incompatible_types",
            f'The source field "{pair.source}" ({src.type.value}) cannot be written to the '
            f'target field "{pair.target}" ({dst.type.value}).',
            pair,
        )


def _check_targets(pairs: tuple[FieldMap, ...], email: str | None) -> Iterator[MappingProblem]:
    """The email problems, and the target fields that more than one pair writes."""
    if email is None:
        yield MappingProblem("email_not_mapped", "The target has no email field to map to.")
    elif all(pair.target != email for pair in pairs):
        yield MappingProblem(
            "email_not_mapped",
            f'No source field is mapped to the target\'s email field "{email}"; '
            "mapping the email is mandatory.",
        )
    seen: set[str] = set()
    reported: set[str] = set()  # one problem per field, however many pairs share it
    for pair in pairs:
        if pair.target in seen and pair.target not in reported:
            reported.add(pair.target)
            code, what = (
                ("email_mapped_twice", "the email field")
                if pair.target == email
                else ("duplicate_target", "the target field")
            )
            message = f'More than one source field is mapped to {what} "{pair.target}".'
            yield MappingProblem(code, message, pair)
        seen.add(pair.target)


@attrs.frozen
class MappingProblem:
    """Something wrong with a mapping: a stable ``code``, a ``message`` for people, and the
    ``pair`` at fault when there is one.

    Codes: ``empty_mapping``, ``email_not_mapped``, ``email_mapped_twice``,
    ``duplicate_target``, ``unknown_source_field``, ``unknown_target_field``,
    ``incompatible_types``.
    """

    code: str
    message: str
    pair: FieldMap | None = None


@attrs.frozen
class ConversionFailure:
    """A value of one record that does not convert to its target ``field``'s type."""

    field: str
    value: object
    message: str


@attrs.frozen
class Mapped:
    """A record's values by target field name, converted to the target types.

    ``None`` means "clear this field" and only appears with ``update_empty_values=True``
    (and for an empty email, which is never left out). ``error`` is the first value that did
    not convert; ``values`` then holds the others.
    """

    values: dict[str, object]
    error: ConversionFailure | None = None


MappingFunction = Callable[[Mapping[str, object]], Mapped]
RawMappingFunction = Callable[
    [Mapping[str, object]], tuple[dict[str, object], "ConversionFailure | None"]
]


@attrs.frozen
class MappingPlan:
    """A mapping checked against two schemas.

    Args:
        mapping: the mapping checked.
        source: the source schema.
        target: the target schema with ``fields_to_create`` added.
        problems: every problem found; empty when the mapping can run.
        fields_to_create: the target fields ``create=True`` pairs need, in pair order.
    """

    mapping: FieldMapping
    source: Schema
    target: Schema
    problems: tuple[MappingProblem, ...] = ()
    fields_to_create: tuple[Field, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the mapping has no problems."""
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise :class:`~fieldsync.exceptions.MappingError` listing every problem, if any."""
        if self.problems:
            raise MappingError(self.problems)

    @property
    def email_target(self) -> str | None:
        """The target's email field when a pair writes to it, else ``None``."""
        email = self.target.email_field
        return email if any(p.target == email for p in self.mapping) else None

    @property
    def email_only(self) -> bool:
        """Whether the mapping writes the target's email field and nothing else: such a
        sync's contacts can go through a target's bulk route for bare addresses."""
        email = self.target.email_field
        pairs = list(self.mapping)
        return bool(pairs) and email is not None and all(p.target == email for p in pairs)

    @property
    def email_source(self) -> str | None:
        """The source field mapped to the target's email field, or ``None``."""
        email = self.target.email_field
        return next((p.source for p in self.mapping if p.target == email), None)

    def compile(self, *, update_empty_values: bool = False) -> MappingFunction:
        """A function that maps one record's values (by source field name) to a :class:`Mapped`.

        Converter look-ups happen here, once; the function only converts. It never raises
        for a value: a value that does not convert is reported in ``Mapped.error``.

        Args:
            update_empty_values: an empty source value (``None``, ``""``, whitespace) clears
                the target field (``None`` in the result); when off, it is left out of the
                result so that it never overwrites. The email field is never left out.

        Raises:
            MappingError: the plan has problems.
        """
        convert = self.compile_raw(update_empty_values=update_empty_values)

        def apply(values: Mapping[str, object]) -> Mapped:
            return Mapped(*convert(values))

        return apply

    def compile_raw(self, *, update_empty_values: bool = False) -> RawMappingFunction:
        """:meth:`compile` for hot loops: the function returns ``(values, error)``, the
        fields of a :class:`Mapped`, without building one.

        Raises:
            MappingError: the plan has problems.
        """
        self.raise_for_problems()
        email = self.email_target
        fields = {field.name: field for field in self.target}
        steps: tuple[tuple[str, str, Converter, bool], ...] = tuple(
            (
                pair.source,
                pair.target,
                converter_for(fields[pair.target].type, max_length=fields[pair.target].max_length),
                update_empty_values or pair.target == email,
            )
            for pair in self.mapping
        )

        def apply(
            values: Mapping[str, object],
        ) -> tuple[dict[str, object], ConversionFailure | None]:
            out: dict[str, object] = {}
            error: ConversionFailure | None = None
            get = values.get
            for source, target, convert, keep_empty in steps:
                raw = get(source)
                # Unconvertible, and whatever a strange value's own methods raise: one
                # record's value must never stop a run.
                try:
                    value = convert(raw)
                except (ValueError, TypeError, ArithmeticError) as exc:
                    if error is None:
                        error = _failure(target, raw, exc)
                    continue
                if value is not None or keep_empty:
                    out[target] = value
            return out, error

        return apply

    def apply(self, values: Mapping[str, object], *, update_empty_values: bool = False) -> Mapped:
        """Map one record's values; see :meth:`compile` (use it for many records).

        Raises:
            MappingError: the plan has problems.
        """
        return self.compile(update_empty_values=update_empty_values)(values)


def _failure(target: str, raw: object, exc: Exception) -> ConversionFailure:
    try:
        shown = repr(raw)
    except Exception:  # a value's own repr() must not stop a run either
        shown = f"<a {type(raw).__name__}>"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    reason = str(exc) if isinstance(exc, Unconvertible) else "cannot be converted"
    return ConversionFailure(target, raw, f'The value {shown} for field "{target}" {reason}.')
