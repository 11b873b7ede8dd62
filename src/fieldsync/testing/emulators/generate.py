"""Seeded, realistic Zoho Invoice organizations for the emulator, tests and benchmarks.

The rows look like what ``GET /invoice/v3/contacts/{id}`` answers: names in several scripts
(accents, CJK, Arabic, the odd emoji), companies, a billing address, mixed-case emails and
the mess real address books hold (missing, invalid, group and duplicate emails), inactive
customers, some vendors, custom fields as ``[{index, label, value, ...}]`` and times with
the organization's UTC offset (``2013-10-07T18:24:51+0530``). The same seed always gives the
same rows::

    org = generate_organization(2_000, seed=1)
    for row in iter_contacts(1_000_000, seed=1):   # lazily, for benchmarks
        ...
"""

from __future__ import annotations

import collections
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any

import attrs

from fieldsync.testing.emulators._people import (
    COMPANY_TRADES,
    COMPANY_WORDS,
    COUNTRIES,
    GROUP_LOCAL_PARTS,
    Country,
)

__all__ = [
    "DEFAULT_CUSTOM_FIELDS",
    "ContactMix",
    "CustomFieldSpec",
    "Organization",
    "format_zoho_time",
    "generate_organization",
    "iter_contacts",
    "parse_utc_offset",
]

_FIRST_CREATED = datetime(2019, 1, 1, tzinfo=UTC)
_LAST_CREATED = datetime(2025, 12, 1, tzinfo=UTC)
_SPAN = int((_LAST_CREATED - _FIRST_CREATED).total_seconds())
_ID_BASE = 460_000_000_000_000
_CUM_WEIGHTS = list(accumulate(country.weight for country in COUNTRIES))
_TIERS = ("Platinum", "Gold", "Silver", "Bronze")
_EMOJI = ("🌟", "🚀", "☕", "🎉")
_DUPLICATE_MEMORY = 256  # how far back duplicates reach; keeps iter_contacts' memory flat


@attrs.frozen
class CustomFieldSpec:
    """One contact custom field of an organization.

    Args:
        label: the name people see ("Customer Tier").
        data_type: Zoho's data type: ``string``, ``dropdown``, ``date``, ``number``, ...
    """

    label: str
    data_type: str = "string"

    @property
    def api_name(self) -> str:
        """The ``cf_`` key Zoho uses in ``custom_field_hash`` ("cf_customer_tier")."""
        return "cf_" + re.sub(r"[^0-9a-z]+", "_", self.label.lower()).strip("_")


DEFAULT_CUSTOM_FIELDS: tuple[CustomFieldSpec, ...] = (
    CustomFieldSpec("Country"),
    CustomFieldSpec("Region", "dropdown"),
    CustomFieldSpec("Customer Tier", "dropdown"),
    CustomFieldSpec("Signup Date", "date"),
)


@attrs.frozen
class ContactMix:
    """How often each kind of messy row appears (fractions of all rows)."""

    missing_email: float = 0.03
    invalid_email: float = 0.03
    group_email: float = 0.01
    duplicate_email: float = 0.01
    mixed_case_email: float = 0.15
    inactive: float = 0.1
    vendor: float = 0.05
    business: float = 0.4
    empty_custom_value: float = 0.08
    emoji: float = 0.005


@attrs.frozen
class Organization:
    """A Zoho Invoice organization and its contacts (Zoho-shaped dicts, oldest id first)."""

    organization_id: str
    name: str
    contacts: tuple[Mapping[str, Any], ...] = attrs.field(repr=False)
    custom_fields: tuple[CustomFieldSpec, ...] = DEFAULT_CUSTOM_FIELDS
    currency_code: str = "INR"
    time_zone: str = "Asia/Calcutta"
    utc_offset: str = "+0530"

    @property
    def custom_field_labels(self) -> tuple[str, ...]:
        """The labels of the organization's contact custom fields."""
        return tuple(spec.label for spec in self.custom_fields)


def generate_organization(
    n: int,
    *,
    seed: int = 0,
    organization_id: str | None = None,
    custom_fields: Sequence[CustomFieldSpec | str] = DEFAULT_CUSTOM_FIELDS,
    missing_email_rate: float = 0.03,
    invalid_email_rate: float = 0.03,
    group_email_rate: float = 0.01,
    duplicate_email_rate: float = 0.01,
    inactive_rate: float = 0.1,
    vendor_rate: float = 0.05,
    utc_offset: str = "+0530",
) -> Organization:
    """An organization with ``n`` contacts, the same for the same arguments.

    Args:
        n: how many contacts (customers and vendors).
        seed: picks the rows; the same seed gives the same organization.
        organization_id: defaults to a number derived from the seed.
        custom_fields: the contact custom fields (labels or specs).
        missing_email_rate: the fraction of rows without an email.
        invalid_email_rate: the fraction of rows with an email that is not an address.
        group_email_rate: the fraction of rows with a group address (``info@``).
        duplicate_email_rate: the fraction of rows repeating an earlier row's email.
        inactive_rate: the fraction of inactive contacts.
        vendor_rate: the fraction of vendors (the others are customers).
        utc_offset: the organization's offset, used in every time (``+0530``).

    Raises:
        ValueError: ``n`` is negative or ``utc_offset`` is not like ``+0530``.
    """
    specs = tuple(
        s if isinstance(s, CustomFieldSpec) else CustomFieldSpec(s) for s in custom_fields
    )
    mix = ContactMix(
        missing_email=missing_email_rate,
        invalid_email=invalid_email_rate,
        group_email=group_email_rate,
        duplicate_email=duplicate_email_rate,
        inactive=inactive_rate,
        vendor=vendor_rate,
    )
    rng = random.Random(f"organization:{seed}")
    name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_TRADES)} Pvt Ltd"
    contacts = tuple(
        iter_contacts(n, seed=seed, custom_fields=specs, mix=mix, utc_offset=utc_offset)
    )
    return Organization(
        organization_id=organization_id or str(10_234_695 + seed),
        name=name,
        contacts=contacts,
        custom_fields=specs,
        utc_offset=utc_offset,
    )


def iter_contacts(
    n: int,
    *,
    seed: int = 0,
    custom_fields: Sequence[CustomFieldSpec] = DEFAULT_CUSTOM_FIELDS,
    mix: ContactMix | None = None,
    utc_offset: str = "+0530",
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` Zoho-shaped contact rows lazily, in constant memory.

    The rows are those of ``generate_organization(n, seed=seed, ...)``.

    Raises:
        ValueError: ``n`` is negative or ``utc_offset`` is not like ``+0530``.
    """
    if n < 0:
        raise ValueError(f"cannot generate {n} contacts")
    tz = parse_utc_offset(utc_offset)
    builder = _RowBuilder(random.Random(seed), tuple(custom_fields), mix or ContactMix(), tz)
    for index in range(n):
        yield builder.row(index)


def format_zoho_time(instant: datetime, tz: timezone) -> str:
    """``instant`` as Zoho writes times: ``2013-10-07T18:24:51+0530``."""
    return instant.astimezone(tz).strftime("%Y-%m-%dT%H:%M:%S%z")


def parse_utc_offset(offset: str) -> timezone:
    """The fixed time zone of an offset written ``+0530`` or ``+05:30``.

    Raises:
        ValueError: the text is not such an offset.
    """
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", offset)
    if match is None:
        raise ValueError(f"a UTC offset looks like +0530, not {offset!r}")
    sign = -1 if match[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))


class _RowBuilder:
    """Draws rows one by one from one random stream (the order of draws is the format)."""

    def __init__(
        self, rng: random.Random, specs: tuple[CustomFieldSpec, ...], mix: ContactMix, tz: timezone
    ) -> None:
        self._rng = rng
        self._specs = specs
        self._mix = mix
        self._tz = tz
        self._recent: collections.deque[str] = collections.deque(maxlen=_DUPLICATE_MEMORY)

    def row(self, index: int) -> dict[str, Any]:
        rng, mix = self._rng, self._mix
        country = rng.choices(COUNTRIES, cum_weights=_CUM_WEIGHTS)[0]
        first, first_ascii = rng.choice(country.first_names)
        last, last_ascii = rng.choice(country.last_names)
        word, trade = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_TRADES)
        company = f"{word} {trade} {rng.choice(country.company_suffixes)}"
        domain = f"{word}{trade}.{country.tld}".lower()
        vendor = rng.random() < mix.vendor
        business = vendor or rng.random() < mix.business
        person = f"{last}{first}" if country.language in ("ja", "zh") else f"{first} {last}"
        contact_name = company if business else person
        if rng.random() < mix.emoji:
            contact_name = f"{contact_name} {rng.choice(_EMOJI)}"
        created = _FIRST_CREATED + timedelta(seconds=rng.randrange(_SPAN))
        remaining = int((_LAST_CREATED - created).total_seconds())
        modified = created + timedelta(seconds=rng.randrange(remaining + 1))
        terms = rng.choice((0, 15, 30, 45, 60))
        city, state, zip_code = rng.choice(country.cities)
        phone = self._phone(country)
        custom = self._custom_fields(index, country, created.astimezone(self._tz).date())
        return {
            "contact_id": str(_ID_BASE + index),
            "contact_name": contact_name,
            "customer_name": contact_name,
            "company_name": company if business or rng.random() < 0.3 else "",
            "first_name": first,
            "last_name": last,
            "email": self._email(index, first_ascii, last_ascii, country, domain),
            "phone": phone,
            "mobile": self._phone(country) if rng.random() < 0.6 else "",
            "website": f"https://www.{domain}" if business and rng.random() < 0.7 else "",
            "status": "inactive" if rng.random() < mix.inactive else "active",
            "contact_type": "vendor" if vendor else "customer",
            "customer_sub_type": "business" if business else "individual",
            "currency_code": country.currency,
            "outstanding_receivable_amount": _money(rng, 0.4, 250_000),
            "unused_credits_receivable_amount": _money(rng, 0.1, 5_000),
            "payment_terms": terms,
            "payment_terms_label": f"Net {terms}" if terms else "Due on Receipt",
            "language_code": country.language,
            "created_time": format_zoho_time(created, self._tz),
            "last_modified_time": format_zoho_time(modified, self._tz),
            "custom_fields": custom,
            "custom_field_hash": {entry["api_name"]: entry["value"] for entry in custom},
            "billing_address": {
                "attention": person,
                "address": f"{rng.randint(1, 999)} {rng.choice(COMPANY_WORDS)} Road",
                "street2": "",
                "city": city,
                "state": state,
                "zip": zip_code,
                "country": country.name,
                "phone": phone,
                "fax": "",
            },
        }

    def _email(self, index: int, first: str, last: str, country: Country, domain: str) -> str:
        rng, mix = self._rng, self._mix
        roll = rng.random()
        mailbox = rng.choice(country.mail) if rng.random() < 0.7 else domain
        if roll < mix.missing_email:
            return ""
        roll -= mix.missing_email
        if roll < mix.invalid_email:
            return _invalid_email(rng, f"{first}.{last}{index}", mailbox)
        roll -= mix.invalid_email
        if roll < mix.group_email:
            return f"{rng.choice(GROUP_LOCAL_PARTS)}@{domain}"
        roll -= mix.group_email
        if roll < mix.duplicate_email and self._recent:
            again = rng.choice(self._recent)
            return again.upper() if rng.random() < 0.5 else again
        # The row index makes every ordinary address unique, so duplicates are only the
        # intended ones and the rates hold.
        local = rng.choice(
            (f"{first}.{last}{index}", f"{first}{index}", f"{first[0]}{last}.{index}")
        )
        address = f"{local}@{mailbox}"
        if rng.random() < mix.mixed_case_email:
            address = f"{local.title()}@{mailbox.capitalize()}"
        self._recent.append(address)
        return address

    def _phone(self, country: Country) -> str:
        digits = "".join(str(self._rng.randrange(10)) for _ in range(10))
        return f"{country.dialing} {digits[:5]} {digits[5:]}"

    def _custom_fields(self, index: int, country: Country, signup: date) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for position, spec in enumerate(self._specs, start=1):
            if self._rng.random() < self._mix.empty_custom_value:
                continue  # Zoho leaves fields without a value out of the row
            value = self._custom_value(spec, index, country, signup)
            entries.append(
                {
                    "index": position,
                    "customfield_id": str(_ID_BASE + 90_000 + position),
                    "label": spec.label,
                    "api_name": spec.api_name,
                    "data_type": spec.data_type,
                    "value": value,
                    "value_formatted": str(value),
                }
            )
        return entries

    def _custom_value(
        self, spec: CustomFieldSpec, index: int, country: Country, signup: date
    ) -> object:
        if spec.label == "Country":
            return country.name
        if spec.label == "Region":
            return country.region
        if spec.label == "Customer Tier":
            return self._rng.choice(_TIERS)
        if spec.data_type == "date":
            return signup.isoformat()
        if spec.data_type in ("number", "decimal", "amount"):
            return self._rng.randint(1, 1_000)
        return f"{spec.label} {index % 50}"


def _money(rng: random.Random, share: float, top: int) -> float:
    return round(rng.uniform(0, top), 2) if rng.random() < share else 0.0


def _invalid_email(rng: random.Random, local: str, mailbox: str) -> str:
    host = mailbox.split(".", 1)[0]
    return rng.choice(
        (
            f"{local}@{host}",  # no top-level domain
            f"{local.replace('.', ' ')}@{mailbox}",  # a space
            f"{local}.{mailbox}",  # no @ at all
            f"{local}@@{mailbox}",
            f"{local}.@{mailbox}",  # a dot before the @
            f"{local.replace('.', '..')}@{mailbox}",
        )
    )
