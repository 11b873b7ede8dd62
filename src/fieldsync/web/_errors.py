"""One table from errors to HTTP statuses, for the pages (an error page) and the JSON API
(an error body) alike."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
from fieldsync.web._access import Forbidden
from fieldsync.web._csrf import CrossSiteRefused, CsrfRefused

__all__ = [
    "CODES",
    "BodyInvalid",
    "ErrorKind",
    "ErrorResponse",
    "api_body",
    "error_body",
    "kind_of",
    "problems_json",
]


class BodyInvalid(Exception):
    """A request body that does not match its declared shape: each problem by its field
    path (``options.update_empty_values``, ``mapping.1.create``); a 422."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        super().__init__("; ".join(f"{k or 'body'}: {v}" for k, v in self.fields.items()))


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
    (Forbidden, ErrorKind(403, "forbidden", "Not allowed")),
    (BodyInvalid, ErrorKind(422, "invalid", "Check the configuration")),
    (NotFoundError, ErrorKind(404, "not_found", "Not found")),
    (DisclaimerNotAcknowledgedError, ErrorKind(409, "disclaimer_required", "Not possible now")),
    (InvalidConfigurationError, ErrorKind(422, "invalid", "Check the configuration")),
    (StateError, ErrorKind(409, "refused", "Not possible now")),
    (ConfigurationError, ErrorKind(400, "bad_request", "Check the configuration")),
    (SyncError, ErrorKind(502, "app_failed", "The app did not answer")),
)
_FAILED = ErrorKind(500, "failed", "Something went wrong")
# An HTTPException's status -> its code and heading.
_HTTP = {
    400: ("bad_request", "Not possible"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Not allowed"),
    413: ("too_large", "Too large"),
    415: ("unsupported_media_type", "Not possible"),
    422: ("invalid", "Not possible"),
}

_KNOWN = {kind.code for _, kind in _TABLE} | {c for c, _ in _HTTP.values()} | {_FAILED.code}
CODES = (*sorted(_KNOWN), "preview_failed")
"""Every ``error.code`` the API answers with."""


def kind_of(exc: BaseException) -> ErrorKind:
    """How ``exc`` is answered (an unexpected error is a 500)."""
    if isinstance(exc, HTTPException):
        code, heading = _HTTP.get(exc.status_code, ("bad_request", "Not possible"))
        return ErrorKind(exc.status_code, code, heading)
    return next((kind for cls, kind in _TABLE if isinstance(exc, cls)), _FAILED)


def _field_path(problem: Problem) -> str | None:
    """Where a problem is, as a path: ``name``, ``mapping.1``, ``schedule``."""
    if not isinstance(problem, SpecProblem) or problem.field is None:
        return None
    return problem.field if problem.row is None else f"{problem.field}.{problem.row}"


def problems_json(problems: Sequence[Problem]) -> dict[str, Any]:
    """Problems three ways: by field path (``fields``, the path's sentences joined: a
    mapping row's path is ``mapping.{row}``), each one (``problems``: code, message,
    field, row) and by mapping row (``rows``)."""
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
    for problem, found in zip(problems, listed, strict=True):
        path = _field_path(problem)
        if found["row"] is not None:
            rows.setdefault(found["row"], []).append(found["message"])
        if path is not None:
            message = found["message"]
            fields[path] = f"{fields[path]} {message}" if path in fields else message
    return {
        "fields": fields,
        "problems": listed,
        "rows": [{"row": row, "problems": found} for row, found in sorted(rows.items())],
    }


def api_body(code: str, message: str, **detail: Any) -> dict[str, Any]:
    """The API's one error shape: ``{"error": {"code", "message", "fields", ...}}``."""
    return {"error": {"code": code, "message": message, "fields": {}, **detail}}


def error_body(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and JSON body of the API's answer to ``exc``."""
    kind = kind_of(exc)
    message = str(exc.detail) if isinstance(exc, HTTPException) else str(exc)
    # an app's words may echo a secret (a token in an error text): scrubbed by value too
    message = redact_text(message)
    detail: dict[str, Any] = {}
    if isinstance(exc, CrossSiteRefused):
        message = "A request from another site: the API takes changes from this one."
    elif isinstance(exc, CsrfRefused):
        message = "Send the token of GET /api/session in X-CSRF-Token."
    if isinstance(exc, DisclaimerNotAcknowledgedError):
        detail["disclaimer"] = exc.disclaimer
    if isinstance(exc, InvalidConfigurationError):
        detail.update(problems_json(exc.problems))
        message = "The request has problems: see fields."
    if isinstance(exc, BodyInvalid):
        detail["fields"] = dict(exc.fields)
        message = "The body has problems: see fields."
    if kind is _FAILED:
        message = "An unexpected error; the console's log has the details."
    return kind.status, api_body(kind.code, message, **detail)


class ErrorResponse(JSONResponse):
    """An error body as JSON text in ASCII: a refusal may quote what was sent, and what
    was sent may hold a lone surrogate, which UTF-8 cannot carry but a JSON escape can."""

    def render(self, content: Any) -> bytes:
        """``content`` as JSON, every character beyond ASCII escaped."""
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")
