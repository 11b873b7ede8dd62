"""``with`` support for the objects that hold connections: one mixin, so every one of them
enters and exits the same way."""

from __future__ import annotations

from types import TracebackType
from typing import Self

__all__ = ["Closeable"]


class Closeable:
    """Makes ``with obj:`` call ``obj.close()`` on the way out. Subclasses define ``close``."""

    def close(self) -> None:
        """Release what this object holds. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
