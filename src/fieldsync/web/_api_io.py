"""What every handler of the JSON API shares: its context, the posted body, JSON answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from fieldsync.web._api_shapes import COMPONENTS
from fieldsync.web._context import Context
from fieldsync.web._csrf import HEADER
from fieldsync.web._errors import BodyInvalid
from fieldsync.web._schema import Schema, validate

__all__ = ["MAX_JSON_BYTES", "context", "posted", "query_flag"]

MAX_JSON_BYTES = 256 * 1024
"""The largest request body the API reads: a spec of 1,000 mapping rows is about 100 KB."""


def context(request: Request) -> Context:
    """The console's context (the API app keeps it in its state)."""
    ctx: Context = request.app.state.ctx
    return ctx


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def _bounded(request: Request) -> bytes:
    """The body, refused (413) as soon as it is larger than :data:`MAX_JSON_BYTES`."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_JSON_BYTES:
        raise HTTPException(413, f"The body is larger than {MAX_JSON_BYTES} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_JSON_BYTES:
            raise HTTPException(413, f"The body is larger than {MAX_JSON_BYTES} bytes.")
    return bytes(body)


async def posted(request: Request) -> Mapping[str, Any]:
    """The JSON object a POST carries (``{}`` for no body), once its CSRF token is checked
    (before a byte of the body is read), read up to :data:`MAX_JSON_BYTES` and checked
    against the endpoint's declared shape (nothing coerced).

    Raises:
        CsrfRefused: another site, or the token is missing or wrong.
        HTTPException: 415, a body that is not ``application/json``; 413, one too large;
            400, one that is not JSON (or nests too deeply to read).
        BodyInvalid: 422, the body does not match its declared shape; every problem by
            its field's path.
    """
    context(request).csrf.check(request, request.headers.get(HEADER))
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    length = request.headers.get("content-length", "")
    if media_type != "application/json" and (media_type or (length.isdigit() and int(length))):
        raise HTTPException(415, "The API takes bodies as application/json.")
    raw = await _bounded(request)
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise HTTPException(400, "The body is not JSON text in UTF-8.") from None
    if not isinstance(body, dict):
        raise BodyInvalid({"": "The body must be a JSON object."})
    declared: Mapping[Any, Schema | None] = getattr(request.app.state, "bodies", {})
    schema = declared.get(request.scope.get("endpoint"))
    if schema is not None:
        problems = validate(schema, body, COMPONENTS)
        if problems:
            raise BodyInvalid(problems)
    return body


def query_flag(request: Request, name: str) -> bool:
    """Whether a query parameter says yes (``1``, ``true``, ``yes``)."""
    return request.query_params.get(name) in {"1", "true", "yes"}
