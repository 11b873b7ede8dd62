"""What every handler of the JSON API shares: its context, the posted body, JSON answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from fieldsync.web._context import Context
from fieldsync.web._csrf import HEADER

__all__ = ["context", "posted", "query_flag"]


def context(request: Request) -> Context:
    """The console's context (the API app keeps it in its state)."""
    ctx: Context = request.app.state.ctx
    return ctx


async def posted(request: Request) -> Mapping[str, Any]:
    """The JSON object a POST carries (``{}`` for no body), once its CSRF token is checked.

    Raises:
        CsrfRefused: the token is missing or wrong.
        HTTPException: 400, the body is not a JSON object (or nests too deeply to read).
    """
    context(request).csrf.check(request, request.headers.get(HEADER))
    if not (await request.body()).strip():
        return {}
    try:
        body = await request.json()
    except (ValueError, RecursionError):
        raise HTTPException(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return body


def query_flag(request: Request, name: str) -> bool:
    """Whether a query parameter says yes (``1``, ``true``, ``yes``)."""
    return request.query_params.get(name) in {"1", "true", "yes"}
