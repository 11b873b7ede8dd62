"""Recognising secrets in text: by pattern, and by the values fieldsync holds.

Patterns catch what looks like a credential (``Zoho-oauthtoken X``, ``token=X``) in text
fieldsync did not write itself. They cannot catch a bare value: an API error that quotes
the access token it was sent ("invalid request for 1000.8c2f...") names no scheme. So the
secrets fieldsync holds are also registered here, by value, and :func:`redact_text`
replaces each wherever it appears.

The registry is process-wide, like logging: a secret one part of the process knows (the
OAuth client of an integration, the store's password) must be scrubbed from whatever
another part stores, logs or prints (a run's error, a CLI line, a log record from httpx).
Who registers: ``ZohoOAuth`` (client secret, refresh token, every access token it mints
or takes from the cache), the stores (the database password of their URL), the webhook
notifier (its signing secret; its URL is kept out of logs by the httpx log filter, and
shown as its host only). Values shorter than
:data:`MIN_SECRET_LENGTH` are never registered: they would scrub ordinary words.

What it keeps: lasting secrets (client secrets, refresh tokens, passwords) for the life of
the process, as the configuration that holds them does anyway; access tokens, which live an
hour, among the last :data:`TRANSIENT_SECRETS` registered only (the older ones have expired
long since). The values are kept nowhere else, and never shown: ``repr`` gives counts.

Logging: once a secret is registered, a log record factory scrubs every record's message,
arguments and traceback before any filter or handler sees it, whatever logger it comes from.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from urllib.parse import quote

__all__ = [
    "MIN_SECRET_LENGTH",
    "SECRETS",
    "SENSITIVE_PARAMS",
    "TRANSIENT_SECRETS",
    "SecretValues",
    "redact_text",
    "register_secret",
]

SENSITIVE_PARAMS = frozenset({"token", "refresh_token", "access_token", "client_secret", "code"})
"""Query or form parameters whose values are credentials (Zoho's revoke call takes
``token=`` in its query, the token endpoint ``refresh_token`` and ``client_secret``)."""

#: Shorter values are not registered: scrubbing them would scrub ordinary words.
MIN_SECRET_LENGTH = 8

#: How many short-lived secrets (access tokens) the registry keeps, the newest.
TRANSIENT_SECRETS = 256

_MARK = "REDACTED"
# name=value pairs (query strings, form bodies) and authorization schemes in free text
_SECRET_PAIR = re.compile(
    r"(?i)\b("
    + "|".join(sorted(SENSITIVE_PARAMS | {"password", "secret", "api_key"}))
    + r")=[^&\s'\"]+"
)
_SECRET_SCHEME = re.compile(r"(?i)\b(Zoho-oauthtoken|Bearer|Basic)\s+[^\s'\"]+")


class SecretValues:
    """A set of secret values, replaced by ``REDACTED`` wherever :meth:`redact` finds them.
    Thread-safe. :data:`SECRETS` is the process's own; tests make their own."""

    def __init__(self, *, transient_limit: int = TRANSIENT_SECRETS) -> None:
        self._lock = threading.Lock()
        self._lasting: set[str] = set()
        self._transient: OrderedDict[str, None] = OrderedDict()
        self._limit = transient_limit
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str, *, transient: bool = False) -> bool:
        """Register ``value`` (and its URL-encoded form, when that differs); return whether
        it is registered, which a value shorter than :data:`MIN_SECRET_LENGTH` is not.

        Args:
            value: the secret.
            transient: a short-lived secret (an access token): only the newest
                ``transient_limit`` of them are kept.
        """
        if len(value) < MIN_SECRET_LENGTH:
            return False
        forms = {value, quote(value, safe="")}
        with self._lock:
            if transient:
                for form in forms:
                    self._transient[form] = None
                    self._transient.move_to_end(form)
                while len(self._transient) > self._limit:
                    self._transient.popitem(last=False)
            else:
                self._lasting |= forms
            self._pattern = None
        return True

    def redact(self, text: str) -> str:
        """``text`` with every registered value replaced by ``REDACTED``."""
        pattern = self._compiled()
        if pattern is None or not text:
            return text
        return pattern.sub(_MARK, text)

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and (self._lasting or self._transient):
                # longest first: a value that contains another is replaced whole
                values = sorted(self._lasting.union(self._transient), key=len, reverse=True)
                self._pattern = re.compile("|".join(map(re.escape, values)))
            return self._pattern

    def __len__(self) -> int:
        with self._lock:
            return len(self._lasting.union(self._transient))

    def __repr__(self) -> str:
        with self._lock:
            return f"SecretValues(lasting={len(self._lasting)}, transient={len(self._transient)})"


SECRETS = SecretValues()
"""The secret values this process holds (see the module's docstring)."""


def register_secret(value: str, *, transient: bool = False) -> None:
    """Register a secret this process holds in :data:`SECRETS`, so that
    :func:`redact_text` and every log record scrub it by value. Values shorter than
    :data:`MIN_SECRET_LENGTH` are ignored. ``transient``: a short-lived secret (an access
    token)."""
    if SECRETS.add(value, transient=transient):
        _install_log_scrub()


def redact_text(text: str) -> str:
    """``text`` with the secrets this process holds (by value), secret-looking query values
    and authorization credentials (by pattern) replaced.

    For every text fieldsync stores, sends or prints that may quote someone else's words:
    an error from an API or a custom adapter before it is kept in a run's history or sent
    in a notification, a reason a record was refused, a line the CLI prints.
    """
    text = SECRETS.redact(text)
    text = _SECRET_PAIR.sub(lambda m: f"{m.group(1)}={_MARK}", text)
    return _SECRET_SCHEME.sub(lambda m: f"{m.group(1)} {_MARK}", text)


_INSTALL_LOCK = threading.Lock()
_installed = False


def _install_log_scrub() -> None:
    """Wrap the log record factory, once: each new record's message and traceback are
    scrubbed of the registered values before any filter or handler sees them."""
    global _installed
    with _INSTALL_LOCK:
        if _installed:
            return
        make = logging.getLogRecordFactory()

        def scrubbed(*args: object, **kwargs: object) -> logging.LogRecord:
            record = make(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(scrubbed)
        _installed = True


_FORMATTER = logging.Formatter()


def _scrubbed_arg(arg: object) -> object:
    """``arg`` itself, or its text without the registered secrets when it holds one (an
    exception quoting an API's answer, say)."""
    if arg is None or isinstance(arg, int | float):
        return arg
    try:
        text = str(arg)
    except Exception:  # a broken __str__: logging reports it later, as it would
        return arg
    clean = SECRETS.redact(text)
    return arg if clean == text else clean


def _scrub(record: logging.LogRecord) -> None:
    # Argument by argument, rather than the formatted message: the arguments stay for
    # handlers that read them, and filters that rewrite an argument (httpx's URLs, see
    # fieldsync.redaction) still find the ones that hold no registered secret.
    if isinstance(record.msg, str):
        record.msg = SECRETS.redact(record.msg)
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(_scrubbed_arg(arg) for arg in args)
    elif isinstance(args, Mapping):
        record.args = {key: _scrubbed_arg(value) for key, value in args.items()}
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = _FORMATTER.formatException(record.exc_info)
        clean = SECRETS.redact(text)
        if clean != text:  # else left to the handler's own formatter, as before
            record.exc_text = clean
