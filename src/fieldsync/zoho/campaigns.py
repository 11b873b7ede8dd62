"""Zoho Campaigns mailing lists as a fieldsync :class:`~fieldsync.ports.Target`.

A contact with field values is written with one ``POST json/listsubscribe`` (an upsert by
email). Zoho allows 500 of those a minute, 12,500 an hour and 75,000 a day, and locks it for
30 minutes when a limit is passed; so every call, retries included, is paced by one
client-side :class:`~fieldsync.http.Pacer` over those windows, each call booking its slot
as it leaves; a batch is first checked to fit as a whole: when a daily (or hourly) window
cannot take it, the batch raises :class:`~fieldsync.exceptions.QuotaExhaustedError` and
nothing of it is sent.

A sync that maps nothing but the email can go faster: ``addlistsubscribersinbulk`` takes
10 addresses a call at 2,000 calls a minute (its own window and 10-minute lock, booked in
the same ledger), and answers which addresses were in the list already, which it added
again and which it ignored; the service sends such syncs through :meth:`add_emails` (the
:class:`~fieldsync.ports.BulkEmailTarget` capability). Every other sync writes field
values, which only ``json/listsubscribe`` carries.

Zoho does not report the plan's contact limit or whether auto-upgrade is on; pass them as
``plan_limit`` and ``auto_upgrade``. Details and codes: ``docs/zoho-campaigns.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import httpx

from fieldsync._closing import Closeable
from fieldsync.clock import SystemClock
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import (
    Capacity,
    RateWindow,
    TargetContact,
    TargetLimits,
    UpsertOutcome,
)
from fieldsync.exceptions import ConfigurationError, ListNotFoundError, SyncError
from fieldsync.http.ratelimit import Pacer, RateLimiter
from fieldsync.http.retry import RetryPolicy
from fieldsync.ports import Clock, QuotaLedger, QuotaStore
from fieldsync.zoho._api import ZohoApi
from fieldsync.zoho._campaigns_bulk import BULK, PER_CALL, BulkAdder
from fieldsync.zoho._campaigns_codes import (
    CODES,
    GROUP_ADDRESS_LOCAL_PARTS,
    CodeKind,
    classify,
)
from fieldsync.zoho._campaigns_members import MemberReader
from fieldsync.zoho._campaigns_parse import (
    MailingList,
    alphanumeric,
    list_rows,
    schema_from,
    to_int,
)
from fieldsync.zoho._campaigns_upsert import SUBSCRIBE, Subscriber
from fieldsync.zoho._datacentres import campaigns_root
from fieldsync.zoho._field_types import campaigns_type
from fieldsync.zoho.auth import ZohoOAuth

__all__ = ["DEFAULT_BULK_LIMITS", "DEFAULT_LIMITS", "MailingList", "ZohoCampaignsTarget"]

_LOCK = 1800.0  # Zoho's 30-minute lockout
DEFAULT_LIMITS = TargetLimits(
    max_batch=50,
    windows=(
        RateWindow(500, 60.0, _LOCK),
        RateWindow(12_500, 3600.0, _LOCK),
        RateWindow(75_000, 86_400.0, _LOCK),
    ),
)
DEFAULT_BULK_LIMITS = TargetLimits(
    max_batch=200,
    windows=(RateWindow(2000, 60.0, 600.0),),  # its own window, and a 10-minute lockout
    per_call=PER_CALL,
)
"""``addlistsubscribersinbulk``: 10 addresses a call, 2,000 calls a minute; a batch of 200
contacts (a page of Zoho Invoice) is 20 calls."""
_FIELD_WINDOWS = (RateWindow(100, 300.0, _LOCK),)  # contact/allfields and custom/add, each
_COUNT_WINDOWS = (RateWindow(500, 300.0, _LOCK),)  # listsubscriberscount
# getlistsubscribers and json/listunsubscribe, each: 500 calls in 5 minutes, 30-minute lock.
_MEMBER_WINDOWS = (RateWindow(500, 300.0, _LOCK),)
TEXT_FIELD_LENGTH = 255  # custom/add defaults to 20 characters, too short for most text
_TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.TEXTAREA, FieldType.PICKLIST, FieldType.URL})
_LIST_PAGE = 100


class ZohoCampaignsTarget(Closeable):
    """Writes contacts to Zoho Campaigns mailing lists (a :class:`fieldsync.ports.Target`).

    Field names are Campaigns *display names* (``"First Name"``), since ``contactinfo``
    is keyed by them; the email field is ``"Contact Email"``.

    Args:
        auth: the account's OAuth token source.
        client: the httpx client (tests pass one whose transport is ``CampaignsEmulator``);
            by default one is made, and closed by :meth:`close`.
        base_url: the API root, e.g. ``https://campaigns.zoho.eu/api/v1.1``; by default the
            Campaigns host of the token answer's ``api_domain`` (a server that is not Zoho's,
            such as the emulators, serves Campaigns itself), else of the data centre.
        clock: where time comes from and waits happen (``SystemClock`` by default).
        retry: how temporary failures are retried (``RetryPolicy()`` by default).
        concurrency: calls in flight at once within a batch; 1 sends them one by one on the
            calling thread (what simulated-time tests use).
        max_wait: the longest pacing wait accepted, seconds; a longer one means an hourly or
            daily window is used up and raises ``QuotaExhaustedError``.
        limits: the batch size and ``json/listsubscribe`` windows (:data:`DEFAULT_LIMITS`).
        plan_limit: the plan's contact limit, which the API does not report (``None``:
            unknown, and :meth:`capacity` says unlimited).
        auto_upgrade: whether the account upgrades its plan past the limit (not reported
            by the API either).
        outage_after: contacts in a row whose retries run out on a temporary failure
            (Zoho down, timeouts) before :meth:`upsert` gives up on the batch with
            ``ServiceUnavailableError``, so that the run is deferred rather than failing
            every contact of a long outage one retry budget at a time.
        ledger: where every call is booked against its window and where endpoint locks
            are recorded. By default ``auth.ledger``, which becomes the store of the
            ``SyncService`` the target is registered with (:meth:`share_quota`), so that
            every process on that store shares the account's windows and locks. Pass
            ``fieldsync.LocalQuota()`` to keep them inside this process on purpose.
        quota_share: the fraction of each window fieldsync may fill (1.0: all of it); less
            leaves room for other applications calling the same account.
        bulk_limits: the batch size and windows of ``addlistsubscribersinbulk``
            (:data:`DEFAULT_BULK_LIMITS`), the route of syncs that map only the email;
            ``None`` switches the route off (every contact then goes through
            ``json/listsubscribe``, as for a list with double opt-in, where the bulk
            answer does not say that a confirmation is pending).

    Raises:
        ValueError: ``concurrency`` or ``outage_after`` below 1, or ``quota_share`` not in
            (0, 1].
    """

    def __init__(
        self,
        auth: ZohoOAuth,
        *,
        client: httpx.Client | None = None,
        base_url: str | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        concurrency: int = 4,
        max_wait: float = 900.0,
        limits: TargetLimits | None = None,
        plan_limit: int | None = None,
        auto_upgrade: bool = False,
        outage_after: int = 3,
        ledger: QuotaLedger | None = None,
        quota_share: float = 1.0,
        bulk_limits: TargetLimits | None = DEFAULT_BULK_LIMITS,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self._auth = auth
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=30.0)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._limits = limits if limits is not None else DEFAULT_LIMITS
        self._concurrency = concurrency
        self._plan_limit = plan_limit
        self._auto_upgrade = auto_upgrade
        root: str | Callable[[], str] = base_url if base_url else self._default_base_url
        self._api = ZohoApi(
            auth,
            client=self._client,
            base_url=root,
            retry=retry if retry is not None else RetryPolicy(),
            clock=self._clock,
            classify=classify,
        )
        self._own_ledger = ledger is not None
        self._ledger = ledger if ledger is not None else auth.ledger

        def pacer(windows: Sequence[RateWindow], name: str) -> Pacer:
            # One scope per endpoint of the account: each has its own windows and lock.
            scope = f"zoho-campaigns/{auth.quota_key}/{name.split(' ', 1)[1]}"
            return Pacer(
                RateLimiter(windows),
                self._clock,
                max_wait=max_wait,
                name=name,
                ledger=self._ledger,
                scope=scope,
                share=quota_share,
            )

        self._subscribe_pacer = pacer(self._limits.windows, f"POST {SUBSCRIBE}")
        self._fields_pacer = pacer(_FIELD_WINDOWS, "GET contact/allfields")
        self._add_pacer = pacer(_FIELD_WINDOWS, "POST custom/add")
        self._count_pacer = pacer(_COUNT_WINDOWS, "GET listsubscriberscount")
        self._members = MemberReader(
            self._api,
            read_pacer=pacer(_MEMBER_WINDOWS, "GET getlistsubscribers"),
            count_pacer=self._count_pacer,
            unsubscribe_pacer=pacer(_MEMBER_WINDOWS, "POST json/listunsubscribe"),
        )
        self._subscriber = Subscriber(
            self._api, self._subscribe_pacer, concurrency=concurrency, outage_after=outage_after
        )
        self._bulk_limits = bulk_limits
        self._bulk: BulkAdder | None = None
        if bulk_limits is not None:
            self._bulk = BulkAdder(
                self._api,
                pacer(bulk_limits.windows, f"POST {BULK}"),
                concurrency=concurrency,
                per_call=bulk_limits.per_call,
                outage_after=outage_after,
            )

    def _default_base_url(self) -> str:
        return campaigns_root(self._auth.api_domain, self._auth.data_centre)

    def share_quota(self, store: QuotaStore) -> None:
        """Book every call in ``store`` from now on, unless this target was given a
        ``ledger`` of its own (a :class:`~fieldsync.ports.SharesQuota`): the ``auth`` adopts
        the store (:meth:`ZohoOAuth.share_quota`) and the target follows ``auth.ledger``,
        so the source and target of one ``auth`` always book in one place. ``SyncService``
        calls it when the target is registered or resolved, before any call of its own.
        """
        self._auth.share_quota(store)
        ledger = self._auth.ledger
        if self._own_ledger or ledger is self._ledger:
            return
        self._ledger = ledger
        pacers = (self._subscribe_pacer, self._fields_pacer, self._add_pacer, self._count_pacer)
        for pacer in pacers:
            pacer.use_ledger(ledger)

    # -- schema ---------------------------------------------------------------------------

    def schema(self) -> Schema:
        """The account's contact fields (``GET contact/allfields``), by display name.

        Raises:
            AuthenticationError: the credentials are refused.
            SyncError: the answer is not a field list, or Zoho failed after retries.
        """
        body = self._api.request(
            "GET", "contact/allfields", params={"type": "json"}, pacer=self._fields_pacer
        )
        return schema_from(body, endpoint="GET contact/allfields")

    def create_field(self, field: Field) -> Field:
        """Create a custom field (``POST custom/add``) and return it as Campaigns names it.

        Campaigns takes alphanumeric names only, so ``field.name`` is sent without spaces
        and punctuation; a name that is alphanumeric already (``"Country"``) comes back
        unchanged, ``"Customer Type"`` comes back as ``"CustomerType"``: map to the name
        returned. Creating a field that exists (code 916) returns the existing field.

        Raises:
            ConfigurationError: ``field.name`` has no ASCII letter or digit.
            AuthenticationError: the credentials are refused.
            SyncError: Zoho refused for another reason, or failed after retries.
        """
        name = alphanumeric(field.name)
        if not name:
            raise ConfigurationError(
                f"Zoho Campaigns field names are alphanumeric; {field.name!r} has no letter "
                "or digit to keep"
            )
        form = {"type": "json", "fieldname": name, "fieldtype": campaigns_type(field.type)}
        if field.type in _TEXT_TYPES:
            form["fieldlength"] = str(TEXT_FIELD_LENGTH)
        try:
            body = self._api.request("POST", "custom/add", data=form, pacer=self._add_pacer)
        except SyncError as exc:
            info = CODES.get(exc.api_code or "")
            if info is None or info.kind is not CodeKind.DUPLICATE_FIELD:
                raise
            return self._existing_field(name, exc)
        inner = body.get("response", body)
        given = inner.get("fieldname") if isinstance(inner, dict) else None
        created = given if isinstance(given, str) and given else name
        length = TEXT_FIELD_LENGTH if field.type in _TEXT_TYPES else None
        return Field(name=created, type=field.type, custom=True, max_length=length)

    def _existing_field(self, name: str, duplicate: SyncError) -> Field:
        wanted = name.lower()
        for existing in self.schema():
            if alphanumeric(existing.name).lower() == wanted:
                return existing
        raise duplicate  # a clash with a name the field list does not show

    def created_field_name(self, field: Field) -> str:
        """The name :meth:`create_field` gives ``field`` (letters and digits only), so that
        ``preview`` and ``initiate`` find a field that exists under it already."""
        return alphanumeric(field.name) or field.name

    def known_refusal(self, contact: TargetContact) -> ReasonCode | None:
        """``group_address`` for a role address Zoho refuses (code 2005: ``info@``,
        ``admin@``, ...), for ``preview``; a run lets Zoho decide."""
        if contact.email.partition("@")[0].lower() in GROUP_ADDRESS_LOCAL_PARTS:
            return ReasonCode.GROUP_ADDRESS
        return None

    # -- upsert ---------------------------------------------------------------------------

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> Sequence[UpsertOutcome]:
        """Add or update ``contacts`` in the list, one ``json/listsubscribe`` each.

        Returns one outcome per contact, in order: ADDED / UPDATED (from Zoho's message;
        WRITTEN when it does not say), SKIPPED with a reason for refusals (invalid email,
        group address, mandatory field missing, confirmation pending, plan limit: after a
        plan-limit refusal the rest of the batch is skipped unsent), FAILED ``target_error``
        when retries ran out for that contact (the others go on).

        Raises:
            QuotaExhaustedError: the batch does not fit in the rate windows now; nothing of
                it was sent.
            AuthenticationError: the credentials are refused (the batch stops).
            ListNotFoundError: the list key is invalid or the list was deleted (the message
                names the list key).
            FatalSyncError: Zoho says the request can never work (a wrong base URL).
            ServiceUnavailableError: ``outage_after`` contacts in a row failed on a
                temporary failure (the circuit breaker): the batch stops unaccounted.
        """
        try:
            return self._subscriber.upsert(list_key, contacts)
        except ListNotFoundError as exc:
            raise ListNotFoundError(
                f"the Zoho Campaigns list {list_key!r} is gone (deleted, or its key is no "
                f"longer valid): {exc.message}",
                status_code=exc.status_code,
                api_code=exc.api_code,
                endpoint=exc.endpoint,
            ) from exc

    # -- reading a list back (a fieldsync.ports.ListReader) ------------------------------

    def members(self, list_key: str, *, status: MemberStatus) -> Iterator[ListMember]:
        """The list's members with ``status``, read with ``getlistsubscribers`` (one call
        per page of up to 650, paced within its 500 calls in 5 minutes). Values are the
        standard fields Zoho returns, by display name (``"First Name"``): custom field
        values cannot be read back through Zoho's API.

        Raises:
            ValueError: ``status`` is SPAM (Zoho lists no spam members; count them).
            ListNotFoundError: the list key is invalid or the list was deleted.
            AuthenticationError: the credentials are refused.
            QuotaExhaustedError: the endpoint's window is used up (or locked).
            SyncError: Zoho failed after retries.
        """
        return self._members.members(list_key, status)

    def member_count(self, list_key: str, *, status: MemberStatus) -> int:
        """How many members have ``status`` (``listsubscriberscount``; spam included).

        Raises:
            ListNotFoundError: the list key is invalid or the list was deleted.
            SyncError: Zoho failed after retries.
        """
        return self._members.count(list_key, status)

    def unsubscribe(self, list_key: str, email: str) -> None:
        """Unsubscribe ``email`` from the list (``json/listunsubscribe``, 500 in 5 minutes):
        it then reads as unsubscribed. Zoho has no call that removes a contact from a list
        without unsubscribing it.

        Raises:
            ListNotFoundError: the list key is invalid or the list was deleted.
            SyncError: Zoho refused, or did not say it unsubscribed the contact.
        """
        self._members.unsubscribe(list_key, email)

    # -- the bulk route -------------------------------------------------------------------

    def bulk_limits(self) -> TargetLimits | None:
        """The batch size, windows and addresses per call of ``addlistsubscribersinbulk``,
        or ``None`` when the route was switched off (``bulk_limits=None``)."""
        return self._bulk_limits

    def add_emails(
        self, list_key: str, contacts: Sequence[TargetContact]
    ) -> Sequence[UpsertOutcome]:
        """Add ``contacts`` by address only, ten to an ``addlistsubscribersinbulk`` call.

        Returns one outcome per contact, in order, read from each answer: an address in
        ``ignored_contacts`` is SKIPPED (``invalid_email`` or ``group_address`` when its
        data says why, else ``target_rejected``); in ``existing_contacts``, UPDATED (it was
        in the list; an address carries nothing to change); in ``readd_contacts``, ADDED
        with ``readded``; in none, ADDED. A refusal of the whole call (the plan limit)
        skips its ten contacts with the reason, and after a plan-limit refusal the rest of
        the batch is skipped unsent. FAILED ``target_error`` when retries ran out.

        Raises:
            ConfigurationError: the route was switched off (``bulk_limits=None``).
            QuotaExhaustedError: the batch does not fit in the window now; nothing of it
                was sent.
            AuthenticationError: the credentials are refused (the batch stops).
            ListNotFoundError: the list key is invalid or the list was deleted.
            ServiceUnavailableError: ``outage_after`` calls in a row failed on a temporary
                failure: the batch stops unaccounted.
        """
        if self._bulk is None:
            raise ConfigurationError(
                "the addlistsubscribersinbulk route is switched off for this target "
                "(bulk_limits=None)"
            )
        return self._bulk.add(list_key, contacts)

    # -- capacity, lists, credentials ---------------------------------------------------

    def limits(self) -> TargetLimits:
        """The batch size and the ``json/listsubscribe`` rate windows."""
        return self._limits

    def lists(self) -> list[MailingList]:
        """The account's mailing lists (``GET getmailinglists``), for looking up list keys.

        Raises:
            AuthenticationError: the credentials are refused.
            SyncError: Zoho failed after retries.
        """
        found: dict[str, MailingList] = {}
        start = 1
        while True:
            params: dict[str, str | int] = {
                "resfmt": "JSON",
                "sort": "asc",
                "fromindex": start,
                "range": _LIST_PAGE,
            }
            try:
                body = self._api.request("GET", "getmailinglists", params=params)
            except SyncError as exc:
                info = CODES.get(exc.api_code or "")
                if info is not None and info.kind is CodeKind.NO_LISTS:
                    break
                raise
            page = [row for row in list_rows(body) if row.key not in found]
            found.update((row.key, row) for row in page)
            if len(page) < _LIST_PAGE:  # a short page, or one that repeats: the end
                break
            start += _LIST_PAGE
        return list(found.values())

    def capacity(self, list_key: str) -> Capacity:
        """The account's contacts against the plan limit given at construction.

        ``used`` is the sum of the lists' contact counts (``getmailinglists``): a contact
        in two lists counts twice, so it errs on the side of "the plan is fuller". When
        the lists carry no counts, the list's own count (``listsubscriberscount``) is used.

        Raises:
            ListNotFoundError: no list has this key.
            AuthenticationError: the credentials are refused.
            SyncError: Zoho failed after retries.
        """
        lists = self.lists()
        if all(lst.key != list_key for lst in lists):
            raise ListNotFoundError(
                f"Zoho Campaigns has no mailing list {list_key!r}", endpoint="GET getmailinglists"
            )
        counts = [lst.contacts for lst in lists if lst.contacts is not None]
        used = sum(counts) if counts else self._list_count(list_key)
        return Capacity(used=used, limit=self._plan_limit, auto_upgrade=self._auto_upgrade)

    def _list_count(self, list_key: str) -> int:
        params = {"resfmt": "JSON", "listkey": list_key, "status": "active"}
        body = self._api.request(
            "GET", "listsubscriberscount", params=params, pacer=self._count_pacer
        )
        return to_int(body.get("no_of_contacts")) or 0

    def describe_credentials(self) -> Sequence[str]:
        """The OAuth refresh token :meth:`revoke` would revoke, without secrets."""
        return (self._auth.describe(),)

    def revoke(self) -> None:
        """Revoke the OAuth refresh token (shared with the Invoice source). Idempotent."""
        self._auth.revoke()

    def close(self) -> None:
        """Close the httpx client if this target made it (a client passed in is yours).
        The ``auth`` is left open: it is shared with other adapters; close it yourself.
        Idempotent."""
        if self._owns_client:
            self._client.close()

    def __repr__(self) -> str:
        return f"ZohoCampaignsTarget({self._api!r}, concurrency={self._concurrency})"
