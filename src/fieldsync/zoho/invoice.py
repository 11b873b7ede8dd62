"""Zoho Invoice customers as a fieldsync :class:`~fieldsync.ports.Source`.

A read pages through ``GET /invoice/v3/contacts`` of one organization, customers only,
newest change first (``sort_column=last_modified_time``, ``sort_order=D``), 200 rows a
call, paced under Zoho's limit of 100 calls a minute per organization:

- **Changes during a read.** Zoho offers no "modified since" filter, so the read sorts by
  modification time, newest first. A record changed while the read is under way moves to
  the front: it is either read already or read once more (a row seen on the previous page
  is dropped), never skipped, and the next incremental read sees it anyway. A record
  *deleted* during the read shifts the rows after it one place forward, so one row may slip
  past a page boundary unread; the next full read picks it up.
- **Incremental reads.** With ``since``, the read stops at the first record modified
  before ``since`` (records modified exactly at ``since`` are kept).
- **Resuming.** Each page's ``position`` is ``page=N;since=...``; ``read(resume=...)``
  starts again at that page with the same ``since``.
- **Custom fields** are flattened into the record's values by their label ("Customer
  Tier"). Zoho documents no endpoint listing an organization's contact custom fields
  for Invoice, so :meth:`ZohoInvoiceSource.schema` learns their labels and types from the
  first page of customers (one call) and from every page read since; declare labels that
  may be missing there with ``custom_fields=``. A read that starts on page 1 right after
  the ``schema()`` call that fetched it (what a run does) takes that page as its first
  instead of asking for it again: one call less a run. The page is as fresh as the run,
  since the run's pass began before its ``schema()`` call, and a row changed since is
  read by the next pass, which reads from before this one began.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from fieldsync._closing import Closeable
from fieldsync.clock import SystemClock
from fieldsync.domain.fields import Schema
from fieldsync.domain.quota import quota_digest
from fieldsync.domain.records import RateWindow, SourcePage
from fieldsync.exceptions import (
    AuthenticationError,
    EndpointLockedError,
    FatalSyncError,
    RateLimitedError,
    ServiceUnavailableError,
    TransportError,
)
from fieldsync.http.ratelimit import Pacer, RateLimiter
from fieldsync.http.retry import RetryPolicy
from fieldsync.zoho._api import (
    INVOICE_TOKEN_CODES,
    ZohoApi,
    error_text,
    raise_for_http_status,
    retry_after,
)
from fieldsync.zoho._invoice_pages import PageRows, page_rows, records_of, repeats
from fieldsync.zoho._invoice_schema import STANDARD_FIELDS, CustomFields, Position
from fieldsync.zoho.auth import ZohoOAuth

if TYPE_CHECKING:
    from fieldsync.ports import Clock, QuotaLedger, QuotaStore

__all__ = [
    "AUTH_CODES",
    "INVOICE_WINDOWS",
    "MAX_PER_PAGE",
    "NOT_FOUND_CODE",
    "ORGANIZATION_HEADER",
    "ZohoInvoiceSource",
]

ORGANIZATION_HEADER = "X-com-zoho-invoice-organizationid"
INVOICE_WINDOWS: tuple[RateWindow, ...] = (RateWindow(limit=100, period=60.0),)
"""Zoho's per-organization limit (documented for Books and Inventory; unconfirmed for
Invoice, which shares their API)."""
MAX_PER_PAGE = 200
# Invalid or expired token (14: "invalid authtoken"); ZohoApi refreshes the token on these.
AUTH_CODES = INVOICE_TOKEN_CODES
NOT_FOUND_CODE = "1002"
_log = logging.getLogger("fieldsync.zoho")
_QUOTA_WAIT = 900.0  # a 429 asking for a longer wait than this is a daily cap, not a throttle
_LIST = "contacts"
_KEEP_FIRST = timedelta(minutes=1)  # how long schema()'s page 1 may serve as a read's


class ZohoInvoiceSource(Closeable):
    """The customers of one Zoho Invoice organization, read page by page.

    Args:
        auth: the account's OAuth token source (may be shared with the target).
        organization_id: the organization to read (``GET /organizations`` lists them).
        client: the httpx client for the API (one with a 30 s timeout by default).
        base_url: the API root; by default the token's ``api_domain`` (or the data
            centre's API host) followed by ``/invoice/v3``.
        clock: where time comes from and where waits happen (``SystemClock``).
        retry: how to retry temporary failures (``RetryPolicy()``).
        only_active: read active customers only.
        per_page: rows per call, at most 200 (Zoho's maximum).
        custom_fields: labels of custom fields to list in the schema even before a row
            carrying them has been seen.
        daily_limit: the plan's daily call cap, when known: the read then stops with
            ``QuotaExhaustedError`` before Zoho refuses (Zoho's own refusal does the same).
        ledger: where every call is booked against the organization's windows and where
            a used-up daily cap is recorded. By default ``auth.ledger``, which becomes the
            store of the ``SyncService`` the source is registered with (:meth:`share_quota`),
            so that every process on that store shares the organization's quota. Pass
            ``fieldsync.LocalQuota()`` to keep it inside this process on purpose.
        quota_share: the fraction of each window fieldsync may fill (1.0: all of it).

    Raises:
        ValueError: ``per_page`` outside 1..200, or ``quota_share`` not in (0, 1].
    """

    def __init__(
        self,
        auth: ZohoOAuth,
        *,
        organization_id: str,
        client: httpx.Client | None = None,
        base_url: str | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        only_active: bool = False,
        per_page: int = MAX_PER_PAGE,
        custom_fields: Sequence[str] = (),
        daily_limit: int | None = None,
        ledger: QuotaLedger | None = None,
        quota_share: float = 1.0,
    ) -> None:
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {per_page}")
        self.organization_id = organization_id
        self.only_active = only_active
        self.per_page = per_page
        self._auth = auth
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=30.0)
        windows = list(INVOICE_WINDOWS)
        if daily_limit is not None:
            windows.append(RateWindow(limit=daily_limit, period=86_400.0))
        self._own_ledger = ledger is not None
        self._pacer = Pacer(
            RateLimiter(windows),
            self._clock,
            max_wait=_QUOTA_WAIT,
            name=f"GET {_LIST} (organization {organization_id})",
            ledger=ledger if ledger is not None else auth.ledger,
            scope=f"zoho-invoice/{quota_digest(auth.accounts_url, organization_id)}",
            share=quota_share,
        )
        self._api = ZohoApi(
            auth,
            client=self._client,
            base_url=base_url or (lambda: f"{auth.api_domain or auth.data_centre.api}/invoice/v3"),
            retry=retry if retry is not None else RetryPolicy(),
            clock=self._clock,
            classify=self._classify,
        )
        self._custom = CustomFields(custom_fields)
        self._discovered = False
        # page 1 as the schema() call that fetched it got it (when, body), for the read
        # that follows; any other schema() call drops it, and any read takes it
        self._schema_page: tuple[datetime, dict[str, Any]] | None = None

    def share_quota(self, store: QuotaStore) -> None:
        """Book every call in ``store`` from now on, unless this source was given a
        ``ledger`` of its own (a :class:`~fieldsync.ports.SharesQuota`): the ``auth`` adopts
        the store (:meth:`ZohoOAuth.share_quota`) and the source follows ``auth.ledger``.
        ``SyncService`` calls it when the source is registered or resolved."""
        self._auth.share_quota(store)
        if not self._own_ledger:
            self._pacer.use_ledger(self._auth.ledger)

    # -- the Source port ------------------------------------------------------------------

    def schema(self) -> Schema:
        """The standard contact fields and the custom fields known so far, by label.

        The first call reads one page of customers to learn the custom fields.

        Raises:
            FatalSyncError: the credentials or the organization are refused.
            RetriableError: a temporary failure outlasted the retries.
        """
        self._schema_page = None
        if not self._discovered:
            body = self._page(1)
            rows = body.get("contacts")
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict):
                    self._custom.note(row)
            self._discovered = True
            self._schema_page = (self._clock.now(), body)
        return Schema((*STANDARD_FIELDS, *self._custom.fields()), email_field="email")

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[SourcePage]:
        """Stream the customers, newest change first, one API page per ``SourcePage``.

        Args:
            since: leave out records modified before it (aware).
            resume: a ``position`` of an earlier read with the same ``since``.

        Raises:
            ValueError: ``resume`` is not a position of this source, or its ``since``
                differs from the one given.
            AuthenticationError: the token or the organization is refused.
            QuotaExhaustedError: the organization's daily call cap is used up.
            RetriableError: a temporary failure outlasted the retries.
        """
        kept, self._schema_page = self._schema_page, None
        fresh = kept is not None and self._clock.now() - kept[0] < _KEEP_FIRST
        first = kept[1] if kept is not None and fresh else None
        page = 1
        if resume is not None:
            position = Position.decode(resume)
            if since is not None and position.since is not None and position.since != since:
                raise ValueError("the resume position was made by a read with another since")
            since = since if since is not None else position.since
            page = position.page
        previous: PageRows | None = None
        while True:
            current = self._rows(page, previous, first if page == 1 else None)
            records, reached_since = records_of(
                current.rows,
                page=page,
                custom=self._custom,
                since=since,
                previous=previous.keys if previous is not None else frozenset(),
                only_active=self.only_active,
            )
            if records:
                yield SourcePage(records, Position(page, since).encode())
            if reached_since or not current.more or not current.rows:
                return
            previous = current
            page += 1

    def _rows(
        self, page: int, previous: PageRows | None, fetched: dict[str, Any] | None = None
    ) -> PageRows:
        """Page ``page`` (``fetched`` when given), asked for once more when it repeats the
        page before."""
        endpoint = f"GET {_LIST}"
        body = fetched if fetched is not None else self._page(page)
        current = page_rows(body, page=page, endpoint=endpoint)
        if repeats(current, previous):
            _log.warning("page %d of the contacts repeated page %d; asking again", page, page - 1)
            current = page_rows(self._page(page), page=page, endpoint=endpoint)
            if repeats(current, previous):
                raise TransportError(
                    f"Zoho Invoice answered page {page} with the contacts of page {page - 1} "
                    "(inconsistent paging); the read stops before it and continues later",
                    endpoint=endpoint,
                )
        return current

    def count(self) -> int | None:
        """Always ``None``: Zoho's contact list gives no total without reading every page."""
        return None

    def describe_credentials(self) -> Sequence[str]:
        """The OAuth refresh token :meth:`revoke` would revoke, described without secrets."""
        return [self._auth.describe()]

    def revoke(self) -> None:
        """Revoke the OAuth refresh token (shared with other adapters of the account)."""
        self._auth.revoke()

    def close(self) -> None:
        """Close the httpx client if this source created it (a client passed in is yours).
        The ``auth`` is left open: it is shared with other adapters; close it yourself.
        Idempotent."""
        if self._owns_client:
            self._client.close()

    def __repr__(self) -> str:
        return f"ZohoInvoiceSource(organization_id={self.organization_id!r})"

    # -- pages and records --------------------------------------------------------------

    def _page(self, page: int) -> dict[str, Any]:
        params: dict[str, str | int] = {
            "page": page,
            "per_page": self.per_page,
            "contact_type": "customer",
            "filter_by": "Status.Active" if self.only_active else "Status.All",
            "sort_column": "last_modified_time",
            "sort_order": "D",
        }
        return self._api.request(
            "GET",
            _LIST,
            params=params,
            headers={ORGANIZATION_HEADER: self.organization_id},
            pacer=self._pacer,
        )

    # -- errors -----------------------------------------------------------------------------

    def _classify(
        self, response: httpx.Response, body: dict[str, object] | None, endpoint: str
    ) -> None:
        status = response.status_code
        code = error_text(body.get("code")) if body is not None else None
        message = str(body.get("message") or "") if body is not None else ""
        if status == 429:
            self._raise_throttled(response, code, message, endpoint)
        if status == 403:
            raise AuthenticationError(
                f"Zoho refused access to organization {self.organization_id}: {message}",
                status_code=status,
                api_code=code,
                endpoint=endpoint,
            )
        raise_for_http_status(response, endpoint)
        if code in AUTH_CODES:
            raise AuthenticationError(
                "Zoho refused the access token",
                status_code=status,
                api_code=code,
                endpoint=endpoint,
            )
        if code in (None, "0") and status < 400:
            return
        text = f"Zoho Invoice refused the call: {message or 'no message'}"
        if status >= 400 or code == NOT_FOUND_CODE:
            raise FatalSyncError(text, status_code=status, api_code=code, endpoint=endpoint)
        # HTTP 200 with an error code Zoho documents nowhere for this call: taken for a
        # temporary failure (retried, then the run is deferred with its checkpoint), since
        # a fatal verdict on an unknown code would stop a sync that the next try may heal.
        raise ServiceUnavailableError(text, status_code=status, api_code=code, endpoint=endpoint)

    def _raise_throttled(
        self, response: httpx.Response, code: str | None, message: str, endpoint: str
    ) -> None:
        now = self._clock.now()
        wait = retry_after(response)
        reset = _seconds(response.headers.get("X-Rate-Limit-Reset"), now)
        later = reset if reset is not None else wait
        if "day" in message.lower() or (later or 0.0) > _QUOTA_WAIT:
            resume_at = now + timedelta(seconds=later) if later else _next_midnight(now)
            raise EndpointLockedError(
                f"the daily API call cap of organization {self.organization_id} is used up",
                resume_at=resume_at,
                status_code=429,
                api_code=code,
                endpoint=endpoint,
            )
        raise RateLimitedError(
            "Zoho Invoice asked us to slow down",
            retry_after=wait,
            status_code=429,
            api_code=code,
            endpoint=endpoint,
        )


def _seconds(header: str | None, now: datetime) -> float | None:
    """``X-Rate-Limit-Reset`` in seconds from now (sent as seconds or as a POSIX time)."""
    if not header:
        return None
    try:
        value = float(header)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    # A value this large is a POSIX timestamp rather than a number of seconds.
    seconds = value - now.timestamp() if value > 1e9 else value
    return min(max(0.0, seconds), 86_400.0)  # at most a day: it comes from outside


def _next_midnight(now: datetime) -> datetime:
    today = now.astimezone(UTC).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
