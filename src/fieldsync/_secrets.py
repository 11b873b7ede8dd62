"""Recognising secrets in text that fieldsync did not write itself."""

from __future__ import annotations

import re

__all__ = ["SENSITIVE_PARAMS", "redact_text"]

#: Query or form parameters whose values are credentials (Zoho's revoke call takes
#: ``token=`` in its query, the token endpoint ``refresh_token`` and ``client_secret``).
SENSITIVE_PARAMS = frozenset({"token", "refresh_token", "access_token", "client_secret", "code"})

_MARK = "REDACTED"
# name=value pairs (query strings, form bodies) and authorization schemes in free text
_SECRET_PAIR = re.compile(
    r"(?i)\b("
    + "|".join(sorted(SENSITIVE_PARAMS | {"password", "secret", "api_key"}))
    + r")=[^&\s'\"]+"
)
_SECRET_SCHEME = re.compile(r"(?i)\b(Zoho-oauthtoken|Bearer|Basic)\s+[^\s'\"]+")


def redact_text(text: str) -> str:
    """``text`` with secret-looking query values and authorization credentials replaced.

    For messages fieldsync did not write itself (an exception from a custom adapter, say)
    before they are stored in a run's history or sent in a notification.
    """
    text = _SECRET_PAIR.sub(lambda m: f"{m.group(1)}={_MARK}", text)
    return _SECRET_SCHEME.sub(lambda m: f"{m.group(1)} {_MARK}", text)
