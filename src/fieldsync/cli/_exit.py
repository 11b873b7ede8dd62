"""The exit codes of the `fieldsync` command, defined here once (docs/cli.md has the table),
and the one-line message each error becomes."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from fieldsync._secrets import redact_text
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.exceptions import (
    AuthenticationError,
    ConfigurationError,
    FieldSyncError,
    NotFoundError,
    StateError,
)

__all__ = ["ExitCode", "error_line", "exit_code_for", "exit_code_for_runs"]


class ExitCode(enum.IntEnum):
    """Why the command ended. Scripts may rely on these numbers."""

    OK = 0
    """Done: every run completed."""
    NOT_COMPLETED = 1
    """A run ended failed or deferred, or talking to a source or target failed."""
    CONFIG = 2
    """A configuration or usage error, or a mapping or criteria that does not fit the
    schemas (the message names the key or the field)."""
    REFUSED = 3
    """Refused: a disclaimer or confirmation declined, an action the sync's state does not
    allow (a disabled integration), a sync already running."""
    CREDENTIALS = 4
    """The credentials were rejected (in every command, runs included)."""
    PAUSED = 5
    """The run stopped because the sync was paused (or disabled) meanwhile, say from
    another terminal; `resume` and a new run continue where it stopped."""
    DRIFT = 6
    """`verify` found the list different from what the sync would make it (missing or
    edited contacts, or addresses its policies unsubscribe); `verify --repair` mends it."""
    INTERNAL = 70
    """An unexpected error (a bug): one line, and the traceback with `-v`."""
    INTERRUPTED = 130
    """Ctrl-C (SIGINT)."""
    BROKEN_PIPE = 141
    """The reader of the output went away (`| head`), as for any Unix tool."""


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code of a command that raised ``exc``."""
    if isinstance(exc, AuthenticationError):
        return ExitCode.CREDENTIALS
    if isinstance(exc, ConfigurationError | NotFoundError):
        return ExitCode.CONFIG
    if isinstance(exc, StateError):
        return ExitCode.REFUSED
    if isinstance(exc, FieldSyncError):
        return ExitCode.NOT_COMPLETED
    return ExitCode.INTERNAL


_PREFIX = {
    ExitCode.CREDENTIALS: "credentials rejected",
    ExitCode.CONFIG: "error",
    ExitCode.REFUSED: "refused",
    ExitCode.NOT_COMPLETED: "failed",
    ExitCode.INTERNAL: "unexpected error",
}


def error_line(exc: BaseException, names: Mapping[str, str] | None = None) -> str:
    """``exc`` as the one line printed on stderr, with each sync id in it (``names``: id to
    name) replaced by the sync's name."""
    code = exit_code_for(exc)
    # one line, whatever it holds, without a secret it may quote (an API's words)
    text = redact_text(" ".join(str(exc).split())) or type(exc).__name__
    if code is ExitCode.INTERNAL:
        text = f"{type(exc).__name__}: {text} (run with -v for the traceback)"
    for sync_id, name in (names or {}).items():
        text = text.replace(sync_id, name)
    return f"fieldsync: {_PREFIX[code]}: {text}"


def exit_code_for_runs(runs: Iterable[SyncRun], *, credentials_rejected: bool) -> ExitCode:
    """The exit code of a command that ran ``runs``: the worst of their endings.

    ``credentials_rejected``: an adapter raised ``AuthenticationError`` meanwhile (a run
    that failed for that reason exits as a command that raised it does).
    """
    statuses = {run.status for run in runs}
    if credentials_rejected and RunStatus.FAILED in statuses:
        return ExitCode.CREDENTIALS
    if statuses & {RunStatus.FAILED, RunStatus.DEFERRED, RunStatus.INTERRUPTED}:
        return ExitCode.NOT_COMPLETED
    if RunStatus.PAUSED in statuses:
        return ExitCode.PAUSED
    return ExitCode.OK
