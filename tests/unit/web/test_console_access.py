"""Access: two organizations on one console, each guessing EVERY URL and API path of the
other (the routes enumerated from the app, so a new route cannot escape), for each role;
and the roles: what each may not do is a 403."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from web_helpers import LIST, MAPPING, START

from fieldsync import InMemoryStore, SyncService, SyncSpec, SyncState
from fieldsync.testing import FakeClock, FakeSource, FakeTarget
from fieldsync.web import Access, Role, console
from fieldsync.web._access import required_role

ORGS = {"a": frozenset({"org-a"}), "b": frozenset({"org-b", "org-b-old"})}
ROLES = [role.value for role in Role]
UNKNOWN = "f" * 32


@attrs.frozen
class Org:
    """What one organization holds: a sync, one of its runs, one of its notifications."""

    integration: str
    sync_id: str
    run_id: str
    note_id: str
    words: tuple[str, ...]  # what must never show to the other organization


def _register(service: SyncService, name: str, clock: FakeClock) -> None:
    source = FakeSource(clock=clock, page_size=4)
    for i in range(3):
        source.put(f"{name}{i}", {"email": f"{name}{i}@example.com", "first_name": "P"})
    source.put(f"{name}-bad", {"email": "not-an-email", "first_name": "Skipped"})
    target = FakeTarget(plan_limit=50, auto_upgrade=True)
    target.create_list(LIST)
    service.register_integration(name, source=source, target=target)


def _org(service: SyncService, integration: str, name: str) -> Org:
    sync = service.create_sync(integration, SyncSpec(name=name, list_key=LIST, mapping=MAPPING))
    run = service.initiate(sync.id, acknowledge_disclaimer=True)
    note = next(n for n in service.notifications() if n.sync_id == sync.id)
    return Org(integration, sync.id, run.id, note.id, (integration, name, sync.id, run.id))


@pytest.fixture
def two() -> tuple[SyncService, dict[str, Org]]:
    clock = FakeClock(START)
    service = SyncService(store=InMemoryStore(), clock=clock)
    for name in ("org-a", "org-b", "org-b-old"):
        _register(service, name, clock)
    orgs = {
        "a": _org(service, "org-a", "Alpha People"),
        "b": _org(service, "org-b", "Bravo People"),
    }
    old = _org(service, "org-b-old", "Bravo Old")
    service.disable_integration("org-b-old", confirm=True)  # a note naming an integration
    orgs["b"] = attrs.evolve(orgs["b"], words=(*orgs["b"].words, *old.words))
    return service, orgs


def _authorize(request: Request) -> Access | bool:
    org = request.headers.get("x-org")
    if org is None:
        return True
    return Access(integrations=ORGS[org], role=request.headers.get("x-role", "admin"))


@pytest.fixture
def app(two: tuple[SyncService, dict[str, Org]]) -> Starlette:
    return console(two[0], authorize=_authorize)


def _client(app: Starlette, org: str, role: str) -> TestClient:
    client = TestClient(app, headers={"x-org": org, "x-role": role})
    client.get("/notifications")  # the CSRF cookie
    token = str(client.cookies["fieldsync_csrf"])
    client.headers["x-csrf-token"] = token
    return client


def every_route(app: Starlette) -> Iterator[tuple[str, str]]:
    """Every (method, path template) the console serves, the API's included; the static
    files and the trailing-slash catch-all aside."""
    for route in app.routes:
        if isinstance(route, Route) and route.path != "/{path:path}":
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, route.path
        elif isinstance(route, Mount) and route.path == "/api":
            for inner in route.routes:
                assert isinstance(inner, Route)
                for method in sorted(inner.methods or ()):
                    if method != "HEAD":
                        yield method, "/api" + inner.path


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)


def _ids(org: Org) -> dict[str, str]:
    return {
        "name": org.integration,
        "sync_id": org.sync_id,
        "run_id": org.run_id,
        "note_id": org.note_id,
    }


_UNKNOWN_IDS = {"name": "org-x", "sync_id": UNKNOWN, "run_id": "e" * 32, "note_id": "d" * 32}


def _send(client: TestClient, method: str, path: str) -> Any:
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        return client.post(path, json={}, follow_redirects=False)
    token = client.headers["x-csrf-token"]
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def _same_words(text: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        text = text.replace(value, f"<{key}>")
    return text


def _state(service: SyncService) -> Any:
    syncs = [(s.id, s.name, s.state, s.pending) for s in service.list_syncs()]
    notes = [(n.id, n.read) for n in service.notifications()]
    runs = [len(service.history(s.id)) for s in service.list_syncs()]
    return syncs, notes, runs, [i.disabled_at for i in service.integrations()]


@pytest.mark.parametrize("role", ROLES)
def test_every_path_of_the_other_organization_is_a_404_as_an_unknown_one(
    app: Starlette, two: tuple[SyncService, dict[str, Org]], role: str
) -> None:
    service, orgs = two
    a, b = orgs["a"], orgs["b"]
    client = _client(app, "a", role)
    before = _state(service)
    guessed = 0
    templates = [t for t in every_route(app) if "{" in t[1]]
    for method, template in templates:
        theirs = {**_ids(a), **_ids(b)}
        # their ids everywhere, and their run or note under our own sync
        tries = [theirs]
        if "{run_id}" in template:
            tries.append({**_ids(a), "run_id": b.run_id})
        for ids in tries:
            unknown = {
                k: (_UNKNOWN_IDS[k] if ids[k] == theirs[k] and ids[k] != _ids(a)[k] else v)
                for k, v in ids.items()
            }
            found = _send(client, method, _fill(template, ids))
            missing = _send(client, method, _fill(template, unknown))
            guessed += 1
            assert found.status_code == 404, (method, template, found.status_code, found.text[:200])
            assert _same_words(found.text, ids) == _same_words(missing.text, unknown), template
    assert guessed >= 25  # every route with an id, pages and API
    assert _state(service) == before  # nothing of theirs changed


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_answer_shows_anything_of_the_other_organization(
    app: Starlette, two: tuple[SyncService, dict[str, Org]], role: str
) -> None:
    _service, orgs = two
    a, b = orgs["a"], orgs["b"]
    client = _client(app, "a", role)
    for method, template in every_route(app):
        if method != "GET":
            continue
        response = _send(client, method, _fill(template, _ids(a)))
        assert response.status_code in {200, 202, 303, 307, 403}, (template, response.status_code)
        for word in b.words:
            assert word not in response.text, (template, word)
    notes = client.get("/api/notifications").json()
    assert [n["sync_id"] for n in notes] == [a.sync_id]
    assert "data-unread>1<" in client.get("/").text  # the bell counts ours only
    listed = client.get("/api/syncs?integration=org-b").json()
    assert listed == []


def test_creating_in_the_other_organization_is_a_404_as_an_unknown_integration(
    app: Starlette, two: tuple[SyncService, dict[str, Org]]
) -> None:
    service, _ = two
    client = _client(app, "a", "admin")
    body = {"name": "Mine", "list_key": LIST, "mapping": [{"source": "email"}]}

    theirs = client.post("/api/syncs", json={**body, "integration": "org-b"})
    unknown = client.post("/api/syncs", json={**body, "integration": "org-x"})
    page = client.post(
        "/integrations/org-b/syncs/new",
        data={"csrf_token": client.headers["x-csrf-token"], "name": "Mine"},
    )

    assert theirs.status_code == unknown.status_code == page.status_code == 404
    assert theirs.json()["error"]["message"] == "no integration 'org-b'"
    assert unknown.json()["error"]["message"] == "no integration 'org-x'"
    assert len(service.list_syncs(integration="org-b")) == 1


def test_marking_every_notification_read_marks_only_ours(
    app: Starlette, two: tuple[SyncService, dict[str, Org]]
) -> None:
    service, orgs = two
    client = _client(app, "a", "viewer")

    marked = client.post("/api/notifications/read", json={"ids": None})
    theirs = client.post("/api/notifications/read", json={"ids": [orgs["b"].note_id]})
    page = client.post(
        "/notifications/read",
        data={"csrf_token": client.headers["x-csrf-token"]},
        follow_redirects=False,
    )

    assert (marked.json(), theirs.json(), page.status_code) == ({"marked": 1}, {"marked": 0}, 303)
    unread = {n.sync_id for n in service.notifications(unread_only=True)}
    assert orgs["b"].sync_id in unread
    assert orgs["a"].sync_id not in unread


# -- roles ---------------------------------------------------------------------------------------

EXPECTED_ROLES = {
    ("GET", "/"): "viewer",
    ("GET", "/integrations/{name}"): "viewer",
    ("GET", "/integrations/{name}/syncs/new"): "operator",
    ("POST", "/integrations/{name}/syncs/new"): "operator",
    ("GET", "/syncs/{sync_id}/edit"): "operator",
    ("POST", "/syncs/{sync_id}/edit"): "operator",
    ("GET", "/syncs/{sync_id}/preview"): "viewer",
    ("POST", "/syncs/{sync_id}/initiate"): "operator",
    ("GET", "/syncs/{sync_id}"): "viewer",
    ("GET", "/syncs/{sync_id}/configuration"): "viewer",
    ("GET", "/syncs/{sync_id}/mapping"): "viewer",
    ("GET", "/syncs/{sync_id}/history"): "viewer",
    ("POST", "/syncs/{sync_id}/pause"): "operator",
    ("POST", "/syncs/{sync_id}/resume"): "operator",
    ("POST", "/syncs/{sync_id}/run"): "operator",
    ("GET", "/syncs/{sync_id}/verify"): "viewer",
    ("POST", "/syncs/{sync_id}/verify"): "operator",
    ("GET", "/syncs/{sync_id}/runs/{run_id}/skipped"): "viewer",
    ("GET", "/syncs/{sync_id}/runs/{run_id}/skipped.csv"): "viewer",
    ("GET", "/settings"): "admin",
    ("GET", "/settings/apps"): "admin",
    ("GET", "/settings/apps/{name}"): "admin",
    ("GET", "/settings/apps/{name}/deny"): "admin",
    ("POST", "/settings/apps/{name}/disable"): "admin",
    ("GET", "/notifications"): "viewer",
    ("POST", "/notifications/read"): "viewer",
    ("POST", "/notifications/{note_id}/open"): "viewer",
    ("GET", "/api/openapi.json"): "viewer",
    ("GET", "/api/session"): "viewer",
    ("GET", "/api/integrations"): "viewer",
    ("GET", "/api/integrations/{name}"): "viewer",
    ("GET", "/api/integrations/{name}/schemas"): "viewer",
    ("POST", "/api/integrations/{name}/disable"): "admin",
    ("GET", "/api/syncs"): "viewer",
    ("POST", "/api/syncs"): "operator",
    ("GET", "/api/syncs/{sync_id}"): "viewer",
    ("POST", "/api/syncs/{sync_id}/edit"): "operator",
    ("GET", "/api/syncs/{sync_id}/preview"): "viewer",
    ("POST", "/api/syncs/{sync_id}/initiate"): "operator",
    ("POST", "/api/syncs/{sync_id}/run"): "operator",
    ("POST", "/api/syncs/{sync_id}/pause"): "operator",
    ("POST", "/api/syncs/{sync_id}/resume"): "operator",
    ("GET", "/api/syncs/{sync_id}/progress"): "viewer",
    ("GET", "/api/syncs/{sync_id}/history"): "viewer",
    ("POST", "/api/syncs/{sync_id}/verify"): "operator",
    ("GET", "/api/notifications"): "viewer",
    ("POST", "/api/notifications/read"): "viewer",
}


def test_every_route_has_the_role_the_docs_give_it(app: Starlette) -> None:
    found = {
        (method, path): required_role(method, path.removeprefix("/api") or "/").value
        for method, path in every_route(app)
    }

    assert found == EXPECTED_ROLES  # a new route: decide its role here and in the docs


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_what_a_role_may_not_do_is_a_403_and_changes_nothing(
    app: Starlette, two: tuple[SyncService, dict[str, Org]], role: str
) -> None:
    service, orgs = two
    client = _client(app, "a", role)
    before = _state(service)
    refused = 0
    for method, template in every_route(app):
        if Role(EXPECTED_ROLES[(method, template)]).rank <= Role(role).rank:
            continue
        response = _send(client, method, _fill(template, _ids(orgs["a"])))
        refused += 1
        assert response.status_code == 403, (method, template, response.status_code)
        if template.startswith("/api/"):
            assert response.json()["error"]["code"] == "forbidden"
            assert response.json()["error"]["message"].startswith("This needs the ")
        else:
            assert "Not allowed" in response.text
    assert refused >= (5 if role == "operator" else 15)
    assert _state(service) == before


def test_each_role_does_what_it_may(
    app: Starlette, two: tuple[SyncService, dict[str, Org]]
) -> None:
    service, orgs = two
    a = orgs["a"]
    viewer, operator, admin = (_client(app, "a", r) for r in ROLES)

    exported = viewer.get(f"/syncs/{a.sync_id}/runs/{a.run_id}/skipped.csv")
    paused = operator.post(f"/api/syncs/{a.sync_id}/pause")
    not_disabled = operator.post("/api/integrations/org-a/disable", json={"confirm": True})
    disabled = admin.post("/api/integrations/org-a/disable", json={"confirm": True})

    assert exported.status_code == 200
    assert "not-an-email" in exported.text
    assert paused.json()["state"] == "paused"
    assert not_disabled.status_code == 403
    assert disabled.json()["confirmed"] is True
    assert service.get_sync(a.sync_id).state is SyncState.DISABLED
    assert service.get_sync(orgs["b"].sync_id).state is SyncState.ACTIVE


def test_true_is_admin_of_everything_and_access_takes_role_values(
    app: Starlette, two: tuple[SyncService, dict[str, Org]]
) -> None:
    everything = TestClient(app)

    assert len(everything.get("/api/syncs").json()) == 3
    assert everything.get("/settings/apps").status_code == 200
    assert Access(role="viewer").role is Role.VIEWER
    assert Access().may(Role.ADMIN)
    assert Access().sees("anything")
    with pytest.raises(ValueError, match="'owner'"):
        Access(role="owner")
    with pytest.raises(TypeError, match="not one name"):
        Access(integrations="org-a")


def test_a_viewer_is_not_shown_the_buttons_it_may_not_use(
    app: Starlette, two: tuple[SyncService, dict[str, Org]]
) -> None:
    a = two[1]["a"]
    clients = {role: _client(app, "a", role) for role in ROLES}
    page = f"/syncs/{a.sync_id}/configuration"

    seen = {role: c.get(page).text for role, c in clients.items()}
    home = {role: c.get("/").text for role, c in clients.items()}

    assert "Pause Sync" not in seen["viewer"]
    assert "Pause Sync" in seen["operator"]
    assert "Create Sync" not in home["viewer"]
    assert "Create Sync" in home["operator"]
    assert ">Settings<" not in home["operator"]
    assert ">Settings<" in home["admin"]


def test_an_async_hook_may_grant_access_too(two: tuple[SyncService, dict[str, Org]]) -> None:
    service, orgs = two

    async def authorize(request: Request) -> Access:
        return Access(integrations=["org-b"], role=Role.VIEWER)

    with TestClient(console(service, authorize=authorize)) as client:
        listed = client.get("/api/syncs").json()
        mine = client.get(f"/api/syncs/{orgs['b'].sync_id}")
        theirs = client.get(f"/api/syncs/{orgs['a'].sync_id}")

    assert {s["integration"] for s in listed} == {"org-b"}
    assert mine.status_code == 200
    assert theirs.status_code == 404
