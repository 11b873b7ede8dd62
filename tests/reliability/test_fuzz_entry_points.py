"""Hostile input at every door, on both stores: no answer of 500 or more, no exit 70.

Every field of every JSON body under /api, every field of the create form, every path id
and every value of a ``[[syncs]]`` table in the TOML file is replaced, one at a time, by a
value an attacker or a broken front end sends (a lone surrogate, NUL and control
characters, a name of 5,000 characters, a number, a list, nesting 100,000 deep...). The
door either takes it or refuses it with a 4xx / exit 2; whatever it took, every screen and
listing still answers afterwards (a stored value must never poison a later read).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from fieldsync import FieldMapping, SQLiteStore, SyncService, SyncSpec
from fieldsync.cli import main
from fieldsync.ports import SyncStore
from fieldsync.testing import FakeSource, FakeTarget
from fieldsync.web import console

LIST = "news"
BODY: dict[str, Any] = {
    "integration": "crm",
    "name": "People",
    "list_key": LIST,
    "mapping": [
        {"source": "email", "target": "Contact Email"},
        {"source": "first_name", "target": "First Name"},
    ],
    "criteria": 'status == "active"',
    "schedule": {"kind": "daily", "at": "02:00", "tz": "Asia/Kolkata"},
    "options": {"update_empty_values": False},
}
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- hostile values -------------------------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=20),  # every code point, lone surrogates and NUL included
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "S\x00x",
            "\ud83d",  # half an emoji: a front end that cut it in two
            "a\udc00b",
            "\u202egnp.exe",
            "\x1b[31mred",
            "line\nbreak",
            "x" * 5000,
            "9" * 5000,
            "²",
            "Europe/" + "x" * 300,
            "../../etc/passwd",
            "%00",
        ]
    ),
)
hostile_json = st.one_of(
    hostile_text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.lists(hostile_text, max_size=3),
    st.dictionaries(hostile_text, hostile_text, max_size=3),
)


def _short(value: Any) -> str:
    """A value for a failure message: long ones cut (a message of 5,000 nines helps nobody)."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _paths(body: dict[str, Any]) -> list[tuple[str | int, ...]]:
    """Every place of a JSON value, as a path of keys and indexes."""
    found: list[tuple[str | int, ...]] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        found.append(path)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(body, ())
    return found[1:]


def _replaced(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    copy: Any = json.loads(json.dumps(body))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    return dict(copy)


BODY_PATHS = _paths(BODY)

# -- the doors ------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncStore]:
    if request.param == "sqlite":
        with SQLiteStore(tmp_path / "state.db") as sqlite:
            yield sqlite
    else:
        yield request.getfixturevalue("postgres_store")


@pytest.fixture
def service(store: SyncStore) -> SyncService:
    source = FakeSource()
    source.put("c1", {"email": "ada@example.org", "first_name": "Ada", "status": "active"})
    target = FakeTarget()
    target.create_list(LIST)
    service = SyncService(store=store)
    service.register_integration("crm", source=source, target=target)
    return service


@pytest.fixture
def api(service: SyncService) -> Iterator[TestClient]:
    app = console(service, authorize=lambda request: True)
    with TestClient(app, raise_server_exceptions=False) as client:
        session = client.get("/api/session").json()
        client.headers[session["header"]] = session["csrf_token"]
        yield client
    assert app.state.runs.wait(10)
    assert app.state.previews.wait(10)


def _post_json(api: TestClient, path: str, body: Any) -> Any:
    """POST a JSON body as a front end sends it: a lone surrogate as its ``\\ud83d``
    escape (valid JSON text), NaN as ``NaN`` (which Python's parser accepts)."""
    headers = {"content-type": "application/json"}
    return api.post(path, content=json.dumps(body).encode(), headers=headers)


def _sync_id(service: SyncService) -> str:
    spec = SyncSpec(
        name="Base",
        list_key=LIST,
        mapping=FieldMapping.of(("email", "Contact Email")),
    )
    return service.create_sync("crm", spec).id


def _every_read_answers(api: TestClient, sync_id: str) -> None:
    """What a stored value could poison: every listing and page still answers."""
    for path in (
        "/api/syncs",
        "/api/integrations",
        "/api/integrations/crm",
        f"/api/syncs/{sync_id}",
        "/",
        "/integrations/crm",
        f"/syncs/{sync_id}/edit",
        "/notifications",
    ):
        response = api.get(path)
        assert response.status_code < 500, (path, response.text[:300])


@FUZZ
@given(where=st.sampled_from(BODY_PATHS), value=hostile_json)
def test_no_api_body_field_makes_a_server_error(
    api: TestClient, service: SyncService, where: tuple[str | int, ...], value: Any
) -> None:
    body = _replaced(BODY, where, value)
    sync_id = _sync_id(service)

    created = _post_json(api, "/api/syncs", body)
    edited = _post_json(api, f"/api/syncs/{sync_id}/edit", body)

    assert created.status_code < 500, (where, _short(value), created.text[:300])
    assert edited.status_code < 500, (where, _short(value), edited.text[:300])
    assert created.headers["content-type"].startswith("application/json")
    _every_read_answers(api, sync_id)


@FUZZ
@given(field=st.sampled_from(["confirm", "acknowledge_disclaimer", "ids"]), value=hostile_json)
def test_no_other_post_body_makes_a_server_error(
    api: TestClient, service: SyncService, field: str, value: Any
) -> None:
    sync_id = _sync_id(service)
    for path in (
        f"/api/syncs/{sync_id}/initiate",
        f"/api/syncs/{sync_id}/pause",
        f"/api/syncs/{sync_id}/resume",
        "/api/notifications/read",
    ):
        response = _post_json(api, path, {field: value})
        assert response.status_code < 500, (path, field, _short(value), response.text[:300])


POST_PATHS = (
    "/api/syncs",
    "/api/syncs/{id}/edit",
    "/api/syncs/{id}/initiate",
    "/api/syncs/{id}/run",
    "/api/syncs/{id}/pause",
    "/api/syncs/{id}/resume",
    "/api/notifications/read",
    "/api/integrations/crm/disable",
)


@pytest.mark.parametrize("path", POST_PATHS)
def test_a_body_nested_100_000_deep_is_a_400(
    api: TestClient, service: SyncService, path: str
) -> None:
    sync_id = _sync_id(service)

    response = api.post(
        path.format(id=sync_id),
        content=_deep(100_000).encode(),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")


FORM = {
    "name": "People",
    "list_key": LIST,
    "row_count": "2",
    "rows-0-source": "email",
    "rows-1-source": "first_name",
    "rows-1-target": "First Name",
    "criteria": "",
    "schedule": "daily",
    "every": "6",
    "every_unit": "hours",
    "at": "02:00",
    "weekday": "0",
    "day": "1",
    "tz": "UTC",
    "action": "next",
}


def _page_token(client: TestClient) -> str:
    """The CSRF token the pages hand out (a page visit sets its cookie)."""
    client.get("/notifications")
    cookies = [c for c in client.cookies.jar if c.name == "fieldsync_csrf" and c.path == "/"]
    return str(cookies[0].value)


def _form_body(fields: dict[str, str]) -> bytes:
    """A form body; a lone surrogate goes as the bytes a broken client would send."""
    return urllib.parse.urlencode(fields, encoding="utf-8", errors="surrogatepass").encode()


@FUZZ
@given(
    field=st.sampled_from([*FORM, "rows-1-create", "update_empty_values"]),
    value=st.one_of(hostile_text, st.sampled_from(["remove-²", "remove-" + "9" * 5000])),
)
def test_no_form_field_makes_a_server_error(
    api: TestClient, service: SyncService, field: str, value: str
) -> None:
    sync_id = _sync_id(service)
    body = _form_body({**FORM, field: value, "csrf_token": _page_token(api)})
    headers = {"content-type": "application/x-www-form-urlencoded"}

    for path in ("/integrations/crm/syncs/new", f"/syncs/{sync_id}/edit"):
        response = api.post(path, content=body, headers=headers, follow_redirects=False)
        assert response.status_code < 500, (path, field, _short(value), response.text[:300])
    _every_read_answers(api, sync_id)


@FUZZ
@given(ident=hostile_text.filter(lambda text: "/" not in text and text.strip()))
def test_no_path_id_makes_a_server_error(api: TestClient, ident: str) -> None:
    quoted = urllib.parse.quote(ident, safe="", errors="surrogatepass")
    reads = (
        f"/api/syncs/{quoted}",
        f"/api/syncs/{quoted}/history",
        f"/api/syncs/{quoted}/progress",
        f"/api/syncs/{quoted}/preview",
        f"/api/integrations/{quoted}",
        f"/api/integrations/{quoted}/schemas",
        f"/syncs/{quoted}/configuration",
        f"/syncs/{quoted}/edit",
        f"/integrations/{quoted}",
        f"/settings/apps/{quoted}",
        f"/api/syncs?state={quoted}",
        f"/api/syncs?integration={quoted}",
    )
    for path in reads:
        response = api.get(path)
        assert response.status_code < 500, (path, response.text[:300])
    for path in (f"/api/syncs/{quoted}/run", f"/api/syncs/{quoted}/pause"):
        response = api.post(path)
        assert response.status_code < 500, (path, response.text[:300])


# -- the TOML file --------------------------------------------------------------------------

SYNC_TABLE: dict[str, Any] = {
    "name": "Customers",
    "integration": "crm",
    "list_key": LIST,
    "criteria": 'status == "active"',
    "schedule": {"daily": "02:00", "tz": "UTC"},
    "mapping": [["email", "Contact Email"], ["first_name", "First Name"]],
    "update_empty_values": False,
}
TOML_PATHS = _paths(SYNC_TABLE)


def _toml(value: Any) -> str:
    """A TOML value (json.dumps escapes what TOML's basic strings escape alike, but for
    lone surrogates, which TOML cannot carry at all: such a file is refused as unreadable)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items()) + " }"
        )
    return '""'


def _config(tmp_path: Path, store: str, table: dict[str, Any]) -> Path:
    lines = [
        store,
        "[integrations.crm]",
        'type = "python"',
        'source = "fuzz_adapters:make_source"',
        'target = "fuzz_adapters:make_target"',
        "",
        "[[syncs]]",
        *(f"{json.dumps(key)} = {_toml(value)}" for key, value in table.items()),
    ]
    path = tmp_path / "fieldsync.toml"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def store_line(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"store = {json.dumps(str(tmp_path / 'state.db'))}\n"
    url = request.getfixturevalue("postgres_url")
    schema = request.getfixturevalue("postgres_schema")
    return f"[store]\nurl = {json.dumps(url)}\nschema = {json.dumps(schema)}\n"


@FUZZ
@given(where=st.sampled_from(TOML_PATHS), value=hostile_json.filter(lambda v: v is not None))
def test_no_toml_value_makes_exit_70(
    tmp_path: Path,
    store_line: str,
    capsys: pytest.CaptureFixture[str],
    where: tuple[str | int, ...],
    value: Any,
) -> None:
    config = _config(tmp_path, store_line, _replaced(SYNC_TABLE, where, value))

    codes = [
        main(["--config", str(config), *command])
        for command in (["syncs"], ["preview", "Customers"], ["--json", "syncs"])
    ]

    assert 70 not in codes, (where, _short(value), capsys.readouterr().err[-500:])
