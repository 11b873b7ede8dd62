"""The console at the service's door: what it cannot read is a 4xx naming the problem,
never a 500; text the service refuses is never stored; every refusal under /api is JSON."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from web_helpers import LIST, make_sync, post

from fieldsync import SyncService
from fieldsync.web import console

NEW = "/integrations/crm/syncs/new"
BODY: dict[str, Any] = {
    "integration": "crm",
    "name": "People",
    "list_key": LIST,
    "mapping": [{"source": "email"}, {"source": "first_name", "target": "First Name"}],
}
DEEP = b"[" * 100_000 + b"]" * 100_000
POSTS = [
    "/api/syncs",
    "/api/syncs/{id}/edit",
    "/api/syncs/{id}/initiate",
    "/api/syncs/{id}/run",
    "/api/syncs/{id}/pause",
    "/api/syncs/{id}/resume",
    "/api/integrations/crm/disable",
    "/api/notifications/read",
]


@pytest.fixture
def api(client: TestClient) -> TestClient:
    session = client.get("/api/session").json()
    client.headers[session["header"]] = session["csrf_token"]
    return client


@pytest.mark.parametrize("path", POSTS)
def test_a_body_nested_100000_deep_is_a_400_on_every_post(
    api: TestClient, service: SyncService, path: str
) -> None:
    sync = make_sync(service)

    response = api.post(
        path.format(id=sync.id), content=DEEP, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "S\x00x"}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"list_key": "news\ud83d"}, "list_key"),
        (
            {"mapping": [{"source": "email"}, {"source": "first_name", "target": "F\x00"}]},
            "mapping.1.target",
        ),
        (
            {"mapping": [{"source": "email"}, {"source": "f", "target": "F" * 300}]},
            "mapping.1.target",
        ),
        ({"criteria": 'status == "a\x00"'}, "criteria"),
        ({"schedule": {"kind": "daily", "tz": "x" * 300}}, "schedule.tz"),
        ({"options": {"update_empty_values": "false"}}, "options.update_empty_values"),
        ({"criteria": 123}, "criteria"),
    ],
)
def test_a_body_the_service_refuses_is_a_422_naming_the_field_and_stores_nothing(
    api: TestClient, service: SyncService, changes: dict[str, Any], field: str
) -> None:
    def send(path: str, body: dict[str, Any]) -> Any:
        # JSON text as a front end sends it: a lone surrogate escaped as \ud83d
        headers = {"content-type": "application/json"}
        return api.post(path, content=json.dumps(body).encode(), headers=headers)

    created = send("/api/syncs", {**BODY, **changes})
    sync = make_sync(service)
    edited = send(f"/api/syncs/{sync.id}/edit", changes)

    for response in (created, edited):
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert field in error["fields"], error
    assert [s.name for s in service.list_syncs()] == ["People"]
    assert service.get_sync(sync.id) == sync
    assert api.get("/api/syncs").status_code == 200


def test_an_edit_body_changes_only_the_keys_it_gives(api: TestClient, service: SyncService) -> None:
    sync = make_sync(service)

    edited = api.post(f"/api/syncs/{sync.id}/edit", json={"criteria": 'status == "active"'})

    assert edited.status_code == 200
    assert edited.json()["pending"]["criteria"] == 'status == "active"'
    assert edited.json()["pending"]["mapping"] == edited.json()["config"]["mapping"]


def test_the_api_speaks_the_codecs_shape(api: TestClient, service: SyncService) -> None:
    body = {
        **BODY,
        "options": {"update_empty_values": True},
        "schedule": {"kind": "every", "hours": 6},
    }

    made = api.post("/api/syncs", json=body).json()

    assert made["config"]["options"] == {
        "update_empty_values": True,
        "retrieve_since": None,
        "on_source_delete": "keep",
        "on_email_change": "keep",
    }
    assert made["config"]["schedule"]["interval"] == 6 * 3600
    assert made["config"]["mapping"][0] == {
        "source": "email",
        "target": "Contact Email",
        "create": False,
    }


def test_reading_an_integration_changes_nothing(api: TestClient, service: SyncService) -> None:
    detail = api.get("/api/integrations/crm").json()

    assert detail["credentials"] == ["fake source token", "fake target token"]
    assert service.integrations()[0].disabled_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/nothing"),
        ("put", "/api/syncs"),
        ("post", "/api/syncs"),  # no CSRF token
    ],
)
def test_every_refusal_under_the_api_is_json(client: TestClient, method: str, path: str) -> None:
    response = getattr(client, method)(path)

    assert response.status_code in {403, 404, 405}
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"]


def test_the_guards_refusal_under_the_api_is_json(service: SyncService) -> None:
    app: Starlette = console(service, authorize=lambda request: False)
    with TestClient(app) as refused:
        api, page = refused.get("/api/syncs"), refused.get("/")

    assert (api.status_code, api.json()["error"]["code"]) == (403, "forbidden")
    assert (page.status_code, page.headers["content-type"].split(";")[0]) == (403, "text/plain")


@pytest.mark.parametrize("action", ["remove-²", "remove-" + "9" * 5000, "remove-", "remove--1"])
def test_a_malformed_button_value_is_no_error(client: TestClient, action: str) -> None:
    response = post(client, NEW, name="People", list_key=LIST, row_count="2", action=action)

    assert response.status_code == 200


def test_a_malformed_row_count_is_no_error(client: TestClient) -> None:
    for count in ("²", "9" * 5000, "-3"):
        response = post(client, NEW, name="People", list_key=LIST, row_count=count, action="more")
        assert response.status_code == 200


def test_the_form_shows_the_services_text_rules_beside_their_field(
    client: TestClient, service: SyncService
) -> None:
    response = post(
        client,
        NEW,
        name="x" * 300,
        list_key="news\x07",
        row_count="1",
        **{"rows-0-source": "email"},
        tz="x" * 300,
        schedule="daily",
        at="02:00",
        action="next",
    )

    page = html.unescape(response.text)
    assert response.status_code == 400
    assert 'id="name-problems"' in page
    assert "at most 255" in page
    assert "control character" in page
    assert "unknown time zone" in page
    assert service.list_syncs() == []
