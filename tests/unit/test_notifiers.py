import json
import logging
from datetime import UTC, datetime

import httpx
import pytest

from fieldsync.domain.sync import Notification, NotificationKind
from fieldsync.http.retry import RetryPolicy
from fieldsync.notifiers import (
    SIGNATURE_HEADER,
    CallbackNotifier,
    LoggingNotifier,
    WebhookNotifier,
    notification_payload,
    sign,
)
from fieldsync.testing.clock import FakeClock

SECRET = "s3cret-webhook-key"


def a_notification() -> Notification:
    return Notification(
        id="n1",
        kind=NotificationKind.RUN_COMPLETED,
        title="Sync 'Customers' completed",
        summary="3 records: 2 added, 0 updated, 0 unchanged, 1 skipped, 0 failed",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        sync_id="s1",
        run_id="r1",
    )


def test_logging_notifier_logs_title_summary_and_ids(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="fieldsync.notifications"):
        LoggingNotifier().notify(a_notification())

    assert "Sync 'Customers' completed" in caplog.text
    assert "sync s1, run r1" in caplog.text


def test_callback_notifier_hands_over_the_notification() -> None:
    received: list[Notification] = []

    CallbackNotifier(received.append).notify(a_notification())

    assert [n.id for n in received] == ["n1"]


def test_callback_notifier_swallows_and_logs_a_failing_callback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_: Notification) -> None:
        raise RuntimeError("boom")

    CallbackNotifier(broken).notify(a_notification())

    assert "notification callback failed" in caplog.text


def test_webhook_posts_signed_json() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(204)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WebhookNotifier("https://hooks.example/fs", secret=SECRET, client=client)

    notifier.notify(a_notification())

    (request,) = requests
    assert json.loads(request.content) == notification_payload(a_notification())
    assert request.headers[SIGNATURE_HEADER] == sign(request.content, SECRET)
    assert notifier.delivered == 1


def test_webhook_retries_server_errors_then_delivers() -> None:
    answers = iter([503, 500, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers))

    clock = FakeClock()
    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WebhookNotifier(
        "https://hooks.example/fs",
        secret=SECRET,
        client=client,
        clock=clock,
        retry=RetryPolicy(attempts=3),
    )

    notifier.notify(a_notification())

    assert (notifier.delivered, notifier.failures) == (1, 0)
    assert len(clock.sleeps) == 2


def test_webhook_gives_up_on_a_client_error_without_retrying(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(403)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WebhookNotifier("https://hooks.example/fs?token=abc", secret=SECRET, client=client)

    notifier.notify(a_notification())

    assert (len(calls), notifier.failures) == (1, 1)
    assert "HTTP 403" in caplog.text
    assert "token=abc" not in caplog.text


def test_webhook_failure_after_retries_never_raises_nor_logs_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WebhookNotifier(
        "https://hooks.example/fs",
        secret=SECRET,
        client=client,
        clock=FakeClock(),
        retry=RetryPolicy(attempts=2),
    )

    notifier.notify(a_notification())

    assert notifier.failures == 1
    assert SECRET not in caplog.text
    assert SECRET not in repr(notifier)


def test_the_webhook_repr_shows_the_host_only() -> None:
    notifier = WebhookNotifier(
        "https://user:hunter2@hooks.example/services/T0/B0/XyZ", secret=SECRET
    )

    assert repr(notifier) == "WebhookNotifier(host='hooks.example')"


def test_a_redirect_is_not_a_delivery() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://elsewhere.example/"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    notifier = WebhookNotifier("http://hooks.example/fs", secret=SECRET, client=client)

    notifier.notify(a_notification())

    assert (notifier.delivered, notifier.failures) == (0, 1)


def test_an_invalid_webhook_url_is_a_failed_delivery_not_an_exception() -> None:
    notifier = WebhookNotifier("http://[not a url", secret=SECRET, clock=FakeClock())

    notifier.notify(a_notification())

    assert notifier.failures == 1
