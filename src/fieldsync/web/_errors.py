"""One table from errors to HTTP statuses, for the pages (an error page) and the JSON API
(an error body) alike."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

from fieldsync import (
    ConfigurationError,
    DisclaimerNotAcknowledgedError,
    InvalidConfigurationError,
    NotFoundError,
    SpecProblem,
    StateError,
    SyncError,
)
from fieldsync._secrets import redact_text
from fieldsync.exceptions import Problem
from fieldsync.web._csrf import CrossSiteRefused, CsrfRefused

__all__ = ["ErrorKind", "ErrorResponse", "error_body", "kind_of", "problems_json"]


@attrs.frozen
class ErrorKind:
    """How an error is answered: its status, the API's code, and the error page's heading."""

    status: int
    code: str
    heading: str


# The first row whose class the error is an instance of answers; subclasses come first.
_TABLE: tuple[tuple[type[BaseException], ErrorKind], ...] = (
    (CrossSiteRefused, ErrorKind(403, "cross_site", "Refused")),
    (CsrfRefused, ErrorKind(403, "csrf", "This form has expired")),
    (NotFoundError, ErrorKind(404, "not_found", "Not found")),
    (DisclaimerNotAcknowledgedError, ErrorKind(409, "disclaimer_required", "Not possible now")),
    (InvalidConfigurationError, ErrorKind(400, "invalid_configuration", "Check the configuration")),
    (StateError, ErrorKind(409, "refused", "Not possible now")),
    (ConfigurationError, ErrorKind(400, "invalid", "Check the configuration")),
    (SyncError, ErrorKind(502, "app_failed", "The app did not answer")),
)
_FAILED = ErrorKind(500, "failed", "Something went wrong")
_HEADINGS = {404: "Not found", 405: "Not allowed", 413: "Too large"}


def kind_of(exc: BaseException) -> ErrorKind:
    """How ``exc`` is answered (an unexpected error is a 500)."""
    if isinstance(exc, HTTPException):
        heading = _HEADINGS.get(exc.status_code, "Not possible")
        return ErrorKind(exc.status_code, "http", heading)
    return next((kind for cls, kind in _TABLE if isinstance(exc, cls)), _FAILED)


def problems_json(problems: Sequence[Problem]) -> dict[str, Any]:
    """Problems three ways: each one (``problems``: code, message, field, row), by field
    (``fields``, the field's sentences joined) and by mapping row (``rows``)."""
    listed: list[dict[str, Any]] = [
        {
            "code": p.code,
            "message": p.message,
            "field": p.field if isinstance(p, SpecProblem) else None,
            "row": p.row if isinstance(p, SpecProblem) else None,
        }
        for p in problems
    ]
    fields: dict[str, str] = {}
    rows: dict[int, list[str]] = {}
    for problem in listed:
        row, field, message = problem["row"], problem["field"], problem["message"]
        if row is not None:
            rows.setdefault(row, []).append(message)
        elif field is not None:
            fields[field] = f"{fields[field]} {message}" if field in fields else message
    return {
        "problems": listed,
        "fields": fields,
        "rows": [{"row": row, "problems": found} for row, found in sorted(rows.items())],
    }


def error_body(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and JSON body of the API's answer to ``exc``."""
    kind = kind_of(exc)
    message = str(exc.detail) if isinstance(exc, HTTPException) else str(exc)
    # an app's words may echo a secret (a token in an error text): scrubbed by value too
    body: dict[str, Any] = {"error": kind.code, "message": redact_text(message)}
    if isinstance(exc, CrossSiteRefused):
        body["message"] = "A request from another site: the API takes changes from this one."
    elif isinstance(exc, CsrfRefused):
        body["message"] = "Send the token of GET /api/session in X-CSRF-Token."
    if isinstance(exc, DisclaimerNotAcknowledgedError):
        body["disclaimer"] = exc.disclaimer
    if isinstance(exc, InvalidConfigurationError):
        body.update(problems_json(exc.problems))
    if kind is _FAILED:
        body["message"] = "an unexpected error; the console's log has the details"
    return kind.status, body


class ErrorResponse(JSONResponse):
    """An error body as JSON text in ASCII: a refusal may quote what was sent, and what
    was sent may hold a lone surrogate, which UTF-8 cannot carry but a JSON escape can."""

    def render(self, content: Any) -> bytes:
        """``content`` as JSON, every character beyond ASCII escaped."""
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")
