"""An httpx transport that answers like Zoho Invoice v3 (``/invoice/v3/...``).

It serves ``GET organizations``, ``GET contacts`` (paging, filters, sorting, search) and
``GET contacts/{id}``, checks the access token with an :class:`AccountsEmulator`, requires
the organization (header ``X-com-zoho-invoice-organizationid`` or ``organization_id``
query parameter), enforces the per-minute rate limit and the daily cap per organization,
and injects faults on demand. Tests change its data with :meth:`InvoiceEmulator.add_contact`,
:meth:`~InvoiceEmulator.update_contact` and :meth:`~InvoiceEmulator.delete_contact`::

    clock = FakeClock()
    accounts = AccountsEmulator(clock=clock)
    organization = generate_organization(500, seed=1)
    invoice = InvoiceEmulator(accounts=accounts, clock=clock, organization=organization)
    client = httpx.Client(transport=invoice)

Error codes marked "unconfirmed" below are not in Zoho's public documentation; each lives
in one constant so that the emulator and the adapter can be corrected in one place.
"""

from __future__ import annotations

import collections
import copy
import math
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from fieldsync.testing.emulators._common import (
    AccountsEmulator,
    FaultInjector,
    Faults,
    json_response,
)
from fieldsync.testing.emulators._invoice_query import ContactQuery, QueryError
from fieldsync.testing.emulators.generate import (
    CustomFieldSpec,
    Organization,
    format_zoho_time,
    generate_organization,
    parse_utc_offset,
)

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = [
    "API_PREFIX",
    "DAILY_LIMIT",
    "INVALID_TOKEN",
    "NOT_FOUND",
    "ORGANIZATION_HEADER",
    "ORGANIZATION_MISSING",
    "ORGANIZATION_UNKNOWN",
    "RATE_LIMITED",
    "RETRY_LATER",
    "InvoiceEmulator",
]

API_PREFIX = "/invoice/v3/"
ORGANIZATION_HEADER = "X-com-zoho-invoice-organizationid"

# (HTTP status, Zoho code, message) of each error the emulator answers.
INVALID_TOKEN = (401, 57, "You are not authorized to perform this operation")
ORGANIZATION_MISSING = (400, 2, "Invalid value passed for organization_id")  # unconfirmed
ORGANIZATION_UNKNOWN = (403, 6041, "This user is not associated with the organization")  # unconf.
NOT_FOUND = (404, 1002, "Contact does not exist.")
INVALID_URL = (404, 5, "Invalid URL Passed")
RATE_LIMITED = (  # unconfirmed code; Zoho documents the limit, not the answer
    429,
    44,
    "You have made too many requests per minute. Please try again after some time.",
)
DAILY_LIMIT = (  # unconfirmed code
    429,
    45,
    "You have reached the maximum number of API calls allowed for the day.",
)
RETRY_LATER = (503, 1, "The service is temporarily unavailable. Please try again later.")

_MINUTE = 60.0
_LIST_OMITS = ("billing_address", "contact_persons")  # only GET contacts/{id} carries these


class _OrgState:
    """One organization's contacts and rate-limit counters."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.tz = parse_utc_offset(organization.utc_offset)
        self.contacts: dict[str, dict[str, Any]] = {
            str(row["contact_id"]): copy.deepcopy(dict(row)) for row in organization.contacts
        }
        self.version = 0  # bumped on every change, so cached orderings go stale
        self.calls: collections.deque[float] = collections.deque()
        self.day: str = ""
        self.day_count = 0


class InvoiceEmulator(httpx.BaseTransport):
    """A Zoho Invoice v3 API in memory, for ``httpx.Client(transport=...)``. Thread-safe.

    Args:
        accounts: the Zoho Accounts emulator that minted the access tokens.
        clock: the time of ``last_modified_time`` stamps, rate limits and latency.
        organization: one organization, several, or ``None`` for one empty organization.
        latency: seconds each call takes, slept on ``clock``.
        faults: faults to inject (``None``: none).
        per_minute: calls allowed per organization in any 60 seconds.
        daily_cap: calls allowed per organization per UTC day (``None``: no cap).
    """

    def __init__(
        self,
        *,
        accounts: AccountsEmulator,
        clock: Clock,
        organization: Organization | Sequence[Organization] | None = None,
        latency: float = 0.0,
        faults: Faults | None = None,
        per_minute: int = 100,
        daily_cap: int | None = 1000,
    ) -> None:
        if organization is None:
            organizations: Sequence[Organization] = (generate_organization(0),)
        elif isinstance(organization, Organization):
            organizations = (organization,)
        else:
            organizations = tuple(organization)
        self._accounts = accounts
        self._clock = clock
        self._latency = latency
        self._faults = FaultInjector(faults) if faults is not None else None
        self._per_minute = per_minute
        self._daily_cap = daily_cap
        self._lock = threading.Lock()
        self._orgs = {org.organization_id: _OrgState(org) for org in organizations}
        self._query = ContactQuery()
        self.requests: int = 0
        """Calls answered by the API (faults and rejected calls excluded)."""
        self.throttled: int = 0
        """Calls refused by the per-minute limit (a well-paced client keeps this at 0)."""

    # -- state helpers for tests ---------------------------------------------------------

    @property
    def organization_id(self) -> str:
        """The id of the first (usually the only) organization."""
        return next(iter(self._orgs))

    def contacts(self, organization_id: str | None = None) -> list[dict[str, Any]]:
        """Copies of an organization's contacts, in insertion order."""
        with self._lock:
            return [copy.deepcopy(row) for row in self._org(organization_id).contacts.values()]

    def add_contact(self, organization_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Add a contact (a customer unless ``contact_type`` says otherwise) and return it.

        Unset fields get defaults; ``contact_id`` and both times are assigned from the
        clock unless given. ``custom_fields`` may be a ``{label: value}`` mapping.
        """
        with self._lock:
            state = self._org(organization_id)
            now = format_zoho_time(self._clock.now(), state.tz)
            next_id = max((int(key) for key in state.contacts), default=460_000_000_000_000) + 1
            row: dict[str, Any] = {
                "contact_id": str(next_id),
                "contact_name": "",
                "company_name": "",
                "first_name": "",
                "last_name": "",
                "email": "",
                "status": "active",
                "contact_type": "customer",
                "customer_sub_type": "individual",
                "created_time": now,
                "last_modified_time": now,
                "custom_fields": [],
            }
            row.update(self._normalised(state, fields))
            state.contacts[str(row["contact_id"])] = row
            state.version += 1
            return copy.deepcopy(row)

    def update_contact(
        self, contact_id: str, organization_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Change a contact's fields and stamp ``last_modified_time`` with the clock's now.

        Raises:
            KeyError: no such contact.
        """
        with self._lock:
            state = self._org(organization_id)
            row = state.contacts[contact_id]
            row.update(self._normalised(state, fields))
            if "last_modified_time" not in fields:
                row["last_modified_time"] = format_zoho_time(self._clock.now(), state.tz)
            state.version += 1
            return copy.deepcopy(row)

    def delete_contact(self, contact_id: str, organization_id: str | None = None) -> None:
        """Delete a contact. Raises ``KeyError`` when there is none with that id."""
        with self._lock:
            state = self._org(organization_id)
            del state.contacts[contact_id]
            state.version += 1

    # -- the transport ---------------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request the way Zoho Invoice would."""
        if self._latency:
            self._clock.sleep(self._latency)
        if self._faults is not None:
            fault = self._faults.maybe_fault(
                lambda: _error(RETRY_LATER),
                request=request,
                endpoint=f"{request.method} {request.url.path}",
            )
            if fault is not None:
                return fault
        with self._lock:
            return self._answer(request)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method != "GET" or not path.startswith(API_PREFIX):
            return _error(INVALID_URL)
        token = request.headers.get("Authorization", "").removeprefix("Zoho-oauthtoken ").strip()
        if not token or not self._accounts.token_valid(token):
            return _error(INVALID_TOKEN)
        route = path[len(API_PREFIX) :].strip("/").split("/")
        if route == ["organizations"]:
            return json_response(
                {"code": 0, "message": "success", "organizations": self._orgs_json()}
            )
        org_id = request.headers.get(ORGANIZATION_HEADER) or request.url.params.get(
            "organization_id"
        )
        if not org_id:
            return _error(ORGANIZATION_MISSING)
        state = self._orgs.get(org_id)
        if state is None:
            return _error(ORGANIZATION_UNKNOWN)
        refused = self._count_call(state)
        if refused is not None:
            return refused
        if route == ["contacts"]:
            return self._list(state, request.url.params)
        if len(route) == 2 and route[0] == "contacts":
            row = state.contacts.get(route[1])
            if row is None:
                return _error(NOT_FOUND)
            contact = {**copy.deepcopy(row), "contact_persons": []}
            return json_response({"code": 0, "message": "success", "contact": contact})
        return _error(INVALID_URL)

    def _list(self, state: _OrgState, params: httpx.QueryParams) -> httpx.Response:
        try:
            page = self._query.run(state.contacts, state.version, params)
        except QueryError as exc:
            return json_response({"code": 2, "message": str(exc)}, status=400)
        rows = [
            {k: copy.deepcopy(v) for k, v in row.items() if k not in _LIST_OMITS}
            for row in page.rows
        ]
        return json_response(
            {"code": 0, "message": "success", "contacts": rows, "page_context": page.context}
        )

    def _count_call(self, state: _OrgState) -> httpx.Response | None:
        now = self._clock.now()
        instant = now.timestamp()
        while state.calls and state.calls[0] <= instant - _MINUTE:
            state.calls.popleft()
        if len(state.calls) >= self._per_minute:
            self.throttled += 1
            wait = max(1, math.ceil(state.calls[0] + _MINUTE - instant))
            return _error(RATE_LIMITED, headers={"Retry-After": str(wait)})
        day = now.date().isoformat()
        if day != state.day:
            state.day, state.day_count = day, 0
        if self._daily_cap is not None and state.day_count >= self._daily_cap:
            midnight = datetime.combine(
                now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo
            )
            reset = math.ceil((midnight - now).total_seconds())
            return _error(DAILY_LIMIT, headers={"X-Rate-Limit-Reset": str(reset)})
        state.calls.append(instant)
        state.day_count += 1
        self.requests += 1
        return None

    def _org(self, organization_id: str | None) -> _OrgState:
        return self._orgs[organization_id or self.organization_id]

    def _orgs_json(self) -> list[dict[str, Any]]:
        return [
            {
                "organization_id": org_id,
                "name": state.organization.name,
                "is_default_org": index == 0,
                "currency_code": state.organization.currency_code,
                "time_zone": state.organization.time_zone,
                "language_code": "en",
                "is_org_active": True,
            }
            for index, (org_id, state) in enumerate(self._orgs.items())
        ]

    @staticmethod
    def _normalised(state: _OrgState, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``custom_fields={"Region": "EMEA"}`` becomes Zoho's list of entries."""
        out = dict(fields)
        custom = out.get("custom_fields")
        if isinstance(custom, Mapping):
            specs = {spec.label: spec for spec in state.organization.custom_fields}
            entries = []
            for index, (label, value) in enumerate(custom.items(), start=1):
                spec = specs.get(label, CustomFieldSpec(label))
                entries.append(
                    {
                        "index": index,
                        "label": label,
                        "api_name": spec.api_name,
                        "data_type": spec.data_type,
                        "value": value,
                    }
                )
            out["custom_fields"] = entries
        return out


def _error(
    error: tuple[int, int, str], *, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    status, code, message = error
    return json_response({"code": code, "message": message}, status, headers=headers)
