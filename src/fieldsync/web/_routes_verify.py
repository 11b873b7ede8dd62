"""The console's verify: a button on the sync's configuration page (``POST``, CSRF as the
others) starts ``SyncService.verify`` in the background; the sync's verify page shows the
last report."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fieldsync.web._context import Context
from fieldsync.web._verify_jobs import VerifyJobs

__all__ = ["verify_routes"]


def verify_routes(ctx: Context, jobs: VerifyJobs | None = None) -> Sequence[BaseRoute]:
    """``POST /syncs/{id}/verify`` (``repair`` in the form repairs) and
    ``GET /syncs/{id}/verify`` (the last report, or that it is still reading)."""
    service = ctx.service
    kept = jobs or VerifyJobs()

    async def start(request: Request) -> Response:
        form = await ctx.form(request)
        sync_id = request.path_params["sync_id"]
        repair = form.get("repair") not in (None, "")
        await run_in_threadpool(service.get_sync, sync_id)  # 404 early
        kept.start(sync_id, repair, lambda: service.verify(sync_id, repair=repair))
        return ctx.redirect(request, "sync_verify", sync_id=sync_id)

    def show(request: Request) -> Response:
        sync_id = request.path_params["sync_id"]
        detail = service.sync_detail(sync_id)
        values = {"sync": detail.sync, "detail": detail, "job": kept.job(sync_id)}
        return ctx.page(request, "verify.html", values)

    return [
        Route("/syncs/{sync_id}/verify", start, methods=["POST"], name="sync_verify_start"),
        Route("/syncs/{sync_id}/verify", show, name="sync_verify"),
    ]
