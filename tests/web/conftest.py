"""The console served by uvicorn on 127.0.0.1, and Chromium driven by Playwright.

Playwright is pointed at Debian's ``chromium`` (it cannot download its own browsers here).
Without one the tests skip, saying so in one line, except under ``CI``, where they fail:
``make test`` installs it, so a CI run without it is broken, not excused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from browser_helpers import Served, chromium_path, slow_pages

from fieldsync import InMemoryStore, SyncService
from fieldsync.testing import EmulatedZoho, FakeClock
from fieldsync.web import console

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def zoho() -> Iterator[EmulatedZoho]:
    zoho = EmulatedZoho.build(
        contacts=300,
        seed=7,
        clock=FakeClock(START),
        plan_limit=200,
        auto_upgrade=True,
        list_name="Invoice customers",
    )
    yield zoho
    zoho.close()


@pytest.fixture
def served(zoho: EmulatedZoho) -> Iterator[Served]:
    service = SyncService(store=InMemoryStore(), clock=zoho.clock)
    slow_pages(zoho.source, delay=0.3)
    service.register_integration("zoho-invoice", source=zoho.source, target=zoho.target)
    with Served(console(service, local_only=True)) as served:
        yield served


@pytest.fixture
def axe() -> Any:
    """axe-core (the ``axe-playwright-python`` package of the dev extra, which ships
    ``axe.min.js``): required under CI, like Chromium."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing in CI: it is in the dev extra")
        pytest.skip("axe-playwright-python is not installed (pip install -e '.[dev]')")
    return Axe()


@pytest.fixture
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("no chromium found in CI: `make test` should have installed it")
        pytest.skip("no chromium found: install Debian's chromium (make test does) to run this")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()
