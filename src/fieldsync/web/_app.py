"""``console()``: the Sync Services screens as one ASGI app."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Router
from starlette.staticfiles import StaticFiles

from fieldsync import FieldSyncError, SyncService
from fieldsync.web._access import Forbidden, checked_routes
from fieldsync.web._api import api, api_error
from fieldsync.web._context import Context
from fieldsync.web._csrf import CrossSiteRefused, Csrf, CsrfRefused
from fieldsync.web._errors import kind_of
from fieldsync.web._guard import Authorize, Guard, under_api
from fieldsync.web._headers import SecurityHeaders, check_frame_ancestors, slash_route
from fieldsync.web._jobs import BackgroundRuns
from fieldsync.web._routes_detail import detail_routes
from fieldsync.web._routes_settings import settings_routes
from fieldsync.web._routes_syncs import sync_routes
from fieldsync.web._routes_verify import verify_routes

__all__ = ["console"]

_log = logging.getLogger("fieldsync.web")
_STATIC = Path(__file__).parent / "static"


def _error_page(ctx: Context) -> Any:
    def handle(request: Request, exc: Exception) -> Response:
        if under_api(request.scope):  # /api itself: the API's shape, not a page
            return api_error(request, exc)
        kind = kind_of(exc)
        message = str(exc.detail) if isinstance(exc, HTTPException) else str(exc)
        if isinstance(exc, CrossSiteRefused):
            message = (
                "This request came from another site; the console takes changes from its "
                "own pages only."
            )
        elif isinstance(exc, CsrfRefused):
            message = (
                "The form did not carry this console's security token. Go back, reload the "
                "page and try again."
            )
        elif kind.status == 500:
            _log.error("console error: %s", exc)
            message = "An unexpected error; the console's log has the details."
        values = {"heading": kind.heading, "message": message}
        return ctx.page(request, "error.html", values, status_code=kind.status)

    return handle


def console(
    service: SyncService,
    *,
    authorize: Authorize | None = None,
    local_only: bool = False,
    secret_key: bytes | None = None,
    title: str = "Sync Services",
    frame_ancestors: str = "'none'",
) -> Starlette:
    """The Sync Services console for ``service``: an ASGI app to mount in your own.

    Every request passes ``authorize`` first; an :class:`~fieldsync.web.Access` it
    returns limits what the caller sees and may do. State changes are POSTs carrying a CSRF
    token; runs started here go to background threads (``app.state.runs``, a
    :class:`BackgroundRuns`), and so do previews, which read every source record
    (``app.state.previews``). The JSON API is under ``/api``.

    Args:
        service: the sync service the screens use, with its integrations registered.
        authorize: decides who may use the console (see :data:`Authorize`); required
            unless ``local_only``.
        local_only: serve only requests from this machine (a loopback client and a local
            ``Host``), with no ``authorize`` needed: for ``fieldsync console`` and demos
            bound to 127.0.0.1. Combined with ``authorize``, both must pass.
        secret_key: signs the CSRF tokens (at least 16 bytes); give the same key to every
            process behind one address. Random by default (tokens then last as long as
            the process).
        title: the name in the header and the page titles.
        frame_ancestors: who may show the console in a frame: the CSP ``frame-ancestors``
            source list, ``'none'`` by default (with ``X-Frame-Options: DENY``). An app
            that embeds it passes ``"'self'"`` or its own origin(s).

    Raises:
        ValueError: neither ``authorize`` nor ``local_only`` was given, the secret key
            is too short, or ``frame_ancestors`` is not a source list.
    """
    if authorize is None and not local_only:
        raise ValueError(
            "console() needs authorize=, a function that decides who may use it; for a "
            "console reachable from this machine only, pass local_only=True"
        )
    check_frame_ancestors(frame_ancestors)
    ctx = Context(
        service=service,
        csrf=Csrf(secret_key or secrets.token_bytes(32)),
        runs=BackgroundRuns(),
        title=title,
    )
    api_app = api(ctx)
    api_app.router.redirect_slashes = False
    routes = [
        *sync_routes(ctx),
        *detail_routes(ctx),
        *verify_routes(ctx),
        *settings_routes(ctx),
        Mount("/static", app=StaticFiles(directory=_STATIC), name="static"),
        Mount("/api", app=api_app),
    ]
    ctx.router = Router(routes=routes)
    checked_routes(routes, lambda: service)  # every route: what the caller sees, its role
    handle = _error_page(ctx)
    app = Starlette(
        routes=[*routes, slash_route(routes)],
        middleware=[
            Middleware(SecurityHeaders, frame_ancestors=frame_ancestors),
            Middleware(Guard, authorize=authorize, local_only=local_only),
        ],
        exception_handlers=dict.fromkeys(
            (FieldSyncError, CsrfRefused, Forbidden, HTTPException), handle
        ),
    )
    # Starlette would redirect a trailing slash to an absolute URL built from the Host
    # header; slash_route redirects to a path under the mount instead.
    app.router.redirect_slashes = False
    app.state.runs = ctx.runs
    app.state.previews = ctx.previews
    return app
