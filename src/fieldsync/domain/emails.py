"""Email addresses: normalise, check the syntax, and compare for duplicates.

The check is the syntax mail servers and marketing targets accept in practice, a strict
subset of RFC 5321/5322: a dot-atom local part (no quoted strings, no comments), an ASCII
domain of at least two labels whose last label (the TLD) is letters or IDN punycode
(``xn--``), and the RFC length limits (local part 64, whole address 254).

Internationalised addresses: :func:`normalize_email` writes an internationalised domain in
its ASCII (punycode, IDNA 2003) form, ``zoe@exämple.com`` -> ``zoe@xn--exmple-cua.com``:
the same mailbox, in the form DNS and every mail system use, so the target stores one
spelling and duplicates are found. A non-ASCII *local part* (``Zoë@...``, SMTPUTF8) has no
ASCII form and stays invalid: Zoho Campaigns documents ASCII addresses only, and an
address the target cannot store is better refused with ``invalid_email`` than sent.
Zoho does not document either rule; both are fieldsync's decision, in this one place.
"""

from __future__ import annotations

import re

__all__ = ["email_key", "email_problem", "is_valid_email", "normalize_email"]

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
    return f"{local}@{_ascii_domain(domain.lower())}" if at else text


def _ascii_domain(domain: str) -> str:
    """The domain's punycode form when it is internationalised (unchanged when it cannot be
    encoded: an empty or overlong label, say; the syntax check refuses it then)."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


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


def email_problem(address: str) -> str:
    """Why ``address`` is not valid, for people (call it when :func:`is_valid_email` is
    false). Control characters are shown escaped."""
    # Letters as they are (Zoë stays Zoë); controls and lone surrogates as escapes.
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in address)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    local = address.rpartition("@")[0]
    if any(not c.isprintable() or c.isspace() for c in address):
        why = "holds a control or space character"
    elif not local.isascii():
        why = "has non-ASCII letters before the @, which the target does not accept"
    else:
        why = "is not valid"
    return f'The email address "{shown}" {why}.'


def email_key(address: str) -> str:
    """The identity of an address for duplicate detection: the whole address lower-cased.

    Targets treat ``Ann@Example.com`` and ``ann@example.com`` as one contact, so two records
    with those addresses are duplicates.
    """
    return address.lower()
