"""Zoho OAuth: access tokens from a refresh token, cached, shared and never leaked.

Set-up (once, by a person): create a *Self Client* in the Zoho API console of the account's
data centre, generate a grant code with the scopes the adapters need
(``ZohoInvoice.contacts.READ,ZohoInvoice.settings.READ,ZohoCampaigns.contact.ALL``) and
exchange it for a refresh token. fieldsync takes it from there: it mints an access token
when it needs one (``POST {accounts}/oauth/v2/token``, ``grant_type=refresh_token``),
keeps it until shortly before it expires, and never mints more than Zoho allows (10 per
10 minutes per refresh token; going over blocks minting for 10 minutes).

Shared between processes by default: once the adapters built on a ``ZohoOAuth`` are
registered with a ``SyncService`` (or resolved by one), every process using the service's
store (``SQLiteStore``, ``PostgresStore``) reuses one access token until shortly before it
expires, books its mints there (so the 10-per-10-minutes limit holds across processes) and
respects a minting block any of them met. Before that, or with a ``ledger`` and
``token_cache`` passed explicitly (``fieldsync.LocalQuota()`` keeps them in this process),
they live where they were put.

One mint at a time: when the token cache is also a :class:`~fieldsync.ports.MintLock`
(every fieldsync store is), a process that finds no valid token claims the right to mint
one; the others wait for the token it stores (polling the cache every
:data:`MINT_POLL` seconds) instead of minting their own. The wait is bounded by
``mint_wait`` (:data:`MINT_WAIT` seconds by default): after it, a waiter mints itself, and
a claim ends :data:`MINT_CLAIM` seconds after it was taken whatever happens, so a minter
that crashed or hangs costs the others that long at most.

The token answer's ``api_domain`` (e.g. ``https://www.zohoapis.in``) is exposed as
:attr:`ZohoOAuth.api_domain`: adapters that were not given an explicit base URL build
theirs on it, since Zoho says API calls must go to that domain.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from fieldsync._closing import Closeable
from fieldsync._secrets import register_secret
from fieldsync.clock import SystemClock
from fieldsync.domain.quota import CachedToken, QuotaRequest, quota_digest
from fieldsync.domain.records import RateWindow
from fieldsync.exceptions import (
    AuthenticationError,
    RateLimitedError,
    ServiceUnavailableError,
    TransportError,
)
from fieldsync.http.retry import RetryPolicy
from fieldsync.ports import MintLock
from fieldsync.quota import LocalQuota
from fieldsync.redaction import install_log_redaction
from fieldsync.zoho._api import error_text, parse_json, retry_after, send
from fieldsync.zoho._datacentres import DataCentre
from fieldsync.zoho._datacentres import data_centre as _data_centre

if TYPE_CHECKING:
    from fieldsync.ports import Clock, QuotaLedger, QuotaStore, TokenCache

__all__ = ["MINT_CLAIM", "MINT_LIMIT", "MINT_POLL", "MINT_WAIT", "MINT_WINDOW", "ZohoOAuth"]

_log = logging.getLogger("fieldsync.zoho.auth")

GRANT_ENDPOINT = "POST /oauth/v2/token"
REVOKE_ENDPOINT = "POST /oauth/v2/token/revoke"
MINT_LIMIT = 10  # access tokens per refresh token ...
MINT_WINDOW = 600.0  # ... per this many seconds
_MINT_BLOCK = 600.0  # how long Zoho blocks minting once the limit was exceeded
MINT_WAIT = 30.0  # how long a process waits for another's mint before minting itself
MINT_CLAIM = 60.0  # a mint claim ends this long after it was taken, released or not
MINT_POLL = 0.25  # how often a waiting process looks for the token in the cache
_MINT_WINDOWS = (RateWindow(MINT_LIMIT, MINT_WINDOW),)
# Renew this long before expiry, so that a token never expires between check and use.
_EXPIRY_MARGIN = 60.0
_DEFAULT_TTL = 3600.0
# Answers meaning "this refresh token is gone": revoking it again is then a success.
_ALREADY_REVOKED = frozenset({"invalid_code", "invalid_token"})
_HINTS = {
    "invalid_client": "the client id or secret is wrong, or belongs to another data centre",
    "invalid_code": "the refresh token is invalid or was revoked",
    "invalid_client_secret": "the client secret is wrong",
}


def mask(value: str) -> str:
    """``1000.ABCD...XYZ`` -> ``1000.AB…YZ``: enough to tell clients apart, no more."""
    if len(value) <= 10:
        return value[:2] + "…"
    return f"{value[:7]}…{value[-2:]}"


class ZohoOAuth(Closeable):
    """Access tokens for the Zoho APIs of one account, minted from a refresh token.

    One instance may be shared by all adapters of an account and used from many threads:
    the access token is cached until ``expires_in`` minus a minute, and only one thread
    mints at a time. The secret and the tokens appear in no repr, log line or error.

    Args:
        client_id: the OAuth client's id (``1000.XXXX``).
        client_secret: the OAuth client's secret.
        refresh_token: the refresh token (``1000.xxxx.xxxx``).
        data_centre: where the account lives: ``"com"`` (or ``"us"``), ``"eu"``, ``"in"``,
            ``"com.au"`` (or ``"au"``), ``"jp"``, ``"ca"``, ``"com.cn"`` (or ``"cn"``).
        client: the httpx client for Zoho Accounts (one with a 30 s timeout by default).
        accounts_url: overrides the data centre's Zoho Accounts URL (a proxy, a test).
        clock: the time source and waiting (``SystemClock`` by default).
        retry: how to retry temporary failures of Zoho Accounts (``RetryPolicy()``).
        ledger: where mints and minting blocks are booked, and the default ledger of the
            adapters built on this object. When omitted: this object's memory until the
            adapters are registered with a ``SyncService``, then the service's store
            (:meth:`share_quota`), shared by every process on it. Pass
            ``fieldsync.LocalQuota()`` to keep the limits inside this process on purpose.
        token_cache: where access tokens are kept for reuse. When omitted: this object's
            memory, then the service's store, as for ``ledger``. The refresh token and
            client secret are never given to it. When it is also a
            :class:`~fieldsync.ports.MintLock` (every store is), one mint at a time happens
            for this refresh token among everyone using it.
        mint_wait: seconds to wait for another process's mint (the token it will store)
            before minting anyway (:data:`MINT_WAIT`).

    Raises:
        ConfigurationError: an unknown data centre.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        data_centre: str = "com",
        client: httpx.Client | None = None,
        accounts_url: str | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        ledger: QuotaLedger | None = None,
        token_cache: TokenCache | None = None,
        mint_wait: float = MINT_WAIT,
    ) -> None:
        self.data_centre: DataCentre = _data_centre(data_centre)
        self.client_id = client_id
        self._secret = client_secret
        self._refresh_token = refresh_token
        # scrubbed by value from whatever fieldsync stores, logs or prints (an API echoing one)
        register_secret(client_secret)
        register_secret(refresh_token)
        self._accounts = (accounts_url or self.data_centre.accounts).rstrip("/")
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=30.0)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._retry = retry if retry is not None else RetryPolicy()
        local = LocalQuota()  # what is not shared lives here, in this object only
        self.ledger: QuotaLedger = ledger if ledger is not None else local
        self._tokens: TokenCache = token_cache if token_cache is not None else local
        self._mint_wait = mint_wait
        self._owner = uuid.uuid4().hex  # this object's name in mint claims
        # What was left out follows the store of the first service this is registered with.
        self._follows_store = (ledger is None, token_cache is None)
        # Names this refresh token in the ledger and the cache: a digest, never the secret.
        self.quota_key: str = quota_digest(self._accounts, client_id, refresh_token)
        self._mint_scope = f"zoho-accounts/{self.quota_key}/mint"
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._api_domain: str | None = None
        self._revoked = False
        # httpx logs request URLs at INFO, and the revoke URL holds the refresh token.
        install_log_redaction()

    @property
    def api_domain(self) -> str | None:
        """The API domain named by the last token answer (e.g. ``https://www.zohoapis.in``),
        or ``None`` before the first token or when Zoho did not name one."""
        return self._api_domain

    @property
    def accounts_url(self) -> str:
        """The Zoho Accounts base URL in use."""
        return self._accounts

    def access_token(self) -> str:
        """A valid access token: the cached one, or a freshly minted one.

        Raises:
            AuthenticationError: the client or refresh token is invalid or was revoked.
            RateLimitedError: minting another token now would exceed Zoho's limit of 10 per
                10 minutes (``retry_after`` says when one is allowed), or Zoho blocked it.
            RetriableError: Zoho Accounts failed and the retries ran out.
        """
        with self._lock:
            if self._revoked:
                raise AuthenticationError(
                    "the Zoho refresh token was revoked; authorise fieldsync again",
                    endpoint=GRANT_ENDPOINT,
                )
            if self._token is not None and self._now() < self._expires_at:
                return self._token
            self._token = None
            token: str = self._retry.call(self._shared_or_mint, clock=self._clock)
            return token

    def share_quota(self, store: QuotaStore) -> None:
        """Book mints in ``store`` and keep the access token there from now on, where this
        object was built without a ``ledger`` or ``token_cache`` of its own (a
        :class:`~fieldsync.ports.SharesQuota`). ``SyncService`` calls it with its store when
        the adapters are registered or resolved; only the first store counts.

        A token minted before is put in ``store`` (unless it holds one already), so other
        processes reuse it; mints booked before stay in this object's memory.
        """
        with self._lock:
            ledger_left_out, cache_left_out = self._follows_store
            self._follows_store = (False, False)
            if ledger_left_out:
                self.ledger = store
            if not cache_left_out:
                return
            self._tokens = store
            now = self._now()
            if self._token is None or now >= self._expires_at:
                return
            if store.cached_token(self.quota_key, now=now) is None:
                token = CachedToken(self._token, self._expires_at, self._api_domain)
                store.store_token(self.quota_key, token)

    def invalidate(self, token: str | None = None) -> None:
        """Forget the cached access token (an API said it is invalid), so the next
        :meth:`access_token` mints a new one.

        Args:
            token: the token the API refused; when given, a newer cached token (another
                thread already refreshed) is kept.
        """
        with self._lock:
            if token is None or token == self._token:
                self._token = None
            self._tokens.drop_token(self.quota_key, access_token=token)

    def revoke(self) -> None:
        """Revoke the refresh token at Zoho (disabling the integration). Idempotent.

        Raises:
            AuthenticationError: Zoho refused for another reason than "already gone".
            RetriableError: Zoho Accounts failed and the retries ran out.
        """
        with self._lock:
            if self._revoked:
                return
            self._retry.call(self._revoke, clock=self._clock)
            self._revoked = True
            self._token = None
            self._tokens.drop_token(self.quota_key)
            _log.info("revoked the Zoho refresh token of client %s", mask(self.client_id))

    def describe(self) -> str:
        """What :meth:`revoke` would revoke, without any secret."""
        host = httpx.URL(self._accounts).host
        return f"Zoho OAuth refresh token for client {mask(self.client_id)} ({host})"

    def close(self) -> None:
        """Close the httpx client if this object created it (a client you passed in is
        yours to close). Idempotent. ``with ZohoOAuth(...) as auth:`` closes it on exit."""
        if self._owns_client:
            self._client.close()

    def __repr__(self) -> str:
        return (
            f"ZohoOAuth(client_id={mask(self.client_id)!r}, data_centre={self.data_centre.key!r})"
        )

    # -- one attempt each; the retry policy repeats them ---------------------------------

    def _shared_or_mint(self) -> str:
        now = self._now()
        # Another process (or, between retries, another thread) may have minted one.
        shared = self._shared(now)
        # the token cache of now: the service's store once share_quota adopted it
        lock = self._tokens if isinstance(self._tokens, MintLock) else None
        if shared is not None or lock is None:
            return shared if shared is not None else self._mint(now)
        key, deadline = self.quota_key, now + self._mint_wait
        while not lock.claim_mint(key, self._owner, now=now, until=now + MINT_CLAIM):
            if now >= deadline:
                _log.warning(
                    "another process has been minting a Zoho access token for client %s "
                    "for %g s; minting one here instead of waiting longer",
                    mask(self.client_id),
                    self._mint_wait,
                )
                return self._mint(now)
            self._clock.sleep(MINT_POLL)
            now = self._now()
            shared = self._shared(now)
            if shared is not None:
                return shared
        try:
            # The claim's previous holder may have stored its token just before letting go.
            shared = self._shared(now)
            return shared if shared is not None else self._mint(now)
        finally:
            lock.release_mint(key, self._owner)

    def _shared(self, now: float) -> str | None:
        """The cache's valid token, now also this object's, or ``None``."""
        shared = self._tokens.cached_token(self.quota_key, now=now)
        if shared is None:
            return None
        register_secret(shared.access_token, transient=True)
        self._token, self._expires_at = shared.access_token, shared.expires_at
        self._api_domain = shared.api_domain or self._api_domain
        return shared.access_token

    def _mint(self, now: float) -> str:
        # One ledger round trip books the mint or says why not: a minting block someone
        # met (asking again meanwhile would only be refused, and may prolong the block),
        # or the 10 per 10 minutes used up. No margin: a mint counts when it is asked.
        answer = self.ledger.reserve(
            QuotaRequest(self._mint_scope, _MINT_WINDOWS, 1, now, margin=0.0, max_delay=0.0)
        )
        if answer.resume_at is not None:
            wait = answer.resume_at - now
            if answer.lock is not None:
                raise RateLimitedError(
                    "Zoho blocked minting access tokens for this refresh token; "
                    f"asking again in {wait:.0f} s",
                    retry_after=wait,
                    endpoint=GRANT_ENDPOINT,
                )
            raise RateLimitedError(
                f"Zoho allows {MINT_LIMIT} access tokens per {MINT_WINDOW:g} s per refresh "
                f"token; the next one may be minted in {wait:.0f} s",
                retry_after=wait,
                endpoint=GRANT_ENDPOINT,
            )
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._refresh_token,
            "client_id": self.client_id,
            "client_secret": self._secret,
        }
        url = self._accounts + "/oauth/v2/token"
        response = send(lambda: self._client.post(url, data=form), endpoint=GRANT_ENDPOINT)
        try:
            body = _accounts_answer(response, GRANT_ENDPOINT)
        except RateLimitedError:
            reason = "Zoho blocked minting access tokens for this refresh token"
            self.ledger.lock(self._mint_scope, until=now + _MINT_BLOCK, reason=reason)
            raise
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise TransportError(
                "Zoho Accounts answered without an access token",
                status_code=response.status_code,
                endpoint=GRANT_ENDPOINT,
            )
        register_secret(token, transient=True)
        ttl = _seconds(body.get("expires_in"), _DEFAULT_TTL)
        self._token = token
        self._expires_at = now + max(ttl - _EXPIRY_MARGIN, ttl / 2)
        domain = body.get("api_domain")
        if isinstance(domain, str) and domain:
            self._api_domain = domain.rstrip("/")
        self._tokens.store_token(
            self.quota_key, CachedToken(token, self._expires_at, self._api_domain)
        )
        _log.debug(
            "minted a Zoho access token for client %s (valid %g s)", mask(self.client_id), ttl
        )
        return token

    def _revoke(self) -> None:
        url = self._accounts + "/oauth/v2/token/revoke"
        # Zoho wants the token in the query string: never log this URL (see the filter).
        params = {"token": self._refresh_token}
        response = send(lambda: self._client.post(url, params=params), endpoint=REVOKE_ENDPOINT)
        try:
            _accounts_answer(response, REVOKE_ENDPOINT)
        except AuthenticationError as exc:
            if exc.api_code not in _ALREADY_REVOKED:
                raise

    def _now(self) -> float:
        return self._clock.now().timestamp()


def _accounts_answer(response: httpx.Response, endpoint: str) -> Mapping[str, object]:
    """The JSON body of a Zoho Accounts answer, or the fieldsync error it stands for."""
    status = response.status_code
    if status == 429:
        raise RateLimitedError(
            "Zoho Accounts asked us to slow down",
            retry_after=retry_after(response),
            status_code=status,
            endpoint=endpoint,
        )
    if status >= 500:
        raise ServiceUnavailableError(
            "Zoho Accounts is unavailable", status_code=status, endpoint=endpoint
        )
    body = parse_json(response)
    if body is None:
        raise TransportError(
            "Zoho Accounts answered with something that is not JSON",
            status_code=status,
            endpoint=endpoint,
        )
    code = error_text(body.get("error"))
    if code == "Access Denied":
        raise RateLimitedError(
            "Zoho blocked minting access tokens for this refresh token (too many requests)",
            retry_after=_MINT_BLOCK,
            status_code=status,
            api_code=code,
            endpoint=endpoint,
        )
    if code is not None:
        hint = _HINTS.get(code, "the request was refused")
        raise AuthenticationError(
            f"Zoho Accounts refused: {hint}", status_code=status, api_code=code, endpoint=endpoint
        )
    if status != 200:
        raise TransportError(
            "Zoho Accounts gave an unexpected answer", status_code=status, endpoint=endpoint
        )
    return body


def _seconds(value: object, default: float) -> float:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default
