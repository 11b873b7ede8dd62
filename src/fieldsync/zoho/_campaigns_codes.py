"""Zoho Campaigns v1.1 answers: the code table, reading success messages, and ``classify``.

Zoho Campaigns answers most errors with HTTP 200 and a body such as
``{"status": "error", "code": "2004", "message": "..."}``. The code may be a string or a
number, and some endpoints wrap the body in ``{"response": {...}}``; everything here
accepts all of those forms. Success is code ``0`` (``200`` on custom-field creation).

What each code means for a sync (``docs/zoho-campaigns.md`` has the long form):

- per record (the contact is skipped with a reason, the batch goes on): 903, 914/2302
  (plan limit: the rest of the batch is skipped too), 2001, 2003, 2004, 2005, 2006
  (Do-Not-Mail); a refusal naming a consent (Do-Not-Mail, bounce, spam, unsubscribed) in
  its message, with a code other than those, skips the contact with that consent's reason;
  any other
  code the table does not know, answered at HTTP 200 about one contact, fails that contact
  only (never retried: the same contact would earn the same answer);
- fatal (the run stops): 1007 and the privilege codes (credentials), the invalid and
  deleted list codes, 1004 (wrong URL);
- retriable: 2101 and the "try again after some time" codes, 910 (an empty field list),
  HTTP 429 and 5xx, and any code the table does not know;
- a success must say so: a write counts only when the answer says ``status: success``
  with a success code (``confirms_success``).

Codes come from Zoho's per-endpoint pages; they differ between endpoints for the same
meaning (an invalid list key is 2102, 2202 or 2501), so every variant is in the table.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping

import attrs
import httpx

from fieldsync.domain.reasons import ReasonCode
from fieldsync.exceptions import (
    AuthenticationError,
    EndpointLockedError,
    FatalSyncError,
    ListNotFoundError,
    RecordRejectedError,
    ServiceUnavailableError,
    SyncError,
    TransportError,
)
from fieldsync.zoho._api import error_text, raise_for_http_status
from fieldsync.zoho._campaigns_parse import schema_from
from fieldsync.zoho.messages import DO_NOT_MAIL_CODE

__all__ = [
    "CODES",
    "DO_NOT_MAIL_CODE",
    "FIELDS_ENDPOINT",
    "GROUP_ADDRESS_LOCAL_PARTS",
    "SUCCESS_CODES",
    "CodeInfo",
    "CodeKind",
    "MessageKind",
    "answer_code",
    "answer_message",
    "classify",
    "code_info",
    "confirms_success",
    "consent_reason",
    "message_kind",
    "refusal_reason",
]

SUCCESS_CODES = frozenset({"0", "200"})
# Role addresses Zoho Campaigns refuses with code 2005 ("info@, admin@, ..."). Zoho does
# not publish its list (unconfirmed); these are the usual role names. Only ``preview`` uses
# it, to predict the refusals: a run always lets Zoho decide.
GROUP_ADDRESS_LOCAL_PARTS = frozenset(
    {
        "abuse", "accounts", "admin", "administrator", "billing", "careers", "contact",
        "help", "hostmaster", "hr", "info", "marketing", "no-reply", "noreply", "office",
        "postmaster", "sales", "service", "support", "webmaster",
    }
)  # fmt: skip
FIELDS_ENDPOINT = "GET contact/allfields"


# Lower-case fragments that identify each wording of fieldsync.zoho.messages, tolerant of
# small rewordings.
_CONFIRMATION_MARKERS = ("confirmation email", "needs to confirm")
_ADDED_MARKERS = ("added",)
_UPDATED_MARKERS = ("updated",)

# Consent refusals told by their wording, whatever the code (Zoho documents no code for a
# bounced or spam-reporting contact): the first marker found decides, in this order.
_CONSENT_MARKERS: tuple[tuple[tuple[str, ...], ReasonCode], ...] = (
    (("do-not-mail", "do not mail", "donotmail"), ReasonCode.DO_NOT_MAIL),
    (("bounce",), ReasonCode.BOUNCED),
    (("spam",), ReasonCode.SPAM),
    (("unsubscribe", "opted out", "opt-out", "opted-out"), ReasonCode.UNSUBSCRIBED),
)
# An unknown code whose wording asks to come back later is a temporary failure.
_RETRY_WORDING = re.compile(r"\btry again\b|\bretry\b|\blater\b", re.IGNORECASE)

# Endpoints whose per-record codes skip one contact rather than fail the whole call.
_RECORD_ENDPOINTS = ("listsubscribe", "addlistsubscribersinbulk")


class CodeKind(enum.Enum):
    """What a Campaigns error code means for the caller."""

    RECORD = "record"  # this contact was refused; skip it with the code's reason
    AUTH = "auth"  # the token or its privileges are refused
    LIST_GONE = "list_gone"  # the list key is invalid or the list was deleted
    RETRY = "retry"  # temporary: try again later
    DUPLICATE_FIELD = "duplicate_field"  # custom/add: the field exists already
    NO_LISTS = "no_lists"  # getmailinglists: the account has no list yet
    NO_MORE = "no_more"  # getlistsubscribers: no contacts from this index on
    FATAL = "fatal"  # a request fieldsync should never make (wrong URL)
    OTHER = "other"  # an error that is none of the above


@attrs.frozen
class CodeInfo:
    """One Campaigns error code: its kind, the reason it skips a record with, its meaning."""

    kind: CodeKind
    meaning: str
    reason: ReasonCode | None = None


def _record(meaning: str, reason: ReasonCode) -> CodeInfo:
    return CodeInfo(CodeKind.RECORD, meaning, reason)


_LIST_INVALID = CodeInfo(CodeKind.LIST_GONE, "the list key is empty or invalid")
_LIST_DELETED = CodeInfo(CodeKind.LIST_GONE, "the list has been deleted")
_PRIVILEGE = CodeInfo(CodeKind.AUTH, "the user may not access this mailing list")
_TRY_LATER = CodeInfo(CodeKind.RETRY, "Zoho asks to try again after some time")
_PLAN = _record("the plan's contact limit is reached", ReasonCode.PLAN_LIMIT)

CODES: Mapping[str, CodeInfo] = {
    "903": _record("a mandatory field is missing", ReasonCode.MANDATORY_FIELD_MISSING),
    # The field list always holds Contact Email: an empty one is a server hiccup.
    "910": CodeInfo(CodeKind.RETRY, "no fields found"),
    "914": _PLAN,
    "916": CodeInfo(CodeKind.DUPLICATE_FIELD, "a custom field with this name exists"),
    "1004": CodeInfo(CodeKind.FATAL, "no such resource: check the Campaigns base URL"),
    "1007": CodeInfo(CodeKind.AUTH, "unauthorized: the access token is invalid or expired"),
    "2001": _record("the contact details are not valid JSON", ReasonCode.TARGET_REJECTED),
    "2003": _record("the contact is already in the list", ReasonCode.TARGET_REJECTED),
    "2004": _record("the contact email address is invalid", ReasonCode.INVALID_EMAIL),
    "2005": _record("group email addresses are not accepted", ReasonCode.GROUP_ADDRESS),
    # Seen from third-party clients, not in Zoho's pages: the address is in the
    # organization's Do-Not-Mail registry (only the contact can subscribe again).
    DO_NOT_MAIL_CODE: _record("the address is in the Do-Not-Mail registry", ReasonCode.DO_NOT_MAIL),
    "2101": _TRY_LATER,
    "2102": _LIST_INVALID,
    "2202": _LIST_INVALID,
    "2203": _LIST_DELETED,
    "2206": _LIST_DELETED,
    "2302": _PLAN,
    "2401": CodeInfo(CodeKind.NO_LISTS, "no mailing list has been created"),
    "2402": _TRY_LATER,
    "2501": _LIST_INVALID,
    "2502": _TRY_LATER,
    "2701": _PRIVILEGE,
    "2704": _PRIVILEGE,
    "2706": _PRIVILEGE,
    "2707": _LIST_DELETED,
    "6502": CodeInfo(CodeKind.FATAL, "the requested range is above the maximum"),
}


# Codes that mean something else on one endpoint: 2502 is "try later" elsewhere, but
# getlistsubscribers answers it for a page past the end ("no contacts", third parties).
_ON_ENDPOINT: Mapping[tuple[str, str], CodeInfo] = {
    ("getlistsubscribers", "2502"): CodeInfo(CodeKind.NO_MORE, "no contacts from this index on"),
}


def code_info(code: str | None, endpoint: str) -> CodeInfo | None:
    """What ``code`` means on ``endpoint`` (``"GET getlistsubscribers"``), or ``None``."""
    path = endpoint.rpartition(" ")[2]
    return _ON_ENDPOINT.get((path, code or "")) or CODES.get(code or "")


def _inner(body: Mapping[str, object]) -> Mapping[str, object]:
    """The answer's own object: some endpoints wrap it in ``{"response": {...}}``."""
    inner = body.get("response")
    if isinstance(inner, Mapping) and ("code" in inner or "Code" in inner or "status" in inner):
        return inner
    return body


def answer_code(body: Mapping[str, object]) -> str | None:
    """The answer's code as text (``2004`` and ``"2004"`` both give ``"2004"``), or ``None``."""
    inner = _inner(body)
    raw = inner.get("code", inner.get("Code"))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = error_text(raw)
    return text.strip() if text is not None else None


def answer_message(body: Mapping[str, object]) -> str:
    """The answer's message, or ``""``."""
    message = _inner(body).get("message")
    return message if isinstance(message, str) else ""


def _is_error(body: Mapping[str, object], code: str | None) -> bool:
    status = _inner(body).get("status")
    if isinstance(status, str) and status.strip().lower() == "error":
        return True
    return code is not None and code not in SUCCESS_CODES


def confirms_success(body: Mapping[str, object]) -> bool:
    """Whether an answer positively says the call succeeded: ``status`` ``"success"`` *and*
    a success code (``0``, or ``200``).

    ``classify`` lets through anything that is not an error; for a write that is not
    enough. ``{}``, ``{"message": "ok"}`` or ``{"status": "success", "code": null}`` may come
    from a proxy, a half-deployed server or a changed API, and taking them for a write would
    fingerprint a contact that was never stored, so it would never be sent again.
    """
    inner = _inner(body)
    status = inner.get("status")
    return (
        isinstance(status, str)
        and status.strip().lower() == "success"
        and answer_code(body) in SUCCESS_CODES
    )


class MessageKind(enum.Enum):
    """What a successful ``json/listsubscribe`` answer says happened."""

    ADDED = "added"
    UPDATED = "updated"
    CONFIRMATION_SENT = "confirmation_sent"
    UNKNOWN = "unknown"  # success, but the wording does not say which


def consent_reason(message: str) -> ReasonCode | None:
    """The consent refusal a message names (Do-Not-Mail, bounced, spam, unsubscribed), or
    ``None``."""
    text = message.lower()
    for markers, reason in _CONSENT_MARKERS:
        if any(marker in text for marker in markers):
            return reason
    return None


def refusal_reason(code: str | None, message: str) -> ReasonCode:
    """Why Zoho refused one contact: a known code's own reason (invalid address, missing
    field, plan limit, ...) first; else the consent the message names (code 2006 also
    covers a contact unsubscribed from the list); else the code's reason, else
    ``target_rejected``."""
    info = CODES.get(code or "")
    known = info.reason if info is not None else None
    if known not in (None, ReasonCode.TARGET_REJECTED) and not known.withholds_consent:
        return known  # "Mandatory fields are missing: Unsubscribe Reason" stays 903's
    named = consent_reason(message)
    if named is not None:
        return named
    return known or ReasonCode.TARGET_REJECTED


def message_kind(message: str) -> MessageKind:
    """Read a ``json/listsubscribe`` success message (any case; unknown wordings too)."""
    text = message.lower()
    if any(marker in text for marker in _CONFIRMATION_MARKERS):
        return MessageKind.CONFIRMATION_SENT
    if any(marker in text for marker in _UPDATED_MARKERS):
        return MessageKind.UPDATED
    if any(marker in text for marker in _ADDED_MARKERS):
        return MessageKind.ADDED
    return MessageKind.UNKNOWN


def classify(response: httpx.Response, body: dict[str, object] | None, endpoint: str) -> None:
    """Raise the fieldsync error a Campaigns answer stands for; return for a success.

    The ``classify`` hook of :class:`fieldsync.zoho._api.ZohoApi`.

    Raises:
        AuthenticationError: HTTP 401, code 1007 or a privilege code.
        ListNotFoundError: an invalid or deleted list.
        EndpointLockedError: an answer saying the endpoint is locked (HTTP 429 with
            "locked" or "limit ... exceeded"); never retried.
        RateLimitedError: any other HTTP 429.
        ServiceUnavailableError: HTTP 5xx or a "retry later" code.
        TransportError: an error status with a body that is not JSON.
        RecordRejectedError: a per-record code on ``json/listsubscribe`` (``.reason``), or
            a code the table does not know answered there at HTTP 200 (``.api_code`` says
            which; ``.reason`` is the consent its message names, else target_rejected).
        FatalSyncError: code 1004 (the base URL is wrong), 6502, or HTTP 404.
        ServiceUnavailableError: an error code the table does not know, elsewhere, or
            worded as "try again later" (retried).
        SyncError: a known code that fits none of the above (``.api_code`` says which).
    """
    _raise_if_locked(response, body, endpoint)
    raise_for_http_status(response, endpoint)
    status = response.status_code
    if body is None:
        if status >= 400:
            raise TransportError(
                "Zoho Campaigns answered an error page", status_code=status, endpoint=endpoint
            )
        return  # ZohoApi turns a non-JSON success into a TransportError itself
    code = answer_code(body)
    if not _is_error(body, code) and status < 400:
        if endpoint == FIELDS_ENDPOINT:
            # Checked here, inside ZohoApi's retries: a field list without its email field
            # is a truncated answer, retried like any other malformed one.
            schema_from(body, endpoint=endpoint)
        return
    message = answer_message(body) or "Zoho Campaigns refused the call"
    info = code_info(code, endpoint)
    _raise_for(info, message, code=code, status=status, endpoint=endpoint)


# How a locked endpoint answers ("API call limit of json/listsubscribe exceeded; it is
# locked for 30 minute(s).", HTTP 429 and no Retry-After), told apart from a plain "too many
# requests" that is worth a retry. Zoho documents the lock, not its wording: any error that
# says "locked", or that a limit is exceeded, counts.
_LOCK_WORDING = re.compile(r"\blocked\b|\blimit\b.*\bexceeded\b", re.IGNORECASE)
_LOCK_MINUTES = re.compile(r"(\d+)\s*minute", re.IGNORECASE)


def _raise_if_locked(
    response: httpx.Response, body: Mapping[str, object] | None, endpoint: str
) -> None:
    if body is None:
        return
    code = answer_code(body)
    if response.status_code != 429 and not _is_error(body, code):
        return
    message = answer_message(body)
    if not _LOCK_WORDING.search(message):
        return
    minutes = _LOCK_MINUTES.search(message)
    raise EndpointLockedError(
        f"Zoho Campaigns locked {endpoint}: {message}",
        lock_seconds=float(minutes.group(1)) * 60.0 if minutes else None,
        status_code=response.status_code,
        api_code=code,
        endpoint=endpoint,
    )


def _raise_for(
    info: CodeInfo | None, message: str, *, code: str | None, status: int, endpoint: str
) -> None:
    kind = info.kind if info is not None else None
    if kind is CodeKind.AUTH or status == 403:
        raise AuthenticationError(message, status_code=status, api_code=code, endpoint=endpoint)
    if kind is CodeKind.LIST_GONE:
        raise ListNotFoundError(message, status_code=status, api_code=code, endpoint=endpoint)
    if kind is CodeKind.RETRY:
        raise ServiceUnavailableError(message, status_code=status, api_code=code, endpoint=endpoint)
    if kind is CodeKind.FATAL or status == 404:
        raise FatalSyncError(message, status_code=status, api_code=code, endpoint=endpoint)
    about_record = any(name in endpoint for name in _RECORD_ENDPOINTS)
    if about_record and (
        kind is CodeKind.RECORD
        or (info is None and status < 400 and not _RETRY_WORDING.search(message))
    ):
        # Zoho answered about this contact: a known refusal, or a code the table does not
        # know. Either costs that contact, never the run, and is never retried.
        raise RecordRejectedError(
            message,
            reason=refusal_reason(code, message),
            status_code=status,
            api_code=code,
            endpoint=endpoint,
        )
    if info is None:
        # An unknown code is not taken for a refusal of the record, nor for a verdict on
        # the sync: it could be a throttle Zoho never documented. It is retried; when the
        # retries run out, a contact counts as failed (the watermark stays, the next pass
        # sends it again) and any other call defers the run with its checkpoint.
        raise ServiceUnavailableError(message, status_code=status, api_code=code, endpoint=endpoint)
    raise SyncError(message, status_code=status, api_code=code, endpoint=endpoint)
