"""The JSON API beside the pages: the same use cases, for developers' own front ends.

Reads are GETs; every state change is a POST carrying the CSRF token in ``X-CSRF-Token``
(``GET /api/session`` hands it out with its cookie) and a JSON body checked against its
declared shape. Every answer is JSON, refusals and errors included, in one shape
(``{"error": {"code", "message", "fields"}}``, statuses from one table shared with the
pages). Each endpoint is declared once below (:class:`~fieldsync.web._openapi.Endpoint`):
its route, its body's shape (what :func:`~fieldsync.web._api_io.posted` validates) and its
answers, which ``GET /api/openapi.json`` shows. The handlers, one per use case, are in
``_api_syncs`` and ``_api_integrations``. ``docs/console.md`` is the reference.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fieldsync import FieldSyncError, SyncState
from fieldsync.web import _api_integrations as integrations
from fieldsync.web import _api_syncs as syncs
from fieldsync.web._access import Forbidden
from fieldsync.web._api_shapes import REQUESTS as R
from fieldsync.web._api_verify import verify
from fieldsync.web._context import Context
from fieldsync.web._csrf import CsrfRefused
from fieldsync.web._errors import BodyInvalid, ErrorResponse, error_body
from fieldsync.web._openapi import Endpoint, openapi_document
from fieldsync.web._schema import array, text

__all__ = ["ENDPOINTS", "api", "api_error"]

_log = logging.getLogger("fieldsync.web")

_FLAG = {"type": "string", "description": "1, true or yes for yes; anything else is no"}
_STATE = {"type": "string", "enum": [s.value for s in SyncState]}


def openapi(request: Request) -> Response:
    """``GET /openapi.json``: this document."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    ctx: Context = request.app.state.ctx
    return JSONResponse(openapi_document(ENDPOINTS, title=ctx.title, server=root or "/api"))


ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/openapi.json", openapi, "This OpenAPI document", {200: {"type": "object"}}),
    Endpoint("GET", "/session", integrations.session, "The CSRF token", {200: R["Session"]}),
    Endpoint(
        "GET",
        "/integrations",
        integrations.integrations,
        "The integrations the caller sees",
        {200: array(R["Integration"])},
    ),
    Endpoint(
        "GET",
        "/integrations/{name}",
        integrations.integration,
        "An integration, its credentials described and its syncs",
        {200: R["IntegrationDetail"]},
    ),
    Endpoint(
        "GET",
        "/integrations/{name}/schemas",
        integrations.schemas,
        "The live source and target schemas",
        {200: R["Schemas"]},
        errors=(409, 502),
    ),
    Endpoint(
        "POST",
        "/integrations/{name}/disable",
        integrations.disable,
        "What disabling does; with confirm, disable it",
        {200: R["Impact"]},
        body=R["Disable"],
        errors=(409,),
    ),
    Endpoint(
        "GET",
        "/syncs",
        syncs.list_syncs,
        "The syncs the caller sees",
        {200: array(R["Sync"])},
        query={"state": _STATE, "integration": text()},
    ),
    Endpoint(
        "POST",
        "/syncs",
        syncs.create,
        "Create a sync",
        {201: R["Sync"]},
        body=R["SyncCreate"],
        errors=(409, 502),
    ),
    Endpoint(
        "GET",
        "/syncs/{sync_id}",
        syncs.detail,
        "A sync, its history and configuration versions",
        {200: R["SyncDetail"]},
    ),
    Endpoint(
        "POST",
        "/syncs/{sync_id}/edit",
        syncs.edit,
        "Replace the keys given of the sync's spec",
        {200: R["Sync"]},
        body=R["SyncEdit"],
        errors=(409, 502),
    ),
    Endpoint(
        "GET",
        "/syncs/{sync_id}/preview",
        syncs.preview,
        "What the next run would do (202 while it is read)",
        {200: R["Preview"], 202: R["PreviewPending"]},
        query={"fresh": _FLAG},
        errors=(502,),
    ),
    Endpoint(
        "POST",
        "/syncs/{sync_id}/initiate",
        syncs.initiate,
        "Apply the pending configuration and run it",
        {202: R["Started"]},
        body=R["Initiate"],
        errors=(409, 502),
    ),
    Endpoint(
        "POST",
        "/syncs/{sync_id}/run",
        syncs.run,
        "Run the sync",
        {202: R["Started"]},
        body=R["Empty"],
        errors=(409,),
    ),
    Endpoint(
        "POST",
        "/syncs/{sync_id}/pause",
        syncs.pause,
        "Pause the sync",
        {200: R["Sync"]},
        body=R["Empty"],
        errors=(409,),
    ),
    Endpoint(
        "POST",
        "/syncs/{sync_id}/resume",
        syncs.resume,
        "Resume the sync",
        {200: R["Sync"]},
        body=R["Empty"],
        errors=(409,),
    ),
    Endpoint(
        "GET",
        "/syncs/{sync_id}/progress",
        syncs.progress,
        "The state, the last run, the console's last job",
        {200: R["Progress"]},
    ),
    Endpoint("GET", "/syncs/{sync_id}/history", syncs.history, "Its runs", {200: array(R["Run"])}),
    Endpoint(
        "GET",
        "/notifications",
        integrations.notifications,
        "The caller's inbox",
        {200: array(R["Notification"])},
        query={"unread": _FLAG},
    ),
    Endpoint(
        "POST",
        "/notifications/read",
        integrations.mark_read,
        "Mark notifications (null: all the caller sees) read",
        {200: R["Marked"]},
        body=R["MarkRead"],
    ),
    Endpoint(
        "POST",
        "/syncs/{sync_id}/verify",
        verify,
        "Read the list back and compare it; with repair, mend what differs",
        {200: R["VerifyReport"]},
        body=R["Verify"],
        errors=(409, 502),
    ),
]
"""Every endpoint of the API: a new one is declared here, or the tests fail."""


def api_error(request: Request, exc: Exception) -> Response:
    """The API's answer to an error: its status and ``{"error": {"code", "message",
    "fields", ...}}``."""
    status, body = error_body(exc)
    if status >= 500 and status != 502:
        _log.error("console API error: %s", exc, exc_info=exc)
    return ErrorResponse(body, status_code=status)


def api(ctx: Context) -> Starlette:
    """The API's ASGI app, mounted at ``/api`` by :func:`fieldsync.web.console`."""
    # Exception (a 500) goes to Starlette's outermost middleware; the others are answered
    # as the route's own response.
    handled = (FieldSyncError, CsrfRefused, Forbidden, BodyInvalid, HTTPException, Exception)
    routes = [e.route() for e in ENDPOINTS]
    app = Starlette(routes=routes, exception_handlers=dict.fromkeys(handled, api_error))
    app.state.ctx = ctx
    app.state.bodies = {e.handler: e.body for e in ENDPOINTS}
    return app
