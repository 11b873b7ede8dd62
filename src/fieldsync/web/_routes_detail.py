"""A sync's detail: the Configuration, Field Mapping and Sync History tabs, Pause Sync /
Resume Sync, running it, and its runs' skipped records (page and CSV download)."""

from __future__ import annotations

import csv
import itertools
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from fieldsync import NotFoundError, RunStatus, SyncDetail
from fieldsync.web._context import Context

__all__ = ["SKIPPED_ON_PAGE", "detail_routes"]

SKIPPED_ON_PAGE = 500
"""How many skipped records the skipped page lists; the CSV has all of them."""

_TABS = {
    "sync_configuration": "configuration.html",
    "sync_mapping": "mapping.html",
    "sync_history": "history.html",
}


def detail_routes(ctx: Context) -> Sequence[BaseRoute]:
    """The routes of a sync's detail view and its actions."""
    service = ctx.service

    def tab(name: str) -> Any:
        def show(request: Request) -> Response:
            sync_id = request.path_params["sync_id"]
            detail = service.sync_detail(sync_id)
            last = detail.history[0] if detail.history else None
            running = ctx.runs.running(sync_id) or (
                last is not None and last.status is RunStatus.RUNNING
            )
            ran = request.query_params.get("ran")
            finished = last if not running and last is not None and last.id == ran else None
            values = {
                "detail": detail,
                "finished": finished,
                "sync": detail.sync,
                "tab": name,
                "running": running,
                "current": last if running else None,
                "estimate": service.expected_duration(last.id) if running and last else None,
                "job": ctx.runs.job(sync_id),
                "created_fields": _created_fields(detail),
                "lists": ctx.list_names(detail.sync.integration),
            }
            return ctx.page(request, _TABS[name], values)

        return show

    def overview(request: Request) -> Response:
        return ctx.redirect(request, "sync_configuration", sync_id=request.path_params["sync_id"])

    def action(name: str) -> Any:
        async def act(request: Request) -> Response:
            await ctx.form(request)
            sync_id = request.path_params["sync_id"]
            if name == "run":
                await run_in_threadpool(lambda: service.sync_detail(sync_id))  # 404 early
                ctx.start(sync_id, "run", lambda: service.run(sync_id))
                done = "started"
            elif name == "pause":
                await run_in_threadpool(service.pause, sync_id)
                done = "paused"
            else:
                await run_in_threadpool(service.resume, sync_id)
                done = "resumed"
            return ctx.redirect(request, "sync_configuration", done=done, sync_id=sync_id)

        return act

    def find_run(request: Request) -> tuple[SyncDetail, Any]:
        detail = service.sync_detail(request.path_params["sync_id"])
        run_id = request.path_params["run_id"]
        run = next((r for r in detail.history if r.id == run_id), None)
        if run is None:
            raise NotFoundError("run", run_id)
        return detail, run

    def skipped(request: Request) -> Response:
        detail, run = find_run(request)
        with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
            service.export_skipped(run.id, spool)
            spool.seek(0)
            reader = csv.reader(spool)
            header = next(reader, [])
            rows = list(itertools.islice(reader, SKIPPED_ON_PAGE))
        values = {
            "sync": detail.sync,
            "run": run,
            "header": header,
            "rows": rows,
            "limit": SKIPPED_ON_PAGE,
        }
        return ctx.page(request, "skipped.html", values)

    async def skipped_csv(request: Request) -> Response:
        _, run = await run_in_threadpool(find_run, request)
        excel = request.query_params.get("excel") in {"1", "true", "yes"}
        spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        try:
            await run_in_threadpool(lambda: service.export_skipped(run.id, spool, excel=excel))
            spool.seek(0)
        except BaseException:
            spool.close()
            raise

        def chunks() -> Iterator[str]:
            with spool:
                yield from iter(lambda: spool.read(1 << 16), "")

        filename = f"skipped-{run.id[:8]}{'-excel' if excel else ''}.csv"
        return StreamingResponse(
            chunks(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return [
        Route("/syncs/{sync_id}", overview, name="sync"),
        *(Route(f"/syncs/{{sync_id}}/{n.split('_')[1]}", tab(n), name=n) for n in _TABS),
        *(
            Route(f"/syncs/{{sync_id}}/{n}", action(n), methods=["POST"], name=f"sync_{n}")
            for n in ("pause", "resume", "run")
        ),
        Route("/syncs/{sync_id}/runs/{run_id}/skipped", skipped, name="run_skipped"),
        Route("/syncs/{sync_id}/runs/{run_id}/skipped.csv", skipped_csv, name="run_skipped_csv"),
    ]


def _created_fields(detail: SyncDetail) -> list[str]:
    """The target fields the sync's runs created, oldest first, each once."""
    seen: dict[str, None] = {}
    for run in reversed(detail.history):
        seen.update(dict.fromkeys(run.fields_created))
    return list(seen)
