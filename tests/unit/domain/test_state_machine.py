"""A stateful Hypothesis test: random actions on a sync, checked against the lifecycle rules."""

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fieldsync.domain.state import SyncAction, SyncState, allowed_actions, transition
from fieldsync.exceptions import InvalidTransitionError

LIFECYCLE_STATES = frozenset(
    {
        SyncState.DRAFT,
        SyncState.ACTIVE,
        SyncState.PAUSED,
        SyncState.NEEDS_ATTENTION,
        SyncState.DISABLED,
    }
)


class Lifecycle(RuleBasedStateMachine):
    """A model sync that starts as a draft and takes whatever action Hypothesis picks."""

    def __init__(self) -> None:
        super().__init__()
        self.state = SyncState.DRAFT
        self.was_disabled = False

    @rule(action=st.sampled_from(SyncAction))
    def act(self, action: SyncAction) -> None:
        before = self.state
        if action not in allowed_actions(before):
            # A refused move raises, names what was refused where, and leaves the model as is.
            with pytest.raises(InvalidTransitionError) as refused:
                self.state = transition(before, action, sync_id="s1")
            assert (before.value, action.value) == (refused.value.state, refused.value.action)
            assert before is self.state
            return
        after = transition(before, action, sync_id="s1")
        if action in (SyncAction.PAUSE, SyncAction.RUN):
            assert before is SyncState.ACTIVE
        if action is SyncAction.RESUME:
            assert before is SyncState.PAUSED
        self.state = after
        self.was_disabled = self.was_disabled or after is SyncState.DISABLED

    @invariant()
    def disabled_is_terminal(self) -> None:
        if self.was_disabled:
            assert self.state is SyncState.DISABLED

    @invariant()
    def the_state_is_one_of_the_lifecycle(self) -> None:
        assert self.state in LIFECYCLE_STATES

    @invariant()
    def only_an_active_sync_accepts_pause_and_run(self) -> None:
        accepts = allowed_actions(self.state)
        is_active = self.state is SyncState.ACTIVE
        assert (is_active, is_active) == (SyncAction.PAUSE in accepts, SyncAction.RUN in accepts)

    @invariant()
    def every_state_but_disabled_can_be_disabled(self) -> None:
        assert (self.state is not SyncState.DISABLED) == (
            SyncAction.DISABLE in allowed_actions(self.state)
        )


TestLifecycle = Lifecycle.TestCase
