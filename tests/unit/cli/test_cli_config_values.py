"""Any value at any key of the configuration: it loads, or it is one line naming the key."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldsync.cli import main
from fieldsync.cli._config import load_config
from fieldsync.exceptions import ConfigurationError

BASE = {
    "integrations": {
        "crm": {
            "type": "python",
            "source": "cli_adapters:make_source",
            "target": "cli_adapters:make_target",
        }
    },
    "syncs": [
        {
            "name": "S",
            "integration": "crm",
            "list_key": "news",
            "criteria": "",
            "schedule": {"every_hours": 6},
            "update_empty_values": False,
            "mapping": [["email", "Contact Email"], {"source": "a", "target": "A"}],
        }
    ],
}

# Where a value goes: a path into BASE, and the words the error must contain.
KEYS = [
    (("syncs", 0, "name"), "name"),
    (("syncs", 0, "list_key"), "list_key"),
    (("syncs", 0, "criteria"), "criteria"),
    (("syncs", 0, "schedule"), "schedule"),
    (("syncs", 0, "schedule", "every_hours"), "schedule.every_hours"),
    (("syncs", 0, "schedule", "tz"), "schedule"),
    (("syncs", 0, "update_empty_values"), "update_empty_values"),
    (("syncs", 0, "retrieve_since"), "retrieve_since"),
    (("syncs", 0, "mapping"), "mapping"),
    (("syncs", 0, "mapping", 0), "mapping entry 1"),
    (("syncs", 0, "mapping", 1, "target"), "mapping entry 2"),
    (("syncs", 0, "mapping", 1, "create"), "mapping entry 2"),
    (("store", "path"), "[store] path"),
    (("cli", "tz"), "[cli] tz"),
]

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    # Any text TOML can hold (it has no surrogates, and no DEL unescaped).
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x7f"), max_size=20),
    st.datetimes(timezones=st.just(UTC)),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, max_size=3)
    ),
    max_leaves=8,
)


def toml(value: object) -> str:
    """A TOML value (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + "}"


def document(data: dict[str, object]) -> str:
    lines = []
    for table in ("store", "cli"):
        if table in data:
            lines.append(f"[{table}]")
            lines += [f"{k} = {toml(v)}" for k, v in data[table].items()]  # type: ignore[attr-defined]
    for name, settings_ in data["integrations"].items():  # type: ignore[attr-defined]
        lines.append(f"[integrations.{name}]")
        lines += [f"{k} = {toml(v)}" for k, v in settings_.items()]
    for sync in data["syncs"]:  # type: ignore[attr-defined]
        lines.append("[[syncs]]")
        lines += [f"{k} = {toml(v)}" for k, v in sync.items()]
    return "\n".join(lines) + "\n"


def with_value(path: tuple[object, ...], value: object) -> dict[str, object]:
    data = json.loads(json.dumps(BASE))
    node = data
    for step in path[:-1]:
        node = node.setdefault(step, {}) if isinstance(step, str) else node[step]
    node[path[-1]] = value
    return data


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(KEYS), value=values)
def test_any_value_at_any_key_loads_or_is_one_line_naming_the_key(
    tmp_path: Path, where: tuple[tuple[object, ...], str], value: object
) -> None:
    path, words = where
    file = tmp_path / "fieldsync.toml"
    file.write_text(document(with_value(path, value)), encoding="utf-8")

    try:
        load_config(file, environ={})
    except ConfigurationError as exc:
        message = str(exc)
        assert "\n" not in message
        assert words in message


@pytest.mark.parametrize(
    ("replace", "by", "words"),
    [
        ("{every_hours = 6}", "{every_days = 100000000 }", "schedule.every_days"),
        ("{every_hours = 6}", "{every_hours = 100000000000000 }", "schedule.every_hours"),
        ("{every_hours = 6}", "{every_hours = 1.5 }", "schedule.every_hours"),
        ("{every_hours = 6}", "{every_hours = true }", "schedule.every_hours"),
        ('["email", "Contact Email"]', '["email", ""]', "mapping entry 1 target"),
        ('["email", "Contact Email"]', '["email", "Contact Email", "yes"]', "create"),
        ('["email", "Contact Email"]', "[" * 3000 + "]" * 3000, "nested too deeply"),
    ],
)
def test_the_reported_configurations_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], replace: str, by: str, words: str
) -> None:
    file = tmp_path / "fieldsync.toml"
    text = document(BASE).replace(replace, by) if replace in document(BASE) else ""
    assert text, "the replaced text is in the base document"
    file.write_text(text, encoding="utf-8")

    code = main(["--config", str(file), "syncs"])

    err = capsys.readouterr().err
    assert (code, err.count("\n")) == (2, 1)
    assert words in err


def test_an_organization_id_written_as_a_number_is_accepted(tmp_path: Path) -> None:
    file = tmp_path / "fieldsync.toml"
    file.write_text(
        '[integrations.z]\ntype = "zoho"\norganization_id = 10234695\n'
        'client_id = "id"\nclient_secret = "s"\nrefresh_token = "r"\n',
        encoding="utf-8",
    )

    config = load_config(file, environ={})

    assert config.integrations["z"].settings["organization_id"] == 10234695
