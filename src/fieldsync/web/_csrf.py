"""CSRF protection: a signed token in a cookie, echoed by every state-changing request.

Every POST must carry the token of its browser's cookie, in the ``csrf_token`` form field
or the ``X-CSRF-Token`` header. Another site can make the browser send the cookie (it is
also ``SameSite=Strict``, so modern browsers will not) but cannot read it to echo it. The
token is signed with the console's secret, so a cookie planted by a sibling subdomain is
refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["COOKIE", "FIELD", "HEADER", "Csrf", "CsrfRefused"]

COOKIE = "fieldsync_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
_MINTED = "fieldsync_csrf_minted"


class CsrfRefused(Exception):
    """A state-changing request without the right CSRF token."""


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
                path=request.scope.get("root_path") or "/",
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )

    def check(self, request: Request, submitted: object) -> None:
        """Refuse unless ``submitted`` is the valid token of the request's cookie.

        Raises:
            CsrfRefused: no cookie, a forged cookie, or a token that does not match.
        """
        cookie = request.cookies.get(COOKIE)
        if not (
            isinstance(submitted, str)
            and cookie is not None
            and self._valid(cookie)
            and hmac.compare_digest(cookie, submitted)
        ):
            raise CsrfRefused
