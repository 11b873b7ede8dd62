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
    Schema,
    Sync,
    SyncOptions,
    SyncSpec,
    SyncState,
)
from fieldsync.web._access import visible_integration, visible_integrations
from fieldsync.web._context import Context
from fieldsync.web._forms import SCHEDULE_KINDS, WEEKDAYS, SyncForm, unread_first
from fieldsync.web._previews import previewer

__all__ = ["sync_routes"]


def _source_email(source: Schema) -> str | None:
    return next((f.name for f in source if f.type is FieldType.EMAIL), None)


def sync_routes(ctx: Context) -> Sequence[BaseRoute]:
    """The routes of the syncs' screens."""
    service = ctx.service

    def home(request: Request) -> Response:
        rows = []
        for status in visible_integrations(request, service):
            syncs = service.list_syncs(integration=status.name)
            active = sum(s.state is SyncState.ACTIVE for s in syncs)
            rows.append((status, active, len(syncs)))
        return ctx.page(request, "integrations.html", {"rows": rows})

    def integration(request: Request) -> Response:
        name = request.path_params["name"]
        status = visible_integration(request, service, name)
        rows = []
        for sync in service.list_syncs(integration=name):
            history = service.history(sync.id)
            rows.append((sync, history[0] if history else None))
        values = {"status": status, "rows": rows, "lists": ctx.list_names(name)}
        return ctx.page(request, "syncs.html", values)

    def form_page(
        request: Request, form: SyncForm, *, integration: str, sync: Sync | None, status: int = 200
    ) -> Response:
        target_schema = service.target_schema(integration)
        values: dict[str, Any] = {
            "form": form,
            "sync": sync,
            "integration": integration,
            "source_fields": list(service.source_schema(integration)),
            "target_fields": list(target_schema),
            "email_field": target_schema.email_field,
            "lists": list(service.mailing_lists(integration).items()),
            "schedule_kinds": SCHEDULE_KINDS,
            "weekdays": WEEKDAYS,
            "switches": SyncOptions.switches(),
            "choices": SyncOptions.choices(),
        }
        return ctx.page(request, "sync_form.html", values, status_code=status)

    def new_form(request: Request) -> Response:
        name = request.path_params["name"]
        email = service.target_schema(name).email_field
        source_email = _source_email(service.source_schema(name))
        form = SyncForm.blank(email_field=email, source_email=source_email)
        return form_page(request, form, integration=name, sync=None)

    def checked(form: SyncForm, integration: str) -> SyncSpec | None:
        """The form's spec when it reads and the service finds no problem in it."""
        spec, unread = form.read(email_field=service.target_schema(integration).email_field)
        form.show(unread_first(unread, service.check(integration, spec)))
        return None if form.problems else spec

    def edit_form(request: Request) -> Response:
        sync = service.get_sync(request.path_params["sync_id"])
        email_field = service.target_schema(sync.integration).email_field
        form = SyncForm.of_sync(sync, email_field=email_field)
        if request.query_params.get("check"):
            checked(form, sync.integration)
        status = 400 if form.problems else 200
        return form_page(request, form, integration=sync.integration, sync=sync, status=status)

    def submit(form: SyncForm, action: str, integration: str, sync: Sync | None) -> Sync | None:
        """Apply the button pressed; return the saved sync, or None to show the form."""
        if form.press(action):
            return None
        spec = checked(form, integration)
        if spec is None:
            return None
        if sync is None:
            return service.create_sync(integration, spec)
        return service.edit(sync.id, spec)

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
        sync = await run_in_threadpool(service.get_sync, request.path_params["sync_id"])
        form = SyncForm.of_form(data, base=(sync.pending or sync.config).options)
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
