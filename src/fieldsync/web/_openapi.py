"""The API's endpoints declared once (:class:`Endpoint`), and the OpenAPI 3.1 document
built from the same declarations the request bodies are validated with."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from starlette.routing import Route

from fieldsync.web._access import required_role
from fieldsync.web._api_shapes import COMPONENTS
from fieldsync.web._schema import Schema, ref

__all__ = ["Endpoint", "openapi_document"]

_ERRORS_OF_ALL = (400, 403, 404, 405, 500)
_ERRORS_OF_POSTS = (413, 415, 422)
_WHY = {
    200: "OK",
    201: "Created",
    202: "Accepted: started in the background",
    400: "A malformed request",
    403: "Refused: the hook, the role, a missing CSRF token or another site",
    404: "Unknown, or not the caller's to see",
    405: "Another method",
    409: "Not possible in the sync's state",
    413: "The body is too large",
    415: "The body is not JSON",
    422: "The body does not match its declared shape, or the spec has problems",
    500: "An unexpected error",
    502: "The app (Zoho) did not answer",
}


@attrs.frozen
class Endpoint:
    """One endpoint of the API: its method, path (relative to ``/api``), handler, what it
    does, its request body's shape (POSTs), its query parameters and its answers."""

    method: str
    path: str
    handler: Callable[..., Any]
    summary: str
    responses: Mapping[int, Schema]
    body: Schema | None = None
    query: Mapping[str, Schema] = attrs.field(factory=dict)
    errors: tuple[int, ...] = ()

    def route(self) -> Route:
        """The Starlette route that serves it."""
        return Route(self.path, self.handler, methods=[self.method])

    def all_responses(self) -> dict[int, Schema]:
        """Its answers, the error statuses every endpoint (every POST) may give included."""
        errors = (*_ERRORS_OF_ALL, *(_ERRORS_OF_POSTS if self.method == "POST" else ()))
        found = {status: ref("Error") for status in (*errors, *self.errors)}
        return {**found, **self.responses}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    params = re.findall(r"{(\w+)}", endpoint.path)
    operation: dict[str, Any] = {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "x-fieldsync-role": required_role(endpoint.method, endpoint.path).value,
        "parameters": [
            *(
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in params
            ),
            *(
                {"name": n, "in": "query", "required": False, "schema": s}
                for n, s in endpoint.query.items()
            ),
        ],
        "responses": {
            str(status): {
                "description": _WHY.get(status, "OK"),
                "content": {"application/json": {"schema": schema}},
            }
            for status, schema in sorted(endpoint.all_responses().items())
        },
    }
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": endpoint.body}},
        }
    if endpoint.method == "POST":
        operation["parameters"].append(
            {"name": "X-CSRF-Token", "in": "header", "required": True, "schema": {"type": "string"}}
        )
    return operation


def openapi_document(endpoints: Sequence[Endpoint], *, title: str, server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``endpoints``; ``server`` is the API's path."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": f"{title} API",
            "version": "1",
            "description": (
                "The console's JSON API. Every error under /api is "
                '{"error": {"code", "message", "fields"}}. A POST carries the token of '
                "GET /session in X-CSRF-Token. x-fieldsync-role is the role an operation needs."
            ),
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": COMPONENTS},
    }
