"""Nothing is served without the authorize hook, or outside this machine in local-only mode."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.testclient import TestClient

from fieldsync import SyncService
from fieldsync.web import console


def test_console_refuses_to_be_built_without_an_authorize_hook(service: SyncService) -> None:
    with pytest.raises(ValueError, match="authorize="):
        console(service)


def test_console_refuses_a_short_secret_key(service: SyncService) -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        console(service, authorize=lambda r: True, secret_key=b"short")


@pytest.mark.parametrize(
    "path", ["/", "/notifications", "/settings/apps", "/api/syncs", "/static/console.css"]
)
def test_a_refusing_hook_refuses_every_page_api_and_asset(service: SyncService, path: str) -> None:
    client = TestClient(console(service, authorize=lambda r: False))

    response = client.get(path)

    assert response.status_code == 403
    assert "not allowed" in response.text


def test_the_hook_sees_the_request_and_may_answer_with_its_own_response(
    service: SyncService,
) -> None:
    def authorize(request: Request) -> bool | Response:
        if request.headers.get("x-user") == "ana":
            return True
        return RedirectResponse("/login", status_code=303)

    client = TestClient(console(service, authorize=authorize), follow_redirects=False)

    assert client.get("/", headers={"x-user": "ana"}).status_code == 200
    refused = client.get("/")
    assert (refused.status_code, refused.headers["location"]) == (303, "/login")


def test_an_async_hook_is_awaited(service: SyncService) -> None:
    async def authorize(request: Request) -> bool:
        return request.headers.get("x-user") == "ana"

    client = TestClient(console(service, authorize=authorize))

    assert client.get("/", headers={"x-user": "ana"}).status_code == 200
    assert client.get("/").status_code == 403


def test_local_only_serves_a_loopback_client_on_a_local_host_name(service: SyncService) -> None:
    app = console(service, local_only=True)
    local = TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 50000))

    assert local.get("/").status_code == 200
    assert local.get("/", headers={"host": "localhost:8765"}).status_code == 200


def test_local_only_refuses_other_clients_and_rebound_host_names(service: SyncService) -> None:
    app = console(service, local_only=True)
    remote = TestClient(app, base_url="http://127.0.0.1:8765", client=("203.0.113.9", 50000))
    local = TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 50000))

    assert remote.get("/").status_code == 403
    assert local.get("/", headers={"host": "evil.example:8765"}).status_code == 403


def test_the_console_mounts_under_any_prefix(service: SyncService) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Mount

    host = Starlette(routes=[Mount("/admin/sync", app=console(service, authorize=lambda r: True))])
    client = TestClient(host)

    page = client.get("/admin/sync/")

    assert page.status_code == 200
    assert 'href="/admin/sync/static/console.css"' in page.text
    assert 'href="/admin/sync/integrations/crm"' in page.text
    assert client.get("/admin/sync/static/console.css").status_code == 200
    assert client.cookies["fieldsync_csrf"]
