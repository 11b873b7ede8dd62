"""The OpenAPI 3.1 document at /api/openapi.json: every route of the API is in it, and every
real answer of a walk through the API (successes and errors) matches its declared schema."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from web_helpers import LIST, settle

from fieldsync import SyncService
from fieldsync.web._schema import validate

BODY: dict[str, Any] = {
    "integration": "crm",
    "name": "People",
    "list_key": LIST,
    "mapping": [
        {"source": "email"},
        {"source": "first_name", "target": "First Name"},
        {"source": "country", "target": "Country", "create": True},
    ],
    "criteria": 'status == "active"',
    "schedule": {"kind": "weekly", "at": "02:00", "weekday": 1, "tz": "Asia/Kolkata"},
    "options": {"update_empty_values": True, "retrieve_since": "2026-01-01T00:00:00+00:00"},
}
# Every keyword the validator checks: a document using another would not be checked.
CHECKED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "maxItems",
    "anyOf",
    "$ref",
    "format",  # an annotation in 2020-12
}


def _api_routes(app: Starlette) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        if isinstance(route, Mount) and route.path == "/api":
            for inner in route.routes:
                assert isinstance(inner, Route)
                for method in inner.methods or ():
                    if method != "HEAD":
                        yield method.lower(), inner.path


class Recorder:
    """A client that keeps every answer of the API it got."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: list[tuple[str, str, Any]] = []

    def __call__(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        self.seen.append((method.lower(), path, response))
        return response


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def test_the_document_is_openapi_3_1_with_every_route(
    app: Starlette, document: dict[str, Any]
) -> None:
    declared = {(m, p) for p, item in document["paths"].items() for m in item}

    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api"}]
    assert declared == set(_api_routes(app))
    for item in document["paths"].values():
        for operation in item.values():
            assert operation["summary"]
            assert operation["operationId"]
            assert {"200", "201", "202"} & set(operation["responses"])
            assert operation["x-fieldsync-role"] in {"viewer", "operator", "admin"}


def test_every_schema_uses_only_checked_keywords_and_known_references(
    document: dict[str, Any],
) -> None:
    named = document["components"]["schemas"]

    def walk(schema: Any) -> None:
        if isinstance(schema, dict):
            unknown = {k for k in schema if k not in CHECKED}
            assert not unknown, unknown
            if "$ref" in schema:
                assert schema["$ref"].removeprefix("#/components/schemas/") in named
            for key in ("items", "additionalProperties"):
                if isinstance(schema.get(key), dict):
                    walk(schema[key])
            for sub in (*schema.get("properties", {}).values(), *schema.get("anyOf", ())):
                walk(sub)

    for schema in named.values():
        walk(schema)
    for item in document["paths"].values():
        for operation in item.values():
            for answer in operation["responses"].values():
                walk(answer["content"]["application/json"]["schema"])


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    relative = path.split("?")[0].removeprefix("/api")
    for template, item in document["paths"].items():
        if re.fullmatch(re.sub(r"{\w+}", "[^/]+", template), relative):
            # a method the path does not take: its 405 is declared on each of the others
            found: dict[str, Any] = item.get(method) or next(iter(item.values()))
            return found
    if method == "get":  # no such path: the 404 every operation declares
        return _operation(document, "get", "/api/syncs")
    raise AssertionError(f"{method} {path} is not in the document")


def _walk(app: Starlette, api: Recorder) -> None:
    """Every endpoint, its successes and its refusals."""
    api("get", "/api/openapi.json")
    session = api("get", "/api/session").json()
    api.client.headers[session["header"]] = session["csrf_token"]
    api("get", "/api/integrations")
    api("get", "/api/integrations/crm")
    api("get", "/api/integrations/crm/schemas")
    made = api("post", "/api/syncs", json=BODY).json()
    sync_id = made["id"]
    api("post", "/api/syncs", json={**BODY, "criteria": "status =="})  # 422, problems
    api("post", "/api/syncs", json={**BODY, "create": "false"})  # 422, fields
    api("get", f"/api/syncs/{sync_id}/preview")  # 202 while it reads (or 200)
    settle(app)
    api("get", f"/api/syncs/{sync_id}/preview")
    api("post", f"/api/syncs/{sync_id}/initiate", json={})  # 409 with the disclaimer
    api("post", f"/api/syncs/{sync_id}/initiate", json={"acknowledge_disclaimer": True})
    settle(app)
    api("get", f"/api/syncs/{sync_id}/progress")
    api("get", f"/api/syncs/{sync_id}")
    api("get", f"/api/syncs/{sync_id}/history")
    api("post", f"/api/syncs/{sync_id}/edit", json={"name": "Renamed", "criteria": ""})
    api("get", "/api/syncs")
    api("get", "/api/syncs?state=active&integration=crm")
    api("post", f"/api/syncs/{sync_id}/pause")
    api("post", f"/api/syncs/{sync_id}/pause")  # 409
    api("post", f"/api/syncs/{sync_id}/resume")
    api("post", f"/api/syncs/{sync_id}/run", json={})
    settle(app)
    api("get", f"/api/syncs/{sync_id}/progress")
    api("get", "/api/notifications?unread=1")
    api("post", "/api/notifications/read", json={"ids": None})
    api("get", "/api/notifications")
    api("get", "/api/syncs/nope")  # 404
    api("put", "/api/syncs")  # 405
    api("post", "/api/syncs", content=b"x", headers={"content-type": "text/plain"})  # 415
    api("post", "/api/syncs", content=b"[" * 300_000, headers={"content-type": "application/json"})
    api("get", "/api/syncs?state=sleeping")  # 400
    api("post", "/api/integrations/crm/disable", json={})
    api("post", "/api/integrations/crm/disable", json={"confirm": True})
    api("get", "/api/integrations/crm/schemas")  # 409 now
    api("get", "/api/integrations/crm")
    token = api.client.headers.pop("x-csrf-token")
    api("post", f"/api/syncs/{sync_id}/pause")  # 403 csrf
    api.client.headers["x-csrf-token"] = token


def test_every_real_answer_of_a_walk_matches_the_document(
    app: Starlette, client: TestClient, document: dict[str, Any], service: SyncService
) -> None:
    api = Recorder(client)
    _walk(app, api)
    named = document["components"]["schemas"]
    statuses = set()

    for method, path, response in api.seen:
        operation = _operation(document, method, path)
        declared = operation["responses"].get(str(response.status_code))
        assert declared is not None, (method, path, response.status_code, response.text[:200])
        schema = declared["content"]["application/json"]["schema"]
        assert response.headers["content-type"] == "application/json", path
        problems = validate(schema, response.json(), named)
        assert not problems, (method, path, response.status_code, problems)
        statuses.add(response.status_code)

    assert statuses >= {200, 201, 202, 400, 403, 404, 405, 409, 413, 415, 422}


@pytest.mark.parametrize(
    ("schema", "value", "problems"),
    [
        ({"anyOf": [{"$ref": "#/components/schemas/P"}, {"type": "null"}]}, None, {}),
        (
            {"anyOf": [{"$ref": "#/components/schemas/P"}, {"type": "null"}]},
            {"x": "1"},
            {"x": "must be a whole number."},
        ),
        ({"type": "integer"}, True, {"": "must be a whole number."}),
        ({"type": "number"}, float("nan"), {"": "must be a number."}),
        ({"const": True}, 1, {"": "must be True."}),
        (
            {"type": ["string", "null"], "maxLength": 2},
            "abc",
            {"": "must be at most 2 characters."},
        ),
        ({"type": "array", "items": {"type": "string"}}, ["a", 2], {"1": "must be text."}),
        ({"type": "integer", "minimum": 0, "maximum": 6}, 7, {"": "must be from 0 to 6."}),
    ],
)
def test_the_validator_checks_what_the_document_says(
    schema: dict[str, Any], value: Any, problems: dict[str, str]
) -> None:
    named = {"P": {"type": "object", "properties": {"x": {"type": "integer"}}}}

    assert validate(schema, value, named) == problems
