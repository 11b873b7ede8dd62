"""Keeping secrets out of log lines, stored messages and what is printed.

fieldsync redacts on its own: the Zoho adapters and ``WebhookNotifier`` install the
log filter and register the secrets they hold (:func:`register_secret`), and a run stores
an error it did not write itself only after :func:`redact_text`, which replaces the
registered values as well as what looks like a credential. These are public for a custom
adapter or notifier that needs the same: register the secrets it holds, and they are
scrubbed from every run error, notification, export, CLI line, console page and log record.

httpx logs every request at INFO as ``HTTP Request: POST <url> "HTTP/1.1 200 OK"``, the
whole URL included. Three kinds of secret travel there:

- query parameters (:data:`SENSITIVE_PARAMS`): Zoho's revoke call carries the refresh
  token in its query;
- credentials in the URL (``https://user:password@host/...``);
- secret paths: a webhook URL such as Slack's ``/services/T000/B000/XXXX`` *is* the
  credential. Code that sends to one registers it (``secret_urls=``): its path and query
  are logged as ``/REDACTED``.

:func:`install_log_redaction` adds a filter that rewrites those records on the ``httpx``
logger. A logging filter is process-wide by nature; registering a URL twice changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable

import httpx

from fieldsync._secrets import SENSITIVE_PARAMS, redact_text, register_secret

__all__ = [
    "SENSITIVE_PARAMS",
    "install_log_redaction",
    "redact_text",
    "redact_url",
    "register_secret",
]

_MARK = "REDACTED"
_Key = tuple[str, str, int | None, str]


def redact_url(url: httpx.URL) -> httpx.URL:
    """``url`` without its credentials: userinfo dropped and the values of
    :data:`SENSITIVE_PARAMS` in its query replaced by ``REDACTED``."""
    return _redacted(url, ())


class _RedactSecrets(logging.Filter):
    """Rewrites the URLs in httpx's log records: no query secret, no userinfo, no
    registered secret path."""

    def __init__(self) -> None:
        super().__init__()
        self.secret: set[_Key] = set()
        self._lock = threading.Lock()

    def register(self, urls: Iterable[str]) -> None:
        with self._lock:
            for url in urls:
                key = _key_of(url)
                if key is not None:
                    self.secret.add(key)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _redacted(arg, self.secret) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


def _key_of(url: str | httpx.URL) -> _Key | None:
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    return (parsed.scheme, parsed.host, parsed.port, parsed.path)


def _redacted(url: httpx.URL, secret_paths: Collection[_Key]) -> httpx.URL:
    """:func:`redact_url`, and path and query replaced by ``/REDACTED`` when ``url`` is
    one of ``secret_paths``."""
    if url.userinfo:
        url = url.copy_with(userinfo=b"")
    key = _key_of(url)
    if key is not None and key in secret_paths:
        return url.copy_with(path=f"/{_MARK}", query=None)
    if SENSITIVE_PARAMS.intersection(url.params.keys()):
        params = [
            (name, _MARK if name in SENSITIVE_PARAMS else value)
            for name, value in url.params.multi_items()
        ]
        url = url.copy_with(params=params)
    return url


_INSTALL_LOCK = threading.Lock()


def install_log_redaction(*, secret_urls: Iterable[str] = ()) -> None:
    """Add the redacting filter to the ``httpx`` logger, once, and register
    ``secret_urls`` (URLs whose path is a credential, such as a webhook's). Calling again
    adds no second filter.

    Args:
        secret_urls: URLs logged as ``scheme://host/REDACTED`` from now on.
    """
    logger = logging.getLogger("httpx")
    with _INSTALL_LOCK:
        found = next((f for f in logger.filters if isinstance(f, _RedactSecrets)), None)
        if found is None:
            found = _RedactSecrets()
            logger.addFilter(found)
    found.register(secret_urls)
