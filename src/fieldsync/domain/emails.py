"""Email addresses: normalise, check the syntax, and compare for duplicates.

The check is the syntax mail servers and marketing targets accept in practice, a strict
subset of RFC 5321/5322: a dot-atom local part (no quoted strings, no comments), an ASCII
domain of at least two labels whose last label (the TLD) is letters or IDN punycode
(``xn--``), and the RFC length limits (local part 64, whole address 254). Internationalised
domains pass in their punycode form; non-ASCII local parts (SMTPUTF8) do not pass, because
targets such as Zoho Campaigns refuse them.
"""

from __future__ import annotations

import re

__all__ = ["email_key", "is_valid_email", "normalize_email"]

# RFC 5322 atext: letters, digits and these printable characters. No dot at either end and
# never two in a row follows from joining atoms with single dots.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*", re.ASCII)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{0,58}[A-Za-z0-9])"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+{_TLD}", re.ASCII)

_MAX_LOCAL = 64
_MAX_ADDRESS = 254


def normalize_email(raw: object) -> str | None:
    """The address in ``raw`` trimmed, with its domain lower-cased; ``None`` when empty.

    The local part keeps its case: RFC 5321 lets a server tell ``Ann`` from ``ann``, and the
    target stores what it is sent. A value that is not a string is converted with ``str``.
    Nothing is validated here; see :func:`is_valid_email`.

    Args:
        raw: a value read from a record, usually a string.
    """
    if raw is None:
        return None
    text = (raw if isinstance(raw, str) else str(raw)).strip()
    if not text:
        return None
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


def is_valid_email(address: str) -> bool:
    """Whether ``address`` is a syntactically valid email address (see the module docstring).

    Whitespace and control characters anywhere make it invalid; call
    :func:`normalize_email` first to trim.
    """
    if len(address) > _MAX_ADDRESS:
        return False
    local, at, domain = address.partition("@")
    return (
        bool(at)
        and len(local) <= _MAX_LOCAL
        and _LOCAL.fullmatch(local) is not None
        and _DOMAIN.fullmatch(domain) is not None
    )


def email_key(address: str) -> str:
    """The identity of an address for duplicate detection: the whole address lower-cased.

    Targets treat ``Ann@Example.com`` and ``ann@example.com`` as one contact, so two records
    with those addresses are duplicates.
    """
    return address.lower()
