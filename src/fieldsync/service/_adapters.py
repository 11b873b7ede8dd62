"""The adapters a service is given: checking them against their port, and closing them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import typing_extensions

from fieldsync.ports import SupportsClose

__all__ = ["close_each", "missing_methods"]

_log = logging.getLogger("fieldsync.service")


def missing_methods(adapter: object, port: type) -> list[str]:
    """The port's methods that ``adapter`` lacks (or has but cannot call), sorted."""
    members = typing_extensions.get_protocol_members(port)
    return sorted(m for m in members if not callable(getattr(adapter, m, None)))


def close_each(things: Iterable[object]) -> None:
    """Call ``close()`` on each of ``things`` that has one, in order. One that raises is
    logged and the others are still closed; then the first error is raised."""
    first: Exception | None = None
    for thing in things:
        if not isinstance(thing, SupportsClose):
            continue
        try:
            thing.close()
        except Exception as exc:
            _log.warning("closing %r failed", thing, exc_info=True)
            first = first or exc
    if first is not None:
        raise first
