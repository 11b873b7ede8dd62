"""The webhook notifier against receivers that misbehave slowly, and what it logs of its URL."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from fieldsync.domain.sync import Notification, NotificationKind
from fieldsync.http.retry import RetryPolicy
from fieldsync.notifiers import WebhookNotifier
from fieldsync.testing.clock import FakeClock

NOTE = Notification(
    id="n1",
    kind=NotificationKind.RUN_COMPLETED,
    title="Sync done",
    summary="3 added",
    created_at=datetime(2026, 3, 2, tzinfo=UTC),
    sync_id="s1",
    run_id="r1",
)


def trickling_receiver(stop: threading.Event, answer: bytes) -> tuple[str, threading.Thread]:
    """A receiver on a free port that sends ``answer`` one byte every 0.2 s."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)

    def serve() -> None:
        with server:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                for byte in answer:
                    if stop.wait(0.2):
                        return
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.getsockname()[1]}/hook", thread


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" * 10,  # the status line trickles
        b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + b"x" * 400,  # and the body
    ],
    ids=["headers", "body"],
)
def test_a_receiver_trickling_its_answer_cannot_hold_a_delivery_past_its_deadline(
    stop: threading.Event, answer: bytes
) -> None:
    url, _ = trickling_receiver(stop, answer)
    notifier = WebhookNotifier(
        url, secret="k", timeout=1.0, deadline=0.8, retry=RetryPolicy(attempts=3), clock=FakeClock()
    )
    began = time.monotonic()

    notifier.notify(NOTE)

    assert time.monotonic() - began < 1.5
    assert (0, 1) == (notifier.delivered, notifier.failures)


def test_a_delivery_within_its_deadline_counts_as_delivered() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(204)))
    notifier = WebhookNotifier("https://hooks.example/x", secret="k", client=client, deadline=5)

    notifier.notify(NOTE)

    assert 1 == notifier.delivered


@pytest.mark.parametrize(
    "url",
    [
        "https://bot:hunter2@hooks.example.com/services/T000/B000/XXXXSECRETPATH",
        "https://hooks.example.com/services/T000/B000/XXXXSECRETPATH?token=hunter2",
    ],
)
def test_httpx_logs_the_webhook_url_without_its_password_or_path(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(500)))
    notifier = WebhookNotifier(
        url, secret="k", client=client, retry=RetryPolicy(attempts=2), clock=FakeClock()
    )

    with caplog.at_level(logging.DEBUG):
        notifier.notify(NOTE)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request: POST https://hooks.example.com/REDACTED" in logged
    assert "hunter2" not in logged
    assert "XXXXSECRETPATH" not in logged


def test_another_url_with_a_password_is_logged_without_it(caplog: pytest.LogCaptureFixture) -> None:
    WebhookNotifier("https://hooks.example.com/a", secret="k")  # installs the filter
    client = httpx.Client(transport=httpx.MockTransport(lambda _r: httpx.Response(200)))

    with caplog.at_level(logging.INFO, logger="httpx"):
        client.get("https://me:pa55word@api.example.com/v1/things")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "https://api.example.com/v1/things" in logged
    assert "pa55word" not in logged
