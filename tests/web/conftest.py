"""The console served by uvicorn on 127.0.0.1, and Chromium driven by Playwright.

Playwright is pointed at Debian's ``chromium`` (it cannot download its own browsers here).
Without one the tests skip, saying so in one line, except under ``CI``, where they fail:
``make test`` installs it, so a CI run without it is broken, not excused.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import uvicorn

from fieldsync import InMemoryStore, SyncService
from fieldsync.testing import EmulatedZoho, FakeClock
from fieldsync.web import console

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def chromium_path() -> str | None:
    """The Chromium binary: $FIELDSYNC_CHROMIUM, else Debian's chromium on the PATH."""
    return (
        os.environ.get("FIELDSYNC_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def slow_pages(source: Any, delay: float) -> None:
    """Give ``source`` real seconds between pages, so that a person (and the test) can
    watch a run's progress. Patched on the instance: the screens still name its class."""
    read = source.read

    def slow_read(**kwargs: Any) -> Iterator[Any]:
        for page in read(**kwargs):
            time.sleep(delay)
            yield page

    source.read = slow_read


class Served:
    """The console on a random port of 127.0.0.1, in a thread."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()
        self.app.state.runs.wait(10)


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
