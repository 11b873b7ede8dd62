"""What a user sets on a sync (:class:`SyncSpec`), and the rules its text must keep before
it is stored (:func:`text_problems`): bounded lengths, and no NUL, control character or
lone surrogate anywhere. The rules against the live schemas are the service's
(``SyncService.check``)."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import attrs

from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.sync import SyncConfig, SyncOptions

__all__ = [
    "MAX_CRITERIA_LENGTH",
    "MAX_FIELD_NAME_LENGTH",
    "MAX_LIST_KEY_LENGTH",
    "MAX_NAME_LENGTH",
    "SpecProblem",
    "SyncSpec",
    "text_problems",
]

MAX_NAME_LENGTH = 255
"""The longest sync name, in characters."""
MAX_LIST_KEY_LENGTH = 255
"""The longest target list key, in characters."""
MAX_FIELD_NAME_LENGTH = 255
"""The longest source or target field name of a mapping row, in characters."""
MAX_CRITERIA_LENGTH = 10_000
"""The longest criteria text (as :meth:`Criteria.to_text` writes it), in characters."""


def _criteria(value: Criteria | None) -> Criteria:
    return Criteria.all() if value is None else value


def _schedule(value: Schedule | None) -> Schedule:
    return Schedule.once() if value is None else value


def _options(value: SyncOptions | None) -> SyncOptions:
    return SyncOptions() if value is None else value


@attrs.frozen
class SyncSpec:
    """Everything a user sets on a sync: what :meth:`SyncService.create_sync` creates and
    :meth:`SyncService.edit` replaces.

    Args:
        name: what people call the sync (at most :data:`MAX_NAME_LENGTH` characters).
        list_key: the target list the contacts go to.
        mapping: the field mapping (the email must be mapped).
        criteria: which records to sync; every record by default (or when ``None``).
        schedule: when to run after initiate; by default (or ``None``) never: only the
            run initiate starts.
        options: the other options (empty values, records to retrieve); the defaults
            by default (or ``None``).
    """

    name: str
    list_key: str
    mapping: FieldMapping
    criteria: Criteria = attrs.field(factory=Criteria.all, converter=_criteria)
    schedule: Schedule = attrs.field(factory=Schedule.once, converter=_schedule)
    options: SyncOptions = attrs.field(factory=SyncOptions, converter=_options)

    @classmethod
    def of(cls, name: str, config: SyncConfig) -> SyncSpec:
        """The spec of a sync called ``name`` at one configuration version."""
        return cls(
            name=name,
            list_key=config.list_key,
            mapping=config.mapping,
            criteria=config.criteria,
            schedule=config.schedule,
            options=config.options,
        )

    def config(self, *, version: int, created_at: datetime) -> SyncConfig:
        """This spec as a configuration version (everything but the name)."""
        return SyncConfig(
            version=version,
            list_key=self.list_key,
            mapping=self.mapping,
            criteria=self.criteria,
            schedule=self.schedule,
            options=self.options,
            created_at=created_at,
        )


@attrs.frozen
class SpecProblem:
    """Something wrong with a spec: a stable ``code``, a ``message`` for people, and where.

    Args:
        code: ``required``, ``too_long``, ``invalid_character`` (the text rules), or a
            code of the live checks: a mapping code (see :class:`MappingProblem`), a
            criteria code (see :class:`CriteriaProblem`), ``unknown_list``.
        message: a sentence for people.
        field: the spec's field at fault: ``name``, ``list_key``, ``mapping``,
            ``criteria``, ``schedule`` or ``options``; ``None`` for the spec as a whole.
        row: for ``mapping``, the index of the pair at fault (in ``spec.mapping``), when
            one pair is.
    """

    code: str
    message: str
    field: str | None = None
    row: int | None = None


def _bad_character(text: str) -> str | None:
    """A description of the first character that may not be stored, or ``None``."""
    for char in text:
        if char == "\x00":
            return "a NUL character"
        category = unicodedata.category(char)
        if category == "Cc":
            return f"a control character (U+{ord(char):04X})"
        if category == "Cs":
            return f"a lone surrogate (U+{ord(char):04X})"
    return None


def _text_rule(
    text: str, what: str, limit: int, *, field: str, row: int | None = None, missing: str = ""
) -> list[SpecProblem]:
    problems = []
    if missing and not text.strip():
        problems.append(SpecProblem("required", missing, field, row))
    if len(text) > limit:
        problems.append(
            SpecProblem(
                "too_long",
                f"The {what} is {len(text):,} characters long; at most {limit:,} are allowed.",
                field,
                row,
            )
        )
    bad = _bad_character(text)
    if bad is not None:
        problems.append(SpecProblem("invalid_character", f"The {what} contains {bad}.", field, row))
    return problems


def text_problems(spec: SyncSpec) -> list[SpecProblem]:
    """Every text rule ``spec`` breaks: a name and a list key given, each text within its
    length, and no NUL, control character or lone surrogate in the name, the list key,
    the criteria or a field name. Needs no schema; the time zone is checked by
    :class:`Schedule` itself."""
    problems = [
        *_text_rule(
            spec.name, "sync name", MAX_NAME_LENGTH, field="name", missing="Give the sync a name."
        ),
        *_text_rule(
            spec.list_key,
            "list key",
            MAX_LIST_KEY_LENGTH,
            field="list_key",
            missing="Choose the mailing list the contacts go to.",
        ),
    ]
    for index, pair in enumerate(spec.mapping):
        for side, name in (("source", pair.source), ("target", pair.target)):
            problems += _text_rule(
                name,
                f"{side} field name",
                MAX_FIELD_NAME_LENGTH,
                field="mapping",
                row=index,
                missing=f"Choose a {side} field.",
            )
    problems += _text_rule(
        spec.criteria.to_text(), "criteria", MAX_CRITERIA_LENGTH, field="criteria"
    )
    # The text escapes control characters; the values it holds are checked as they are.
    for condition in spec.criteria.conditions():
        value = condition.value
        values = value if isinstance(value, list | tuple | set | frozenset) else (value,)
        texts = [condition.field, *(v for v in values if isinstance(v, str))]
        bad = next((b for b in map(_bad_character, texts) if b is not None), None)
        if bad is not None:
            problems.append(
                SpecProblem("invalid_character", f"The criteria contain {bad}.", "criteria")
            )
            break
    return problems
