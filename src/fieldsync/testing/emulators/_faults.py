"""Faults on demand for the emulators, and the small helpers every emulator shares."""

from __future__ import annotations

import enum
import json
import random
import threading
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl

import attrs
import httpx

__all__ = [
    "FaultInjector",
    "FaultKind",
    "Faults",
    "json_response",
    "request_params",
]


class FaultKind(enum.Enum):
    """A way a real API call can go wrong, as the emulators reproduce it."""

    SERVER_ERROR = "server_error"  # HTTP 500 or 503
    RATE_LIMITED = "rate_limited"  # HTTP 429 with Retry-After: 1
    RATE_LIMITED_NO_RETRY_AFTER = "rate_limited_no_retry_after"  # HTTP 429, no header
    TIMEOUT = "timeout"  # httpx.ReadTimeout raised
    DROPPED_CONNECTION = "dropped_connection"  # httpx.RemoteProtocolError raised
    MALFORMED_JSON = "malformed_json"  # HTTP 200 with a truncated JSON body
    HTML_ERROR_PAGE = "html_error_page"  # HTTP 502 with a text/html body (a proxy's page)
    RETRY_LATER = "retry_later"  # the API's own "try again later" answer
    DEEP_JSON = "deep_json"  # HTTP 200 with JSON nested deeper than any parser allows
    # HTTP 200 with ``{}`` in place of a write's answer, nothing written: no error, and no
    # word of success either. Where the call writes nothing, answered as RETRY_LATER.
    UNCONFIRMED_WRITE = "unconfirmed_write"
    # HTTP 200 with an error (code 2001) whose message quotes the request's access token,
    # as careless APIs do. Opt-in: not among the default kinds (see Faults.kinds).
    ECHOED_TOKEN = "echoed_token"  # noqa: S105 (a fault's name, not a secret)


_DEFAULT_KINDS = frozenset(FaultKind) - {FaultKind.ECHOED_TOKEN}


@attrs.frozen
class Faults:
    """Which faults an emulator injects, and how often.

    Attributes:
        rate: the chance, from 0 to 1, that a call meets a fault.
        seed: seeds the choice, so a failing test fails the same way every time.
        kinds: the faults to choose from (all of them but ``ECHOED_TOKEN`` unless
            narrowed).
        endpoints: only calls to these endpoints meet faults (every call when ``None``):
            ``"POST json/listsubscribe"`` for Zoho Campaigns, the method and the URL path
            (``"GET /invoice/v3/contacts"``, ``"POST /oauth/v2/token"``) for the others.
    """

    rate: float = attrs.field(
        default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)]
    )
    seed: int = 0
    kinds: frozenset[FaultKind] = attrs.field(default=_DEFAULT_KINDS, converter=frozenset)
    endpoints: frozenset[str] | None = attrs.field(
        default=None, converter=attrs.converters.optional(frozenset)
    )


_MALFORMED_BODY = b'{"status": "success", "code": "0", "message": "Contact subscri'
_TOO_MANY = {"message": "Too many requests. Please try again later."}
_DEEP_BODY = b"[" * 5_000 + b"]" * 5_000
_HTML_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>"
)


class FaultInjector:
    """Decides, call by call and deterministically from ``faults.seed``, whether to fail.

    Thread-safe. The same seed and the same sequence of calls give the same faults.
    ``injected`` lists the faults so far, ``echoed`` the access tokens ``ECHOED_TOKEN``
    answers quoted.
    """

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        # Sorted by value: set iteration order of enum members is not stable across runs.
        self._kinds = sorted(faults.kinds, key=lambda kind: kind.value)
        self._lock = threading.Lock()
        self.injected: list[FaultKind] = []
        self.echoed: list[str] = []

    def maybe_fault(
        self,
        retry_later: Callable[[], httpx.Response],
        *,
        request: httpx.Request | None = None,
        writes: bool = False,
        endpoint: str | None = None,
    ) -> httpx.Response | None:
        """Return a faulty answer, raise a transport error, or return ``None`` (no fault).

        Args:
            retry_later: builds the API's own "retry later" answer (for ``RETRY_LATER``).
            request: the request being answered, attached to raised httpx errors.
            writes: the call writes (``UNCONFIRMED_WRITE`` answers ``{}`` to it).
            endpoint: the call's endpoint (``"POST json/listsubscribe"``), for
                ``faults.endpoints``.

        Raises:
            httpx.ReadTimeout: for ``TIMEOUT``.
            httpx.RemoteProtocolError: for ``DROPPED_CONNECTION``.
        """
        wanted = self.faults.endpoints
        if wanted is not None and endpoint not in wanted:
            return None
        with self._lock:
            if not self._kinds or self._rng.random() >= self.faults.rate:
                return None
            kind = self._rng.choice(self._kinds)
            status = self._rng.choice((500, 503))
            self.injected.append(kind)
        if kind is FaultKind.UNCONFIRMED_WRITE and writes:
            return json_response({})
        if kind is FaultKind.ECHOED_TOKEN:
            return self._echo(request)
        return _answer(kind, status, retry_later, request)

    def _echo(self, request: httpx.Request | None) -> httpx.Response:
        header = request.headers.get("Authorization", "") if request is not None else ""
        token = header.partition(" ")[2].strip()
        with self._lock:
            self.echoed.append(token)
        message = f"The request could not be processed for the OAuth token {token}."
        return json_response({"status": "error", "code": "2001", "message": message})


def _answer(
    kind: FaultKind,
    server_status: int,
    retry_later: Callable[[], httpx.Response],
    request: httpx.Request | None,
) -> httpx.Response:
    if kind is FaultKind.TIMEOUT:
        raise httpx.ReadTimeout("The read operation timed out", request=request)
    if kind is FaultKind.DROPPED_CONNECTION:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    if kind is FaultKind.SERVER_ERROR:
        return httpx.Response(server_status, text="Internal Server Error")
    if kind is FaultKind.RATE_LIMITED:
        return json_response(_TOO_MANY, 429, headers={"Retry-After": "1"})
    if kind is FaultKind.RATE_LIMITED_NO_RETRY_AFTER:
        return json_response(_TOO_MANY, 429)
    if kind is FaultKind.MALFORMED_JSON:
        return httpx.Response(
            200, headers={"Content-Type": "application/json"}, content=_MALFORMED_BODY
        )
    if kind is FaultKind.DEEP_JSON:
        return httpx.Response(200, headers={"Content-Type": "application/json"}, content=_DEEP_BODY)
    if kind is FaultKind.HTML_ERROR_PAGE:
        return httpx.Response(
            502, headers={"Content-Type": "text/html; charset=utf-8"}, content=_HTML_PAGE
        )
    return retry_later()


def json_response(
    body: object, status: int = 200, *, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """An answer with a JSON body (``Content-Type: application/json``)."""
    return httpx.Response(
        status,
        headers={"Content-Type": "application/json;charset=UTF-8", **(headers or {})},
        content=json.dumps(body).encode(),
    )


def request_params(request: httpx.Request) -> dict[str, str]:
    """A request's parameters: its query string, overlaid by its form body if it has one.

    Zoho APIs take parameters either way, so the emulators accept both.
    """
    params = dict(request.url.params)
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(request.read().decode(), keep_blank_values=True))
    return params
