"""Who may see what and do what: the one place the console decides.

The ``authorize`` hook may return an :class:`Access`: the integrations the caller may
see and a :class:`Role`. The :class:`~fieldsync.web._guard.Guard` puts it in the request's
scope; :func:`checked_routes` wraps EVERY route of the pages and the API so that, before
a handler runs,

1. each path parameter names something the caller may see: an integration (``name``)
   among :attr:`Access.integrations`, a sync (``sync_id``) of one of them (a run or a
   notification is then found through the sync or the filtered inbox). Anything else is
   a 404 exactly as an unknown one (the same error, the same words);
2. the caller's role is at least the route's (:func:`required_role`): a 403 otherwise.

Visibility comes first, so a 403 only ever answers about something the caller can see.
Lists (integrations, syncs, the inbox, the bell's count) are filtered by the helpers
here: :func:`visible_integrations`, :func:`visible_syncs`, :func:`visible_notes`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence

import attrs
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from fieldsync import IntegrationStatus, NotFoundError, Notification, NotificationKind, Sync
from fieldsync import SyncService as Service
from fieldsync.domain.wording import bidi_safe

__all__ = [
    "Access",
    "Forbidden",
    "Role",
    "access_of",
    "checked_routes",
    "required_role",
    "visible_integration",
    "visible_integrations",
    "visible_notes",
    "visible_syncs",
]

SCOPE_KEY = "fieldsync_access"


class Role(enum.Enum):
    """What a caller may do, each role adding to the one before."""

    VIEWER = "viewer"
    """Read every page and API answer of the integrations it sees, export, open and mark
    notifications read."""
    OPERATOR = "operator"
    """A viewer who may also create, edit, preview, initiate, run, pause, resume, verify."""
    ADMIN = "admin"
    """An operator who may also use the settings: disable an integration."""

    @property
    def rank(self) -> int:
        """Its place in the order viewer < operator < admin."""
        return list(Role).index(self)


def _role(value: Role | str) -> Role:
    return value if isinstance(value, Role) else Role(value)


def _names(value: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(value, str):
        raise TypeError("Access(integrations=) takes a collection of names, not one name")
    return None if value is None else frozenset(value)


@attrs.frozen
class Access:
    """What an ``authorize`` hook grants: the integrations the caller may see (``None``:
    every one) and its :class:`Role` (or its value, ``"viewer"``, ``"operator"``,
    ``"admin"``). A hook returning ``True`` grants ``Access()``: admin of everything."""

    integrations: frozenset[str] | None = attrs.field(default=None, converter=_names)
    role: Role = attrs.field(default=Role.ADMIN, converter=_role)

    def sees(self, integration: str) -> bool:
        """Whether the caller may see ``integration`` and its syncs, runs and notes."""
        return self.integrations is None or integration in self.integrations

    def may(self, role: Role) -> bool:
        """Whether the caller's role is at least ``role``."""
        return self.role.rank >= role.rank


class Forbidden(Exception):
    """The caller sees this but its role may not do it (a 403)."""

    def __init__(self, needed: Role) -> None:
        self.needed = needed
        super().__init__(f"This needs the {needed.value} role.")


def access_of(request: Request) -> Access:
    """The request's :class:`Access` (the guard's; everything when there is none)."""
    found = request.scope.get(SCOPE_KEY)
    return found if isinstance(found, Access) else Access()


# -- the roles of the routes -------------------------------------------------------------------

_ADMIN_PATHS = ("/settings", "/integrations/{name}/disable")
# Pages whose only use is a change: the forms that create and edit a sync.
_OPERATOR_PAGES = ("/integrations/{name}/syncs/new", "/syncs/{sync_id}/edit")
# POSTs a viewer may send: opening and marking its own (visible) notifications read.
_VIEWER_POSTS = ("/notifications/read", "/notifications/{note_id}/open")


def required_role(method: str, path: str) -> Role:
    """The role a route needs: the settings and disabling an integration are the admin's;
    any other POST and the create and edit forms the operator's (opening and marking
    notifications read excepted); every other read the viewer's. ``path`` is the
    route's template (``/syncs/{sync_id}``) relative to the console or to ``/api``."""
    if path.startswith("/settings") or path in _ADMIN_PATHS:
        return Role.ADMIN
    if path in _OPERATOR_PAGES:
        return Role.OPERATOR
    if method in ("GET", "HEAD") or path in _VIEWER_POSTS:
        return Role.VIEWER
    return Role.OPERATOR


# -- visibility ------------------------------------------------------------------------------


def visible_integrations(request: Request, service: Service) -> list[IntegrationStatus]:
    """The integrations the caller sees."""
    access = access_of(request)
    return [s for s in service.integrations() if access.sees(s.name)]


def visible_integration(request: Request, service: Service, name: str) -> IntegrationStatus:
    """The integration ``name`` when the caller sees it.

    Raises:
        NotFoundError: unknown, or not the caller's (the same error).
    """
    if access_of(request).sees(name):
        found = next((s for s in service.integrations() if s.name == name), None)
        if found is not None:
            return found
    raise NotFoundError("integration", name)


def visible_syncs(request: Request, syncs: Iterable[Sync]) -> list[Sync]:
    """The syncs among ``syncs`` the caller sees."""
    access = access_of(request)
    return [s for s in syncs if access.sees(s.integration)]


def _visible_sync(request: Request, service: Service, sync_id: str) -> Sync:
    sync = service.get_sync(sync_id)  # NotFoundError("sync", id) when unknown
    if not access_of(request).sees(sync.integration):
        raise NotFoundError("sync", sync_id)
    return sync


def visible_notes(
    request: Request, service: Service, notes: Sequence[Notification]
) -> list[Notification]:
    """The notifications among ``notes`` the caller sees: a sync's when it sees the sync,
    an integration's being disabled when it sees the integration; every one for a caller
    who sees every integration."""
    access = access_of(request)
    if access.integrations is None:
        return list(notes)
    owner = {s.id: s.integration for s in service.list_syncs()}
    disabled = {f'Integration "{bidi_safe(name)}" disabled' for name in access.integrations}

    def sees(note: Notification) -> bool:
        if note.sync_id is not None:
            return note.sync_id in owner and access.sees(owner[note.sync_id])
        return note.kind is NotificationKind.INTEGRATION_DISABLED and note.title in disabled

    return [n for n in notes if sees(n)]


# -- every route checked -------------------------------------------------------------------------


class _Checked:
    """A route's ASGI app behind the visibility and role checks."""

    def __init__(self, app: ASGIApp, service: Callable[[], Service], path: str) -> None:
        self.app, self.service, self.path = app, service, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        access = access_of(request)
        params = scope.get("path_params", {})
        service = self.service()

        def check() -> None:
            if "name" in params:
                visible_integration(request, service, str(params["name"]))
            if "sync_id" in params:
                _visible_sync(request, service, str(params["sync_id"]))

        if params:
            await run_in_threadpool(check)
        needed = required_role(str(scope["method"]), self.path)
        if not access.may(needed):
            raise Forbidden(needed)
        await self.app(scope, receive, send)


def checked_routes(routes: Sequence[BaseRoute], service: Callable[[], Service]) -> None:
    """Put every :class:`Route` of ``routes`` (and of their mounts' routers) behind the
    checks; a route added later is checked as soon as it is in the list. Static files
    (a mount without routes) are for everyone the hook lets in."""
    for route in routes:
        if isinstance(route, Route):
            if not isinstance(route.app, _Checked):
                route.app = _Checked(route.app, service, route.path)
        elif isinstance(route, Mount) and route.routes:
            checked_routes(route.routes, service)
