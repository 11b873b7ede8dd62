"""``webhooks()``: the receiver of Zoho Invoice's workflow-rule webhooks, as an ASGI app.

A hook only says "something changed in this integration's source": its body is read (up
to a bound) and thrown away, never parsed. What it starts is an ordinary incremental run
of each active sync of the integration, which reads the source from its watermark, so a
forged body cannot put anything in a list. ``docs/immediate.md`` is the reference.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fieldsync import FieldSyncError, Sync, SyncAlreadyRunningError, SyncService, SyncState
from fieldsync.clock import SystemClock
from fieldsync.ports import Clock
from fieldsync.web._hook_runs import HookRuns

__all__ = ["DEBOUNCE", "HEADER", "MAX_BODY", "webhooks"]

_log = logging.getLogger("fieldsync.web.hooks")

#: The header carrying an integration's webhook secret.
HEADER = "X-Fieldsync-Token"
#: The default shortest time between two runs started by hooks for one integration.
DEBOUNCE = timedelta(seconds=5)
#: The largest body read, in bytes; a longer one is refused with 413.
MAX_BODY = 64 * 1024


def webhooks(
    service: SyncService,
    *,
    secrets: Mapping[str, str] | Callable[[str], str | None],
    debounce: timedelta = DEBOUNCE,
    defer: Callable[[Sync], object] | None = None,
    clock: Clock | None = None,
    max_body: int = MAX_BODY,
) -> Starlette:
    """The webhook receiver for ``service``: ``POST /hooks/{integration}``, an ASGI app to
    serve (``fieldsync worker --listen``) or mount in your own.

    Each call must carry the integration's secret in the ``X-Fieldsync-Token`` header
    (compared in constant time). It answers 404 for an integration without a secret, 401
    for a missing or wrong token, 413 for a body over ``max_body`` bytes (each with
    nothing run), else 202 with the active syncs it will run and the earliest time. The
    body is never parsed. Hooks are debounced per integration: the first one starts the
    runs at once, the hooks within ``debounce`` of that start lead to one trailing start
    at its end, and a hook that lands during the runs leads to one more start after them.
    The runs go to background threads (``app.state.hooks``, a :class:`HookRuns`), never
    into the request.

    Args:
        service: the sync service whose active syncs the hooks run.
        secrets: each integration's webhook secret, as a mapping or a function of the
            integration's name (``None``: hooks refused with 404).
        debounce: the shortest time between two starts for one integration.
        defer: instead of running each sync in this process, hand it to this function,
            e.g. :meth:`fieldsync.procrastinate.SyncTasks.enqueue_changed` to queue a
            Procrastinate job through the sync's queueing lock.
        clock: the time the debounce window is measured on (the system clock by default).
        max_body: the largest body read, in bytes.

    Raises:
        ValueError: ``debounce`` is negative or ``max_body`` below 0.
    """
    if max_body < 0:
        raise ValueError(f"max_body cannot be negative ({max_body})")
    secret_of = secrets.get if isinstance(secrets, Mapping) else secrets
    work = _running(service) if defer is None else _deferring(service, defer)
    runs = HookRuns(work, window=debounce, clock=clock or SystemClock())

    async def receive(request: Request) -> JSONResponse:
        integration = request.path_params["integration"]
        secret = await run_in_threadpool(secret_of, integration)  # a vault may block
        if not secret:
            return _refusal(404, "not_found", f"no webhook for integration {integration!r}")
        token = request.headers.get(HEADER, "")
        # Constant time: the comparison must not tell how much of a guess was right.
        if not hmac.compare_digest(token.encode(), secret.encode()):
            return _refusal(401, "unauthorized", f"send the integration's secret in {HEADER}")
        if not await _drained(request, max_body):
            return _refusal(413, "too_large", f"a hook's body is at most {max_body} bytes")
        syncs = await run_in_threadpool(
            service.list_syncs, integration=integration, state=SyncState.ACTIVE
        )
        starts_at = runs.hook(integration).isoformat() if syncs else None
        ids = [sync.id for sync in syncs]
        answer = {"integration": integration, "syncs": ids, "starts_at": starts_at}
        return JSONResponse(answer, status_code=202)

    app = Starlette(routes=[Route("/hooks/{integration}", receive, methods=["POST"])])
    app.state.hooks = runs
    return app


def _refusal(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def _drained(request: Request, limit: int) -> bool:
    """Read the body and drop it; whether it stayed within ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return False
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return False
    return True


def _running(service: SyncService) -> Callable[[str], bool]:
    def work(integration: str) -> bool:
        again = False
        for sync in service.list_syncs(integration=integration, state=SyncState.ACTIVE):
            try:
                run = service.run(sync.id)
            except SyncAlreadyRunningError:
                # That run may have read the source before the change: one more after it.
                again = True
            except FieldSyncError as exc:
                _log.warning("sync %s, run by a hook, failed: %s", sync.id, exc)
            else:
                _log.info("sync %s ran on a hook: %s", sync.id, run.status.value)
        return again

    return work


def _deferring(service: SyncService, defer: Callable[[Sync], object]) -> Callable[[str], bool]:
    def work(integration: str) -> bool:
        for sync in service.list_syncs(integration=integration, state=SyncState.ACTIVE):
            try:
                defer(sync)
            except Exception:
                _log.exception("sync %s: the job a hook asked for was not queued", sync.id)
        return False

    return work
