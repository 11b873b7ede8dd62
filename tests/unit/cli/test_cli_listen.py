"""`fieldsync worker --listen HOST:PORT`: the webhook receiver served beside the worker's
loop, on a real socket, with the secrets of the configuration's ``webhook_secret`` keys."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import cli_adapters
import httpx
import pytest
from cli_helpers import CONFIG, fieldsync

from fieldsync.cli._listen import parse_listen
from fieldsync.exceptions import ConfigurationError

SECRET = "listen-secret-0123"
WITH_SECRET = CONFIG.replace(
    'target = "cli_adapters:make_target"\n',
    'target = "cli_adapters:make_target"\nwebhook_secret = "${HOOK_SECRET}"\n',
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def knock_when_served(port: int, seen: dict[str, object]) -> None:
    """What Zoho Invoice does: post hooks once the receiver answers; then stop the worker
    once the change reached the list (or after a deadline)."""
    url = f"http://127.0.0.1:{port}/hooks/crm"
    deadline = time.monotonic() + 20
    try:
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                try:
                    seen["wrong"] = client.post(url, headers={"X-Fieldsync-Token": "x"}).status_code
                    break
                except httpx.TransportError:
                    time.sleep(0.05)  # the worker is still starting its server
            answer = client.post(url, headers={"X-Fieldsync-Token": SECRET}, content=b"{}")
            seen["right"] = answer.status_code
            while time.monotonic() < deadline:
                if cli_adapters.TARGET.contact("news", "new@example.org") is not None:
                    seen["sent"] = True
                    break
                time.sleep(0.05)  # the run goes on in the worker's background thread
    finally:
        os.kill(os.getpid(), signal.SIGTERM)


def test_the_worker_receives_a_hook_and_runs_the_sync_at_once(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    config.write_text(WITH_SECRET, encoding="utf-8")
    assert fieldsync(config, "initiate", "Customers") == 0  # every 6 hours: not due again
    new = {"email": "new@example.org", "first_name": "Nia", "country": "India"}
    cli_adapters.SOURCE.put("c4", new, modified_at=datetime.now(UTC))
    port = free_port()
    seen: dict[str, object] = {}
    knocker = threading.Thread(target=knock_when_served, args=(port, seen))
    # The worker puts its own handler in place (and back); a stray SIGTERM must not kill
    # the test run if the worker stopped early.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        knocker.start()
        code = fieldsync(config, "worker", "--listen", f"127.0.0.1:{port}", "--interval", "3600")
        knocker.join(30)
    finally:
        signal.signal(signal.SIGTERM, previous)
    printed = capsys.readouterr()
    assert (code, seen) == (0, {"wrong": 401, "right": 202, "sent": True})
    assert f"receiving webhooks on http://127.0.0.1:{port}/hooks/{{integration}}" in printed.err
    assert SECRET not in printed.out + printed.err


def test_listen_needs_a_webhook_secret(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = fieldsync(config, "worker", "--listen", "127.0.0.1:0")

    assert code == 2
    assert "--listen needs webhook_secret" in capsys.readouterr().err


def test_a_webhook_secret_read_from_the_environment_must_be_set(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOK_SECRET", raising=False)
    config.write_text(WITH_SECRET, encoding="utf-8")

    assert fieldsync(config, "syncs") == 2
    assert "webhook_secret reads ${HOOK_SECRET}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.0.0.0:8080", ("0.0.0.0", 8080)), ("[::1]:9000", ("::1", 9000))],
)
def test_listen_takes_host_and_port(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["8080", "host:", ":8080", "host:http", "host:70000"])
def test_listen_refuses_anything_else(text: str) -> None:
    with pytest.raises(ConfigurationError, match="HOST:PORT"):
        parse_listen(text)
