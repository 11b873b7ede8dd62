"""Text from other people, isolated for the screen: a sync name ending in an unterminated
U+202E (RIGHT-TO-LEFT OVERRIDE) must not reverse the words the page puts after it."""

from __future__ import annotations

from markupsafe import Markup, escape

from fieldsync.domain.wording import isolate

__all__ = ["bdi", "isolated"]


def bdi(value: object) -> Markup:
    """``value`` escaped inside ``<bdi>``: its direction and any control it leaves open
    end with it (HTML's bidi isolate)."""
    return Markup("<bdi>%s</bdi>") % escape(str(value))


def isolated(value: object) -> str:
    """``value`` between U+2068 and U+2069, for where no element may go: the page title,
    an ``<option>``, an attribute. Escaped by the template as usual."""
    return isolate(str(value))
