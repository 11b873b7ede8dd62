"""The headers of every answer, redirects that never use Host, and the guards that run
before a body is read: Origin / Sec-Fetch-Site beside the token, urlencoded forms only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient
from web_helpers import initiated, token

import fieldsync.web
from fieldsync import SyncService, SyncState
from fieldsync.web import console


def _policy(response: object) -> dict[str, str]:
    header = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(
    "path", ["/", "/settings/apps", "/notifications", "/api/syncs", "/static/console.css", "/nope"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)

    policy = _policy(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline'
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_a_refusal_of_the_hook_carries_them_too(service: SyncService) -> None:
    response = TestClient(console(service, authorize=lambda r: False)).get("/")

    assert response.status_code == 403
    assert _policy(response)["frame-ancestors"] == "'none'"


def test_an_embedding_app_chooses_who_may_frame_the_console(service: SyncService) -> None:
    app = console(service, authorize=lambda r: True, frame_ancestors="'self' https://a.example")

    response = TestClient(app).get("/")

    assert _policy(response)["frame-ancestors"] == "'self' https://a.example"
    assert "x-frame-options" not in response.headers


@pytest.mark.parametrize("bad", ["", "'self'; script-src *", "a, b"])
def test_frame_ancestors_that_would_break_the_policy_are_refused(
    service: SyncService, bad: str
) -> None:
    with pytest.raises(ValueError, match="frame_ancestors"):
        console(service, authorize=lambda r: True, frame_ancestors=bad)


def test_no_template_has_inline_script_style_or_handler() -> None:
    # The CSP allows neither: anything inline would silently not run in a browser.
    templates = Path(fieldsync.web.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert re.findall(r"<script(?![^>]*\bsrc=)", text) == [], template.name
        assert re.findall(r"<style|\sstyle=|\son[a-z]+=|javascript:", text) == [], template.name
        assert "http-equiv" not in text, template.name  # no meta refresh: console.js polls


@pytest.mark.parametrize("path", ["/settings/", "/notifications/", "/integrations/crm/"])
def test_a_trailing_slash_redirects_to_a_path_never_to_the_host_header(
    client: TestClient, path: str
) -> None:
    response = client.get(path + "?x=1", headers={"host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 308
    assert response.headers["location"] == path.rstrip("/") + "?x=1"
    assert "evil" not in response.headers["location"]


def test_under_a_mount_the_redirect_keeps_the_mount_path(service: SyncService) -> None:
    outer = Starlette(routes=[Mount("/sync", app=console(service, authorize=lambda r: True))])
    client = TestClient(outer, follow_redirects=False)

    response = client.get("/sync/settings/", headers={"host": "evil.example"})

    assert (response.status_code, response.headers["location"]) == (308, "/sync/settings")
    api = client.get("/sync/api/syncs/", headers={"host": "evil.example"})
    assert api.status_code == 404
    assert "location" not in api.headers


def test_an_unknown_path_with_a_slash_is_a_404(client: TestClient) -> None:
    assert client.get("/nope/", follow_redirects=False).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
    ],
)
def test_a_cross_site_post_is_refused_even_with_the_token(
    client: TestClient, service: SyncService, headers: dict[str, str]
) -> None:
    sync, _ = initiated(service)
    real = token(client)

    page = client.post(f"/syncs/{sync.id}/pause", data={"csrf_token": real}, headers=headers)
    api = client.post(f"/api/syncs/{sync.id}/pause", headers={"x-csrf-token": real, **headers})

    assert page.status_code == 403
    assert "another site" in page.text
    assert api.status_code == 403
    assert service.sync_detail(sync.id).sync.state is SyncState.ACTIVE


def test_a_same_origin_post_and_one_without_browser_headers_go_through(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    real = token(client)
    same = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}

    paused = client.post(
        f"/syncs/{sync.id}/pause", data={"csrf_token": real}, headers=same, follow_redirects=False
    )
    resumed = client.post(f"/api/syncs/{sync.id}/resume", headers={"x-csrf-token": real})

    assert paused.status_code == 303
    assert resumed.status_code == 200
    assert service.sync_detail(sync.id).sync.state is SyncState.ACTIVE


def test_behind_a_proxy_the_origin_may_match_the_forwarded_host(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    real = token(client)
    proxied = {"host": "127.0.0.1:8000", "x-forwarded-host": "app.example"}

    ok = client.post(
        f"/api/syncs/{sync.id}/pause",
        headers={"x-csrf-token": real, "origin": "https://app.example", **proxied},
    )
    other = client.post(
        f"/api/syncs/{sync.id}/resume",
        headers={"x-csrf-token": real, "origin": "https://evil.example", **proxied},
    )

    assert ok.status_code == 200
    assert other.status_code == 403
    assert service.sync_detail(sync.id).sync.state is SyncState.PAUSED


def test_a_multipart_body_is_refused_before_it_is_parsed(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    real = token(client)

    # A valid token in the multipart body: the body is never read, so it does not count.
    response = client.post(
        f"/syncs/{sync.id}/pause",
        data={"csrf_token": real},
        files={"upload": ("a.txt", b"x" * 1000, "text/plain")},
    )

    assert response.status_code == 415
    assert service.sync_detail(sync.id).sync.state is SyncState.ACTIVE


def test_a_form_without_its_token_is_refused_before_a_route_reads_it(
    client: TestClient, service: SyncService
) -> None:
    sync, _ = initiated(service)
    token(client)

    response = client.post(f"/syncs/{sync.id}/pause", content=b"", headers={})

    assert response.status_code == 403


def test_an_oversized_form_is_refused(client: TestClient, service: SyncService) -> None:
    sync, _ = initiated(service)
    real = token(client)

    response = client.post(
        f"/syncs/{sync.id}/pause", data={"csrf_token": real, "pad": "x" * 300_000}
    )

    assert response.status_code == 413
    assert service.sync_detail(sync.id).sync.state is SyncState.ACTIVE


def test_a_form_may_carry_its_token_in_the_header(client: TestClient, service: SyncService) -> None:
    sync, _ = initiated(service)
    real = token(client)

    response = client.post(
        f"/syncs/{sync.id}/pause", headers={"x-csrf-token": real}, follow_redirects=False
    )

    assert response.status_code == 303
    assert service.sync_detail(sync.id).sync.state is SyncState.PAUSED


def test_one_cookie_serves_the_pages_and_the_api(service: SyncService) -> None:
    sync, _ = initiated(service)
    outer = Starlette(routes=[Mount("/sync", app=console(service, authorize=lambda r: True))])
    client = TestClient(outer)

    session = client.get("/sync/api/session")
    page = client.get("/sync/")  # a page after the API: the same cookie, not a second one

    assert "path=/sync;" in session.headers["set-cookie"].lower()
    assert "set-cookie" not in page.headers
    assert len(client.cookies.jar) == 1
    api_token = session.json()["csrf_token"]
    paused = client.post(f"/sync/api/syncs/{sync.id}/pause", headers={"x-csrf-token": api_token})
    assert paused.status_code == 200
    resumed = client.post(
        f"/sync/syncs/{sync.id}/resume", data={"csrf_token": api_token}, follow_redirects=False
    )
    assert resumed.status_code == 303


def test_the_page_first_then_the_api_uses_the_same_token(service: SyncService) -> None:
    sync, _ = initiated(service)
    client = TestClient(console(service, authorize=lambda r: True))

    client.get("/")
    session = client.get("/api/session")

    assert "set-cookie" not in session.headers
    paused = client.post(
        f"/api/syncs/{sync.id}/pause", headers={"x-csrf-token": session.json()["csrf_token"]}
    )
    assert paused.status_code == 200
