"""Uses the public API as a user would. Never executed: `mypy --strict tests/typing` checks it."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

import fieldsync as fs
from fieldsync.ports import Notifier, Source, SyncStore, Target
from fieldsync.testing import FakeClock, FakeSource, FakeTarget, RecordingNotifier


def build_service(path: str) -> fs.SyncService:
    store: SyncStore = fs.SQLiteStore(path)
    notifier: Notifier = RecordingNotifier()
    return fs.SyncService(store=store, notifier=notifier, clock=FakeClock())


def a_whole_sync(service: fs.SyncService) -> tuple[int, int, int, int, int, int]:
    source: Source = FakeSource()
    target: Target = FakeTarget()
    service.register_integration("crm", source=source, target=target)
    sync: fs.Sync = service.create_sync(
        "crm",
        fs.SyncSpec(
            name="Customers",
            list_key="list-1",
            mapping=fs.FieldMapping.of(
                ("email", "Contact Email"),
                fs.FieldMap("country", "Country", create=True),
            ),
            criteria=fs.Criteria.parse('country == "India"'),
            schedule=fs.Schedule.daily("02:00", tz="Asia/Kolkata"),
            options=fs.SyncOptions(update_empty_values=True),
        ),
    )
    preview: fs.Preview = service.preview(sync.id)
    print(preview)
    if preview.estimate is not None:
        took: fs.RunEstimate = preview.estimate
        print(took.seconds, preview.route, fs.estimate_run(200_000, fs.TargetLimits()))
    try:
        run: fs.SyncRun = service.initiate(sync.id)
    except fs.DisclaimerNotAcknowledgedError as refused:
        print(refused.disclaimer)
        run = service.initiate(sync.id, acknowledge_disclaimer=True)
    status: fs.RunStatus = run.status
    print(status.value)
    service.export_skipped(run.id, "skipped.csv")
    detail: fs.SyncDetail = service.sync_detail(sync.id)
    history: list[fs.SyncRun] = detail.history
    print(len(history), detail.sync.state is fs.SyncState.ACTIVE)
    service.pause(sync.id)
    service.resume(sync.id)
    service.edit(sync.id, attrs.evolve(service.spec(sync.id), criteria=fs.Criteria.all()))
    due: list[fs.SyncRun] = service.run_due(datetime(2026, 1, 2, tzinfo=UTC))
    print(len(due))
    unread: list[fs.Notification] = service.notifications(unread_only=True)
    service.mark_read([n.id for n in unread])
    impact: fs.DisableImpact = service.disable_integration("crm")
    print(impact.syncs, impact.credentials)
    return (run.total, run.added, run.updated, run.unchanged, run.skipped, run.failed)


def a_verdict() -> str:
    verdict: fs.Verdict = fs.Criteria.parse("amount > 10").evaluate({"amount": 5})
    return verdict.reason if not verdict.matched else "matched"


def a_mapping_plan() -> fs.MappingPlan:
    source = fs.Schema.of(fs.Field("email", fs.FieldType.EMAIL), fs.Field("Region"))
    target = fs.Schema.of(fs.Field("Contact Email", fs.FieldType.EMAIL, required=True))
    plan = fs.FieldMapping.of(("email", "Contact Email"), ("Region", "Region", True)).plan(
        source, target
    )
    created: tuple[fs.Field, ...] = plan.fields_to_create
    problems: tuple[fs.MappingProblem, ...] = plan.problems
    print(created, problems)
    return plan


def a_console(service: fs.SyncService) -> object:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Mount

    from fieldsync.web import BackgroundRuns, console

    async def authorize(request: Request) -> bool:
        return request.headers.get("x-user") == "ana"

    app = console(service, authorize=authorize, secret_key=b"0123456789abcdef")
    runs: BackgroundRuns = app.state.runs
    runs.wait(5)
    statuses: list[fs.IntegrationStatus] = service.integrations()
    service.check_initiate("s1", acknowledge_disclaimer=True)
    source, target = service.adapters(statuses[0].name)
    print(source.schema(), target.schema())
    return Starlette(routes=[Mount("/sync", app=app)])


def a_webhook_receiver(service: fs.SyncService, vault: dict[str, str]) -> object:
    from datetime import timedelta

    from starlette.applications import Starlette
    from starlette.routing import Mount

    from fieldsync.web import HookRuns, webhooks

    deferred: list[fs.Sync] = []
    hooks = webhooks(service, secrets=vault.get, debounce=timedelta(seconds=2))
    queued = webhooks(service, secrets=vault, defer=deferred.append)
    runs: HookRuns = hooks.state.hooks
    waiting: list[str] = runs.pending()
    print(waiting, runs.wait(5), queued)
    return Starlette(routes=[Mount("/zoho", app=hooks)])


def events_and_closing(store: fs.SQLiteStore) -> None:
    """The event hook, its events and the context managers, as a user types them."""
    from fieldsync.events import BatchCommitted, EventHook, RunEvent, Waiting, combine
    from fieldsync.zoho import DataCentre, ZohoOAuth

    def progress(event: RunEvent) -> None:
        if isinstance(event, BatchCommitted):
            print(event.run.total, event.batch.added)
        elif isinstance(event, Waiting):
            print(event.until.isoformat(), event.seconds, event.reason.value)

    hook: EventHook = combine(progress, print)
    with fs.SyncService(store=store, on_event=hook) as service:
        print(service)
    with ZohoOAuth(client_id="id", client_secret="secret", refresh_token="r") as auth:
        centre: DataCentre = auth.data_centre
        print(centre.key)


def shared_limits(path: str) -> None:
    from fieldsync.ports import QuotaLedger, TokenCache
    from fieldsync.stores import QuotaStore
    from fieldsync.zoho import ZohoCampaignsTarget, ZohoOAuth

    store: QuotaStore = fs.SQLiteStore(path)
    ledger: QuotaLedger = store
    tokens: TokenCache = store
    auth = ZohoOAuth(
        client_id="id", client_secret="s", refresh_token="r", ledger=ledger, token_cache=tokens
    )
    target = ZohoCampaignsTarget(auth, quota_share=0.8)
    print(target.limits().max_batch)


def a_postgres_fleet(url: str) -> fs.SyncService:
    """``fs.PostgresStore`` as docs/stores.md and docs/scaling.md use it (loaded lazily)."""
    import fieldsync.stores

    store: fs.PostgresStore = fs.PostgresStore(
        url, schema="fieldsync", min_size=1, max_size=4, timeout=30.0
    )
    same: type[fs.PostgresStore] = fieldsync.stores.PostgresStore
    shared: fieldsync.stores.QuotaStore = store
    print(same, shared)
    return fs.SyncService(store=store)


def limits_shared_by_default_or_kept_here(path: str) -> None:
    from fieldsync.ports import ClaimsDue, SharesQuota
    from fieldsync.zoho import ZohoCampaignsTarget, ZohoInvoiceSource, ZohoOAuth

    store = fs.SQLiteStore(path)
    auth = ZohoOAuth(client_id="id", client_secret="s", refresh_token="r")
    service = fs.SyncService(store=store)
    target = ZohoCampaignsTarget(auth)
    service.register_integration(
        "zoho", source=ZohoInvoiceSource(auth, organization_id="1"), target=target
    )
    shares: SharesQuota = target
    shares.share_quota(store)
    kept_here = ZohoOAuth(
        client_id="id", client_secret="s", refresh_token="r", ledger=fs.LocalQuota()
    )
    print(kept_here.ledger, isinstance(store, ClaimsDue))
