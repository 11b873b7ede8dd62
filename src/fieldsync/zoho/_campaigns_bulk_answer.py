"""Reading an ``addlistsubscribersinbulk`` answer into one outcome per contact.

Zoho answers one code for the call and, on success, lists what it did not simply add:
``existing_contacts`` (in the list already), ``readd_contacts`` (deleted once, added
again) and ``ignored_contacts`` (refused: invalid, role, bounced or Do-Not-Mail
addresses). Those keys come from third-party clients (unconfirmed), so each may be
absent, a list of addresses, a list of objects with an address, a map, or one
comma-separated string: all are read. An address in none of them was added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fieldsync.domain.emails import is_valid_email
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, TargetContact, UpsertOutcome
from fieldsync.zoho._campaigns_codes import GROUP_ADDRESS_LOCAL_PARTS

__all__ = ["ADDED_TEXT", "EXISTING_TEXT", "IGNORED_TEXT", "READDED_TEXT", "read_answer"]

# The answer's keys (3p), and the keys an address may sit under in an object of a list.
_EXISTING_KEYS = ("existing_contacts", "existingContacts")
_READDED_KEYS = ("readd_contacts", "readdContacts", "readded_contacts")
_IGNORED_KEYS = ("ignored_contacts", "ignoredContacts")
_ADDRESS_KEYS = ("contact_email", "email", "emailid", "email_id", "emailaddress", "address")
_REASON_KEYS = ("reason", "message", "status")

ADDED_TEXT = "Added to the list (bulk)."
EXISTING_TEXT = "Already in the list: nothing to change (bulk)."
READDED_TEXT = "Re-added to the list: Zoho had deleted the contact (bulk)."
IGNORED_TEXT = (
    "Zoho Campaigns ignored the address (a hard bounce, Do-Not-Mail, a blocked or a role address)."
)


def _addresses(raw: object) -> dict[str, str]:
    """The addresses in one of the answer's lists, lower-cased, with a reason when given."""
    if isinstance(raw, str):
        return {a.strip().lower(): "" for a in raw.split(",") if a.strip()}
    if isinstance(raw, Mapping):
        # {"contact": [...]} or {"address": "reason", ...}: both seen in XML-to-JSON answers.
        nested = [value for value in raw.values() if isinstance(value, list | Mapping)]
        if nested:
            found: dict[str, str] = {}
            for value in nested:
                found.update(_addresses(value))
            return found
        return {str(k).strip().lower(): str(v) for k, v in raw.items() if "@" in str(k)}
    if not isinstance(raw, list):
        return {}
    found = {}
    for item in raw:
        if isinstance(item, str):
            found.update(_addresses(item))
        elif isinstance(item, Mapping):
            address = next((item[k] for k in _ADDRESS_KEYS if isinstance(item.get(k), str)), None)
            reason = next((item[k] for k in _REASON_KEYS if isinstance(item.get(k), str)), "")
            if isinstance(address, str) and address.strip():
                found[address.strip().lower()] = str(reason)
    return found


def _listed(inner: Mapping[str, object], keys: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in keys:
        found.update(_addresses(inner.get(key)))
    return found


def _ignored(contact: TargetContact, why: str) -> UpsertOutcome:
    """An ignored address, with the reason its data explains, else ``target_rejected``."""
    if not is_valid_email(contact.email):
        reason = ReasonCode.INVALID_EMAIL
    elif contact.email.partition("@")[0].lower() in GROUP_ADDRESS_LOCAL_PARTS:
        reason = ReasonCode.GROUP_ADDRESS
    else:
        reason = ReasonCode.TARGET_REJECTED
    text = f"{IGNORED_TEXT} Zoho said: {why}" if why else IGNORED_TEXT
    return UpsertOutcome(contact.key, OutcomeKind.SKIPPED, reason, text)


def read_answer(
    contacts: Sequence[TargetContact], body: Mapping[str, object]
) -> list[UpsertOutcome]:
    """One outcome per contact of a successful call, from the answer's three lists:
    ignored -> SKIPPED, existing -> UPDATED (nothing to write), re-added -> ADDED with
    ``readded``, none of them -> ADDED."""
    inner = body.get("response", body)
    if not isinstance(inner, Mapping):
        inner = body
    existing = _listed(inner, _EXISTING_KEYS)
    readded = _listed(inner, _READDED_KEYS)
    ignored = _listed(inner, _IGNORED_KEYS)
    outcomes = []
    for contact in contacts:
        address = contact.email.strip().lower()
        if address in ignored:
            outcomes.append(_ignored(contact, ignored[address]))
        elif address in existing:
            outcomes.append(UpsertOutcome(contact.key, OutcomeKind.UPDATED, message=EXISTING_TEXT))
        elif address in readded:
            outcomes.append(
                UpsertOutcome(contact.key, OutcomeKind.ADDED, message=READDED_TEXT, readded=True)
            )
        else:
            outcomes.append(UpsertOutcome(contact.key, OutcomeKind.ADDED, message=ADDED_TEXT))
    return outcomes
