"""An emulator of the Zoho Campaigns v1.1 API, for ``httpx.Client(transport=...)``.

It answers like the real service where fieldsync depends on it:

- ``GET getmailinglists``, ``GET``/``POST getlistsubscribers`` (by status: active, recent,
  mostrecent, unsub, bounce; ``fromindex`` from 1, ``range`` up to 650, code 2502 past the
  end, 2203 for a deleted list), ``GET listsubscriberscount`` (active, unsub, bounce,
  spam), ``POST json/listsubscribe`` (upsert by email, case-insensitively; a list that needs
  confirmation answers that a confirmation email was sent and adds the contact only after
  :meth:`CampaignsEmulator.confirm`), ``POST json/listunsubscribe``,
  ``POST addlistsubscribersinbulk`` (at most 10 addresses; the answer lists
  ``existing_contacts``, ``readd_contacts`` and ``ignored_contacts``, each left out when
  empty), ``GET contact/allfields?type=json`` and ``POST custom/add?type=json``;
- the open world, caused by test controls: the Do-Not-Mail registry (code 2006),
  unsubscriptions, hard bounces and spam reports (:meth:`~CampaignsEmulator.do_not_mail`,
  :meth:`~CampaignsEmulator.unsubscribe`, :meth:`~CampaignsEmulator.hard_bounce`,
  :meth:`~CampaignsEmulator.report_spam`, :meth:`~CampaignsEmulator.resubscribe`), hand
  edits and removals, deleted fields and lists, and any refusal of one contact
  (:meth:`~CampaignsEmulator.refuse`). Where Zoho's answer is undocumented, ``bounce_answer``
  and ``unknown_field_answer`` say which plausible answer to play;
- errors at HTTP 200 as ``{"status": "error", "code": ..., "message": ...}``, the code a
  string or a number (seeded, or fixed with ``code_style``); invalid addresses (2004),
  group addresses (2005), missing mandatory fields (903), the plan's contact limit (914),
  invalid (2501) or deleted (2206) lists, an invalid or expired token (1007);
- the documented per-endpoint rate limits, each with its lockout. A locked endpoint
  answers :data:`LOCKOUT_STATUS` (HTTP 429) with a JSON error and no ``Retry-After``:
  Zoho documents no throttling answer, so the emulator picks one a client cannot mistake
  for anything else;
- an answer in XML (Zoho's default) when a call does not ask for JSON;
- ``latency`` slept on the clock per call, and faults on demand (:class:`Faults`; the
  API's own "retry later" is code 2101). A faulted call changes nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import httpx

from fieldsync.domain.records import RateWindow
from fieldsync.testing.emulators._campaigns_controls import OpenWorldControls
from fieldsync.testing.emulators._campaigns_standing import BounceAnswer, UnknownFieldAnswer
from fieldsync.testing.emulators._campaigns_state import (
    SUBSCRIBERS_MAX_RANGE,
    ApiError,
    CampaignsState,
)
from fieldsync.testing.emulators._campaigns_wire import (
    API_PREFIX,
    BULK_LIMIT,
    DEFAULT_LIMITS,
    LOCKOUT_STATUS,
    Body,
    CodeStyle,
    CodeStyler,
    asks_for_json,
    page,
    success,
    xml_answer,
)
from fieldsync.testing.emulators._common import (
    AccountsEmulator,
    EndpointWindows,
    FaultInjector,
    Faults,
    json_response,
    request_params,
)

if TYPE_CHECKING:
    from fieldsync.ports import Clock

__all__ = ["DEFAULT_LIMITS", "LOCKOUT_STATUS", "CampaignsEmulator"]

# Endpoints answered by either method count against one window.
_WINDOW_OF = {"POST getlistsubscribers": "GET getlistsubscribers"}
_READABLE_STATUSES = frozenset({"active", "recent", "mostrecent", "unsub", "bounce"})


class CampaignsEmulator(OpenWorldControls, httpx.BaseTransport):
    """Zoho Campaigns v1.1 as an httpx transport, with its data in memory. Thread-safe.

    Args:
        accounts: the Zoho Accounts emulator whose access tokens this API accepts.
        clock: where time comes from (rate windows, lockouts) and where latency is slept.
        plan_limit: the account's contact limit (``None``: unlimited).
        auto_upgrade: go past ``plan_limit`` by moving to the next tier (counted in
            :attr:`upgrades`) instead of refusing with code 914.
        latency: seconds slept on ``clock`` per call (outside the lock).
        faults: faults to inject.
        limits: per-endpoint windows replacing the documented ones (keys like
            ``"POST json/listsubscribe"``; see :data:`DEFAULT_LIMITS`).
        seed: seeds list keys and the choice between text and number codes.
        code_style: ``"mixed"`` (seeded), ``"text"`` (``"2004"``) or ``"number"`` (``2004``).
        allfields_shape: ``"fieldnames"`` answers ``response.fieldnames.fieldname`` with
            ``type``; ``"fieldname"`` answers ``response.fieldname`` with ``UITYPE``.
        bounce_answer: what ``listsubscribe`` answers for a hard-bounced contact (Zoho does
            not say): ``"ignored"`` a success that changes nothing, ``"error"`` a refusal
            naming the bounce. Settable later as :attr:`bounce_answer`.
        unknown_field_answer: what it answers for a ``contactinfo`` naming a field that
            does not exist: ``"dropped"`` takes the contact without that value, ``"error"``
            refuses it (code 2001). Settable later as :attr:`unknown_field_answer`.

    Attributes:
        calls: calls per endpoint (``"POST json/listsubscribe"``), refused ones included.
        windows: the rate windows (``windows.lockouts`` counts lockouts).
        faults: the fault injector (``faults.injected`` lists the faults so far).
    """

    def __init__(
        self,
        *,
        accounts: AccountsEmulator,
        clock: Clock,
        plan_limit: int | None = None,
        auto_upgrade: bool = False,
        latency: float = 0.0,
        faults: Faults | None = None,
        limits: Mapping[str, Sequence[RateWindow]] | None = None,
        seed: int = 0,
        code_style: CodeStyle = "mixed",
        allfields_shape: Literal["fieldnames", "fieldname"] = "fieldnames",
        bounce_answer: BounceAnswer = "ignored",
        unknown_field_answer: UnknownFieldAnswer = "dropped",
    ) -> None:
        self._accounts = accounts
        self._clock = clock
        self.latency = latency
        self.code_style = code_style
        self.allfields_shape = allfields_shape
        self._state = CampaignsState(plan_limit=plan_limit, auto_upgrade=auto_upgrade, seed=seed)
        self._state.standing.bounce_answer = bounce_answer
        self._state.standing.unknown_field_answer = unknown_field_answer
        self.windows: EndpointWindows = EndpointWindows(clock, {**DEFAULT_LIMITS, **(limits or {})})
        self.faults: FaultInjector = FaultInjector(faults or Faults())
        self.calls: Counter[str] = Counter()
        self._lock = threading.RLock()
        self._codes = CodeStyler(code_style, seed)
        self._routes: dict[str, Callable[[dict[str, str]], Body]] = {
            "GET getmailinglists": self._mailing_lists,
            "GET getlistsubscribers": self._list_subscribers,
            "POST getlistsubscribers": self._list_subscribers,
            "POST json/listunsubscribe": self._unsubscribe,
            "GET listsubscriberscount": self._subscribers_count,
            "POST json/listsubscribe": self._subscribe,
            "POST addlistsubscribersinbulk": self._bulk_add,
            "GET contact/allfields": self._all_fields,
            "POST custom/add": self._custom_add,
        }

    # -- set-up and inspection (for tests) ---------------------------------------------

    def create_list(self, name: str, *, confirmation_required: bool = False) -> str:
        """Create a mailing list and return its list key.

        Args:
            name: the list's name.
            confirmation_required: a list with a sign-up form: new contacts get a
                confirmation email and join only once :meth:`confirm` is called.
        """
        now_ms = int(self._clock.now().timestamp() * 1000)
        with self._lock:
            return self._state.create_list(
                name, confirmation_required=confirmation_required, now_ms=now_ms
            )

    def delete_list(self, key: str) -> None:
        """Delete a list: calls naming it answer "list deleted" from now on.

        Raises:
            KeyError: no list has this key.
        """
        with self._lock:
            self._state.lists[key].deleted = True

    def confirm(self, key: str, email: str) -> None:
        """The contact confirmed by email: their pending subscription to the list takes effect.

        Raises:
            KeyError: nothing is pending for this address in this list.
        """
        with self._lock:
            try:
                self._state.confirm(key, email)
            except ApiError as exc:
                raise KeyError(exc.message) from None

    def add_field(self, display_name: str, kind: str = "Text", *, mandatory: bool = False) -> None:
        """Add a custom field as a user would in the web interface (any display name)."""
        with self._lock:
            self._state.add_field(display_name, kind, mandatory=mandatory, length=100)

    def delete_contact(self, email: str) -> None:
        """Delete a contact from the account (and every list), as a user would in the web
        interface; a bulk add of the address later reports it in ``readd_contacts``.

        Raises:
            KeyError: the account has no such contact.
        """
        with self._lock:
            self._state.delete_contact(email)

    def subscribers(self, key: str, *, status: str | None = None) -> dict[str, dict[str, str]]:
        """The list's contacts: address (as first sent) -> field values by display name.

        Args:
            status: only members with this status (``"active"``, ``"unsub"``,
                ``"bounce"``, ``"spam"``); ``None``: every member, whatever its status.
        """
        with self._lock:
            return self._state.subscribers(key, status)

    def statuses(self, key: str) -> dict[str, str]:
        """The list's members: (lower-cased) address -> active, unsub, bounce or spam."""
        with self._lock:
            target = self._state.lists[key]
            return {i: self._state.member_status(target, i) for i in target.members}

    @property
    def contact_count(self) -> int:
        """Contacts in the account (all lists), as counted against the plan."""
        with self._lock:
            return len(self._state.contacts)

    @property
    def plan_limit(self) -> int | None:
        """The account's current contact limit (raised by each auto-upgrade)."""
        with self._lock:
            return self._state.plan_limit

    @property
    def upgrades(self) -> int:
        """How many times auto-upgrade moved the plan to the next tier."""
        with self._lock:
            return self._state.upgrades

    # -- the transport ---------------------------------------------------------------

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (httpx calls this)."""
        if self.latency:
            self._clock.sleep(self.latency)
        path = request.url.path
        name = path.split(API_PREFIX, 1)[1] if API_PREFIX in path else path.lstrip("/")
        endpoint = f"{request.method} {name}"
        with self._lock:
            self.calls[endpoint] += 1
        handler = self._routes.get(endpoint)
        if handler is None:
            return self._error("1004", "Unable to find the resource you're looking for.", 404)
        if not self._authorised(request):
            return self._error("1007", "Unauthorized access: the OAuth token is invalid.")
        locked_until = self.windows.hit(_WINDOW_OF.get(endpoint, endpoint))
        if locked_until is not None:
            minutes = max(1, round((locked_until - self._clock.now().timestamp()) / 60))
            message = f"API call limit of {name} exceeded; it is locked for {minutes} minute(s)."
            return json_response({"status": "error", "message": message}, LOCKOUT_STATUS)
        fault = self.faults.maybe_fault(
            lambda: self._error("2101", "Please retry after sometime."),
            request=request,
            writes=name == "json/listsubscribe",
            endpoint=endpoint,
        )
        if fault is not None:
            return fault
        params = request_params(request)
        if not asks_for_json(name, params):
            return xml_answer(name)
        with self._lock:
            self._state.now_ms = int(self._clock.now().timestamp() * 1000)
            try:
                body = handler(params)
            except ApiError as exc:
                body = self._error_body(exc.code, exc.message)
            else:
                body = self._codes.restyle(body)
        return json_response(body)

    def _authorised(self, request: httpx.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme == "Zoho-oauthtoken" and self._accounts.token_valid(token.strip())

    def _error_body(self, code: str, message: str) -> Body:
        return {"status": "error", "code": self._codes.code(code), "message": message}

    def _error(self, code: str, message: str, status: int = 200) -> httpx.Response:
        with self._lock:
            return json_response(self._error_body(code, message), status)

    # -- endpoints (called under the lock) ---------------------------------------------

    def _mailing_lists(self, params: dict[str, str]) -> Body:
        lists = sorted(self._state.mailing_lists(), key=lambda lst: lst.created_ms)
        if params.get("sort", "asc").lower() == "desc":
            lists.reverse()
        if not lists:
            raise ApiError("2401", "No mailing list has been created. Please create a list.")
        first, size = page(params)
        rows = [
            {
                "listkey": lst.key,
                "listname": lst.name,
                "noofcontacts": str(len(lst.members)),
                "created_time": str(lst.created_ms),
                "lockstatus": "unlocked",
                "is_public": "false",
            }
            for lst in lists[first : first + size]
        ]
        return success("getmailinglists", list_of_details=rows, fromindex=first + 1, range=size)

    def _list_subscribers(self, params: dict[str, str]) -> Body:
        target = self._state.list_for(params.get("listkey", ""), invalid="2501", deleted="2203")
        first, size = page(params, max_range=SUBSCRIBERS_MAX_RANGE)
        status = params.get("status", "active").lower()
        descending = params.get("sort", "asc").lower() == "desc"
        rows = (
            self._state.subscriber_rows(target, status, descending=descending)
            if status in _READABLE_STATUSES
            else []
        )
        chunk = rows[first : first + size]
        if not chunk:
            raise ApiError("2502", "There are no contacts in this list.")
        return success("getlistsubscribers", list_of_details=chunk, fromindex=first + 1, range=size)

    def _subscribers_count(self, params: dict[str, str]) -> Body:
        target = self._state.list_for(params.get("listkey", ""), invalid="2202", deleted="2707")
        count = self._state.status_count(target, params.get("status", "active").lower())
        return success("listsubscriberscount", no_of_contacts=count)

    def _unsubscribe(self, params: dict[str, str]) -> Body:
        message = self._state.unsubscribe(params.get("listkey", ""), params.get("contactinfo"))
        return success("json/listunsubscribe", message=message)

    def _subscribe(self, params: dict[str, str]) -> Body:
        message = self._state.subscribe(params.get("listkey", ""), params.get("contactinfo"))
        return success("json/listsubscribe", message=message)

    def _bulk_add(self, params: dict[str, str]) -> Body:
        answer = self._state.bulk_add(
            params.get("listkey", ""), params.get("emailids"), limit=BULK_LIMIT
        )
        # The 3p shape: each list of addresses under its own key, left out when empty.
        found = {
            "existing_contacts": answer.existing,
            "readd_contacts": answer.readded,
            "ignored_contacts": answer.ignored,
        }
        lists = {name: addresses for name, addresses in found.items() if addresses}
        return success("addlistsubscribersinbulk", message="Contacts added successfully.", **lists)

    def _all_fields(self, _params: dict[str, str]) -> Body:
        if self.allfields_shape == "fieldname":
            rows = self._state.field_rows(type_key="UITYPE")
            return {"response": {"message": "success", "code": "0", "fieldname": rows}}
        rows = self._state.field_rows(type_key="type")
        fields = {"fieldname": rows}
        return {"response": {"message": "success", "code": "0", "fieldnames": fields}}

    def _custom_add(self, params: dict[str, str]) -> Body:
        field = self._state.new_custom_field(
            params.get("fieldname"), params.get("fieldtype"), params.get("fieldlength")
        )
        answer = {
            "message": "Success",
            "code": "200",
            "fieldname": field.display_name,
            "fieldtype": field.type,
            "fieldlength": str(field.length),
            "mandatory_check": "success",
            "type": "json",
            "uri": f"{API_PREFIX}custom/add",
        }
        return {"response": answer}

    def __repr__(self) -> str:
        with self._lock:
            lists, calls = len(self._state.lists), sum(self.calls.values())
        return f"CampaignsEmulator(lists={lists}, calls={calls})"
