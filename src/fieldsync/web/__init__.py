"""The Sync Services console: the product's screens as a web app you mount in yours.

Install ``fieldsync[web]``, then::

    from fieldsync.web import console

    app = console(service, authorize=lambda request: request.user.is_authenticated)

``app`` is an ASGI app (Starlette): mount it under any prefix of your Starlette, FastAPI
or Django (ASGI) app. The hook may return an :class:`Access` instead of ``True``: the
integrations the caller may see and its :class:`Role`. ``docs/console.md`` covers
mounting, the authorization hook, access and roles, CSRF and the JSON API.

``webhooks(service, secrets=...)`` is the receiver of Zoho Invoice's workflow-rule webhooks
(``POST /hooks/{integration}``), another ASGI app: see ``docs/immediate.md``.
"""

from fieldsync.web._access import Access, Role
from fieldsync.web._app import console
from fieldsync.web._guard import Authorize
from fieldsync.web._hook_runs import HookRuns
from fieldsync.web._jobs import BackgroundRuns, Job
from fieldsync.web._webhooks import webhooks

__all__ = [
    "Access",
    "Authorize",
    "BackgroundRuns",
    "HookRuns",
    "Job",
    "Role",
    "console",
    "webhooks",
]
