"""SyncSpec and the text rules every spec keeps before it is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldsync import (
    Criteria,
    FieldMapping,
    Schedule,
    ScheduleError,
    SpecProblem,
    SyncOptions,
    SyncSpec,
)
from fieldsync.domain.spec import MAX_CRITERIA_LENGTH, MAX_NAME_LENGTH, text_problems

MAPPING = FieldMapping.of(("email", "Contact Email"))
SPEC = SyncSpec(name="People", list_key="news", mapping=MAPPING)
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def test_a_spec_defaults_to_every_record_once_with_no_options() -> None:
    assert (SPEC.criteria, SPEC.schedule, SPEC.options) == (
        Criteria.all(),
        Schedule.once(),
        SyncOptions(),
    )


def test_a_spec_is_a_configuration_version_without_its_name_and_back() -> None:
    config = SPEC.config(version=3, created_at=NOW)

    assert (config.version, config.list_key, config.mapping) == (3, "news", MAPPING)
    assert SyncSpec.of("People", config) == SPEC


def test_a_clean_spec_has_no_text_problem() -> None:
    assert text_problems(SPEC) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": ""}, SpecProblem("required", "Give the sync a name.", "name")),
        ({"name": "x" * (MAX_NAME_LENGTH + 1)}, ("too_long", "name")),
        ({"name": "S\x00x"}, ("invalid_character", "name")),
        ({"name": "tab\there"}, ("invalid_character", "name")),
        ({"name": "half \ud83d emoji"}, ("invalid_character", "name")),
        ({"list_key": "  "}, ("required", "list_key")),
        ({"list_key": "k\x1b[31m"}, ("invalid_character", "list_key")),
        ({"criteria": Criteria.parse('status == "a\x00b"')}, ("invalid_character", "criteria")),
    ],
)
def test_each_text_rule_names_its_field(
    changes: dict[str, object], expected: SpecProblem | tuple[str, str]
) -> None:
    spec = SyncSpec(**{**_fields(SPEC), **changes})  # type: ignore[arg-type]

    (problem,) = text_problems(spec)

    if isinstance(expected, SpecProblem):
        assert problem == expected
    else:
        assert (problem.code, problem.field) == expected


def test_a_field_name_problem_points_at_its_row() -> None:
    mapping = FieldMapping.of(("email", "Contact Email"), ("first\x00name", "First Name"))

    (problem,) = text_problems(SyncSpec(name="P", list_key="news", mapping=mapping))

    assert (problem.code, problem.field, problem.row) == ("invalid_character", "mapping", 1)


def test_criteria_text_is_bounded() -> None:
    long = " or ".join(f'status == "{i:05d}"' for i in range(MAX_CRITERIA_LENGTH // 15))
    spec = SyncSpec(name="P", list_key="news", mapping=MAPPING, criteria=Criteria.parse(long))

    assert [p.code for p in text_problems(spec)] == ["too_long"]


def test_every_problem_comes_at_once() -> None:
    spec = SyncSpec(name="", list_key="\x00", mapping=MAPPING)

    assert [(p.code, p.field) for p in text_problems(spec)] == [
        ("required", "name"),
        ("invalid_character", "list_key"),
    ]


@pytest.mark.parametrize("tz", ["x" * 300, "Europe/London\x00", "\ud800", "../../etc/passwd"])
def test_any_bad_time_zone_is_a_schedule_error(tz: str) -> None:
    with pytest.raises(ScheduleError, match="unknown time zone"):
        Schedule.daily("02:00", tz=tz)


def _fields(spec: SyncSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "list_key": spec.list_key,
        "mapping": spec.mapping,
        "criteria": spec.criteria,
        "schedule": spec.schedule,
        "options": spec.options,
    }
