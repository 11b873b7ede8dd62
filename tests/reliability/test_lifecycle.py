"""Suite 6, the lifecycle under random sequences of user actions: a Hypothesis stateful test
drives the sync service on a fake clock (create, initiate, run, run_due, pause, resume,
edit, disable an integration, change the source, break the target) and checks against an
independent model that no illegal transition is accepted, that no run starts for a sync
that is not active, and that history and notifications stay consistent."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import attrs
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from fieldsync import SyncSpec
from fieldsync.domain.criteria import Criteria
from fieldsync.domain.mapping import FieldMapping
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.state import SyncState
from fieldsync.domain.sync import NotificationKind, RunStatus, SyncRun
from fieldsync.exceptions import AuthenticationError, InvalidTransitionError, StateError
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget, RecordingNotifier

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = "news"
MAPPING = FieldMapping.of(("email", "Contact Email"), ("first_name", "First Name"))
INTEGRATIONS = ("crm", "shop")

S = SyncState
# The lifecycle as the spec states it, written out again here so the test does not
# trust the table it checks: state -> action -> next state.
ALLOWED: dict[SyncState, dict[str, SyncState]] = {
    S.DRAFT: {"initiate": S.ACTIVE, "edit": S.DRAFT},
    S.ACTIVE: {"initiate": S.ACTIVE, "run": S.ACTIVE, "pause": S.PAUSED, "edit": S.ACTIVE},
    S.PAUSED: {"resume": S.ACTIVE, "initiate": S.ACTIVE, "edit": S.PAUSED},
    S.NEEDS_ATTENTION: {"initiate": S.ACTIVE, "edit": S.DRAFT},
    S.DISABLED: {},
}
FINAL_KIND = {
    RunStatus.COMPLETED: NotificationKind.RUN_COMPLETED,
    RunStatus.FAILED: NotificationKind.RUN_FAILED,
    RunStatus.DEFERRED: NotificationKind.RUN_DEFERRED,
}


class Lifecycle(RuleBasedStateMachine):
    syncs = Bundle("syncs")

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(START)
        self.store = InMemoryStore()
        self.notifier = RecordingNotifier()
        self.service = SyncService(
            store=self.store, notifier=self.notifier, clock=self.clock, worker_id="w"
        )
        self.sources = {name: FakeSource(clock=self.clock, page_size=4) for name in INTEGRATIONS}
        self.targets = {name: FakeTarget(max_batch=3) for name in INTEGRATIONS}
        for name in INTEGRATIONS:
            self.targets[name].create_list(LIST)
            self.sources[name].put("k0", {"email": "ann@example.com", "first_name": "Ann"})
            self.service.register_integration(
                name, source=self.sources[name], target=self.targets[name]
            )
        self.state: dict[str, SyncState] = {}
        self.integration: dict[str, str] = {}
        self.runs: Counter[str] = Counter()
        self.disabled: set[str] = set()

    # -- the model ------------------------------------------------------------------------

    def after_run(self, run: SyncRun) -> None:
        self.runs[run.sync_id] += 1
        if run.status is RunStatus.FAILED:
            self.state[run.sync_id] = S.NEEDS_ATTENTION

    def act(self, sync_id: str, action: str, call: object) -> None:
        """Do ``action`` and check it was accepted exactly when the model allows it."""
        before = self.state[sync_id]
        allowed = action in ALLOWED[before]
        runs_before = len(self.store.runs(sync_id))
        event(f"{action} in {before.value}")
        try:
            result = call() if callable(call) else None
        except InvalidTransitionError:
            assert not allowed, f"{action} refused in {before.value}"
            assert before is self.store.get_sync(sync_id).state
            assert runs_before == len(self.store.runs(sync_id))
            return
        assert allowed, f"{action} accepted in {before.value}"
        self.state[sync_id] = ALLOWED[before][action]
        if isinstance(result, SyncRun):
            self.after_run(result)

    # -- rules ------------------------------------------------------------------------------

    @rule(target=syncs, integration=st.sampled_from(INTEGRATIONS))
    def create(self, integration: str) -> str:
        try:
            sync = self.service.create_sync(
                integration,
                SyncSpec(
                    name="S", list_key=LIST, mapping=MAPPING, schedule=Schedule.every(hours=1)
                ),
            )
        except StateError:
            assert integration in self.disabled
            return ""
        assert integration not in self.disabled
        self.state[sync.id] = S.DRAFT
        self.integration[sync.id] = integration
        return sync.id

    @rule(sync_id=syncs)
    def initiate(self, sync_id: str) -> None:
        if sync_id:
            self.act(sync_id, "initiate", lambda: self.service.initiate(sync_id))

    @rule(sync_id=syncs)
    def run(self, sync_id: str) -> None:
        if sync_id:
            self.act(sync_id, "run", lambda: self.service.run(sync_id))

    @rule(sync_id=syncs)
    def pause(self, sync_id: str) -> None:
        if sync_id:
            self.act(sync_id, "pause", lambda: self.service.pause(sync_id))

    @rule(sync_id=syncs)
    def resume(self, sync_id: str) -> None:
        if sync_id:
            self.act(sync_id, "resume", lambda: self.service.resume(sync_id))

    @rule(sync_id=syncs, country=st.sampled_from(["IN", "US"]))
    def edit(self, sync_id: str, country: str) -> None:
        if sync_id:
            criteria = Criteria.parse(f'country != "{country}"')
            self.act(
                sync_id,
                "edit",
                lambda: self.service.edit(
                    sync_id, attrs.evolve(self.service.spec(sync_id), criteria=criteria)
                ),
            )

    @rule(hours=st.integers(0, 3))
    def run_due(self, hours: int) -> None:
        self.clock.advance(hours * 3600)
        before = dict(self.state)
        for run in self.service.run_due():
            assert before[run.sync_id] is S.ACTIVE, f"a run started for a {before[run.sync_id]}"
            event(f"run_due ran a sync, {run.status.value}")
            self.after_run(run)

    @rule(integration=st.sampled_from(INTEGRATIONS))
    def disable(self, integration: str) -> None:
        if integration in self.disabled:
            return
        impact = self.service.disable_integration(integration, confirm=True)
        assert impact.confirmed
        self.disabled.add(integration)
        for sync_id, name in self.integration.items():
            if name == integration:
                self.state[sync_id] = S.DISABLED

    @rule(integration=st.sampled_from(INTEGRATIONS), n=st.integers(0, 6))
    def change_source(self, integration: str, n: int) -> None:
        self.sources[integration].put(f"k{n}", {"email": f"p{n}@example.com", "first_name": "X"})

    @rule(integration=st.sampled_from(INTEGRATIONS))
    def break_target(self, integration: str) -> None:
        self.targets[integration].fail_next_upsert(AuthenticationError("token revoked"))

    # -- invariants -------------------------------------------------------------------------

    @invariant()
    def states_and_run_counts_match_the_model(self) -> None:
        for sync_id, state in self.state.items():
            assert state is self.store.get_sync(sync_id).state
            assert self.runs[sync_id] == len(self.store.runs(sync_id))

    @invariant()
    def every_run_is_finished_and_newest_first(self) -> None:
        for sync_id in self.state:
            history = self.store.runs(sync_id)
            assert all(run.status is not RunStatus.RUNNING for run in history)
            assert all(run.finished_at is not None for run in history)
            starts = [run.started_at for run in history]
            assert sorted(starts, reverse=True) == starts

    @invariant()
    def every_finished_run_has_exactly_one_notification_of_its_kind(self) -> None:
        inbox = self.store.notifications()
        assert [n.id for n in reversed(inbox)] == [n.id for n in self.notifier.sent]
        by_run = Counter((n.run_id, n.kind) for n in inbox if n.run_id is not None)
        for sync_id in self.state:
            for run in self.store.runs(sync_id):
                kind = FINAL_KIND.get(run.status)
                assert kind is None or by_run[(run.id, kind)] == 1, run
        known = {run.id for sync_id in self.state for run in self.store.runs(sync_id)}
        assert {run_id for run_id, _ in by_run} <= known


TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
