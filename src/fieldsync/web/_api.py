"""The JSON API beside the pages: the same use cases, for developers' own front ends.

Reads are GETs; every state change is a POST carrying the CSRF token in ``X-CSRF-Token``
(``GET /api/session`` hands it out with its cookie). ``docs/console.md`` is the reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fieldsync import (
    ConfigurationError,
    DisclaimerNotAcknowledgedError,
    FieldSyncError,
    InvalidConfigurationError,
    NotFoundError,
    StateError,
    SyncError,
    SyncState,
)
from fieldsync._secrets import redact_text
from fieldsync.web._context import Context
from fieldsync.web._csrf import HEADER, CsrfRefused
from fieldsync.web._forms import SyncForm
from fieldsync.web._json import (
    detail_json,
    impact_json,
    integration_json,
    job_json,
    notification_json,
    preview_json,
    run_json,
    schema_json,
    sync_json,
)
from fieldsync.web._previews import previewer
from fieldsync.web._save import save

__all__ = ["api"]


def _error(status: int, code: str, message: str, **more: Any) -> JSONResponse:
    body = {"error": code, "message": redact_text(message), **more}  # an API's words, maybe
    return JSONResponse(body, status_code=status)


def _handle(request: Request, exc: Exception) -> Response:
    if isinstance(exc, CsrfRefused):
        return _error(403, "csrf", "Send the token of GET /api/session in X-CSRF-Token.")
    if isinstance(exc, HTTPException):
        return _error(exc.status_code, "http", str(exc.detail))
    if isinstance(exc, NotFoundError):
        return _error(404, "not_found", str(exc))
    if isinstance(exc, DisclaimerNotAcknowledgedError):
        return _error(409, "disclaimer_required", str(exc), disclaimer=exc.disclaimer)
    if isinstance(exc, InvalidConfigurationError):
        problems = [{"code": p.code, "message": p.message} for p in exc.problems]
        return _error(400, "invalid_configuration", str(exc), problems=problems)
    if isinstance(exc, StateError):
        return _error(409, "refused", str(exc))
    if isinstance(exc, ConfigurationError):
        return _error(400, "invalid", str(exc))
    if isinstance(exc, SyncError):
        return _error(502, "app_failed", str(exc))
    return _error(500, "failed", str(exc))


async def _body(request: Request) -> Mapping[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return body


def _form_problems(form: SyncForm) -> JSONResponse:
    rows = [{"row": i, "problems": r.problems} for i, r in enumerate(form.rows) if r.problems]
    return _error(
        400,
        "invalid_configuration",
        f"the sync has {form.problems} problem(s)",
        fields=form.errors,
        rows=rows,
    )


def api(ctx: Context) -> Starlette:
    """The API's ASGI app, mounted at ``/api`` by :func:`fieldsync.web.console`."""
    service = ctx.service

    async def posted(request: Request) -> Mapping[str, Any]:
        ctx.csrf.check(request, request.headers.get(HEADER))
        if not (await request.body()).strip():
            return {}
        return await _body(request)

    def session(request: Request) -> Response:
        token = ctx.csrf.token(request)
        response = JSONResponse({"csrf_token": token, "header": "X-CSRF-Token"})
        ctx.csrf.attach(request, response)
        return response

    def integrations(request: Request) -> Response:
        return JSONResponse(
            [
                integration_json(
                    s,
                    active_syncs=len(
                        service.list_syncs(integration=s.name, state=SyncState.ACTIVE)
                    ),
                )
                for s in service.integrations()
            ]
        )

    def integration(request: Request) -> Response:
        name = request.path_params["name"]
        status = next((s for s in service.integrations() if s.name == name), None)
        if status is None:
            raise NotFoundError("integration", name)
        syncs = service.list_syncs(integration=name)
        active = sum(s.state is SyncState.ACTIVE for s in syncs)
        body = integration_json(status, active_syncs=active)
        if status.registered:
            impact = service.disable_integration(name)
            body["credentials"] = list(impact.credentials)
        body["syncs"] = [sync_json(s) for s in syncs]
        return JSONResponse(body)

    def schemas(request: Request) -> Response:
        source, target = service.adapters(request.path_params["name"])
        return JSONResponse(
            {"source": schema_json(source.schema()), "target": schema_json(target.schema())}
        )

    async def disable(request: Request) -> Response:
        body = await posted(request)
        name, confirm = request.path_params["name"], body.get("confirm") is True
        impact = await run_in_threadpool(service.disable_integration, name, confirm=confirm)
        return JSONResponse(impact_json(impact))

    def syncs(request: Request) -> Response:
        state = request.query_params.get("state")
        try:
            wanted = SyncState(state) if state else None
        except ValueError:
            raise HTTPException(400, f"unknown state {state!r}") from None
        integration = request.query_params.get("integration")
        found = service.list_syncs(integration=integration, state=wanted)
        return JSONResponse([sync_json(s) for s in found])

    def submit(body: Mapping[str, Any], integration: str, sync_id: str | None) -> Response:
        form = SyncForm.of_json(body)
        source, target = service.adapters(integration)
        sync = None if sync_id is None else service.sync_detail(sync_id).sync
        base = None if sync is None else (sync.pending or sync.config).options
        values = form.check(source.schema(), target.schema(), base=base)
        if values is None:
            return _form_problems(form)
        saved = save(service, values, integration=integration, sync=sync)
        return JSONResponse(sync_json(saved), status_code=201 if sync is None else 200)

    async def create(request: Request) -> Response:
        body = await posted(request)
        integration = body.get("integration")
        if not isinstance(integration, str):
            raise HTTPException(400, "integration must name a registered integration")
        return await run_in_threadpool(submit, body, integration, None)

    async def edit(request: Request) -> Response:
        body = await posted(request)
        sync_id = request.path_params["sync_id"]
        sync = await run_in_threadpool(lambda: service.sync_detail(sync_id).sync)
        return await run_in_threadpool(submit, body, sync.integration, sync_id)

    def detail(request: Request) -> Response:
        return JSONResponse(detail_json(service.sync_detail(request.path_params["sync_id"])))

    def preview(request: Request) -> Response:
        sync_id = request.path_params["sync_id"]
        sync = service.sync_detail(sync_id).sync
        version = (sync.pending or sync.config).version
        fresh = request.query_params.get("fresh") in {"1", "true", "yes"}
        job = ctx.previews.get(sync_id, version, previewer(service, sync_id), fresh=fresh)
        if not job.done:
            return JSONResponse({"ready": False, "config_version": version}, status_code=202)
        if job.preview is None:
            return _error(502, "preview_failed", job.error or "the preview failed")
        body = preview_json(job.preview, disclaimer=job.disclaimer)
        return JSONResponse({"ready": True, **body, "blocked": job.blocked})

    async def initiate(request: Request) -> Response:
        body = await posted(request)
        sync_id = request.path_params["sync_id"]
        ack = body.get("acknowledge_disclaimer") is True
        await run_in_threadpool(service.check_initiate, sync_id, acknowledge_disclaimer=ack)
        job = ctx.start(
            sync_id, "initiate", lambda: service.initiate(sync_id, acknowledge_disclaimer=ack)
        )
        return JSONResponse({"job": job_json(job)}, status_code=202)

    async def run(request: Request) -> Response:
        await posted(request)
        sync_id = request.path_params["sync_id"]
        await run_in_threadpool(service.sync_detail, sync_id)
        job = ctx.start(sync_id, "run", lambda: service.run(sync_id))
        return JSONResponse({"job": job_json(job)}, status_code=202)

    def move(action: str) -> Any:
        async def act(request: Request) -> Response:
            await posted(request)
            use_case = service.pause if action == "pause" else service.resume
            sync = await run_in_threadpool(use_case, request.path_params["sync_id"])
            return JSONResponse(sync_json(sync))

        return act

    def progress(request: Request) -> Response:
        sync_id = request.path_params["sync_id"]
        sync = service.sync_detail(sync_id).sync
        history = service.history(sync_id)
        last = history[0] if history else None
        job = ctx.runs.job(sync_id)
        running = ctx.runs.running(sync_id) or (last is not None and not last.status.finished)
        return JSONResponse(
            {
                "state": sync.state.value,
                "running": running,
                "run": None if last is None else run_json(last),
                "job": job_json(job),
            }
        )

    def history(request: Request) -> Response:
        return JSONResponse([run_json(r) for r in service.history(request.path_params["sync_id"])])

    def notifications(request: Request) -> Response:
        unread = request.query_params.get("unread") in {"1", "true", "yes"}
        return JSONResponse(
            [notification_json(n) for n in service.notifications(unread_only=unread)]
        )

    async def mark_read(request: Request) -> Response:
        body = await posted(request)
        ids = body.get("ids")
        if ids is not None and not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
            raise HTTPException(400, "ids must be a list of notification ids, or null for all")
        marked = await run_in_threadpool(service.mark_read, ids)
        return JSONResponse({"marked": marked})

    routes: Sequence[Route] = [
        Route("/session", session),
        Route("/integrations", integrations),
        Route("/integrations/{name}", integration),
        Route("/integrations/{name}/schemas", schemas),
        Route("/integrations/{name}/disable", disable, methods=["POST"]),
        Route("/syncs", syncs),
        Route("/syncs", create, methods=["POST"]),
        Route("/syncs/{sync_id}", detail),
        Route("/syncs/{sync_id}/edit", edit, methods=["POST"]),
        Route("/syncs/{sync_id}/preview", preview),
        Route("/syncs/{sync_id}/initiate", initiate, methods=["POST"]),
        Route("/syncs/{sync_id}/run", run, methods=["POST"]),
        Route("/syncs/{sync_id}/pause", move("pause"), methods=["POST"]),
        Route("/syncs/{sync_id}/resume", move("resume"), methods=["POST"]),
        Route("/syncs/{sync_id}/progress", progress),
        Route("/syncs/{sync_id}/history", history),
        Route("/notifications", notifications),
        Route("/notifications/read", mark_read, methods=["POST"]),
    ]
    handlers: dict[Any, Any] = dict.fromkeys((FieldSyncError, CsrfRefused, HTTPException), _handle)
    return Starlette(routes=list(routes), exception_handlers=handlers)
