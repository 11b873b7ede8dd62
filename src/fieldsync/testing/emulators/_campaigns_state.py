"""The data behind :class:`CampaignsEmulator`: lists, contacts, fields and the plan.

Contacts are account-wide (one set of field values per address, matched without regard to
case), and lists hold memberships, as in Zoho Campaigns. Where each contact stands
(Do-Not-Mail, bounced, spam, unsubscribed from a list) is :attr:`CampaignsState.standing`.
Every method is called with the emulator's lock held; refusals raise :class:`ApiError` with
the code the real API answers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

import attrs

from fieldsync.domain.emails import is_valid_email
from fieldsync.testing.emulators._campaigns_standing import UNSUBSCRIBE_MESSAGE, Standing
from fieldsync.zoho.messages import ADDED_MESSAGE, CONFIRMATION_MESSAGE, UPDATED_MESSAGE

__all__ = [
    "GROUP_ADDRESS_LOCAL_PARTS",
    "MAX_RANGE",
    "SUBSCRIBERS_MAX_RANGE",
    "ApiError",
    "BulkAnswer",
    "CampaignsState",
]

# Role addresses Zoho Campaigns refuses with code 2005 ("info@, admin@, ..."). Zoho does not
# publish its list; these are the usual role names.
GROUP_ADDRESS_LOCAL_PARTS = frozenset(
    {
        "abuse", "accounts", "admin", "administrator", "billing", "careers", "contact",
        "help", "hostmaster", "hr", "info", "marketing", "no-reply", "noreply", "office",
        "postmaster", "sales", "service", "support", "webmaster",
    }
)  # fmt: skip
MAX_RANGE = 1000  # the largest `range` a page may ask for (unconfirmed: Zoho gives no number)
SUBSCRIBERS_MAX_RANGE = 650  # getlistsubscribers' largest `range` (third parties: about 650)
_STATUSES = frozenset({"active", "unsub", "bounce", "spam"})
_FIELD_NAME = re.compile(r"[A-Za-z0-9]+")
_KNOWN_TYPES = frozenset(
    {
        "text", "integer", "phone", "date", "picklist", "email", "checkbox", "longinteger",
        "url", "textarea", "radiooption", "multiselect", "datetime", "decimal", "percent",
    }
)  # fmt: skip
EMAIL_FIELD = "Contact Email"


class ApiError(Exception):
    """A refusal, as Zoho Campaigns codes it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@attrs.define
class _Field:
    display_name: str
    field_name: str
    field_id: str
    type: str
    mandatory: bool = False
    custom: bool = False
    length: int = 100


@attrs.define
class _List:
    key: str
    name: str
    confirmation_required: bool
    created_ms: int
    deleted: bool = False
    members: dict[str, str] = attrs.field(factory=dict)  # email key -> address as sent
    pending: dict[str, dict[str, str]] = attrs.field(factory=dict)  # awaiting confirmation
    unsubscribed: set[str] = attrs.field(factory=set)  # members who left this list
    added: dict[str, int] = attrs.field(factory=dict)  # email key -> when it joined, ms


@attrs.define
class BulkAnswer:
    """What one addlistsubscribersinbulk call did with its addresses (as sent)."""

    existing: list[str] = attrs.field(factory=list)  # members of the list already
    readded: list[str] = attrs.field(factory=list)  # deleted from the account, added again
    ignored: list[str] = attrs.field(factory=list)  # invalid or group addresses


_STANDARD = (
    ("Contact Email", "contact_email", "Email", True),
    ("First Name", "firstname", "Text", False),
    ("Last Name", "lastname", "Text", False),
    ("Company Name", "companyname", "Text", False),
    ("Phone", "phone", "Phone", False),
    ("Mobile", "mobile", "Phone", False),
    ("Job Title", "job_title", "Text", False),
    ("Secondary Email", "secondary_email", "Email", False),
)
# getlistsubscribers rows: the fields it reports, by FIELD_NAME.
_ROW_FIELDS = ("contact_email", "firstname", "lastname", "companyname", "phone")


def is_group_address(address: str) -> bool:
    """Whether Campaigns would refuse ``address`` as a role (group) address."""
    return address.partition("@")[0].lower() in GROUP_ADDRESS_LOCAL_PARTS


class CampaignsState:
    """Lists, contacts, fields and the plan of one emulated Campaigns account."""

    def __init__(self, *, plan_limit: int | None, auto_upgrade: bool, seed: int) -> None:
        self.plan_limit = plan_limit
        self.auto_upgrade = auto_upgrade
        self.upgrades = 0
        # An upgrade moves to the next tier: as many contacts again as the starting plan.
        self._tier = max(1, plan_limit or 0)
        self.fields: list[_Field] = [
            _Field(display, name, str(3000000000015 + 2 * i), kind, mandatory)
            for i, (display, name, kind, mandatory) in enumerate(_STANDARD)
        ]
        self.contacts: dict[str, dict[str, str]] = {}
        self.deleted: set[str] = set()  # addresses deleted from the account
        self.lists: dict[str, _List] = {}
        self.standing = Standing()
        self.now_ms = 0  # set by the emulator before each call: when members join
        self._seed = seed

    # -- set-up -------------------------------------------------------------------------

    def create_list(self, name: str, *, confirmation_required: bool, now_ms: int) -> str:
        digest = hashlib.sha256(f"{self._seed}:{len(self.lists)}:{name}".encode()).hexdigest()
        key = f"3z{digest[:62]}"
        self.lists[key] = _List(key, name, confirmation_required, now_ms)
        return key

    def add_field(self, display_name: str, kind: str, *, mandatory: bool, length: int) -> _Field:
        clash = display_name.lower()
        if any(clash in (f.display_name.lower(), f.field_name.lower()) for f in self.fields):
            raise ApiError("916", "Duplicate custom field found.")
        field = _Field(
            display_name,
            display_name.lower(),
            str(3000000100000 + len(self.fields)),
            kind,
            mandatory,
            custom=True,
            length=length,
        )
        self.fields.append(field)
        return field

    def list_for(self, key: str, *, invalid: str, deleted: str) -> _List:
        found = self.lists.get(key)
        if found is None:
            raise ApiError(invalid, "Listkey is empty or invalid.")
        if found.deleted:
            raise ApiError(deleted, "This list has been deleted.")
        return found

    # -- endpoints ------------------------------------------------------------------------

    def subscribe(self, key: str, contactinfo: str | None) -> str:
        """json/listsubscribe: upsert one contact; returns the success message."""
        target = self.list_for(key, invalid="2501", deleted="2206")
        values = _parse_contactinfo(contactinfo)
        email = values.get(EMAIL_FIELD, "").strip()
        if not email:
            raise ApiError("903", "Mandatory fields are missing: Contact Email.")
        _check_address(email)
        ident = email.lower()
        refusal = self.standing.refusal(ident, unsubscribed_here=ident in target.unsubscribed)
        if refusal is not None:
            raise ApiError(refusal.code, refusal.message)
        known = {f.display_name for f in self.fields}
        unknown = self.standing.unknown_fields(values, known)
        if unknown is not None:
            raise ApiError(unknown.code, unknown.message)
        if self.standing.ignores(ident):
            return UPDATED_MESSAGE  # a hard bounce: ignored, and said to be fine
        clean = {name: value for name, value in values.items() if name in known}
        clean[EMAIL_FIELD] = email
        if ident not in self.contacts:
            self._check_mandatory(clean)
        if ident in target.members:
            self._write(ident, clean)
            return UPDATED_MESSAGE
        if target.confirmation_required:
            target.pending[ident] = clean
            return CONFIRMATION_MESSAGE
        self._admit(ident, "914")
        self._write(ident, clean)
        target.members[ident] = email
        target.added.setdefault(ident, self.now_ms)
        return ADDED_MESSAGE

    def confirm(self, key: str, email: str) -> None:
        """The contact clicked the confirmation link: a pending subscription becomes real."""
        target = self.list_for(key, invalid="2501", deleted="2206")
        ident = email.lower()
        values = target.pending.pop(ident, None)
        if values is None:
            raise KeyError(f"{email!r} has no pending confirmation in list {key!r}")
        if ident not in self.contacts:
            self._admit(ident, "914")
        self._write(ident, values)
        target.members[ident] = values[EMAIL_FIELD]
        target.added.setdefault(ident, self.now_ms)

    def bulk_add(self, key: str, emailids: str | None, *, limit: int) -> BulkAnswer:
        """addlistsubscribersinbulk: addresses only. Invalid and group addresses are
        ignored; members of the list already are "existing"; addresses deleted from the
        account earlier (:meth:`delete_contact`) come back "re-added"; the rest are new."""
        target = self.list_for(key, invalid="2501", deleted="2206")
        addresses = [a.strip() for a in (emailids or "").split(",") if a.strip()]
        if not addresses:
            raise ApiError("903", "Mandatory fields are missing: emailids.")
        if len(addresses) > limit:
            raise ApiError("6502", f"At most {limit} email addresses may be added at once.")
        answer = BulkAnswer()
        fit = []
        for address in addresses:
            ident = address.lower()
            refused = self.standing.refusal(
                ident, unsubscribed_here=ident in target.unsubscribed
            ) is not None or self.standing.ignores(ident)
            if is_valid_email(address) and not is_group_address(address) and not refused:
                fit.append(address)
            else:  # Do-Not-Mail, unsubscribed, bounced and spam addresses are ignored too
                answer.ignored.append(address)
        new = {a.lower() for a in fit} - self.contacts.keys()
        if self._over_plan(len(new)) and not self.auto_upgrade:
            raise ApiError("2302", "You cannot add contacts as you've reached the maximum limit.")
        for address in fit:
            ident = address.lower()
            if ident in target.members:
                answer.existing.append(address)
                continue
            if target.confirmation_required:
                target.pending[ident] = {EMAIL_FIELD: address}
                continue
            if ident not in self.contacts:
                self._admit(ident, "2302")
            if ident in self.deleted:
                self.deleted.discard(ident)
                answer.readded.append(address)
            self._write(ident, {EMAIL_FIELD: address})
            target.members[ident] = address
        return answer

    def delete_contact(self, address: str) -> None:
        """The contact is deleted from the account (and so from every list), as a user
        would in the web interface; remembered, so that a bulk add reports it re-added."""
        ident = address.strip().lower()
        if self.contacts.pop(ident, None) is None:
            raise KeyError(f"the account has no contact {address!r}")
        for mailing_list in self.lists.values():
            mailing_list.members.pop(ident, None)
            mailing_list.pending.pop(ident, None)
        self.deleted.add(ident)

    def field_rows(self, *, type_key: str) -> list[dict[str, object]]:
        return [
            {
                "DISPLAY_NAME": f.display_name,
                "FIELD_NAME": f.field_name,
                "FIELD_ID": f.field_id,
                "IS_MANDATORY": f.mandatory,
                "IS_CUSTOM": f.custom,
                type_key: f.type,
            }
            for f in self.fields
        ]

    def new_custom_field(self, name: str | None, kind: str | None, length: str | None) -> _Field:
        """custom/add: a new custom field, named ``name`` (alphanumeric)."""
        if not name or not kind:
            raise ApiError("903", "Mandatory fields are missing: fieldname, fieldtype.")
        if _FIELD_NAME.fullmatch(name) is None:
            raise ApiError("903", "The field name must be alphanumeric.")
        if kind.lower() not in _KNOWN_TYPES:
            raise ApiError("903", f"Unknown field type {kind!r}.")
        size = int(length) if length and length.isdigit() else 20
        return self.add_field(name, kind, mandatory=False, length=size)

    def mailing_lists(self) -> list[_List]:
        return [lst for lst in self.lists.values() if not lst.deleted]

    def member_status(self, target: _List, ident: str) -> str:
        """active, unsub, bounce or spam."""
        return self.standing.status(ident, unsubscribed_here=ident in target.unsubscribed)

    def subscriber_rows(
        self, target: _List, status: str, *, descending: bool = False
    ) -> list[dict[str, object]]:
        """getlistsubscribers' rows for a status (recent and mostrecent read as active),
        in the order the members joined."""
        wanted = "active" if status in ("recent", "mostrecent", "most recent") else status
        by_field = {f.display_name: f.field_name for f in self.fields}
        order = sorted(target.members, key=lambda i: (target.added.get(i, target.created_ms), i))
        if descending:
            order.reverse()
        rows: list[dict[str, object]] = []
        for ident in order:
            if self.member_status(target, ident) != wanted:
                continue
            values = {by_field[k]: v for k, v in self.contacts[ident].items() if k in by_field}
            row: dict[str, object] = {name: values.get(name, "") for name in _ROW_FIELDS}
            row["zuid"] = str(int(hashlib.sha256(ident.encode()).hexdigest()[:12], 16))
            row["added_time"] = _zoho_time(target.added.get(ident, target.created_ms))
            rows.append(row)
        return rows

    def status_count(self, target: _List, status: str) -> int:
        """listsubscriberscount: members with this status (active, unsub, bounce, spam)."""
        if status not in _STATUSES:
            return 0
        return sum(1 for ident in target.members if self.member_status(target, ident) == status)

    def unsubscribe(self, key: str, contactinfo: str | None) -> str:
        """json/listunsubscribe: the contact reads as unsub in this list from now on."""
        target = self.list_for(key, invalid="2501", deleted="2206")
        email = _parse_contactinfo(contactinfo).get(EMAIL_FIELD, "").strip()
        if not email:
            raise ApiError("903", "Mandatory fields are missing: Contact Email.")
        ident = email.lower()
        target.pending.pop(ident, None)
        if ident in target.members:
            target.unsubscribed.add(ident)
        return UNSUBSCRIBE_MESSAGE

    # -- hands other than fieldsync's (test controls) -----------------------------------

    def edit(self, email: str, values: Mapping[str, str]) -> None:
        """A marketer edits a contact's fields by hand (display names; "" clears)."""
        ident = email.lower()
        if ident not in self.contacts:
            raise KeyError(f"no contact {email!r}")
        known = {f.display_name for f in self.fields}
        unknown = sorted(set(values) - known)
        if unknown:
            raise KeyError(f"no field(s) {unknown!r}")
        self._write(ident, values)

    def remove(self, key: str, email: str) -> None:
        """A marketer removes a contact from a list by hand (no trace in the list)."""
        target = self.lists[key]
        ident = email.lower()
        if ident not in target.members:
            raise KeyError(f"{email!r} is not in list {key!r}")
        del target.members[ident]
        target.unsubscribed.discard(ident)
        target.added.pop(ident, None)

    def delete_field(self, display_name: str) -> None:
        """A custom field deleted in Campaigns, with every contact's value in it."""
        found = [f for f in self.fields if f.display_name == display_name]
        if not found or not found[0].custom:
            raise KeyError(f"no custom field {display_name!r}")
        self.fields.remove(found[0])
        for values in self.contacts.values():
            values.pop(display_name, None)

    def subscribers(self, key: str, status: str | None) -> dict[str, dict[str, str]]:
        target = self.lists[key]
        return {
            address: dict(self.contacts[i])
            for i, address in target.members.items()
            if status is None or self.member_status(target, i) == status
        }

    # -- helpers ------------------------------------------------------------------------

    def _check_mandatory(self, values: Mapping[str, str]) -> None:
        missing = [
            f.display_name for f in self.fields if f.mandatory and not values.get(f.display_name)
        ]
        if missing:
            raise ApiError("903", f"Mandatory fields are missing: {', '.join(missing)}.")

    def _over_plan(self, incoming: int) -> bool:
        return self.plan_limit is not None and len(self.contacts) + incoming > self.plan_limit

    def _admit(self, ident: str, code: str) -> None:
        """Count a new contact against the plan, upgrading it when auto-upgrade is on."""
        if not self._over_plan(1):
            return
        if not self.auto_upgrade:
            raise ApiError(code, "You cannot add contacts as you've reached the maximum limit.")
        assert self.plan_limit is not None
        self.plan_limit += self._tier
        self.upgrades += 1

    def _write(self, ident: str, values: Mapping[str, str]) -> None:
        contact = self.contacts.setdefault(ident, {})
        for name, value in values.items():
            if value == "":
                contact.pop(name, None)  # an empty value clears the field
            else:
                contact[name] = value


def _zoho_time(ms: int) -> str:
    """``added_time`` as getlistsubscribers shows it: "22 Apr 2011, 04:37 PM" (UTC)."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%d %b %Y, %I:%M %p")


def _parse_contactinfo(raw: str | None) -> dict[str, str]:
    if raw is None or not raw.strip():
        raise ApiError("903", "Mandatory fields are missing: contactinfo.")
    try:
        info = json.loads(raw)
    except ValueError:
        raise ApiError("2001", "Please enter correct JSON format.") from None
    if not isinstance(info, dict) or any(isinstance(v, dict | list) for v in info.values()):
        raise ApiError("2001", "Please enter correct JSON format.")
    return {str(k): "" if v is None else str(v) for k, v in info.items()}


def _check_address(email: str) -> None:
    if not is_valid_email(email):
        raise ApiError("2004", "Invalid contact email address.")
    if is_group_address(email):
        raise ApiError("2005", "Group email address added.")
