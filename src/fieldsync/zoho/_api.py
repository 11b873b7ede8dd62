"""One authenticated, paced, retried call to a Zoho API: what both Zoho adapters share.

Each adapter brings its own ``classify`` hook, which turns the API's statuses and error
codes into fieldsync errors; :class:`ZohoApi` does the rest (token, pacing, transport
errors, JSON, retries, one token refresh). Errors name the call as ``"METHOD path"``; the
request URL never appears in a message, as its query may hold a token.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

import httpx

from fieldsync import _run_scope
from fieldsync.exceptions import (
    AuthenticationError,
    EndpointLockedError,
    FieldSyncError,
    RateLimitedError,
    ServiceUnavailableError,
    TransportError,
)

if TYPE_CHECKING:
    from fieldsync.http.ratelimit import Pacer
    from fieldsync.http.retry import RetryPolicy
    from fieldsync.ports import Clock
    from fieldsync.zoho.auth import ZohoOAuth

__all__ = [
    "Classify",
    "ZohoApi",
    "endpoint_name",
    "error_text",
    "parse_json",
    "raise_for_http_status",
    "retry_after",
    "send",
]

_log = logging.getLogger("fieldsync.zoho")

T = TypeVar("T")

_DEFAULT_LOCK = 60.0  # a lock of unknown length, on an endpoint with no documented lockout

Classify = Callable[[httpx.Response, "dict[str, object] | None", str], None]
"""``classify(response, body_or_None, endpoint)``: raise the fieldsync error the answer
stands for, or return to accept it. ``body`` is ``None`` when the answer is not a JSON
object (an HTML error page, a truncated body)."""


class _AuthFailed(Exception):
    """Carries an error of the token source past the API retry loop.

    ZohoOAuth already retried it; retrying it again per API attempt would multiply the
    attempts (and the minting)."""

    def __init__(self, error: FieldSyncError) -> None:
        super().__init__(str(error))
        self.error = error


class ZohoApi:
    """Makes authenticated calls to one Zoho API.

    Args:
        auth: the account's token source.
        client: the httpx client for the API.
        base_url: the API root (``https://campaigns.zoho.com/api/v1.1``), or a function
            returning it, called after the token is known: adapters without an explicit
            base URL pass ``lambda: (auth.api_domain or dc.api) + "/invoice/v3"`` to follow
            the token answer's ``api_domain``.
        retry: how to retry ``RetriableError`` (every attempt is paced again).
        clock: where retries wait.
        classify: the API's error hook (see :data:`Classify`).
    """

    def __init__(
        self,
        auth: ZohoOAuth,
        *,
        client: httpx.Client,
        base_url: str | Callable[[], str],
        retry: RetryPolicy,
        clock: Clock,
        classify: Classify,
    ) -> None:
        self.auth = auth
        self._client = client
        self._base_url = base_url
        self._retry = retry
        self._clock = clock
        self._classify = classify

    @property
    def base_url(self) -> str:
        """The API root calls go to now."""
        base = self._base_url if isinstance(self._base_url, str) else self._base_url()
        return base.rstrip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        pacer: Pacer | None = None,
    ) -> dict[str, object]:
        """Call ``method path`` and return the answer's JSON object.

        Adds ``Authorization: Zoho-oauthtoken <token>``; waits on ``pacer`` before every
        attempt; when ``classify`` raises ``AuthenticationError`` (an expired or invalid
        token), invalidates the token, mints a new one and tries once more.

        Args:
            method: ``"GET"``, ``"POST"``, ...
            path: relative to the base URL, e.g. ``"json/listsubscribe"``.
            params: the query string.
            data: a form body (``application/x-www-form-urlencoded``).
            headers: extra headers.
            pacer: the rate limit of this endpoint, if it has one.

        Raises:
            AuthenticationError: the credentials are refused, even after one refresh.
            QuotaExhaustedError: ``pacer`` says a long window is used up.
            RetriableError: the last temporary failure, once the retries ran out.
            SyncError: whatever else ``classify`` raises.
        """
        endpoint = endpoint_name(method, path)
        refreshed = False

        def attempt() -> dict[str, object]:
            nonlocal refreshed
            while True:
                if pacer is not None:
                    pacer.acquire()
                token = self._token()
                try:
                    return self._once(method, path, endpoint, token, params, data, headers)
                except AuthenticationError as refused:
                    # Only a refused *token* is worth a new one; a 403 or a privilege code
                    # refuses the user, and a refresh would spend a mint for nothing.
                    if refreshed or not _token_refused(refused):
                        raise
                    refreshed = True
                    _log.info(
                        "%s: the access token was refused; refreshing it once",
                        endpoint,
                        extra=_run_scope.log_extra(),
                    )
                    self.auth.invalidate(token)

        try:
            return self._retry.call(attempt, clock=self._clock)
        except _AuthFailed as failure:
            raise failure.error from failure.error.__cause__
        except EndpointLockedError as locked:
            if pacer is not None:
                self._record_lock(locked, pacer)
            raise

    def _record_lock(self, locked: EndpointLockedError, pacer: Pacer) -> None:
        """Put the service's lock in the pacer's ledger, so that no process sharing it
        calls the endpoint before it ends; fill in ``resume_at`` when the answer gave only
        a duration (or nothing: then the endpoint's documented lockout, else a minute)."""
        if locked.resume_at is None:
            lockout = max((w.lockout for w in pacer.windows), default=0.0)
            seconds = locked.lock_seconds or lockout or _DEFAULT_LOCK
            locked.resume_at = self._clock.now() + timedelta(seconds=seconds)
        _log.warning("%s is locked until %s", locked.endpoint, locked.resume_at.isoformat())
        pacer.lock(locked.resume_at, locked.message)

    def _token(self) -> str:
        try:
            return self.auth.access_token()
        except FieldSyncError as exc:
            raise _AuthFailed(exc) from exc

    def _once(
        self,
        method: str,
        path: str,
        endpoint: str,
        token: str,
        params: Mapping[str, str | int] | None,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, object]:
        url = f"{self.base_url}/{path.lstrip('/')}"
        sent = {**(headers or {}), "Authorization": f"Zoho-oauthtoken {token}"}
        content = None
        if data is not None:
            # The form encoded as httpx would, without its checks of a mapping made for
            # every call (a few percent of a listsubscribe call's CPU).
            content = urlencode(data).encode("utf-8")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        response = send(
            lambda: self._client.request(method, url, params=params, content=content, headers=sent),
            endpoint=endpoint,
        )
        _log.debug("%s -> HTTP %d", endpoint, response.status_code)
        body = parse_json(response)
        self._classify(response, body, endpoint)
        if body is None:
            raise TransportError(
                "Zoho answered with something that is not a JSON object",
                status_code=response.status_code,
                endpoint=endpoint,
            )
        return body

    def __repr__(self) -> str:
        return f"ZohoApi({self._base_url if isinstance(self._base_url, str) else '<dynamic>'})"


# -- helpers for ZohoApi, ZohoOAuth and the adapters' classify hooks -----------------------


def endpoint_name(method: str, path: str) -> str:
    """``("post", "/json/listsubscribe?token=x")`` -> ``"POST json/listsubscribe"``."""
    return f"{method.upper()} {path.split('?', 1)[0].lstrip('/')}"


def send(call: Callable[[], T], *, endpoint: str) -> T:
    """Make an httpx call, translating httpx's errors to :class:`TransportError`.

    The message names the error type only: httpx messages may quote the URL.
    """
    try:
        return call()
    except httpx.HTTPError as exc:
        raise TransportError(f"{type(exc).__name__} calling Zoho", endpoint=endpoint) from exc


def parse_json(response: httpx.Response) -> dict[str, object] | None:
    """The answer's JSON object, or ``None`` when it is not one (HTML, truncated, a list,
    or nested deeper than the parser's recursion limit: ``[[[[...`` thousands deep)."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: a hostile or broken server must cost a malformed-answer error,
        # never an exception outside the FieldSyncError tree.
        return None
    return body if isinstance(body, dict) else None


def error_text(value: object) -> str | None:
    """An API error code as text (Zoho sends some as numbers), or ``None`` when absent."""
    if value is None or value == "":
        return None
    return str(value)


_LONGEST_RETRY_AFTER = 86_400.0  # a day: anything longer (or not finite) is nonsense


def retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (delta or HTTP date), or ``None`` when absent
    or unreadable. Capped at a day; headers come from outside and may be anything."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = _aware(email.utils.parsedate_to_datetime(value))
            said = response.headers.get("Date")
            now = _aware(email.utils.parsedate_to_datetime(said)) if said else datetime.now(UTC)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), _LONGEST_RETRY_AFTER)


def _aware(moment: datetime) -> datetime:
    # "-0000" in an HTTP date parses to a naive datetime; it means UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# Codes with which the Zoho APIs refuse an invalid or expired access token, besides HTTP
# 401: the adapters classify with these, and ZohoApi refreshes the token on them.
INVOICE_TOKEN_CODES = frozenset({"57", "14"})  # 14: "invalid authtoken"
TOKEN_REFUSED_CODES = INVOICE_TOKEN_CODES | {"1007"}  # Campaigns 1007: "unauthorized"


def _token_refused(error: AuthenticationError) -> bool:
    return error.status_code == 401 or error.api_code in TOKEN_REFUSED_CODES


def raise_for_http_status(response: httpx.Response, endpoint: str) -> None:
    """The part of a ``classify`` hook every Zoho API shares.

    Raises:
        AuthenticationError: HTTP 401 (the token is invalid or expired).
        RateLimitedError: HTTP 429, with ``retry_after`` from the header.
        ServiceUnavailableError: HTTP 5xx.
    """
    status = response.status_code
    if status == 401:
        raise AuthenticationError(
            "Zoho refused the access token", status_code=status, endpoint=endpoint
        )
    if status == 429:
        raise RateLimitedError(
            "Zoho asked us to slow down",
            retry_after=retry_after(response),
            status_code=status,
            endpoint=endpoint,
        )
    if status >= 500:
        raise ServiceUnavailableError("Zoho is unavailable", status_code=status, endpoint=endpoint)
