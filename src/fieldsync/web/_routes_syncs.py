"""Sync Services, Active Syncs, and the create/edit -> Next -> preview -> Initiate steps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from fieldsync import (
    DisclaimerNotAcknowledgedError,
    FieldType,
    InvalidConfigurationError,
    NotFoundError,
    Schema,
    Sync,
    SyncState,
)
from fieldsync.web._context import Context, mailing_lists
from fieldsync.web._forms import SCHEDULE_KINDS, WEEKDAYS, SyncForm
from fieldsync.web._previews import previewer
from fieldsync.web._save import save

__all__ = ["sync_routes"]


def _source_email(source: Schema) -> str | None:
    return next((f.name for f in source if f.type is FieldType.EMAIL), None)


def sync_routes(ctx: Context) -> Sequence[BaseRoute]:
    """The routes of the syncs' screens."""
    service = ctx.service

    def home(request: Request) -> Response:
        rows = []
        for status in service.integrations():
            syncs = service.list_syncs(integration=status.name)
            active = sum(s.state is SyncState.ACTIVE for s in syncs)
            rows.append((status, active, len(syncs)))
        return ctx.page(request, "integrations.html", {"rows": rows})

    def integration(request: Request) -> Response:
        name = request.path_params["name"]
        status = next((s for s in service.integrations() if s.name == name), None)
        if status is None:
            raise NotFoundError("integration", name)
        rows = []
        for sync in service.list_syncs(integration=name):
            history = service.history(sync.id)
            rows.append((sync, history[0] if history else None))
        values = {"status": status, "rows": rows, "lists": ctx.list_names(name)}
        return ctx.page(request, "syncs.html", values)

    def form_page(
        request: Request, form: SyncForm, *, integration: str, sync: Sync | None, status: int = 200
    ) -> Response:
        source, target = service.adapters(integration)
        source_schema, target_schema = source.schema(), target.schema()
        values: dict[str, Any] = {
            "form": form,
            "sync": sync,
            "integration": integration,
            "source_fields": list(source_schema),
            "target_fields": list(target_schema),
            "email_field": target_schema.email_field,
            "lists": list(mailing_lists(target).items()),
            "schedule_kinds": SCHEDULE_KINDS,
            "weekdays": WEEKDAYS,
        }
        return ctx.page(request, "sync_form.html", values, status_code=status)

    def new_form(request: Request) -> Response:
        name = request.path_params["name"]
        source, target = service.adapters(name)
        email = target.schema().email_field
        form = SyncForm.blank(email_field=email, source_email=_source_email(source.schema()))
        return form_page(request, form, integration=name, sync=None)

    def edit_form(request: Request) -> Response:
        sync = service.sync_detail(request.path_params["sync_id"]).sync
        source, target = service.adapters(sync.integration)
        target_schema = target.schema()
        form = SyncForm.of_sync(sync, email_field=target_schema.email_field)
        if request.query_params.get("check"):
            form.check(source.schema(), target_schema)
        status = 400 if form.problems else 200
        return form_page(request, form, integration=sync.integration, sync=sync, status=status)

    def submit(form: SyncForm, action: str, integration: str, sync: Sync | None) -> Sync | None:
        """Apply the button pressed; return the saved sync, or None to show the form."""
        if action == "more":
            form.map_more()
            return None
        if action.startswith("remove-"):
            index = action.removeprefix("remove-")
            form.remove(int(index) if index.isdigit() else 0)
            return None
        source, target = service.adapters(integration)
        base = None if sync is None else (sync.pending or sync.config).options
        values = form.check(source.schema(), target.schema(), base=base)
        if values is None:
            return None
        return save(service, values, integration=integration, sync=sync)

    async def create(request: Request) -> Response:
        data = await ctx.form(request)
        name = request.path_params["name"]
        form = SyncForm.of_form(data)
        action = str(data.get("action", "next"))
        saved = await run_in_threadpool(submit, form, action, name, None)
        if saved is not None:
            return ctx.redirect(request, "sync_preview", done="created", sync_id=saved.id)
        status = 400 if form.problems else 200
        return await run_in_threadpool(
            form_page, request, form, integration=name, sync=None, status=status
        )

    async def edit(request: Request) -> Response:
        data = await ctx.form(request)
        sync = await run_in_threadpool(
            lambda: service.sync_detail(request.path_params["sync_id"]).sync
        )
        form = SyncForm.of_form(data)
        action = str(data.get("action", "next"))
        saved = await run_in_threadpool(submit, form, action, sync.integration, sync)
        if saved is not None and saved.pending == sync.pending:
            # Only the name (or nothing) changed: no new version to preview and initiate.
            return ctx.redirect(request, "sync_configuration", done="renamed", sync_id=sync.id)
        if saved is not None:
            return ctx.redirect(request, "sync_preview", done="saved", sync_id=sync.id)
        status = 400 if form.problems else 200
        return await run_in_threadpool(
            form_page, request, form, integration=sync.integration, sync=sync, status=status
        )

    def preview(request: Request) -> Response:
        sync_id = request.path_params["sync_id"]
        sync = service.sync_detail(sync_id).sync
        version = (sync.pending or sync.config).version
        fresh = bool(request.query_params.get("fresh"))
        job = ctx.previews.get(sync_id, version, previewer(service, sync_id), fresh=fresh)
        return ctx.page(request, "preview.html", {"sync": sync, "job": job})

    async def initiate(request: Request) -> Response:
        data = await ctx.form(request)
        sync_id = request.path_params["sync_id"]
        acknowledged = data.get("acknowledge_disclaimer") == "yes"
        try:
            await run_in_threadpool(
                service.check_initiate, sync_id, acknowledge_disclaimer=acknowledged
            )
        except DisclaimerNotAcknowledgedError as exc:
            sync = await run_in_threadpool(lambda: service.sync_detail(sync_id).sync)
            values = {"sync": sync, "disclaimer": exc.disclaimer, "refused": exc}
            return ctx.page(request, "disclaimer.html", values)
        except InvalidConfigurationError:
            # The form shows every problem beside its row.
            target = ctx.url(request, "sync_edit", sync_id=sync_id) + "?check=1"
            return RedirectResponse(target, status_code=303)

        def work() -> Any:
            return service.initiate(sync_id, acknowledge_disclaimer=acknowledged)

        ctx.start(sync_id, "initiate", work)
        return ctx.redirect(request, "sync_configuration", done="initiated", sync_id=sync_id)

    return [
        Route("/", home, name="home"),
        Route("/integrations/{name}", integration, name="integration"),
        Route("/integrations/{name}/syncs/new", new_form, name="sync_new"),
        Route("/integrations/{name}/syncs/new", create, methods=["POST"], name="sync_create"),
        Route("/syncs/{sync_id}/edit", edit_form, name="sync_edit"),
        Route("/syncs/{sync_id}/edit", edit, methods=["POST"], name="sync_save"),
        Route("/syncs/{sync_id}/preview", preview, name="sync_preview"),
        Route("/syncs/{sync_id}/initiate", initiate, methods=["POST"], name="sync_initiate"),
    ]
