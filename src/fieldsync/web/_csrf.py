"""CSRF protection: a signed token in a cookie, echoed by every state-changing request.

Every POST must carry the token of its browser's cookie, in the ``csrf_token`` form field
or the ``X-CSRF-Token`` header. Another site can make the browser send the cookie (it is
also ``SameSite=Strict``, so modern browsers will not) but cannot read it to echo it. The
token is signed with the console's secret, so a cookie planted by a sibling subdomain is
refused too.

Beside the token, a second guard: a request a browser marks as coming from another site
(``Sec-Fetch-Site`` other than ``same-origin`` or ``none``, or an ``Origin`` other than the
console's own) is refused. Clients that send neither header (scripts, ``curl``) are
judged by the token alone. There is one cookie, at the path the console is mounted at,
for the pages and the API alike.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["COOKIE", "FIELD", "HEADER", "CrossSiteRefused", "Csrf", "CsrfRefused", "same_origin"]

COOKIE = "fieldsync_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
_MINTED = "fieldsync_csrf_minted"


class CsrfRefused(Exception):
    """A state-changing request without the right CSRF token."""


class CrossSiteRefused(CsrfRefused):
    """A state-changing request that the browser says comes from another site."""


def same_origin(request: Request) -> bool:
    """Whether ``request`` may come from the console's own pages: no browser header says
    otherwise. ``Sec-Fetch-Site`` must be ``same-origin`` or ``none`` (typed by the
    user); ``Origin`` must name the host the request was sent to (its ``Host``, or the
    ``X-Forwarded-Host`` a reverse proxy set: a page on another site can set neither). A
    request with neither (not from a browser) passes: the CSRF token decides."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    hosts = {request.headers.get("host", "").lower()}
    forwarded = request.headers.get("x-forwarded-host")
    if forwarded:
        hosts.add(forwarded.split(",")[0].strip().lower())
    hosts.discard("")
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() in hosts


def _root(request: Request) -> str:
    # The mount's root, recorded by SecurityHeaders; the API (mounted at /api inside the
    # console) shares the pages' cookie.
    root = getattr(request.state, "fieldsync_root", None)
    if not isinstance(root, str):
        root = str(request.scope.get("root_path", "")).rstrip("/")
    return root or "/"


class Csrf:
    """Mints and checks the console's CSRF tokens.

    Args:
        secret: the signing key; tokens signed with another key are refused.
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the console's secret_key must be at least 16 bytes")
        self._secret = secret

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()

    def _valid(self, token: str | None) -> bool:
        if not token:
            return False
        nonce, _, signature = token.partition(".")
        return bool(nonce) and hmac.compare_digest(signature, self._signature(nonce))

    def token(self, request: Request) -> str:
        """The request's token: its cookie's when valid, else a new one (which
        :meth:`attach` then sets as the cookie)."""
        minted = getattr(request.state, _MINTED, None)
        if isinstance(minted, str):
            return minted
        cookie = request.cookies.get(COOKIE)
        if cookie is not None and self._valid(cookie):
            return cookie
        nonce = secrets.token_urlsafe(24)
        token = f"{nonce}.{self._signature(nonce)}"
        setattr(request.state, _MINTED, token)
        return token

    def attach(self, request: Request, response: Response) -> None:
        """Set the cookie on ``response`` when :meth:`token` minted a new token."""
        minted = getattr(request.state, _MINTED, None)
        if isinstance(minted, str):
            response.set_cookie(
                COOKIE,
                minted,
                path=_root(request),
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )

    def check_origin(self, request: Request) -> None:
        """Refuse a request from another site (see :func:`same_origin`).

        Raises:
            CrossSiteRefused: it comes from another site.
        """
        if not same_origin(request):
            raise CrossSiteRefused

    def check(self, request: Request, submitted: object) -> None:
        """Refuse unless ``submitted`` is the valid token of the request's cookie.

        Raises:
            CrossSiteRefused: the browser says the request comes from another site.
            CsrfRefused: no cookie, a forged cookie, or a token that does not match.
        """
        self.check_origin(request)
        cookie = request.cookies.get(COOKIE)
        if not (
            isinstance(submitted, str)
            and cookie is not None
            and self._valid(cookie)
            and hmac.compare_digest(cookie, submitted)
        ):
            raise CsrfRefused
