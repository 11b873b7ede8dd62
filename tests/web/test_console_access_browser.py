"""Tenants and roles in a real browser: one console, two organizations. Each role of
organization A sees only A's integration, syncs and notifications, gets the same 404 page
for B's sync as for an unknown one, sees only the buttons it may use, and every page state
on the way passes axe-core with no violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from browser_helpers import Served
from starlette.requests import Request
from test_console_browser import Audit

from fieldsync import FieldMapping, InMemoryStore, SyncService, SyncSpec
from fieldsync.testing import FakeClock, FakeSource, FakeTarget
from fieldsync.web import Access, console

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))


def _authorize(request: Request) -> Access:
    return Access(integrations={"org-a"}, role=request.cookies.get("role", "viewer"))


@pytest.fixture
def two() -> Iterator[tuple[Served, dict[str, str]]]:
    clock = FakeClock(START)
    service = SyncService(store=InMemoryStore(), clock=clock)
    ids = {}
    for org, name in (("org-a", "Alpha People"), ("org-b", "Bravo People")):
        source = FakeSource(clock=clock)
        for i in range(3):
            source.put(f"{org}{i}", {"email": f"{org}{i}@example.com", "first_name": "P"})
        target = FakeTarget(plan_limit=50, auto_upgrade=True)
        target.create_list("news")
        service.register_integration(org, source=source, target=target)
        sync = service.create_sync(org, SyncSpec(name=name, list_key="news", mapping=MAPPING))
        service.initiate(sync.id, acknowledge_disclaimer=True)
        ids[org] = sync.id
    with Served(console(service, authorize=_authorize)) as served:
        yield served, ids


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_each_role_of_one_organization_in_chromium(
    browser: Any, axe: Any, two: tuple[Served, dict[str, str]], role: str
) -> None:
    from playwright.sync_api import expect

    served, ids = two
    audit = Audit(axe)
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_cookies([{"name": "role", "value": role, "url": served.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(served.url + "/")
    expect(page.get_by_role("link", name="Syncs of Org A")).to_be_visible()
    expect(page.get_by_text("Org B")).to_have_count(0)
    settings = page.get_by_role("link", name="Settings")
    expect(settings).to_have_count(1 if role == "admin" else 0)
    audit(page, f"{role}: sync services")

    page.get_by_role("link", name="Syncs of Org A").click()
    expect(page.get_by_role("link", name="Create Sync")).to_have_count(0 if role == "viewer" else 1)
    audit(page, f"{role}: syncs")

    page.goto(f"{served.url}/syncs/{ids['org-a']}/configuration")
    pause = page.get_by_role("button", name="Pause Sync")
    expect(pause).to_have_count(0 if role == "viewer" else 1)
    audit(page, f"{role}: configuration")

    page.goto(served.url + "/notifications")
    expect(page.get_by_text("Alpha People")).not_to_have_count(0)
    expect(page.get_by_text("Bravo People")).to_have_count(0)
    audit(page, f"{role}: notifications")

    theirs = page.goto(f"{served.url}/syncs/{ids['org-b']}/configuration")
    assert theirs is not None
    assert theirs.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    audit(page, f"{role}: another organization's sync")

    settings_page = page.goto(served.url + "/settings/apps")
    assert settings_page is not None
    assert settings_page.status == (200 if role == "admin" else 403)
    expect(page.get_by_text("Org B")).to_have_count(0)
    audit(page, f"{role}: settings")

    if role != "viewer":
        page.goto(f"{served.url}/syncs/{ids['org-a']}/configuration")
        page.get_by_role("button", name="Pause Sync").click()
        expect(page.get_by_role("button", name="Resume Sync")).to_be_visible()
        audit(page, f"{role}: paused")

    context.close()
    assert audit.problems == []
