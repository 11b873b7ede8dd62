"""Every state change is a POST with the CSRF token; without it, nothing changes."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from web_helpers import initiated, token

from fieldsync import SyncService, SyncState

FORM_POSTS = [
    "/integrations/crm/syncs/new",
    "/syncs/{id}/edit",
    "/syncs/{id}/initiate",
    "/syncs/{id}/pause",
    "/syncs/{id}/resume",
    "/syncs/{id}/run",
    "/notifications/read",
    "/notifications/{note}/open",
    "/settings/apps/crm/disable",
]
API_POSTS = [
    "/api/syncs",
    "/api/syncs/{id}/edit",
    "/api/syncs/{id}/initiate",
    "/api/syncs/{id}/pause",
    "/api/syncs/{id}/resume",
    "/api/syncs/{id}/run",
    "/api/notifications/read",
    "/api/integrations/crm/disable",
]


def _paths(service: SyncService, paths: list[str]) -> list[str]:
    sync, _ = initiated(service)
    note = service.notifications()[0]
    return [p.format(id=sync.id, note=note.id) for p in paths]


@pytest.mark.parametrize("index", range(len(FORM_POSTS)))
def test_a_form_post_without_the_token_is_refused_and_changes_nothing(
    client: TestClient, service: SyncService, index: int
) -> None:
    path = _paths(service, FORM_POSTS)[index]
    token(client)  # the browser has a valid cookie; the form lacks the token

    response = client.post(path, data={"confirm": "yes", "name": "x"}, follow_redirects=False)

    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert [s.state for s in service.list_syncs()] == [SyncState.ACTIVE]
    assert service.integrations()[0].disabled_at is None
    assert len(service.notifications(unread_only=True)) == 1


@pytest.mark.parametrize("index", range(len(API_POSTS)))
def test_an_api_post_without_the_header_is_refused(
    client: TestClient, service: SyncService, index: int
) -> None:
    path = _paths(service, API_POSTS)[index]
    token(client)

    response = client.post(path, json={"confirm": True})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"
    assert [s.state for s in service.list_syncs()] == [SyncState.ACTIVE]


def test_a_token_that_does_not_match_the_cookie_is_refused(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    real = token(client)
    nonce, _, signature = real.partition(".")

    response = client.post(f"/syncs/{sync.id}/pause", data={"csrf_token": f"x{nonce}.{signature}"})

    assert response.status_code == 403
    assert service.sync_detail(sync.id).sync.state is SyncState.ACTIVE


def test_a_forged_cookie_and_matching_token_are_refused(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    client.cookies.set("fieldsync_csrf", "forged.0000")

    response = client.post(f"/syncs/{sync.id}/pause", data={"csrf_token": "forged.0000"})

    assert response.status_code == 403


def test_a_token_from_another_console_secret_is_refused(service: SyncService) -> None:
    from fieldsync.web import console

    sync, _ = initiated(service)
    one = TestClient(console(service, authorize=lambda r: True, secret_key=b"1" * 32))
    other = TestClient(console(service, authorize=lambda r: True, secret_key=b"2" * 32))
    stolen = token(one)
    other.cookies.set("fieldsync_csrf", stolen)

    response = other.post(f"/syncs/{sync.id}/pause", data={"csrf_token": stolen})

    assert response.status_code == 403


def test_the_cookie_is_http_only_and_same_site_strict(client: TestClient) -> None:
    response = client.get("/")

    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/" in cookie
