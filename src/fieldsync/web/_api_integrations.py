"""The JSON API's other handlers, one per use case: the session, integrations (their
schemas, disabling one) and notifications."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fieldsync import SyncState
from fieldsync.web._access import (
    access_of,
    visible_integration,
    visible_integrations,
    visible_notes,
)
from fieldsync.web._api_io import context, posted, query_flag
from fieldsync.web._errors import BodyInvalid
from fieldsync.web._json import (
    impact_json,
    integration_json,
    notification_json,
    schema_json,
    sync_json,
)

__all__ = [
    "disable",
    "integration",
    "integrations",
    "mark_read",
    "notifications",
    "schemas",
    "session",
]


def session(request: Request) -> Response:
    """``GET /session``: the CSRF token to send in ``X-CSRF-Token``, with its cookie."""
    csrf = context(request).csrf
    response = JSONResponse({"csrf_token": csrf.token(request), "header": "X-CSRF-Token"})
    csrf.attach(request, response)
    return response


def integrations(request: Request) -> Response:
    """``GET /integrations``: each with its count of active syncs."""
    service = context(request).service
    return JSONResponse(
        [
            integration_json(
                status,
                active_syncs=len(
                    service.list_syncs(integration=status.name, state=SyncState.ACTIVE)
                ),
            )
            for status in visible_integrations(request, service)
        ]
    )


def integration(request: Request) -> Response:
    """``GET /integrations/{name}``: its status, credentials described, and syncs."""
    service = context(request).service
    name = request.path_params["name"]
    status = visible_integration(request, service, name)
    syncs = service.list_syncs(integration=name)
    active = sum(s.state is SyncState.ACTIVE for s in syncs)
    body = integration_json(status, active_syncs=active)
    if status.registered:
        body["credentials"] = list(service.integration_details(name).credentials)
    body["syncs"] = [sync_json(s) for s in syncs]
    return JSONResponse(body)


def schemas(request: Request) -> Response:
    """``GET /integrations/{name}/schemas``: the live source and target schemas."""
    service = context(request).service
    name = request.path_params["name"]
    return JSONResponse(
        {
            "source": schema_json(service.source_schema(name)),
            "target": schema_json(service.target_schema(name)),
        }
    )


async def disable(request: Request) -> Response:
    """``POST /integrations/{name}/disable``: the impact, or with ``confirm`` the deed."""
    body = await posted(request)
    service = context(request).service
    name, confirm = request.path_params["name"], body.get("confirm") is True
    impact = await run_in_threadpool(service.disable_integration, name, confirm=confirm)
    return JSONResponse(impact_json(impact))


def notifications(request: Request) -> Response:
    """``GET /notifications``, ``?unread=1`` for the unread ones."""
    service = context(request).service
    found = service.notifications(unread_only=query_flag(request, "unread"))
    return JSONResponse([notification_json(n) for n in visible_notes(request, service, found)])


async def mark_read(request: Request) -> Response:
    """``POST /notifications/read``: ``ids`` (or ``null`` for all)."""
    body = await posted(request)
    ids = body.get("ids")
    # an id is fieldsync's own (hex): text with a lone surrogate is no id, and refused
    # before it reaches a store that cannot hold it (control characters the shape refuses)
    if ids is not None and not all(i.isprintable() for i in ids):
        raise BodyInvalid({"ids": "must be notification ids."})
    service = context(request).service

    def mark() -> int:
        access = access_of(request)
        if access.integrations is None:
            return service.mark_read(ids)
        # only the notifications the caller sees: an id of another's is ignored as unknown
        mine = {n.id for n in visible_notes(request, service, service.notifications())}
        return service.mark_read([i for i in (mine if ids is None else ids) if i in mine])

    return JSONResponse({"marked": await run_in_threadpool(mark)})
