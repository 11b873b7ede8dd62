"""The strict API: a wrong type is a 422 naming the field (one test per coercion the issue
found), text bounded and free of control characters, the body bounded before it is parsed,
and one error shape for every refusal under /api."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient
from web_helpers import LIST, initiated, make_sync

from fieldsync import InMemoryStore, Schema, SyncService
from fieldsync.testing import FakeClock, FakeSource, FakeTarget
from fieldsync.web import console
from fieldsync.web._api_io import MAX_JSON_BYTES

BODY: dict[str, Any] = {
    "integration": "crm",
    "name": "People",
    "list_key": LIST,
    "mapping": [{"source": "email"}, {"source": "first_name", "target": "First Name"}],
}


@pytest.fixture
def api(client: TestClient) -> TestClient:
    session = client.get("/api/session").json()
    client.headers[session["header"]] = session["csrf_token"]
    return client


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    """The error of ``response``, in the one shape, with this status and code."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"]
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "fields"} <= set(error)
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    assert error["code"] == code
    return error


def _create_refused(api: TestClient, service: SyncService, body: dict[str, Any]) -> dict[str, str]:
    error = _refused(api.post("/api/syncs", json=body), 422, "invalid")
    assert service.list_syncs() == []
    fields: dict[str, str] = error["fields"]
    return fields


# -- one test per coercion -----------------------------------------------------------------------


def test_the_string_false_is_not_false_for_update_empty_values(
    api: TestClient, service: SyncService
) -> None:
    body = {**BODY, "options": {"update_empty_values": "false"}}

    fields = _create_refused(api, service, body)

    assert fields == {"options.update_empty_values": "must be true or false."}


def test_the_string_false_does_not_create_a_field(api: TestClient, service: SyncService) -> None:
    mapping = [{"source": "email"}, {"source": "country", "target": "Country", "create": "false"}]

    fields = _create_refused(api, service, {**BODY, "mapping": mapping})

    assert fields == {"mapping.1.create": "must be true or false."}


def test_numeric_criteria_are_not_every_record(api: TestClient, service: SyncService) -> None:
    fields = _create_refused(api, service, {**BODY, "criteria": 123})

    assert fields == {"criteria": "must be text."}


def test_a_null_schedule_kind_is_not_once(api: TestClient, service: SyncService) -> None:
    fields = _create_refused(api, service, {**BODY, "schedule": {"kind": None}})

    assert fields["schedule.kind"].startswith("must be one of once, ")


def test_an_edit_is_as_strict(api: TestClient, service: SyncService) -> None:
    sync = make_sync(service)

    response = api.post(f"/api/syncs/{sync.id}/edit", json={"options": {"update_empty_values": 0}})

    assert _refused(response, 422, "invalid")["fields"] == {
        "options.update_empty_values": "must be true or false."
    }
    assert service.get_sync(sync.id) == sync


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/syncs/{id}/initiate", {"acknowledge_disclaimer": "yes"}, "acknowledge_disclaimer"),
        ("/api/integrations/crm/disable", {"confirm": "true"}, "confirm"),
        ("/api/notifications/read", {"ids": [1]}, "ids.0"),
        ("/api/syncs/{id}/run", {"now": True}, "now"),
    ],
)
def test_the_other_bodies_take_only_their_declared_types(
    api: TestClient, service: SyncService, path: str, body: dict[str, Any], field: str
) -> None:
    sync, _ = initiated(service)
    history = service.history(sync.id)

    error = _refused(api.post(path.format(id=sync.id), json=body), 422, "invalid")

    assert list(error["fields"]) == [field]
    assert service.history(sync.id) == history
    assert service.integrations()[0].disabled_at is None


# -- text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "x" * 5000}, "name", "must be at most 255 characters."),
        ({"name": "S\x00x"}, "name", "must not hold a control character."),
        ({"name": "S\x1b[31mx"}, "name", "must not hold a control character."),
        ({"list_key": "k" * 256}, "list_key", "must be at most 255 characters."),
        ({"integration": "c" * 300}, "integration", "must be at most 255 characters."),
        ({"criteria": "x" * 10_001}, "criteria", "must be at most 10000 characters."),
    ],
)
def test_text_is_bounded_and_free_of_control_characters(
    api: TestClient, service: SyncService, changes: dict[str, Any], field: str, message: str
) -> None:
    assert _create_refused(api, service, {**BODY, **changes}) == {field: message}


def test_an_unknown_key_is_named(api: TestClient, service: SyncService) -> None:
    fields = _create_refused(api, service, {**BODY, "schedule": {"kind": "once", "when": 1}})

    assert fields == {"schedule.when": "is not a known key."}


def test_a_lone_surrogate_is_refused_by_the_services_rules(
    api: TestClient, service: SyncService
) -> None:
    body = b'{"integration": "crm", "name": "P\\ud83d", "list_key": "news", '
    body += b'"mapping": [{"source": "email"}]}'
    response = api.post("/api/syncs", content=body, headers={"content-type": "application/json"})

    assert "name" in _refused(response, 422, "invalid")["fields"]


# -- the body's size and type ----------------------------------------------------------------------


def test_a_body_larger_than_the_bound_is_a_413_before_it_is_parsed(
    api: TestClient, service: SyncService
) -> None:
    big = b'{"name": "' + b"x" * MAX_JSON_BYTES + b'"}'

    response = api.post("/api/syncs", content=big, headers={"content-type": "application/json"})

    _refused(response, 413, "too_large")
    assert service.list_syncs() == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_json_is_a_415(api: TestClient, content_type: str) -> None:
    response = api.post("/api/syncs", content=b"{}", headers={"content-type": content_type})

    _refused(response, 415, "unsupported_media_type")


# -- one shape for every refusal -----------------------------------------------------------------


def test_every_refusal_under_the_api_has_the_one_shape(
    client: TestClient, api: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    token = api.headers["x-csrf-token"]

    _refused(api.get("/api/syncs/nope"), 404, "not_found")
    _refused(api.get("/api/nothing"), 404, "not_found")
    _refused(api.put("/api/syncs"), 405, "method_not_allowed")
    _refused(api.get("/api/syncs?state=sleeping"), 400, "bad_request")
    _refused(api.post(f"/api/syncs/{sync.id}/resume"), 409, "refused")
    api.headers["x-csrf-token"] = "forged"
    _refused(api.post(f"/api/syncs/{sync.id}/pause"), 403, "csrf")
    api.headers["x-csrf-token"] = token
    other_site = {"sec-fetch-site": "cross-site"}
    _refused(api.post(f"/api/syncs/{sync.id}/pause", headers=other_site), 403, "cross_site")


def test_the_guards_refusal_has_the_one_shape(service: SyncService) -> None:
    with TestClient(console(service, authorize=lambda request: False)) as refused:
        error = _refused(refused.get("/api/syncs"), 403, "forbidden")

    assert error["message"] == "You are not allowed to use this console."


class _BrokenSource(FakeSource):
    def schema(self) -> Schema:
        raise RuntimeError("internal detail /srv/secret/path")


def test_an_unexpected_error_is_a_500_in_the_one_shape_without_internals() -> None:
    clock = FakeClock()
    service = SyncService(store=InMemoryStore(), clock=clock)
    service.register_integration("crm", source=_BrokenSource(clock=clock), target=FakeTarget())
    app = console(service, authorize=lambda request: True)

    with TestClient(app, raise_server_exceptions=False) as client:
        error = _refused(client.get("/api/integrations/crm/schemas"), 500, "failed")

    assert "internal detail" not in error["message"]


@pytest.mark.parametrize("path", ["/api", "/api/", "/api/syncs/", "/api/nothing/at/all"])
def test_every_path_under_the_api_answers_in_the_one_shape(client: TestClient, path: str) -> None:
    _refused(client.get(path, follow_redirects=False), 404, "not_found")


def test_a_failing_hook_is_a_500_in_the_one_shape_and_logged(
    service: SyncService, caplog: pytest.LogCaptureFixture
) -> None:
    def authorize(request: object) -> bool:
        raise RuntimeError("the session store is down")

    with TestClient(console(service, authorize=authorize)) as client:
        error = _refused(client.get("/api/syncs"), 500, "failed")
        page = client.get("/")

    assert "session store" not in error["message"]
    assert (page.status_code, page.headers["content-type"].split(";")[0]) == (500, "text/plain")
    assert "session store is down" in caplog.text
