"""Suite 1, faults: seeded runs through the Zoho adapters against the emulators with faults
injected at rates up to 20% (5xx, 429 with and without Retry-After, timeouts, dropped
connections, malformed JSON, HTML error pages, "retry later" codes, and answers lost after
the write). After every pass the counts add up, every customer is in the list or in the
export with a reason, no contact is duplicated, the list equals a fault-free run's list,
and a re-run after some changes converges to a fault-free re-run's list.

``make test`` runs 200 seeded passes; ``make soak`` runs 5,000. Everything runs in
simulated time (FakeClock), so retries and backoff cost no real waiting.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Mapping, Sequence

import attrs
import pytest
from _checks import account_for, unique_emails
from _zoho_rig import MAX_RUNS, ZohoRig, build

from fieldsync.domain.emails import email_key
from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.ports import SyncStore

FAST_RUNS = 200
PG_RUNS = 12  # the same passes on PostgreSQL: its round trips cost more, so fewer
SOAK_RUNS = 5_000
MAX_FAULT_RATE = 0.20


@attrs.define
class Figures:
    """What a batch of seeded passes went through."""

    passes: int = 0
    runs: int = 0
    deferred: int = 0
    contacts: int = 0
    lost_answers: int = 0
    retries_ran_out: int = 0
    initiate_retries: int = 0
    faults: Counter[str] = attrs.field(factory=Counter)

    def line(self) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items()))
        return (
            f"{self.passes} passes, {self.runs} runs ({self.deferred} deferred), "
            f"{self.contacts} contacts, {sum(self.faults.values())} Campaigns faults ({kinds}), "
            f"{self.lost_answers} answers lost after the write, "
            f"{self.retries_ran_out} records failed "
            "(retries ran out, or the write was not confirmed), "
            f"{self.initiate_retries} initiates retried"
        )


ORGANIZATIONS = 25  # fault seeds share organizations, so fault-free references are reused
RETRIES_RAN_OUT = ReasonCode.TARGET_ERROR.value


@attrs.frozen
class Expected:
    """What a fault-free sync of one organization gives: the list after the first pass,
    and after a re-run that follows a change to a few customers."""

    contacts: int
    changed: tuple[str, ...]
    first: dict[str, dict[str, str]]
    rerun: dict[str, dict[str, str]]


def touch(rig: ZohoRig, keys: Sequence[str]) -> None:
    """Change the first name of some customers (the same ones in every rig)."""
    for key in keys:
        rig.invoice.update_contact(key, first_name=f"Renamed {key[-3:]}")


@functools.cache
def expected(organization: int) -> Expected:
    """The fault-free lists of an organization (computed once per organization)."""
    rng = random.Random(organization)
    contacts = rng.randint(30, 45)
    reference = build(seed=organization, contacts=contacts, fault_rate=0.0)
    assert reference.service.initiate(reference.sync_id).status is RunStatus.COMPLETED
    first = reference.subscribers()
    keys = sorted(str(c["contact_id"]) for c in reference.customers())
    changed = tuple(rng.sample(keys, k=3))
    reference.clock.advance(3600)
    touch(reference, changed)
    assert reference.service.run(reference.sync_id).status is RunStatus.COMPLETED
    return Expected(contacts, changed, first, reference.subscribers())


def differing(a: Mapping[str, object], b: Mapping[str, object]) -> set[str]:
    """Addresses whose entries differ between two lists."""
    return {e for e in a.keys() | b.keys() if a.get(e) != b.get(e)}


def pass_failures(runs: Sequence[SyncRun]) -> int:
    """Records whose retries ran out in the last pass of ``runs`` (the runs since the last
    one that started a pass rather than continuing one)."""
    start = max(i for i, run in enumerate(runs) if run.resumed_from is None)
    return sum(run.failed for run in runs[start:])


def settle(rig: ZohoRig, first: SyncRun) -> list[SyncRun]:
    """``first``, then runs an hour apart until a pass completes in which no record ran
    out of retries (such records are read and sent again by the next pass)."""
    runs = rig.finish_pass(first)
    while pass_failures(runs) and len(runs) < MAX_RUNS:
        rig.clock.advance(3600)
        runs += rig.finish_pass(rig.service.run(rig.sync_id))
    return runs


def one_pass(seed: int, figures: Figures, store: SyncStore | None = None) -> None:
    """A faulted pass and re-run of one seeded organization, checked against a fault-free
    one. Raises AssertionError (naming the seed) on any loss, duplicate or difference."""
    want = expected(seed % ORGANIZATIONS)
    rng = random.Random(seed)
    rate = rng.uniform(0.02, MAX_FAULT_RATE)
    # Fewer attempts for some seeds, so that retries run out and deferrals happen too.
    attempts = rng.choice((2, 3, 5, 5))
    rig = build(
        seed=seed % ORGANIZATIONS,
        contacts=want.contacts,
        fault_rate=rate,
        fault_seed=seed,
        attempts=attempts,
        store=store,
    )

    runs = rig.finish_pass(rig.initiate())
    assert runs[-1].status is RunStatus.COMPLETED, f"seed {seed}: {runs[-1].error}"
    keys = [str(c["contact_id"]) for c in rig.customers()]
    books = account_for(rig.service, rig.store, runs, keys)
    listed = rig.subscribers()
    assert unique_emails(list(listed)), f"seed {seed}: a contact is in the list twice"
    # A record whose retries ran out is exported as failed, yet may have been written
    # (the answer to a successful write can be lost); the next run sends it again.
    unsure = {email_key(r["email"]) for r in books.rows if r["reason_code"] == RETRIES_RAN_OUT}
    written = {email_key(e) for e in books.written.values()}
    assert written ^ {email_key(e) for e in listed} <= unsure, f"seed {seed}: store != list"
    assert {email_key(e) for e in differing(want.first, listed)} <= unsure, f"seed {seed}"

    # Re-run after changes: nothing new is added but what ran out of retries, and the
    # list converges to exactly the fault-free one.
    rig.clock.advance(3600)
    touch(rig, want.changed)
    rerun = settle(rig, rig.service.run(rig.sync_id))
    assert rerun[-1].status is RunStatus.COMPLETED, f"seed {seed}: {rerun[-1].error}"
    assert not pass_failures(rerun), f"seed {seed}: failures outlasted {len(rerun)} runs"
    added = sum(run.added for run in rerun)
    assert added <= len(unsure), f"seed {seed}: a re-run added a contact"
    assert want.rerun == rig.subscribers(), f"seed {seed}: the re-run did not converge"

    figures.passes += 1
    figures.runs += len(runs) + len(rerun)
    figures.deferred += sum(r.status is RunStatus.DEFERRED for r in [*runs, *rerun])
    figures.contacts += want.contacts
    figures.lost_answers += sum(t.lost for t in rig.lossy)
    figures.initiate_retries += rig.initiate_retries
    figures.retries_ran_out += sum(run.failed for run in [*runs, *rerun])
    # InvoiceEmulator injects the same kinds but does not expose its injector's record.
    figures.faults.update(kind.value for kind in rig.campaigns.faults.injected)


def run_seeds(count: int, first: int = 0, store: SyncStore | None = None) -> Figures:
    """Run ``count`` seeded passes (each on a new in-memory store, or all on ``store``:
    their syncs are distinct) and return their figures."""
    figures = Figures()
    for seed in range(first, first + count):
        one_pass(seed, figures, store)
    return figures


# The 200 fast passes run as four slices of 50 seeds, so that pytest-xdist spreads them
# over the cores instead of one worker running all 200 while the others wait.
FAST_SLICE = 50


@pytest.mark.parametrize("first", range(0, FAST_RUNS, FAST_SLICE), ids=lambda f: f"seeds{f}+")
def test_two_hundred_faulted_passes_lose_and_duplicate_nothing_and_converge(first: int) -> None:
    figures = run_seeds(FAST_SLICE, first=first)

    print(f"\nfault suite, seeds {first}-{first + FAST_SLICE - 1}: {figures.line()}")
    assert FAST_SLICE == figures.passes
    assert figures.deferred > 0, "no pass was deferred: the faults are too gentle"


def test_faulted_passes_on_postgresql_lose_and_duplicate_nothing_and_converge(
    postgres_store: SyncStore,
) -> None:
    figures = run_seeds(PG_RUNS, store=postgres_store)

    print(f"\nfault suite on PostgreSQL: {figures.line()}")
    assert PG_RUNS == figures.passes


@pytest.mark.soak
def test_five_thousand_faulted_passes_lose_and_duplicate_nothing_and_converge() -> None:
    figures = run_seeds(SOAK_RUNS, first=10_000)

    print(f"\nfault soak: {figures.line()}")
    assert SOAK_RUNS == figures.passes


def test_a_contact_whose_retries_ran_out_is_sent_again_by_the_next_run() -> None:
    rig = build(seed=1, contacts=30, fault_rate=0.0)
    victim = next(c for c in rig.customers() if c["status"] == "active" and c.get("email"))
    rig.lossy[1].unavailable_for = str(victim["email"])
    first = rig.initiate()
    rig.lossy[1].unavailable_for = None
    rig.clock.advance(3600)
    rig.service.run(rig.sync_id)

    assert first.failed == 1
    assert email_key(str(victim["email"])) in {email_key(e) for e in rig.subscribers()}
