import itertools

import pytest

from fieldsync.domain.state import SyncAction, SyncState, allowed_actions, transition
from fieldsync.exceptions import InvalidTransitionError, StateError

D, A, P, N, X = (
    SyncState.DRAFT,
    SyncState.ACTIVE,
    SyncState.PAUSED,
    SyncState.NEEDS_ATTENTION,
    SyncState.DISABLED,
)

# The lifecycle written out again, independently of the module's table, as the spec states it.
EXPECTED: dict[tuple[SyncState, SyncAction], SyncState] = {
    (D, SyncAction.INITIATE): A,
    (D, SyncAction.EDIT): D,
    (D, SyncAction.DISABLE): X,
    (A, SyncAction.INITIATE): A,
    (A, SyncAction.RUN): A,
    (A, SyncAction.PAUSE): P,
    (A, SyncAction.EDIT): A,
    (A, SyncAction.FLAG): N,
    (A, SyncAction.DISABLE): X,
    (P, SyncAction.RESUME): A,
    (P, SyncAction.INITIATE): A,
    (P, SyncAction.EDIT): P,
    (P, SyncAction.DISABLE): X,
    (N, SyncAction.INITIATE): A,
    (N, SyncAction.EDIT): D,
    (N, SyncAction.FLAG): N,
    (N, SyncAction.DISABLE): X,
}
REFUSED = [move for move in itertools.product(SyncState, SyncAction) if move not in EXPECTED]


@pytest.mark.parametrize(("state", "action"), list(EXPECTED), ids=lambda v: v.value)
def test_an_allowed_action_moves_the_sync_to_the_state_in_the_table(
    state: SyncState, action: SyncAction
) -> None:
    assert EXPECTED[state, action] == transition(state, action)


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: v.value)
def test_an_action_missing_from_the_table_is_refused(state: SyncState, action: SyncAction) -> None:
    with pytest.raises(InvalidTransitionError):
        transition(state, action)


@pytest.mark.parametrize("state", list(SyncState), ids=lambda v: v.value)
def test_allowed_actions_are_exactly_the_actions_of_the_table(state: SyncState) -> None:
    expected = frozenset(action for (s, action) in EXPECTED if s is state)

    assert expected == allowed_actions(state)


def test_the_tables_cover_every_pair_of_state_and_action() -> None:
    assert len(SyncState) * len(SyncAction) == len(EXPECTED) + len(REFUSED)


def test_disabled_accepts_no_action() -> None:
    assert frozenset() == allowed_actions(SyncState.DISABLED)


def test_a_refused_move_names_the_state_and_the_action() -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        transition(SyncState.PAUSED, SyncAction.PAUSE)

    expected = ("paused", "pause")

    assert expected == (caught.value.state, caught.value.action)


def test_a_refused_move_names_the_sync_when_its_id_is_given() -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        transition(SyncState.DISABLED, SyncAction.RESUME, sync_id="s-42")

    expected = "cannot resume sync 's-42' that is disabled"

    assert expected == str(caught.value)


def test_a_refused_move_without_an_id_has_no_sync_id() -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        transition(SyncState.DRAFT, SyncAction.RUN)

    assert caught.value.sync_id is None


def test_invalid_transition_is_a_state_error() -> None:
    with pytest.raises(StateError):
        transition(SyncState.DRAFT, SyncAction.PAUSE)


def test_state_values_are_the_names_stores_and_the_cli_show() -> None:
    expected = ["draft", "active", "paused", "needs_attention", "disabled"]

    assert expected == [state.value for state in SyncState]


def test_action_values_are_the_verbs_errors_use() -> None:
    expected = ["initiate", "run", "pause", "resume", "edit", "flag", "disable"]

    assert expected == [action.value for action in SyncAction]
