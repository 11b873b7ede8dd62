"""Keeps secrets that an API wants in a query string out of httpx's request log.

httpx logs every request at INFO as ``HTTP Request: POST <url> "HTTP/1.1 200 OK"``, URL
query included. Zoho's revoke call carries the refresh token in its query, so an
application logging at INFO would write it to its logs. The filter rewrites those records.
"""

from __future__ import annotations

import logging

import httpx

from fieldsync._secrets import SENSITIVE_PARAMS

__all__ = ["SENSITIVE_PARAMS", "install_log_redaction"]

_MARK = "REDACTED"


class _RedactSecrets(logging.Filter):
    """Replaces the values of sensitive query parameters in logged httpx URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        return True


def _redact(arg: object) -> object:
    if isinstance(arg, httpx.URL) and SENSITIVE_PARAMS.intersection(arg.params.keys()):
        params = [
            (key, _MARK if key in SENSITIVE_PARAMS else value)
            for key, value in arg.params.multi_items()
        ]
        return arg.copy_with(params=params)
    return arg


def install_log_redaction() -> None:
    """Add the filter to the ``httpx`` logger, once (calling again changes nothing)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactSecrets) for f in logger.filters):
        logger.addFilter(_RedactSecrets())
