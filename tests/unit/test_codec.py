"""fieldsync.codec: one JSON shape of a spec, a configuration version, a sync and a run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync import (
    Criteria,
    FieldMap,
    FieldMapping,
    InvalidConfigurationError,
    OnSourceChange,
    Schedule,
    ScheduleKind,
    SpecProblem,
    SyncOptions,
    SyncSpec,
    codec,
)
from fieldsync.stores._codec import config_from_json, config_to_json

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPEC = SyncSpec(
    name="Indian customers",
    list_key="news",
    mapping=FieldMapping.of(("email", "Contact Email"), FieldMap("country", "Country", True)),
    criteria=Criteria.parse('country == "India"'),
    schedule=Schedule.daily("02:00", tz="Asia/Kolkata"),
    options=SyncOptions(update_empty_values=True, retrieve_since=NOW),
)

names = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=12)
schedules = st.one_of(
    st.just(Schedule.once()),
    st.builds(lambda h: Schedule.every(hours=h), st.integers(1, 500)),
    st.builds(lambda d: Schedule.every(days=d), st.integers(1, 3000)),
    st.builds(
        lambda at, tz: Schedule.daily(at, tz=tz),
        st.times().map(lambda t: t.replace(microsecond=0)),
        st.sampled_from(["UTC", "Asia/Kolkata", "America/New_York"]),
    ),
    st.builds(lambda w, at: Schedule.weekly(w, at), st.integers(0, 6), st.just("09:30")),
    st.builds(lambda d: Schedule.monthly(d, "02:00"), st.integers(1, 31)),
)
specs = st.builds(
    SyncSpec,
    name=names,
    list_key=names,
    mapping=st.lists(st.tuples(names, names, st.booleans()), min_size=1, max_size=4).map(
        lambda pairs: FieldMapping.of(*pairs)
    ),
    criteria=st.sampled_from(
        [Criteria.all(), Criteria.parse('status == "active" and amount > 10')]
    ),
    schedule=schedules,
    options=st.builds(
        SyncOptions,
        update_empty_values=st.booleans(),
        retrieve_since=st.none() | st.datetimes(timezones=st.just(UTC)),
    ),
)


@given(specs)
def test_a_spec_survives_json_text(spec: SyncSpec) -> None:
    assert codec.spec_from_json(json.loads(json.dumps(codec.spec_to_json(spec)))) == spec


@given(specs)
def test_a_configuration_version_survives_the_store(spec: SyncSpec) -> None:
    config = spec.config(version=4, created_at=NOW)

    config_from_json.cache_clear()
    assert config_from_json(config_to_json(config)) == config


def test_a_spec_reads_as_the_module_says() -> None:
    data = codec.spec_to_json(SPEC)

    assert data["schedule"] == {
        "kind": "daily",
        "interval": None,
        "at": "02:00:00",
        "weekday": None,
        "day": None,
        "tz": "Asia/Kolkata",
    }
    assert data["options"] == {
        "update_empty_values": True,
        "retrieve_since": "2026-03-02T09:00:00+00:00",
        "on_source_delete": "keep",
        "on_email_change": "keep",
    }
    assert data["mapping"][1] == {"source": "country", "target": "Country", "create": True}


def test_a_configuration_stored_before_the_codec_still_loads() -> None:
    # The exact text 0.1's store wrote (stores/_codec.py before fieldsync.codec existed).
    stored = json.dumps(
        {
            "version": 2,
            "list_key": "news",
            "mapping": [
                {"source": "email", "target": "Contact Email", "create": False},
                {"source": "country", "target": "Country", "create": True},
            ],
            "criteria": 'country == "India"',
            "schedule": {
                "kind": "every",
                "interval": 21600,
                "at": None,
                "weekday": None,
                "day": None,
                "tz": "UTC",
            },
            "options": {
                "update_empty_values": True,
                "retrieve_since": "2026-01-01T00:00:00.000000+00:00",
            },
            "created_at": "2026-03-02T09:00:00.000000+00:00",
        }
    )

    config = config_from_json(stored)

    assert (config.version, config.schedule) == (2, Schedule.every(hours=6))
    assert config.options == SyncOptions(True, datetime(2026, 1, 1, tzinfo=UTC))
    assert config.mapping.pairs[1] == FieldMap("country", "Country", True)
    # written again with every option, those it did not know at their defaults
    rewritten = json.loads(stored)
    rewritten["options"].update(on_source_delete="keep", on_email_change="keep")
    assert json.loads(config_to_json(config)) == rewritten


def test_what_people_leave_out_has_its_default() -> None:
    spec = codec.spec_from_json({"name": "P", "list_key": "news", "mapping": [{"source": "email"}]})

    assert spec == SyncSpec("P", "news", FieldMapping.of(("email", "email")))


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ({"kind": "every", "hours": 6}, Schedule.every(hours=6)),
        ({"kind": "every", "days": 2}, Schedule.every(days=2)),
        (
            {"kind": "daily", "at": "2:00", "tz": "Asia/Kolkata"},
            Schedule.daily("02:00", tz="Asia/Kolkata"),
        ),
        ({"kind": "weekly", "weekday": 4, "at": "09:00"}, Schedule.weekly(4, "09:00")),
        ({"kind": "monthly", "day": 31}, Schedule(ScheduleKind.MONTHLY, at=time(0), day=31)),
        ({"kind": "every", "interval": 5400}, Schedule(ScheduleKind.EVERY, timedelta(minutes=90))),
    ],
)
def test_a_schedule_may_be_written_by_hand(schedule: dict[str, Any], expected: Schedule) -> None:
    assert codec.schedule_from_json(schedule) == expected


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"options": {"update_empty_values": "false"}}, "wrong_type", "options"),
        ({"options": {"retrieve_since": "yesterday"}}, "wrong_type", "options"),
        ({"options": {"update_empty_vals": True}}, "unknown_key", "options"),
        ({"criteria": 123}, "wrong_type", "criteria"),
        ({"criteria": "status =="}, "invalid_criteria", "criteria"),
        ({"schedule": {"kind": None}}, "invalid_schedule", "schedule"),
        ({"schedule": {"kind": "daily", "tz": "x" * 300}}, "invalid_schedule", "schedule"),
        ({"schedule": {"kind": "every", "hours": "6"}}, "wrong_type", "schedule"),
        ({"schedule": "daily"}, "wrong_type", "schedule"),
        ({"name": 3}, "wrong_type", "name"),
        ({"mapping": "email"}, "wrong_type", "mapping"),
        ({"mapping": [{"source": "email", "create": "yes"}]}, "wrong_type", "mapping"),
        ({"colour": "blue"}, "unknown_key", None),
    ],
)
def test_a_wrong_value_is_refused_never_coerced(
    changes: dict[str, Any], code: str, field: str | None
) -> None:
    with pytest.raises(InvalidConfigurationError) as refused:
        codec.spec_from_json({**codec.spec_to_json(SPEC), **changes})

    (problem,) = refused.value.problems
    assert isinstance(problem, SpecProblem)
    assert (problem.code, problem.field) == (code, field)


def test_every_problem_of_a_body_comes_at_once() -> None:
    body = {"mapping": [{"source": 1}, {"source": "a"}], "criteria": "(", "schedule": []}

    with pytest.raises(InvalidConfigurationError) as refused:
        codec.spec_from_json(body)

    found = [(p.code, p.field, p.row) for p in refused.value.problems]  # type: ignore[attr-defined]
    assert found == [
        ("required", "name", None),
        ("required", "list_key", None),
        ("wrong_type", "mapping", 0),
        ("invalid_criteria", "criteria", None),
        ("wrong_type", "schedule", None),
    ]


def test_read_spec_keeps_what_reads_for_checking() -> None:
    spec, problems = codec.read_spec({**codec.spec_to_json(SPEC), "criteria": "nope =="})

    assert (spec.mapping, spec.criteria) == (SPEC.mapping, Criteria.all())
    assert [p.field for p in problems] == ["criteria"]


def test_the_source_change_policies_read_and_refuse_what_is_not_offered() -> None:
    options = codec.options_from_json({"on_source_delete": "unsubscribe"})

    assert OnSourceChange.UNSUBSCRIBE is options.on_source_delete
    assert OnSourceChange.KEEP is options.on_email_change
    assert "unsubscribe" == codec.options_to_json(options)["on_source_delete"]
    with pytest.raises(InvalidConfigurationError, match='"keep", "unsubscribe"') as caught:
        codec.options_from_json({"on_email_change": "drop", "on_source_delete": True})
    assert 2 == len(caught.value.problems)
