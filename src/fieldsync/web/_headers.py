"""The headers every answer of the console carries, and where its redirects point.

- ``Content-Security-Policy``: scripts, styles, images and requests from the console's
  own origin only, no inline script or style, no plugins, forms posted to itself only,
  and ``frame-ancestors`` as the developer chose (``'none'`` by default: nobody may frame
  it, so a click cannot be stolen).
- ``X-Frame-Options: DENY`` beside ``frame-ancestors 'none'`` (older browsers).
- ``X-Content-Type-Options: nosniff``: a download is never run as a page or a script.
- ``Referrer-Policy: same-origin``: the console's paths (sync and run ids) are never sent
  to another site. Not ``no-referrer``: with it browsers send ``Origin: null`` on a form
  POST, and the console checks ``Origin`` beside the CSRF token.

Redirects never use the ``Host`` header: the routers do not add trailing slashes by
themselves (Starlette would answer with an absolute URL built from ``Host``); a GET of a
known path with a trailing slash is redirected here to a path under the mount's root.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "check_frame_ancestors", "content_security_policy", "slash_route"]

ROOT = "fieldsync_root"
"""The key, in the request's state, of the path the console is mounted at."""


def check_frame_ancestors(value: str) -> str:
    """``value`` as a CSP ``frame-ancestors`` source list, checked.

    Raises:
        ValueError: empty, or with a character that would end the directive.
    """
    sources = " ".join(value.split())
    if not sources or any(c in sources for c in ";,\r\n\0"):
        raise ValueError(
            "frame_ancestors must be a CSP source list such as \"'self'\" or "
            "\"https://app.example\", without ';' or ','"
        )
    return sources


def content_security_policy(frame_ancestors: str) -> str:
    """The console's CSP, with ``frame_ancestors`` (a checked source list)."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer (refusals of the
    ``authorize`` hook included), and the mount's root path in the request's state."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "'none'") -> None:
        self.app = app
        ancestors = check_frame_ancestors(frame_ancestors)
        self.headers = {
            "content-security-policy": content_security_policy(ancestors),
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
        }
        if ancestors == "'none'":
            self.headers["x-frame-options"] = "DENY"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[ROOT] = str(scope.get("root_path", "")).rstrip("/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def slash_route(routes: Sequence[BaseRoute]) -> Route:
    """The last route: a GET (or HEAD) of a known path with a trailing slash is redirected (308)
    to the path without it, under the mount's root; anything else is a 404."""

    def known(scope: Scope, path: str) -> bool:
        probe = {**scope, "path": path, "method": "GET"}
        return any(r.matches(probe)[0] is not Match.NONE for r in routes)

    def strip(request: Request) -> Response:
        path = request.scope["path"]
        root = str(request.scope.get("root_path", "")).rstrip("/")
        relative = path[len(root) :] if root and path.startswith(root) else path
        bare = relative.rstrip("/")
        if (
            request.method not in ("GET", "HEAD")
            or not relative.endswith("/")
            or not bare
            or not known(request.scope, path.rstrip("/"))
        ):
            raise HTTPException(404, "There is no page here.")
        query = request.scope.get("query_string", b"").decode("latin-1")
        return RedirectResponse(root + bare + (f"?{query}" if query else ""), status_code=308)

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return Route("/{path:path}", strip, methods=methods)
