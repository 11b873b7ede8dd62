"""Notifiers: where "sync completed" and friends go besides the store's inbox.

- :class:`LoggingNotifier` writes one log line per notification.
- :class:`CallbackNotifier` calls a function of yours.
- :class:`WebhookNotifier` POSTs JSON to a URL, signed with HMAC-SHA256 from a shared secret,
  retrying failures.

A notifier never raises into a run: the service logs a failed delivery and goes on, and the
notification stays in the inbox (``service.notifications()``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable

import httpx

from fieldsync._closing import Closeable
from fieldsync._secrets import register_secret
from fieldsync.clock import SystemClock
from fieldsync.domain.sync import Notification
from fieldsync.exceptions import RetriableError, ServiceUnavailableError, TransportError
from fieldsync.http.retry import RetryPolicy
from fieldsync.ports import Clock
from fieldsync.redaction import install_log_redaction

__all__ = [
    "CallbackNotifier",
    "LoggingNotifier",
    "SIGNATURE_HEADER",
    "WebhookNotifier",
    "notification_payload",
    "sign",
]

SIGNATURE_HEADER = "X-Fieldsync-Signature"
"""The header that carries ``sha256=<hex digest>`` of the request body."""

_log = logging.getLogger("fieldsync.notifiers")


def notification_payload(notification: Notification) -> dict[str, object]:
    """The JSON object a notification is sent as (also what the webhook body holds)."""
    return {
        "id": notification.id,
        "kind": notification.kind.value,
        "title": notification.title,
        "summary": notification.summary,
        "created_at": notification.created_at.isoformat(),
        "sync_id": notification.sync_id,
        "run_id": notification.run_id,
    }


def sign(body: bytes, secret: str) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC-SHA256.

    Receivers recompute it over the raw body and compare with :func:`hmac.compare_digest`.
    """
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class LoggingNotifier:
    """Logs each notification at ``level`` on ``logger`` (default ``fieldsync.notifications``)."""

    def __init__(self, *, logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self._logger = logger or logging.getLogger("fieldsync.notifications")
        self._level = level

    def notify(self, notification: Notification) -> None:
        """Log one line: the title, the summary and the ids that lead to the sync's detail."""
        self._logger.log(
            self._level,
            "%s: %s (sync %s, run %s)",
            notification.title,
            notification.summary,
            notification.sync_id,
            notification.run_id,
        )


class CallbackNotifier:
    """Calls ``callback(notification)``. Exceptions from the callback are logged, not raised."""

    def __init__(self, callback: Callable[[Notification], object]) -> None:
        self._callback = callback

    def notify(self, notification: Notification) -> None:
        """Hand the notification to the callback."""
        try:
            self._callback(notification)
        except Exception:
            _log.exception("notification callback failed for %s", notification.id)


class WebhookNotifier(Closeable):
    """POSTs each notification as JSON to ``url``, signed with HMAC-SHA256.

    Args:
        url: where to POST.
        secret: the shared secret for the :data:`SIGNATURE_HEADER` signature. Never logged.
        client: the ``httpx.Client`` to use (inject one with a transport in tests). One
            passed in is yours to close; the one made when none is passed is closed by
            :meth:`close` (or by leaving ``with WebhookNotifier(...) as notifier:``).
        retry: how to retry 5xx answers, 429 and transport failures.
        clock: what retries wait on.
        timeout: seconds for each network operation of an attempt (connect, each read).
        deadline: seconds, in real time, that one delivery may take in all, retries and
            waits included. httpx's timeouts are per read, so a receiver trickling a byte
            every few seconds would otherwise hold the run that sends the notification
            for ever; past the deadline the delivery is abandoned and counted a failure
            (the notification stays in the store's inbox).

    The URL's credentials (``user:password@``), path and query are secrets (Slack-style
    webhook paths are): they never appear in fieldsync's logs, and the notifier installs a
    filter on the ``httpx`` logger that writes the URL of its requests as
    ``https://host/REDACTED``.
    """

    def __init__(
        self,
        url: str,
        *,
        secret: str,
        client: httpx.Client | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        timeout: float = 10.0,
        deadline: float = 30.0,
    ) -> None:
        self._url = url
        self._secret = secret
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client()
        self._retry = retry or RetryPolicy(attempts=4)
        self._clock = clock or SystemClock()
        self._timeout = timeout
        self._deadline = deadline
        self.delivered: int = 0
        self.failures: int = 0
        install_log_redaction(secret_urls=[url])
        register_secret(secret)  # scrubbed by value from whatever fieldsync shows

    def __repr__(self) -> str:
        # The host only: webhook paths (Slack's, say), queries and user:password@ are secrets.
        try:
            host = httpx.URL(self._url).host
        except httpx.InvalidURL:
            host = "?"
        return f"WebhookNotifier(host={host!r})"

    def close(self) -> None:
        """Close the httpx client if this notifier created it. Idempotent."""
        if self._owns_client:
            self._client.close()

    def notify(self, notification: Notification) -> None:
        """Deliver one notification within the deadline; a failure is logged and counted."""
        body = json.dumps(notification_payload(notification), separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, self._secret)}
        ends = time.monotonic() + self._deadline
        outcome: list[BaseException | None] = []

        def deliver() -> None:
            try:
                self._retry.call(lambda: self._post(body, headers, ends), clock=self._clock)
            except BaseException as exc:
                outcome.append(exc)
            else:
                outcome.append(None)

        # On its own daemon thread: a receiver that sends its answer a byte at a time can
        # stall inside httpx, where no deadline reaches; the run walks away from it.
        worker = threading.Thread(target=deliver, name="fieldsync-webhook", daemon=True)
        worker.start()
        worker.join(self._deadline)
        if not outcome:
            self.failures += 1
            _log.warning(
                "webhook delivery of %s failed: no answer within the %g s deadline; abandoned",
                notification.id,
                self._deadline,
            )
            return
        error = outcome[0]
        if error is None:
            self.delivered += 1
            return
        if not isinstance(error, RetriableError | httpx.HTTPError | httpx.InvalidURL):
            raise error
        self.failures += 1
        _log.warning("webhook delivery of %s failed: %s", notification.id, _describe(error))

    def _post(self, body: bytes, headers: dict[str, str], ends: float) -> None:
        left = ends - time.monotonic()
        if left <= 0:
            raise TransportError("webhook delivery ran past its deadline")
        timeout = min(self._timeout, left)
        try:
            with self._client.stream(
                "POST", self._url, content=body, headers=headers, timeout=timeout
            ) as response:
                for _ in response.iter_bytes():
                    # The answer's body means nothing to us, but a trickled one must not
                    # keep this thread reading past the deadline.
                    if time.monotonic() > ends:
                        raise TransportError("webhook answer ran past the deadline")
        except httpx.TransportError as exc:
            raise TransportError(f"webhook unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ServiceUnavailableError(
                "webhook answered an error", status_code=response.status_code
            )
        if response.status_code >= 300:
            # A redirect is not a delivery (it is not followed, since it would resend the
            # signed body elsewhere), and a 4xx other than 429 will not get better by
            # retrying: give up at once.
            raise httpx.HTTPStatusError(
                f"webhook refused the notification with HTTP {response.status_code}",
                request=response.request,
                response=response,
            )


def _describe(exc: BaseException) -> str:
    # httpx errors can carry the URL, and a URL's query can carry a token: say only the kind.
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.InvalidURL):
        return "the webhook URL is not valid"
    return str(exc) if isinstance(exc, RetriableError) else type(exc).__name__
