"""``POST /api/syncs/{id}/verify``: ``SyncService.verify`` answered with its report
(``fieldsync.codec.report_to_json``); ``{"repair": true}`` repairs. It reads the whole
list and source before it answers (about one call per 650 members)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fieldsync import codec
from fieldsync.web._api_io import context, posted

__all__ = ["verify"]


async def verify(request: Request) -> Response:
    """``POST /syncs/{id}/verify``: 200 with the report (``"drift"`` says whether the list
    differs); a body ``{"repair": true}`` repairs first."""
    body = await posted(request)  # checked against its declared shape: repair is a boolean
    repair = bool(body.get("repair", False))
    sync_id = request.path_params["sync_id"]
    service = context(request).service
    report = await run_in_threadpool(lambda: service.verify(sync_id, repair=repair))
    return JSONResponse(codec.report_to_json(report))
