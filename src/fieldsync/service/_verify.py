"""``SyncService.verify``: read the source in full and the list back, compare them with the
store's ledger (``fieldsync.domain.drift``), record what the list shows of consent, and,
when asked, repair: send again what is missing or differs, and apply the sync's policies
for deletions and email changes.

Reading is not checkpointed: it is cheap enough to start again. The list costs one
``getlistsubscribers`` call per 650 members and status (paced through the target's pacer,
so the shared ledger books each), the source one call per page; an interrupted verify
wrote nothing but the consent it had already read, which a second one reads the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from fieldsync._secrets import redact_text
from fieldsync.domain.drift import Expected, VerifyReport, compare
from fieldsync.domain.emails import email_key
from fieldsync.domain.mapping import MappingPlan
from fieldsync.domain.members import ListMember, MemberStatus
from fieldsync.domain.planner import Decision, DecisionKind, Planner, Prepared
from fieldsync.domain.records import BatchCommit, StoredFingerprint
from fieldsync.domain.sync import (
    OnSourceChange,
    RunCounts,
    RunStatus,
    RunTrigger,
    Sync,
    SyncRun,
)
from fieldsync.exceptions import ConfigurationError, InvalidConfigurationError
from fieldsync.ports import Clock, ListReader, Source, SyncStore, Target
from fieldsync.service._batch import contacts_to_send, tally
from fieldsync.service._preview import plan_config
from fieldsync.service._route import choose_route

__all__ = ["Verifier", "source_scan_due"]

_CHUNK = 500  # record keys a store lookup takes at once
_LISTED = (MemberStatus.ACTIVE, MemberStatus.UNSUBSCRIBED, MemberStatus.BOUNCED)


@attrs.frozen
class _Read:
    """The three views, read."""

    prepared: dict[str, Prepared]
    expected: list[Expected]
    source_emails: dict[str, str | None]
    stored: dict[str, StoredFingerprint]
    members: list[ListMember]


class Verifier:
    """Verifies and repairs one sync's list (see the module's docstring)."""

    def __init__(
        self, *, store: SyncStore, clock: Clock, ids: Callable[[], str], lease_ttl: timedelta
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._ttl = lease_ttl

    def verify(
        self,
        sync: Sync,
        source: Source,
        target: Target,
        *,
        owner: str,
        repair: bool,
        resend: bool = True,
    ) -> VerifyReport:
        """Compare, record consent, and repair when asked (under the sync's run lease);
        without ``resend`` the repair only applies the policies (a scheduled source scan)."""
        if not isinstance(target, ListReader):
            raise ConfigurationError(
                f"the target of integration {sync.integration!r} cannot read its lists back"
            )
        config = sync.config
        plan, problems = plan_config(config, source, target)
        if problems:
            raise InvalidConfigurationError(problems)
        planner = Planner.of(plan, config)
        checked_at = self._clock.now()
        read = self._read(sync, planner, source, target)
        strangers = {email_key(m.email) for m in read.members} - {
            email_key(e.email) for e in read.expected
        }
        owners = (
            self._store.claimed_emails(sync.id, f"verify:{uuid.uuid4().hex}", strangers)
            if strangers
            else {}
        )
        assert plan.email_target is not None  # a plan without problems maps the email
        found = compare(
            read.expected,
            read.stored,
            read.members,
            owners,
            read.source_emails,
            email_field=plan.email_target,
        )
        readable = {name for m in read.members for name in m.values}
        unreadable = tuple(
            pair.target
            for pair in config.mapping
            if pair.target not in readable and pair.target != plan.email_target
        )
        report = VerifyReport(
            sync_id=sync.id,
            list_key=config.list_key,
            checked_at=checked_at,
            members=len(read.members),
            records=len(read.expected),
            unreadable=unreadable if read.members else (),
            missing=found.missing,
            differing=found.differing,
            not_ours=found.not_ours,
            refused=found.refused,
            cleared=found.cleared,
            deleted=found.deleted,
            replaced=found.replaced,
            options=config.options,
        )
        consent = {**dict(report.refused), **dict.fromkeys(report.cleared)}
        if consent:
            self._store.set_consent(sync.id, consent)
        if not repair:
            return report
        trigger = RunTrigger.REPAIR if resend else RunTrigger.SOURCE_SCAN
        return self._repair(sync, report, read, plan, target, owner, trigger)

    def _read(self, sync: Sync, planner: Planner, source: Source, target: ListReader) -> _Read:
        prepared: dict[str, Prepared] = {}
        expected: list[Expected] = []
        source_emails: dict[str, str | None] = {}
        seen: set[str] = set()
        for page in source.read(since=None, resume=None):
            for record in page.records:
                item = planner.prepare(record)
                source_emails[item.key] = None if item.email is None else email_key(item.email)
                if item.skip is not None or item.email is None:
                    continue
                if email_key(item.email) in seen:
                    continue  # a duplicate address: the first record owns it, as in a run
                seen.add(email_key(item.email))
                prepared[item.key] = item
                expected.append(Expected(item.key, item.email, item.values))
        stored: dict[str, StoredFingerprint] = {}
        keys = list(prepared)
        for low in range(0, len(keys), _CHUNK):
            stored.update(self._store.fingerprints(sync.id, keys[low : low + _CHUNK]))
        members = [
            member
            for status in _LISTED
            for member in target.members(sync.config.list_key, status=status)
        ]
        return _Read(prepared, expected, source_emails, stored, members)

    def _repair(
        self,
        sync: Sync,
        report: VerifyReport,
        read: _Read,
        plan: MappingPlan,
        target: ListReader,
        owner: str,
        trigger: RunTrigger,
    ) -> VerifyReport:
        self._store.acquire_lease(sync.id, owner, now=self._clock.now(), ttl=self._ttl)
        try:
            run = self._send_again(sync, report, read, plan, target, owner, trigger)
        finally:
            self._store.release_lease(sync.id, owner)
        return attrs.evolve(report, repair=run.counts, repair_run=run.id)

    def _send_again(
        self,
        sync: Sync,
        report: VerifyReport,
        read: _Read,
        plan: MappingPlan,
        target: ListReader,
        owner: str,
        trigger: RunTrigger,
    ) -> SyncRun:
        """The repair, as a run in the history: missing contacts added again (``readded``),
        differing ones updated, the policies' addresses unsubscribed (``deleted``); a
        source scan only unsubscribes."""
        run = SyncRun(
            id=self._ids(),
            sync_id=sync.id,
            config_version=sync.config.version,
            trigger=trigger,
            started_at=self._clock.now(),
        )
        self._store.add_run(run)
        try:
            self._send(sync, report, read, plan, target, owner, run)
        except BaseException as exc:
            # the run says how far it got; the next verify finds what is left
            run.status = RunStatus.FAILED
            run.error = redact_text(str(exc)) or type(exc).__name__
            run.finished_at = self._clock.now()
            self._store.save_run(run)
            raise
        run.status = RunStatus.COMPLETED
        run.finished_at = self._clock.now()
        self._store.save_run(run)
        return run

    def _send(
        self,
        sync: Sync,
        report: VerifyReport,
        read: _Read,
        plan: MappingPlan,
        target: ListReader,
        owner: str,
        run: SyncRun,
    ) -> None:
        decisions = [_decision(read.prepared[key], DecisionKind.ADD) for key in report.missing]
        decisions += [
            _decision(read.prepared[d.key], DecisionKind.UPDATE) for d in report.differing
        ]
        if run.trigger is RunTrigger.SOURCE_SCAN:
            decisions = []  # a scheduled pass applies the policies; people decide the rest
        assert isinstance(target, Target)
        route = choose_route(plan, target)
        checkpoint = self._store.checkpoint(sync.id)  # kept as it is: a paused pass goes on
        for low in range(0, len(decisions), route.batch_size):
            chunk = decisions[low : low + route.batch_size]
            answers = route.send(sync.config.list_key, contacts_to_send(chunk))
            result = tally(run.id, chunk, {a.key: a for a in answers})
            # every add of a repair sends again a contact removed from the list
            counts = run.counts + attrs.evolve(result.counts, readded=result.counts.added)
            self._store.commit_batch(
                BatchCommit(
                    run=attrs.evolve(run, counts=counts),
                    written=result.written,
                    claims=result.claims,
                    skipped=result.skipped,
                    checkpoint=checkpoint,
                    lease_owner=owner,
                )
            )
            run.counts = counts
            self._store.renew_lease(sync.id, owner, now=self._clock.now(), ttl=self._ttl)
        for email in report.to_unsubscribe:
            target.unsubscribe(sync.config.list_key, email)
        unsubscribed = set(report.to_unsubscribe)
        deleted = sum(1 for email in report.deleted if email in unsubscribed)
        run.counts = run.counts + RunCounts(deleted=deleted)


def source_scan_due(store: SyncStore, sync: Sync, every: timedelta, now: datetime) -> bool:
    """Whether ``run_due`` reads ``sync``'s source in full now to find deletions: its
    ``on_source_delete`` unsubscribes, and no repair or source scan started in ``every``."""
    if sync.config.options.on_source_delete is not OnSourceChange.UNSUBSCRIBE:
        return False
    passes = (RunTrigger.REPAIR, RunTrigger.SOURCE_SCAN)
    last = next((r for r in store.runs(sync.id) if r.trigger in passes), None)
    return last is None or now - last.started_at >= every


def _decision(item: Prepared, kind: DecisionKind) -> Decision:
    return Decision(kind, item.key, item.email, item.values, item.fingerprint)
