"""The JSON API beside the pages: the same use cases, for developers' own front ends.

Reads are GETs; every state change is a POST carrying the CSRF token in ``X-CSRF-Token``
(``GET /api/session`` hands it out with its cookie). Every answer is JSON, refusals and
errors included (``{"error": code, "message": ...}``, statuses from one table shared with
the pages). The handlers, one per use case, are in ``_api_syncs`` and
``_api_integrations``. ``docs/console.md`` is the reference.
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fieldsync import FieldSyncError
from fieldsync.web import _api_integrations as integrations
from fieldsync.web import _api_syncs as syncs
from fieldsync.web._api_verify import verify
from fieldsync.web._context import Context
from fieldsync.web._csrf import CsrfRefused
from fieldsync.web._errors import ErrorResponse, error_body

__all__ = ["api", "api_error"]

_log = logging.getLogger("fieldsync.web")

ROUTES = [
    Route("/session", integrations.session),
    Route("/integrations", integrations.integrations),
    Route("/integrations/{name}", integrations.integration),
    Route("/integrations/{name}/schemas", integrations.schemas),
    Route("/integrations/{name}/disable", integrations.disable, methods=["POST"]),
    Route("/syncs", syncs.list_syncs),
    Route("/syncs", syncs.create, methods=["POST"]),
    Route("/syncs/{sync_id}", syncs.detail),
    Route("/syncs/{sync_id}/edit", syncs.edit, methods=["POST"]),
    Route("/syncs/{sync_id}/preview", syncs.preview),
    Route("/syncs/{sync_id}/initiate", syncs.initiate, methods=["POST"]),
    Route("/syncs/{sync_id}/run", syncs.run, methods=["POST"]),
    Route("/syncs/{sync_id}/pause", syncs.pause, methods=["POST"]),
    Route("/syncs/{sync_id}/resume", syncs.resume, methods=["POST"]),
    Route("/syncs/{sync_id}/progress", syncs.progress),
    Route("/syncs/{sync_id}/history", syncs.history),
    Route("/syncs/{sync_id}/verify", verify, methods=["POST"]),
    Route("/notifications", integrations.notifications),
    Route("/notifications/read", integrations.mark_read, methods=["POST"]),
]


def api_error(request: Request, exc: Exception) -> Response:
    """The API's answer to an error: its status and ``{"error", "message", ...}``."""
    status, body = error_body(exc)
    if status >= 500 and status != 502:
        _log.error("console API error: %s", exc, exc_info=exc)
    return ErrorResponse(body, status_code=status)


def api(ctx: Context) -> Starlette:
    """The API's ASGI app, mounted at ``/api`` by :func:`fieldsync.web.console`."""
    # Exception (a 500) goes to Starlette's outermost middleware; the others are answered
    # as the route's own response.
    handled = (FieldSyncError, CsrfRefused, HTTPException, Exception)
    app = Starlette(routes=ROUTES, exception_handlers=dict.fromkeys(handled, api_error))
    app.state.ctx = ctx
    return app
