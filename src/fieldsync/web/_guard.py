"""The gate every request passes: the developer's ``authorize`` hook, or local-only mode."""

from __future__ import annotations

import inspect
import ipaddress
import logging
from collections.abc import Awaitable
from typing import Protocol

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from fieldsync.web._access import SCOPE_KEY, Access
from fieldsync.web._errors import ErrorResponse, api_body

__all__ = ["Authorize", "Guard", "under_api"]

_log = logging.getLogger("fieldsync.web")


Verdict = bool | Access | Response
"""What the hook answers."""


class Authorize(Protocol):
    """The hook that decides who may use the console: any function of the request that
    returns ``True`` (go on, admin of everything), an :class:`~fieldsync.web.Access` (go
    on, seeing only its integrations, with its role), ``False`` (refused with a 403) or
    a :class:`~starlette.responses.Response` to send instead (a redirect to your login
    page, say). It may be a coroutine function."""

    def __call__(self, request: Request, /) -> Verdict | Awaitable[Verdict]:
        """Decide about ``request``."""
        ...


_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _local_request(request: Request) -> bool:
    # The Host header too: a page elsewhere whose name resolves to 127.0.0.1 (DNS
    # rebinding) would otherwise reach a console on this machine.
    host = request.headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    client = request.client.host if request.client else None
    return _is_loopback(client) and name.lower() in _LOCAL_NAMES


def under_api(scope: Scope) -> bool:
    """Whether a request is for the JSON API (which answers JSON, refusals included)."""
    root = str(scope.get("root_path", "")).rstrip("/")
    path = str(scope.get("path", ""))
    if root and path.startswith(root):  # a path that carries the mount's prefix
        path = path[len(root) :]
    return path == "/api" or path.startswith("/api/")


def _failed(scope: Scope) -> Response:
    message = "An unexpected error; the console's log has the details."
    if under_api(scope):
        return ErrorResponse(api_body("failed", message), 500)
    return PlainTextResponse(message, 500)


class Guard:
    """ASGI middleware: nothing reaches the console that ``authorize`` (or, in local-only
    mode, a loopback address) did not let through."""

    def __init__(self, app: ASGIApp, *, authorize: Authorize | None, local_only: bool) -> None:
        self.app = app
        self.authorize = authorize
        self.local_only = local_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        verdict: object = True
        if self.local_only and not _local_request(request):
            verdict = False
        elif self.authorize is not None:
            try:
                verdict = self.authorize(request)
                if inspect.isawaitable(verdict):
                    verdict = await verdict
            except Exception:
                # the hook's own failure: a 500 in the console's shapes, its text logged only
                _log.exception("the console's authorize hook failed")
                await _failed(scope)(scope, receive, send)
                return
        if isinstance(verdict, Response):
            await verdict(scope, receive, send)
        elif verdict is True or isinstance(verdict, Access):
            scope[SCOPE_KEY] = verdict if isinstance(verdict, Access) else Access()
            await self.app(scope, receive, send)
        else:
            message = "You are not allowed to use this console."
            refused: Response = PlainTextResponse(message, 403)
            if under_api(scope):
                refused = ErrorResponse(api_body("forbidden", message), 403)
            await refused(scope, receive, send)
