"""Reading a Campaigns list back (``getlistsubscribers``, ``listsubscriberscount``) and
taking a contact out of it (``json/listunsubscribe``).

``getlistsubscribers`` pages from ``fromindex`` 1 with ``range`` up to about 650 (third
parties; a smaller maximum answered with code 6502 makes the reader fall back to 200), by
status: active, unsub, bounce (spam members can be counted, not listed). It answers code
2502 past the end. Each row holds the standard fields only (``contact_email``,
``firstname``, ``lastname``, ``companyname``, ``phone``, ``zuid``, ``added_time``): custom
field values cannot be read back through Zoho's API. Both calls are limited to 500 in 5
minutes, with a 30-minute lock; every call goes through its endpoint's pacer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.exceptions import FatalSyncError, SyncError, TransportError
from fieldsync.http.ratelimit import Pacer
from fieldsync.zoho._api import ZohoApi
from fieldsync.zoho._campaigns_codes import CodeKind, answer_message, code_info, confirms_success
from fieldsync.zoho._campaigns_parse import EMAIL_FIELD, to_int

__all__ = ["MEMBERS_PAGE", "MemberReader"]

MEMBERS_PAGE = 650  # getlistsubscribers' largest range, per third parties
_FALLBACK_PAGE = 200
_LISTED = {
    MemberStatus.ACTIVE: "active",
    MemberStatus.UNSUBSCRIBED: "unsub",
    MemberStatus.BOUNCED: "bounce",
}
_COUNTED = {**_LISTED, MemberStatus.SPAM: "spam"}
# getlistsubscribers' row keys -> the display names contactinfo uses.
_ROW_FIELDS = {
    "contact_email": EMAIL_FIELD,
    "firstname": "First Name",
    "lastname": "Last Name",
    "companyname": "Company Name",
    "phone": "Phone",
}
_UNSUBSCRIBE = "json/listunsubscribe"


class MemberReader:
    """Reads a list's members and unsubscribes contacts, paced.

    Args:
        api: the authenticated Campaigns API.
        read_pacer: the pacer of ``getlistsubscribers``.
        count_pacer: the pacer of ``listsubscriberscount``.
        unsubscribe_pacer: the pacer of ``json/listunsubscribe``.
    """

    def __init__(
        self, api: ZohoApi, *, read_pacer: Pacer, count_pacer: Pacer, unsubscribe_pacer: Pacer
    ) -> None:
        self._api = api
        self._read_pacer = read_pacer
        self._count_pacer = count_pacer
        self._unsubscribe_pacer = unsubscribe_pacer
        self.page_size = MEMBERS_PAGE

    def members(self, list_key: str, status: MemberStatus) -> Iterator[ListMember]:
        """The list's members with ``status``, one ``getlistsubscribers`` call a page."""
        wanted = _LISTED.get(status)
        if wanted is None:
            raise ValueError(f"Zoho Campaigns lists no {status.value} members; count them")
        seen: set[str] = set()
        start = 1
        while True:
            rows = self._page(list_key, wanted, start)
            fresh = [row for row in rows if row.email.lower() not in seen]
            for row in fresh:
                seen.add(row.email.lower())
                yield ListMember(row.email, status, row.values, row.member_id, row.added)
            if len(rows) < self.page_size or not fresh:  # a short page, or one that repeats
                return
            start += self.page_size

    def _page(self, list_key: str, status: str, start: int) -> list[ListMember]:
        params: dict[str, str | int] = {
            "listkey": list_key,
            "resfmt": "JSON",
            "sort": "asc",
            "status": status,
            "fromindex": start,
            "range": self.page_size,
        }
        try:
            body = self._api.request(
                "GET", "getlistsubscribers", params=params, pacer=self._read_pacer
            )
        except FatalSyncError as exc:
            if exc.api_code != "6502" or self.page_size <= _FALLBACK_PAGE:
                raise
            self.page_size = _FALLBACK_PAGE  # Zoho's maximum is lower than third parties say
            return self._page(list_key, status, start)
        except SyncError as exc:
            info = code_info(exc.api_code, exc.endpoint or "")
            if info is not None and info.kind is CodeKind.NO_MORE:
                return []
            raise
        return _members(body)

    def count(self, list_key: str, status: MemberStatus) -> int:
        """``listsubscriberscount`` for ``status``."""
        params = {"resfmt": "JSON", "listkey": list_key, "status": _COUNTED[status]}
        body = self._api.request(
            "GET", "listsubscriberscount", params=params, pacer=self._count_pacer
        )
        return to_int(body.get("no_of_contacts")) or 0

    def unsubscribe(self, list_key: str, email: str) -> None:
        """``json/listunsubscribe`` for one address."""
        form = {
            "listkey": list_key,
            "resfmt": "JSON",
            "contactinfo": json.dumps({EMAIL_FIELD: email}, ensure_ascii=False),
        }
        body = self._api.request("POST", _UNSUBSCRIBE, data=form, pacer=self._unsubscribe_pacer)
        if not confirms_success(body):
            message = answer_message(body) or "no message"
            raise TransportError(
                f"Zoho Campaigns did not say the contact was unsubscribed ({message})",
                endpoint=f"POST {_UNSUBSCRIBE}",
            )


def _members(body: Mapping[str, object]) -> list[ListMember]:
    rows = body.get("list_of_details")
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise TransportError(
            "Zoho Campaigns answered getlistsubscribers without a list of contacts",
            endpoint="GET getlistsubscribers",
        )
    found = []
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        email = row.get("contact_email")
        if not isinstance(email, str) or not email.strip():
            continue
        values = {
            name: str(row[key]) for key, name in _ROW_FIELDS.items() if row.get(key) is not None
        }
        zuid, added = row.get("zuid"), row.get("added_time")
        found.append(
            ListMember(
                email.strip(),
                MemberStatus.ACTIVE,  # the caller knows which status it asked for
                values,
                str(zuid) if zuid is not None else None,
                added if isinstance(added, str) else None,
            )
        )
    return found
