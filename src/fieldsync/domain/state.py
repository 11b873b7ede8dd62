"""The lifecycle of a sync: its states, the actions on it, and which action goes where.

The whole lifecycle is one table, ``_TRANSITIONS``; :func:`transition` looks a move up in it
and :func:`allowed_actions` lists what a state accepts (for a user interface's buttons).
``docs/lifecycle.md`` draws the table.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from fieldsync.domain.errors import InvalidTransitionError

__all__ = ["SyncAction", "SyncState", "allowed_actions", "transition"]


class SyncState(enum.Enum):
    """Where a sync is in its lifecycle. The value is what stores and the CLI show."""

    # Created or edited, not yet initiated: nothing runs. Its mapping may not even fit yet.
    DRAFT = "draft"
    # Initiated: runs on its schedule, and by hand.
    ACTIVE = "active"
    # Paused by a person: no runs until resumed; a run in flight stops at a batch boundary.
    PAUSED = "paused"
    # A run hit something only a person can fix (credentials revoked, list deleted).
    NEEDS_ATTENTION = "needs_attention"
    # Switched off for good (its integration was disabled). Terminal; history is kept.
    DISABLED = "disabled"


class SyncAction(enum.Enum):
    """What can be done to a sync. The value names the action in errors and logs."""

    # Validate the configuration (applying a pending edit) and start the first run.
    INITIATE = "initiate"
    # Run once now, by hand or because the schedule says it is due.
    RUN = "run"
    # Stop running until resumed.
    PAUSE = "pause"
    # Run again on the schedule after a pause.
    RESUME = "resume"
    # Make a new configuration version; the next initiate applies it.
    EDIT = "edit"
    # Mark the sync as needing a person's attention (a fatal error in a run).
    FLAG = "flag"
    # Switch the sync off for good.
    DISABLE = "disable"


_S = SyncState
_A = SyncAction

# The lifecycle. A move that is not in here is refused. Read-only so no caller can
# quietly widen it.
_TRANSITIONS: Mapping[SyncState, Mapping[SyncAction, SyncState]] = MappingProxyType(
    {
        _S.DRAFT: MappingProxyType(
            {_A.INITIATE: _S.ACTIVE, _A.EDIT: _S.DRAFT, _A.DISABLE: _S.DISABLED}
        ),
        _S.ACTIVE: MappingProxyType(
            {
                # Initiating again is how a pending edit of an active sync takes effect.
                _A.INITIATE: _S.ACTIVE,
                _A.RUN: _S.ACTIVE,
                _A.PAUSE: _S.PAUSED,
                # An edit is only pending; the sync keeps running its current version.
                _A.EDIT: _S.ACTIVE,
                _A.FLAG: _S.NEEDS_ATTENTION,
                _A.DISABLE: _S.DISABLED,
            }
        ),
        _S.PAUSED: MappingProxyType(
            {
                _A.RESUME: _S.ACTIVE,
                _A.INITIATE: _S.ACTIVE,
                _A.EDIT: _S.PAUSED,
                _A.DISABLE: _S.DISABLED,
            }
        ),
        _S.NEEDS_ATTENTION: MappingProxyType(
            {
                # Initiating again re-validates everything, so it is the way out once fixed.
                _A.INITIATE: _S.ACTIVE,
                # An edit sends the sync back to draft: it must be initiated again.
                _A.EDIT: _S.DRAFT,
                # A second fatal error while it already waits for a person changes nothing.
                _A.FLAG: _S.NEEDS_ATTENTION,
                _A.DISABLE: _S.DISABLED,
            }
        ),
        _S.DISABLED: MappingProxyType({}),
    }
)


def transition(state: SyncState, action: SyncAction, *, sync_id: str | None = None) -> SyncState:
    """The state a sync in ``state`` moves to when ``action`` is done to it.

    Args:
        state: the sync's current state.
        action: what is being done.
        sync_id: the sync's id, only to name it in the error.

    Returns:
        The new state (which may be ``state`` itself, as for a run of an active sync).

    Raises:
        InvalidTransitionError: ``state`` does not accept ``action``; its ``.state`` and
            ``.action`` are the two enum values.
    """
    try:
        return _TRANSITIONS[state][action]
    except KeyError:
        raise InvalidTransitionError(state.value, action.value, sync_id=sync_id) from None


def allowed_actions(state: SyncState) -> frozenset[SyncAction]:
    """The actions ``state`` accepts (empty for :attr:`SyncState.DISABLED`)."""
    return frozenset(_TRANSITIONS[state])
