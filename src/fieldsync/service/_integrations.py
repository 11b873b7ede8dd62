"""Where a service finds an integration's source and target: registered ones, and ones a
resolver builds on demand from the user's own credential storage (a fleet cannot register
thousands of organizations at start).

Adapters that can share their quota (:class:`~fieldsync.ports.SharesQuota`: the Zoho ones)
are given the service's store as they are registered or resolved, before any call: so every
process on that store books its calls and keeps its tokens in it, unless an adapter was
built with a ledger of its own.

Resolved integrations are kept in a small LRU cache so that a worker running the same
organization's syncs again reuses its HTTP clients and tokens. One that falls out of the
cache (or is forgotten) is closed, but never under a run that still uses it: closing waits
until its last user is done.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Protocol

import attrs

from fieldsync.exceptions import NotFoundError
from fieldsync.ports import QuotaStore, SharesQuota, Source, SupportsClose, Target

__all__ = ["Integration", "IntegrationAdapters", "IntegrationResolver", "Integrations"]

_log = logging.getLogger("fieldsync.service")


@attrs.frozen
class Integration:
    """An integration's adapters: where records come from and where contacts go.

    What a resolver returns (any object with ``source`` and ``target`` attributes does).
    """

    source: Source
    target: Target


class IntegrationAdapters(Protocol):
    """What a resolver returns: anything with a ``source`` and a ``target`` (an
    :class:`Integration`, or the user's own object, closed with its ``close()`` if it has
    one, else through its adapters')."""

    @property
    def source(self) -> Source: ...

    @property
    def target(self) -> Target: ...


IntegrationResolver = Callable[[str], IntegrationAdapters | None]
"""Builds an integration's adapters from its name, or returns ``None`` for an unknown name."""


@attrs.define
class _Resolved:
    adapters: Integration
    owner: IntegrationAdapters  # what the resolver returned: closed when it can be
    users: int = 0
    evicted: bool = False


class Integrations:
    """Registered integrations first, then a resolver's, cached.

    Args:
        resolver: builds an integration from its name (``None`` for an unknown one).
        cache_size: resolved integrations kept open at most (least recently used go first).
        quota: the store that adapters able to share their quota book in (the service's,
            when it is a quota store); ``None`` leaves them as they were built.
    """

    def __init__(
        self,
        resolver: IntegrationResolver | None = None,
        *,
        cache_size: int = 32,
        quota: QuotaStore | None = None,
    ):
        if cache_size < 1:
            raise ValueError(f"cache_size must be at least 1, not {cache_size}")
        self._quota = quota
        self._registered: dict[str, Integration] = {}
        self._resolver = resolver
        self._cache: OrderedDict[str, _Resolved] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """The registered names (resolvable ones are not known in advance)."""
        return sorted(self._registered)

    def registered(self, name: str) -> bool:
        """Whether ``name`` was registered (rather than left to the resolver)."""
        return name in self._registered

    @property
    def resolves(self) -> bool:
        """Whether a resolver may know names that were not registered."""
        return self._resolver is not None

    def register(self, name: str, source: Source, target: Target) -> None:
        """Register (or replace) an integration's adapters.

        Raises:
            TypeError: ``source`` or ``target`` does not implement its port.
        """
        self._drop_resolved(name)  # a registration wins over a resolved copy
        adapters = _checked(source, target)
        _share_quota(adapters, self._quota)
        self._registered[name] = adapters

    @contextlib.contextmanager
    def use(self, name: str) -> Iterator[Integration]:
        """The integration's adapters (resolved when needed), kept open until the block
        ends.

        Raises:
            NotFoundError: neither registered nor known to the resolver.
            TypeError: the resolver returned something that is not a source and a target.
        """
        registered = self._registered.get(name)
        if registered is not None:
            yield registered
            return
        entry = self._resolve(name)
        try:
            yield entry.adapters
        finally:
            with self._lock:
                entry.users -= 1
                close = entry.evicted and entry.users == 0
            if close:
                _close(name, entry.owner)

    def forget(self, name: str) -> None:
        """Drop a resolved copy of ``name`` (closed once no run uses it) and its
        registration."""
        self._registered.pop(name, None)
        self._drop_resolved(name)

    def close(self) -> None:
        """Close every resolved integration no run uses (the rest close when done)."""
        with self._lock:
            entries = list(self._cache.items())
            self._cache.clear()
            idle = [(name, entry) for name, entry in entries if self._retire(entry)]
        for name, entry in idle:
            _close(name, entry.owner)

    def _drop_resolved(self, name: str) -> None:
        with self._lock:
            entry = self._cache.pop(name, None)
            close = entry is not None and self._retire(entry)
        if close:
            assert entry is not None
            _close(name, entry.owner)

    def _resolve(self, name: str) -> _Resolved:
        with self._lock:
            entry = self._cache.get(name)
            if entry is not None:
                self._cache.move_to_end(name)
                entry.users += 1
                return entry
        if self._resolver is None:
            raise NotFoundError("integration", name)
        # outside the lock: resolving may be slow (a vault, a database)
        owner = self._resolver(name)
        if owner is None:
            raise NotFoundError("integration", name)
        adapters = _checked(owner.source, owner.target)
        _share_quota(adapters, self._quota)  # before the caller makes a call
        fresh = _Resolved(adapters, owner, users=1)
        to_close: list[tuple[str, IntegrationAdapters]] = []
        with self._lock:
            raced = self._cache.get(name)
            if raced is not None:
                # another thread resolved it meanwhile: use theirs, close ours
                raced.users += 1
                self._cache.move_to_end(name)
                to_close.append((name, owner))
                entry = raced
            else:
                self._cache[name] = entry = fresh
                while len(self._cache) > self._size:
                    old_name, old = self._cache.popitem(last=False)
                    if self._retire(old):
                        to_close.append((old_name, old.owner))
        for old_name, old_owner in to_close:
            _close(old_name, old_owner)
        return entry

    @staticmethod
    def _retire(entry: _Resolved) -> bool:
        # called under the lock: whether the entry can be closed now
        entry.evicted = True
        return entry.users == 0


def _checked(source: object, target: object) -> Integration:
    if not isinstance(source, Source) or not isinstance(target, Target):
        raise TypeError("source must implement fieldsync.ports.Source, target Target")
    return Integration(source, target)


def _share_quota(adapters: Integration, store: QuotaStore | None) -> None:
    """Give ``store`` to the adapters that can book their calls and tokens in it (both
    Zoho adapters forward it to their shared ``ZohoOAuth``, which adopts it once)."""
    if store is None:
        return
    for adapter in (adapters.source, adapters.target):
        if isinstance(adapter, SharesQuota):
            adapter.share_quota(store)


def _close(name: str, owner: IntegrationAdapters) -> None:
    """Close what a resolver returned: its own ``close()``, else its source's and target's."""
    parts = [owner] if isinstance(owner, SupportsClose) else [owner.source, owner.target]
    for part in parts:
        if isinstance(part, SupportsClose):
            try:
                part.close()
            except Exception:
                # closing is tidying up: a failure must not fail the run that evicted it
                _log.warning("closing the adapters of integration %s failed", name, exc_info=True)
