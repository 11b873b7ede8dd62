"""Notes whether an adapter's credentials were rejected during a command.

A run catches ``AuthenticationError`` and ends failed, so the command sees a failed run,
not the error. The CLI hands the service its adapters wrapped in :class:`Watched`, which
notes the error on its way through; a run that failed for that reason then exits with the
same code as a command that raised it (``ExitCode.CREDENTIALS``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import attrs

from fieldsync.exceptions import AuthenticationError

__all__ = ["CredentialsWatch", "watched"]

T = TypeVar("T")


@attrs.define
class CredentialsWatch:
    """Set once any watched adapter raised ``AuthenticationError``."""

    rejected: bool = False


def watched(adapter: T, watch: CredentialsWatch) -> T:
    """``adapter`` behind a proxy that notes rejected credentials in ``watch``."""
    return Watched(adapter, watch)  # type: ignore[return-value]  # a transparent proxy


class Watched:
    """A transparent proxy: every attribute is the adapter's; calls (and the iterators
    they return, such as ``Source.read``'s pages) note ``AuthenticationError``."""

    def __init__(self, adapter: object, watch: CredentialsWatch) -> None:
        self._adapter = adapter
        self._watch = watch

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._adapter, name)
        return self._wrap(value) if callable(value) else value

    def __repr__(self) -> str:
        return repr(self._adapter)

    def _wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        watch = self._watch

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = method(*args, **kwargs)
            except AuthenticationError:
                watch.rejected = True
                raise
            return _iterate(result, watch) if isinstance(result, Iterator) else result

        return call


def _iterate(items: Iterator[T], watch: CredentialsWatch) -> Iterator[T]:
    try:
        yield from items
    except AuthenticationError:
        watch.rejected = True
        raise
