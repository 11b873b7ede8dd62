"""Keeps secrets that travel in URLs out of httpx's request log.

httpx logs every request at INFO as ``HTTP Request: POST <url> "HTTP/1.1 200 OK"``, the
whole URL included. Three kinds of secret travel there:

- query parameters: Zoho's revoke call carries the refresh token in its query;
- credentials in the URL (``https://user:password@host/...``);
- secret paths: a webhook URL such as Slack's ``/services/T000/B000/XXXX`` *is* the
  credential. Code that sends to one registers it (``secret_urls=``): its path and query
  are logged as ``/REDACTED``.

The filter rewrites those records on the ``httpx`` logger. A logging filter is process-wide
by nature; registering a URL twice changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterable

import httpx

from fieldsync._secrets import SENSITIVE_PARAMS

__all__ = ["SENSITIVE_PARAMS", "install_log_redaction", "redact_url"]

_MARK = "REDACTED"
_Key = tuple[str, str, int | None, str]


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
                redact_url(arg, self.secret) if isinstance(arg, httpx.URL) else arg
                for arg in record.args
            )
        return True


def _key_of(url: str | httpx.URL) -> _Key | None:
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    return (parsed.scheme, parsed.host, parsed.port, parsed.path)


def redact_url(url: httpx.URL, secret_paths: Collection[_Key] = ()) -> httpx.URL:
    """``url`` without its credentials: userinfo dropped, sensitive query values replaced,
    and path and query replaced by ``/REDACTED`` when ``url`` is one of ``secret_paths``."""
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
    """Add the filter to the ``httpx`` logger, once, and register ``secret_urls`` (URLs
    whose path is a credential). Calling again adds no second filter."""
    logger = logging.getLogger("httpx")
    with _INSTALL_LOCK:
        found = next((f for f in logger.filters if isinstance(f, _RedactSecrets)), None)
        if found is None:
            found = _RedactSecrets()
            logger.addFilter(found)
    found.register(secret_urls)
