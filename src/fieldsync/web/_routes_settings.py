"""Settings -> Apps -> an app's details -> Deny -> Go Ahead; and the bell's inbox."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fieldsync import NotFoundError
from fieldsync.web._access import (
    access_of,
    visible_integration,
    visible_integrations,
    visible_notes,
)
from fieldsync.web._context import Context

__all__ = ["settings_routes"]


def settings_routes(ctx: Context) -> Sequence[BaseRoute]:
    """The routes of the settings and notifications screens."""
    service = ctx.service

    def settings(request: Request) -> Response:
        return ctx.redirect(request, "apps")

    def apps(request: Request) -> Response:
        values = {"apps": visible_integrations(request, service)}
        return ctx.page(request, "apps.html", values, section="settings")

    def details(request: Request, template: str) -> Response:
        name = request.path_params["name"]
        status = visible_integration(request, service, name)
        connected: list[tuple[str, str]] = []
        impact = None
        if status.registered:
            found = service.integration_details(name)
            connected = [("Source", found.source_type), ("Target", found.target_type)]
            impact = service.disable_integration(name)  # not confirmed: changes nothing
        values = {
            "app": status,
            "connected": connected,
            "impact": impact,
            "syncs": service.list_syncs(integration=name),
        }
        return ctx.page(request, template, values, section="settings")

    def app(request: Request) -> Response:
        return details(request, "app.html")

    def deny(request: Request) -> Response:
        return details(request, "deny.html")

    async def disable(request: Request) -> Response:
        data = await ctx.form(request)
        name = request.path_params["name"]
        if data.get("confirm") != "yes":
            return ctx.redirect(request, "app_deny", name=name)
        await run_in_threadpool(service.disable_integration, name, confirm=True)
        return ctx.redirect(request, "app", done="disabled", name=name)

    def inbox(request: Request) -> Response:
        values = {"notes": visible_notes(request, service, service.notifications())}
        return ctx.page(request, "notifications.html", values, section="notifications")

    async def open_note(request: Request) -> Response:
        await ctx.form(request)
        note_id = request.path_params["note_id"]
        notes = await run_in_threadpool(
            lambda: visible_notes(request, service, service.notifications())
        )
        note = next((n for n in notes if n.id == note_id), None)
        if note is None:
            raise NotFoundError("notification", note_id)
        await run_in_threadpool(service.mark_read, [note.id])
        if note.sync_id is not None:
            return ctx.redirect(request, "sync_configuration", sync_id=note.sync_id)
        return ctx.redirect(request, "notifications")

    async def read_all(request: Request) -> Response:
        await ctx.form(request)

        def mark() -> None:
            if access_of(request).integrations is None:
                service.mark_read()
            else:
                service.mark_read(
                    [n.id for n in visible_notes(request, service, service.notifications())]
                )

        await run_in_threadpool(mark)
        return ctx.redirect(request, "notifications", done="read")

    return [
        Route("/settings", settings, name="settings"),
        Route("/settings/apps", apps, name="apps"),
        Route("/settings/apps/{name}", app, name="app"),
        Route("/settings/apps/{name}/deny", deny, name="app_deny"),
        Route("/settings/apps/{name}/disable", disable, methods=["POST"], name="app_disable"),
        Route("/notifications", inbox, name="notifications"),
        Route("/notifications/read", read_all, methods=["POST"], name="notifications_read"),
        Route(
            "/notifications/{note_id}/open", open_note, methods=["POST"], name="notification_open"
        ),
    ]
