"""The errors the pure domain raises, and the root of every fieldsync error.

They live here so that ``domain/`` depends on nothing else of fieldsync; the whole tree,
these included, is drawn and re-exported by :mod:`fieldsync.exceptions`, which is where
users import them from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fieldsync.domain.criteria import CriteriaProblem
    from fieldsync.domain.mapping import MappingProblem

__all__ = [
    "ConfigurationError",
    "CriteriaError",
    "CriteriaSyntaxError",
    "FieldSyncError",
    "InvalidTransitionError",
    "MappingError",
    "Problem",
    "ScheduleError",
    "StateError",
]


class FieldSyncError(Exception):
    """The root of every error fieldsync raises."""


# -- configuration -------------------------------------------------------------------------


class ConfigurationError(FieldSyncError):
    """The configuration is wrong; retrying without changing it will fail again."""


class MappingError(ConfigurationError):
    """A field mapping does not fit the source and target schemas.

    ``problems`` lists every problem found, not just the first.
    """

    def __init__(self, problems: Sequence[MappingProblem]) -> None:
        self.problems: tuple[MappingProblem, ...] = tuple(problems)
        lines = "; ".join(f"{p.code}: {p.message}" for p in self.problems)
        super().__init__(f"the field mapping has {len(self.problems)} problem(s): {lines}")


class CriteriaSyntaxError(ConfigurationError):
    """Criteria text that does not parse. ``position`` is the 0-based character offset."""

    def __init__(self, message: str, *, text: str, position: int) -> None:
        self.text = text
        self.position = position
        self.reason = message
        pointer = " " * position + "^"
        super().__init__(f"{message} at position {position}:\n  {text}\n  {pointer}")


class CriteriaError(ConfigurationError):
    """Criteria that parse but do not fit the source schema (unknown field, bad operator)."""

    def __init__(self, problems: Sequence[CriteriaProblem]) -> None:
        self.problems: tuple[CriteriaProblem, ...] = tuple(problems)
        lines = "; ".join(f"{p.code}: {p.message}" for p in self.problems)
        super().__init__(f"the criteria have {len(self.problems)} problem(s): {lines}")


class Problem(Protocol):
    """Anything wrong with a configuration: a stable ``code`` and a ``message`` for people."""

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...


class ScheduleError(ConfigurationError):
    """A schedule that cannot be built (bad time, unknown time zone, bad interval)."""


# -- state ---------------------------------------------------------------------------------


class StateError(FieldSyncError):
    """The action does not fit the current state of the sync."""


class InvalidTransitionError(StateError):
    """A lifecycle move that the sync's state does not allow."""

    def __init__(self, state: str, action: str, *, sync_id: str | None = None) -> None:
        self.state = state
        self.action = action
        self.sync_id = sync_id
        who = f"sync {sync_id!r}" if sync_id else "a sync"
        super().__init__(f"cannot {action} {who} that is {state}")
