"""Helpers of the browser tests: where Chromium is, a slow source, the served console."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

__all__ = ["Served", "chromium_path", "slow_pages"]


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
