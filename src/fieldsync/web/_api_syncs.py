"""The JSON API's sync handlers, one per use case: list, create, read, edit, preview,
initiate, run, pause, resume, progress and history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fieldsync import InvalidConfigurationError, SyncService, SyncSpec, SyncState, codec
from fieldsync._secrets import redact_text
from fieldsync.web._access import visible_integration, visible_syncs
from fieldsync.web._api_io import context, posted, query_flag
from fieldsync.web._errors import BodyInvalid, ErrorResponse, api_body
from fieldsync.web._forms import unread_first
from fieldsync.web._json import (
    detail_json,
    estimate_json,
    job_json,
    preview_json,
    run_json,
    sync_json,
)
from fieldsync.web._previews import previewer

__all__ = [
    "create",
    "detail",
    "edit",
    "history",
    "initiate",
    "list_syncs",
    "pause",
    "preview",
    "progress",
    "resume",
    "run",
]


def list_syncs(request: Request) -> Response:
    """``GET /syncs``, optionally ``?state=`` and ``?integration=``."""
    state = request.query_params.get("state")
    try:
        wanted = SyncState(state) if state else None
    except ValueError:
        raise HTTPException(400, f"unknown state {str(state)[:40]!r}") from None
    integration = request.query_params.get("integration")
    found = context(request).service.list_syncs(integration=integration, state=wanted)
    return JSONResponse([sync_json(s) for s in visible_syncs(request, found)])


def _checked(service: SyncService, integration: str, body: Mapping[str, Any]) -> SyncSpec:
    """The spec of a body (:mod:`fieldsync.codec`'s shape), checked by the service. A first
    mapping pair without a ``target`` maps to the target's email field.

    Raises:
        InvalidConfigurationError: the body is no spec, or the spec has problems.
    """
    data = dict(body)
    mapping = data.get("mapping")
    if isinstance(mapping, list) and mapping and isinstance(mapping[0], dict):
        email = service.target_schema(integration).email_field
        data["mapping"] = [{"target": email, **mapping[0]}, *mapping[1:]]
    spec, unread = codec.read_spec(data)
    problems = unread_first(unread, service.check(integration, spec))
    if problems:
        raise InvalidConfigurationError(problems)
    return spec


async def create(request: Request) -> Response:
    """``POST /syncs``: a spec and its ``integration``; 201 with the sync."""
    body = dict(await posted(request))
    integration = str(body.pop("integration"))
    service = context(request).service

    def save() -> Response:
        visible_integration(request, service, integration)
        sync = service.create_sync(integration, _checked(service, integration, body))
        return JSONResponse(sync_json(sync), status_code=201)

    return await run_in_threadpool(save)


async def edit(request: Request) -> Response:
    """``POST /syncs/{id}/edit``: the keys given replace the sync's spec's."""
    body = dict(await posted(request))
    sync_id = request.path_params["sync_id"]
    service = context(request).service

    def save() -> Response:
        sync = service.get_sync(sync_id)
        if body.pop("integration", sync.integration) != sync.integration:
            raise BodyInvalid({"integration": "A sync's integration cannot change."})
        whole = {**codec.spec_to_json(service.spec(sync_id)), **body}
        edited = service.edit(sync_id, _checked(service, sync.integration, whole))
        return JSONResponse(sync_json(edited))

    return await run_in_threadpool(save)


def detail(request: Request) -> Response:
    """``GET /syncs/{id}``: the sync, its history and its configuration versions."""
    service = context(request).service
    return JSONResponse(detail_json(service.sync_detail(request.path_params["sync_id"])))


def preview(request: Request) -> Response:
    """``GET /syncs/{id}/preview``: 202 while it is read, then what a run would do."""
    ctx = context(request)
    sync_id = request.path_params["sync_id"]
    sync = ctx.service.get_sync(sync_id)
    version = (sync.pending or sync.config).version
    fresh = query_flag(request, "fresh")
    job = ctx.previews.get(sync_id, version, previewer(ctx.service, sync_id), fresh=fresh)
    if not job.done:
        return JSONResponse({"ready": False, "config_version": version}, status_code=202)
    if job.preview is None:
        message = job.error or "The preview failed."
        return ErrorResponse(api_body("preview_failed", redact_text(message)), status_code=502)
    body = preview_json(job.preview, disclaimer=job.disclaimer)
    return JSONResponse({"ready": True, **body, "blocked": job.blocked})


async def initiate(request: Request) -> Response:
    """``POST /syncs/{id}/initiate``: checked now, run in the background; 202."""
    body = await posted(request)
    ctx = context(request)
    sync_id = request.path_params["sync_id"]
    ack = body.get("acknowledge_disclaimer") is True
    await run_in_threadpool(ctx.service.check_initiate, sync_id, acknowledge_disclaimer=ack)
    job = ctx.start(
        sync_id, "initiate", lambda: ctx.service.initiate(sync_id, acknowledge_disclaimer=ack)
    )
    return JSONResponse({"job": job_json(job)}, status_code=202)


async def run(request: Request) -> Response:
    """``POST /syncs/{id}/run``: a run in the background; 202."""
    await posted(request)
    ctx = context(request)
    sync_id = request.path_params["sync_id"]
    await run_in_threadpool(ctx.service.get_sync, sync_id)
    job = ctx.start(sync_id, "run", lambda: ctx.service.run(sync_id))
    return JSONResponse({"job": job_json(job)}, status_code=202)


async def pause(request: Request) -> Response:
    """``POST /syncs/{id}/pause``."""
    await posted(request)
    sync = await run_in_threadpool(context(request).service.pause, request.path_params["sync_id"])
    return JSONResponse(sync_json(sync))


async def resume(request: Request) -> Response:
    """``POST /syncs/{id}/resume``."""
    await posted(request)
    service = context(request).service
    sync = await run_in_threadpool(service.resume, request.path_params["sync_id"])
    return JSONResponse(sync_json(sync))


def progress(request: Request) -> Response:
    """``GET /syncs/{id}/progress``: the state, the last run (and, while it runs in this
    process, how long it is expected to take at the target's rate limits), the console's
    last job."""
    ctx = context(request)
    sync_id = request.path_params["sync_id"]
    sync = ctx.service.get_sync(sync_id)
    history = ctx.service.history(sync_id)
    last = history[0] if history else None
    running = ctx.runs.running(sync_id) or (last is not None and not last.status.finished)
    estimate = None if last is None or not running else ctx.service.expected_duration(last.id)
    return JSONResponse(
        {
            "state": sync.state.value,
            "running": running,
            "run": None if last is None else run_json(last),
            "estimate": None if estimate is None else estimate_json(estimate),
            "job": job_json(ctx.runs.job(sync_id)),
        }
    )


def history(request: Request) -> Response:
    """``GET /syncs/{id}/history``: its runs, newest first."""
    runs = context(request).service.history(request.path_params["sync_id"])
    return JSONResponse([run_json(r) for r in runs])
