"""What screens read of an integration's adapters (the live schemas, the target's lists,
the credentials described), each kept for a short time so that a page, its form and the
check of that form ask the app once. The service forgets an integration's entries when it
changes something there itself (a field created at initiate, adapters registered again,
the integration disabled)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol, TypeVar, runtime_checkable

from fieldsync.ports import Clock

__all__ = ["ListsMailingLists", "MailingListLike", "ReadCache", "mailing_lists_of"]

T = TypeVar("T")


class MailingListLike(Protocol):
    """A target's list as :class:`ListsMailingLists` hands it out: its key and its name."""

    @property
    def key(self) -> str:
        """What a sync's ``list_key`` names."""
        ...

    @property
    def name(self) -> str:
        """What people call it."""
        ...


@runtime_checkable
class ListsMailingLists(Protocol):
    """A target that can list its mailing lists (Zoho Campaigns can; the ``Target`` port
    does not require it). With one, :meth:`SyncService.mailing_lists` names them and
    :meth:`SyncService.check` refuses a list key that is not among them."""

    def lists(self) -> Iterable[MailingListLike]:
        """Every list of the target's account."""
        ...


def mailing_lists_of(target: object) -> dict[str, str] | None:
    """Key -> name of ``target``'s lists, or ``None`` when it cannot list them."""
    # a protocol check sees only that ``lists`` exists (FakeTarget's is a dictionary)
    if not isinstance(target, ListsMailingLists) or not callable(target.lists):
        return None
    return {str(found.key): str(found.name) for found in target.lists()}


class ReadCache:
    """Values read from adapters, by integration and kind, each kept for ``ttl`` on
    ``clock``. Thread-safe; two threads that miss together may both read."""

    def __init__(self, clock: Clock, ttl: timedelta) -> None:
        if ttl < timedelta(0):
            raise ValueError(f"the read models' time to live cannot be negative, not {ttl}")
        self._clock, self._ttl = clock, ttl
        self._kept: dict[tuple[str, str], tuple[datetime, object]] = {}
        self._lock = threading.Lock()

    def get(self, integration: str, kind: str, read: Callable[[], T]) -> T:
        """The kept value of ``kind`` for ``integration``, or ``read()`` kept anew."""
        key = (integration, kind)
        now = self._clock.now()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]  # type: ignore[return-value]  # stored by this method as a T
        value = read()
        with self._lock:
            self._kept[key] = (now, value)
        return value

    def forget(self, integration: str) -> None:
        """Drop everything kept for ``integration``."""
        with self._lock:
            for key in [k for k in self._kept if k[0] == integration]:
                del self._kept[key]
