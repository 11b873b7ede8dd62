"""An emulator of Zoho Accounts' OAuth endpoints, for ``httpx.Client(transport=...)``."""

from __future__ import annotations

import random
import threading
from collections import deque
from typing import TYPE_CHECKING

import attrs
import httpx

from fieldsync.testing.emulators._faults import (
    FaultInjector,
    Faults,
    json_response,
    request_params,
)

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = ["AccountsEmulator"]

GRANT_PATH = "/oauth/v2/token"
REVOKE_PATH = "/oauth/v2/token/revoke"

# Zoho's answer once a refresh token has minted too many access tokens (HTTP 400).
ACCESS_DENIED = {
    "error": "Access Denied",
    "error_description": (
        "You have made too many requests continuously. Please try again after some time."
    ),
}
DEFAULT_API_DOMAIN = "https://www.zohoapis.com"


@attrs.define
class _Grant:
    client_id: str
    client_secret: str
    revoked: bool = False
    mints: deque[float] = attrs.field(factory=deque)
    blocked_until: float = float("-inf")


@attrs.frozen
class _Issued:
    refresh_token: str
    expires_at: float


class AccountsEmulator(httpx.BaseTransport):
    """Zoho Accounts as an httpx transport: the refresh-token grant and revocation.

    Behaves like the real service where fieldsync depends on it: access tokens are random
    (from ``seed``) and expire ``token_ttl`` seconds after minting on ``clock``; a refresh
    token may mint ``mint_limit`` tokens per ``mint_window`` seconds, and the next attempt
    blocks it for ``mint_block`` seconds (``{"error": "Access Denied", ...}``, HTTP 400);
    a wrong client id or secret answers ``{"error": "invalid_client"}`` and an unknown or
    revoked refresh token ``{"error": "invalid_code"}`` (both HTTP 200, as Zoho does).
    Revoking a refresh token also invalidates the access tokens it minted. Thread-safe.

    Args:
        clock: where time comes from (and where ``latency`` is slept).
        token_ttl: access token lifetime, seconds (Zoho: 3600).
        mint_limit, mint_window, mint_block: the minting limit (Zoho: 10 per 600 s,
            blocked for 600 s).
        api_domain: the ``api_domain`` of token answers; ``None`` leaves it out.
        seed: seeds the token generator.
        latency: seconds slept on ``clock`` per request.
        faults: faults to inject (none by default).

    Attributes:
        minted: access tokens minted so far.
        blocks: how many times minting got blocked.
        calls: every request as ``"METHOD path"``, in order.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        token_ttl: float = 3600,
        mint_limit: int = 10,
        mint_window: float = 600.0,
        mint_block: float = 600.0,
        api_domain: str | None = DEFAULT_API_DOMAIN,
        seed: int = 0,
        latency: float = 0.0,
        faults: Faults | None = None,
    ) -> None:
        self._clock = clock
        self.token_ttl = token_ttl
        self.mint_limit = mint_limit
        self.mint_window = mint_window
        self.mint_block = mint_block
        self.api_domain = api_domain
        self.latency = latency
        self._rng = random.Random(seed)
        self._faults = FaultInjector(faults or Faults())
        self._grants: dict[str, _Grant] = {}
        self._issued: dict[str, _Issued] = {}
        self._lock = threading.Lock()
        self.minted: int = 0
        self.blocks: int = 0
        self.calls: list[str] = []

    # -- set-up and inspection (for tests) ---------------------------------------------

    def register_client(self, client_id: str, client_secret: str, refresh_token: str) -> None:
        """Make ``refresh_token`` a valid refresh token of the client ``client_id``."""
        with self._lock:
            self._grants[refresh_token] = _Grant(client_id, client_secret)

    def token_valid(self, access_token: str) -> bool:
        """Whether an API would accept ``access_token`` now (known, unexpired, unrevoked)."""
        now = self._clock.now().timestamp()
        with self._lock:
            issued = self._issued.get(access_token)
            if issued is None or now >= issued.expires_at:
                return False
            grant = self._grants.get(issued.refresh_token)
            return grant is not None and not grant.revoked

    def revoke(self, refresh_token: str) -> None:
        """Revoke a refresh token (as a user would in Zoho's console). Idempotent."""
        with self._lock:
            grant = self._grants.get(refresh_token)
            if grant is not None:
                grant.revoked = True

    def expire_access_tokens(self) -> None:
        """Make every access token minted so far invalid (as if they had all expired)."""
        with self._lock:
            self._issued.clear()

    # -- the transport ---------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (httpx calls this)."""
        if self.latency:
            self._clock.sleep(self.latency)
        path = request.url.path
        with self._lock:
            self.calls.append(f"{request.method} {path}")
        endpoint = f"{request.method} {path}"
        fault = self._faults.maybe_fault(_retry_later, request=request, endpoint=endpoint)
        if fault is not None:
            return fault
        if request.method == "POST" and path == GRANT_PATH:
            return self._token(request_params(request))
        if request.method == "POST" and path == REVOKE_PATH:
            return self._revoke(request_params(request))
        return json_response({"error": "invalid_request", "error_description": "Not found"}, 404)

    def _token(self, params: dict[str, str]) -> httpx.Response:
        if params.get("grant_type") != "refresh_token":
            return json_response({"error": "unsupported_grant_type"})
        now = self._clock.now().timestamp()
        with self._lock:
            grant = self._grants.get(params.get("refresh_token", ""))
            if grant is not None and (
                grant.client_id != params.get("client_id")
                or grant.client_secret != params.get("client_secret")
            ):
                return json_response({"error": "invalid_client"})
            if grant is None or grant.revoked:
                return json_response({"error": "invalid_code"})
            if now < grant.blocked_until:
                return json_response(ACCESS_DENIED, 400)
            while grant.mints and grant.mints[0] <= now - self.mint_window:
                grant.mints.popleft()
            if len(grant.mints) >= self.mint_limit:
                grant.blocked_until = now + self.mint_block
                self.blocks += 1
                return json_response(ACCESS_DENIED, 400)
            grant.mints.append(now)
            token = self._new_token()
            self._issued[token] = _Issued(params["refresh_token"], now + self.token_ttl)
            self.minted += 1
        answer: dict[str, object] = {
            "access_token": token,
            "expires_in": self.token_ttl,
            "token_type": "Bearer",
        }
        if self.api_domain is not None:
            answer["api_domain"] = self.api_domain
        return json_response(answer)

    def _revoke(self, params: dict[str, str]) -> httpx.Response:
        with self._lock:
            grant = self._grants.get(params.get("token", ""))
            if grant is None:
                return json_response({"error": "invalid_code"})
            grant.revoked = True
        return json_response({"status": "success"})

    def _new_token(self) -> str:
        # Called under the lock. Zoho tokens look like "1000.<hex>.<hex>".
        taken = {secret for g in self._grants.values() for secret in (g.client_secret, g.client_id)}
        while True:
            token = f"1000.{self._rng.getrandbits(128):032x}.{self._rng.getrandbits(128):032x}"
            if token not in taken and token not in self._grants and token not in self._issued:
                return token

    def __repr__(self) -> str:
        return f"AccountsEmulator(clients={len(self._grants)}, minted={self.minted})"


def _retry_later() -> httpx.Response:
    return json_response({"error": "server_error", "error_description": "Try again later"}, 503)
