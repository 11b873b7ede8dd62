"""What every route of the console shares: the service, the templates, CSRF, background runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import jinja2
import markupsafe
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Router
from starlette.templating import Jinja2Templates

from fieldsync import FieldSyncError, SyncRun, SyncService
from fieldsync._secrets import SECRETS, redact_text
from fieldsync.web._access import Role, access_of, visible_notes
from fieldsync.web._bidi import bdi, isolated
from fieldsync.web._body import read_form
from fieldsync.web._csrf import FIELD, Csrf
from fieldsync.web._jobs import BackgroundRuns, Job
from fieldsync.web._previews import Previews

__all__ = ["NOTICES", "Context", "label", "short_key", "when"]

NOTICES = {
    "created": "Sync created. Look at the preview, then Initiate.",
    "saved": "Changes saved as a new configuration version. Initiate applies them.",
    "renamed": "Saved. The mapping, criteria and schedule did not change: nothing to initiate.",
    "initiated": "Sync initiated. It runs in the background; this page follows it.",
    "started": "Run started. It runs in the background; this page follows it.",
    "paused": "Sync paused. A run in progress stops at its next batch.",
    "resumed": "Sync resumed.",
    "disabled": "The integration is disabled. Its syncs' history stays readable.",
    "read": "Every notification is marked read.",
}
"""The notices a redirect may ask a page to show (``?done=...``): fixed texts only."""


def when(value: datetime | None) -> str:
    """A time for the screen, to the second: ``2026-03-02 08:00:05 UTC``, or a dash."""
    if value is None:
        return "-"
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def label(name: str) -> str:
    """An integration's name for people: ``zoho-invoice`` -> ``Zoho Invoice``."""
    words = name.replace("_", " ").replace("-", " ").split()
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or name


def short_key(key: str) -> str:
    """A long list key cut for the screen (the whole key goes in a tooltip)."""
    return key if len(key) <= 14 else key[:10] + "\u2026"


def _scrubbed(value: object) -> object:
    """A value about to be rendered, without the secrets fieldsync holds: by value only
    in markup (already HTML), by value and pattern in text."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(SECRETS.redact(str(value)))  # noqa: S704 (was markup)
    if isinstance(value, str):
        return redact_text(value)
    return value


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # record data comes from other people: everything is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_scrubbed,  # no secret fieldsync holds is ever rendered
    )
    env.filters["when"] = when
    env.filters["label"] = label
    env.filters["short_key"] = short_key
    env.filters["bdi"] = bdi
    env.filters["isolate"] = isolated
    return Jinja2Templates(env=env)


@attrs.define
class Context:
    """The console's shared parts; the routes are closures over one of these."""

    service: SyncService
    csrf: Csrf
    runs: BackgroundRuns
    title: str
    previews: Previews = attrs.field(factory=Previews)
    templates: Jinja2Templates = attrs.field(factory=_templates)
    router: Router | None = None  # set once the routes exist

    def url(self, request: Request, route: str, /, **params: str) -> str:
        """The path of a named route, under the prefix the console is mounted at."""
        assert self.router is not None
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return root + str(self.router.url_path_for(route, **params))

    def start(self, sync_id: str, action: str, work: Callable[[], SyncRun]) -> Job:
        """Start an initiate or a run in the background; the sync's kept preview is
        dropped when it ends, since the run changed what a preview would find.

        Raises:
            StateError: the console is already running this sync.
        """

        def then_forget() -> SyncRun:
            try:
                return work()
            finally:
                self.previews.forget(sync_id)

        return self.runs.start(sync_id, action, then_forget)

    def list_names(self, integration: str) -> dict[str, str]:
        """Key -> name of an integration's mailing lists; empty when it cannot say (not
        registered, disabled, or its app did not answer)."""
        try:
            return self.service.mailing_lists(integration)
        except FieldSyncError:
            return {}

    def api_url(self, request: Request, path: str) -> str:
        """The path of a JSON API endpoint (``path`` relative to ``/api``)."""
        return str(request.scope.get("root_path", "")).rstrip("/") + "/api" + path

    def page(
        self,
        request: Request,
        template: str,
        values: Mapping[str, Any],
        *,
        status_code: int = 200,
        section: str = "syncs",
    ) -> Response:
        """Render a page with what every page has: the bell, the CSRF token, the notice."""
        token = self.csrf.token(request)
        done = request.query_params.get("done", "")

        def url(route: str, /, **params: str) -> str:
            return self.url(request, route, **params)

        context = {
            "title": self.title,
            "section": section,
            "csrf_field": FIELD,
            "csrf_token": token,
            "unread": len(
                visible_notes(request, self.service, self.service.notifications(unread_only=True))
            ),
            # what the caller's role may do: the buttons it may not use are not shown
            "may_operate": access_of(request).may(Role.OPERATOR),
            "may_admin": access_of(request).may(Role.ADMIN),
            "notice": NOTICES.get(done),
            "url": url,
            "api_url": lambda path: self.api_url(request, path),
            **values,
        }
        response = self.templates.TemplateResponse(
            request, template, context, status_code=status_code
        )
        response.headers["Cache-Control"] = "no-store"
        self.csrf.attach(request, response)
        return response

    def redirect(
        self, request: Request, route: str, /, *, done: str | None = None, **params: str
    ) -> Response:
        """A 303 to a named page, optionally with a notice."""
        target = self.url(request, route, **params)
        return RedirectResponse(f"{target}?done={done}" if done else target, status_code=303)

    async def form(self, request: Request) -> FormData:
        """The submitted form, once its origin and CSRF token are checked (before the
        body is parsed: see :func:`~fieldsync.web._body.read_form`).

        Raises:
            CsrfRefused: another site, or the token is missing or wrong.
            HTTPException: a body that is not a small urlencoded form (413, 415).
        """
        return await read_form(request, self.csrf)
