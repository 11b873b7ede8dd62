"""The configured commands: each takes the app and the parsed arguments, returns an exit code."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from fieldsync.cli._app import App
from fieldsync.cli._render import (
    HISTORY_COLUMNS,
    Progress,
    dump_json,
    notification_to_json,
    run_row,
    run_to_json,
    sync_to_json,
    table,
)
from fieldsync.domain.sync import RunStatus, SyncRun
from fieldsync.exceptions import DisclaimerNotAcknowledgedError

__all__ = ["COMMANDS", "EXIT_OK", "EXIT_REFUSED", "EXIT_RUN_NOT_COMPLETED"]

EXIT_OK = 0
EXIT_RUN_NOT_COMPLETED = 1
EXIT_REFUSED = 3

Command = Callable[[App, argparse.Namespace], int]


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}


def _runs_exit(runs: list[SyncRun]) -> int:
    ok = all(run.status is RunStatus.COMPLETED for run in runs)
    return EXIT_OK if ok else EXIT_RUN_NOT_COMPLETED


def _print_runs(app: App, runs: list[SyncRun]) -> None:
    if app.json:
        dump_json([run_to_json(run) for run in runs])
    elif runs:
        print(table(HISTORY_COLUMNS, [run_row(run) for run in runs]))
    else:
        print("nothing was due")


def _with_progress(app: App, label: str, work: Callable[[], SyncRun]) -> SyncRun:
    app.progress.current = None if app.json else Progress(label)
    try:
        return work()
    finally:
        if app.progress.current is not None:
            app.progress.current.close()
        app.progress.current = None


def cmd_syncs(app: App, args: argparse.Namespace) -> int:
    """List the syncs, or show one sync's detail."""
    if args.name:
        detail = app.service.sync_detail(app.sync(args.name).id)
        if app.json:
            dump_json(
                {**sync_to_json(detail.sync), "history": [run_to_json(r) for r in detail.history]}
            )
            return EXIT_OK
        sync, config = detail.sync, detail.sync.config
        print(f"{sync.name}  ({sync.id})")
        print(f"  integration  {sync.integration}")
        print(
            f"  state        {sync.state.value}"
            + (f"  ({sync.attention})" if sync.attention else "")
        )
        print(f"  list         {config.list_key}")
        print(
            f"  version      {config.version}"
            + (f" (version {sync.pending.version} pending)" if sync.pending else "")
        )
        print(f"  criteria     {config.criteria.to_text() or '(all records)'}")
        print(f"  schedule     {config.schedule.describe()}")
        print(f"  next run     {sync.next_run_at or '-'}")
        print("\nField mapping")
        print(
            table(
                ("source", "target", "new field"),
                [(p.source, p.target, "yes" if p.create else "") for p in config.mapping],
            )
        )
        print("\nHistory")
        print(
            table(HISTORY_COLUMNS, [run_row(r) for r in detail.history])
            if detail.history
            else "no runs yet"
        )
        return EXIT_OK
    for definition in app.config.syncs:
        app.sync(definition.name)
    syncs = app.service.list_syncs()
    if app.json:
        dump_json([sync_to_json(s) for s in syncs])
        return EXIT_OK
    rows = []
    for s in syncs:
        history = app.service.history(s.id)
        last = history[0] if history else None
        rows.append(
            (
                s.name,
                s.integration,
                s.state.value,
                s.config.list_key,
                s.config.schedule.describe(),
                s.next_run_at,
                last.status.value if last else None,
            )
        )
    print(table(("name", "integration", "state", "list", "schedule", "next run", "last run"), rows))
    return EXIT_OK


def cmd_preview(app: App, args: argparse.Namespace) -> int:
    """What the next run would do, with nothing written."""
    preview = app.service.preview(app.sync(args.name).id)
    if app.json:
        dump_json(
            {
                "problems": [{"code": p.code, "message": p.message} for p in preview.problems],
                "fields_to_create": [f.name for f in preview.fields_to_create],
                "would_add": preview.would_add,
                "would_update": preview.would_update,
                "unchanged": preview.unchanged,
                "skipped_by_reason": {r.value: n for r, n in preview.skipped_by_reason.items()},
            }
        )
        return EXIT_OK
    for problem in preview.problems:
        print(f"problem: {problem.code}: {problem.message}")
    print(f"fields to create: {', '.join(f.name for f in preview.fields_to_create) or 'none'}")
    print(
        f"would add {preview.would_add}, update {preview.would_update};",
        f"{preview.unchanged} unchanged",
    )
    for reason, count in preview.skipped_by_reason.items():
        print(f"would skip {count}: {reason.value}")
    return EXIT_OK


def cmd_initiate(app: App, args: argparse.Namespace) -> int:
    """Validate, create missing fields, and start the first run."""
    sync = app.sync(args.name)

    def initiate(accept: bool) -> SyncRun:
        return _with_progress(
            app, sync.name, lambda: app.service.initiate(sync.id, acknowledge_disclaimer=accept)
        )

    try:
        run = initiate(args.accept_disclaimer)
    except DisclaimerNotAcknowledgedError as refused:
        print(refused.disclaimer, file=sys.stderr)
        if not _confirm("Go ahead?"):
            print(
                "fieldsync: not initiated: the disclaimer was not accepted (--accept-disclaimer)",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        run = initiate(True)
    _print_runs(app, [run])
    return _runs_exit([run])


def cmd_run(app: App, args: argparse.Namespace) -> int:
    """Run one sync now, or every sync that is due."""
    if args.due:
        runs = app.service.run_due()
    else:
        sync = app.sync(args.name)
        runs = [_with_progress(app, sync.name, lambda: app.service.run(sync.id))]
    _print_runs(app, runs)
    return _runs_exit(runs)


def cmd_worker(app: App, args: argparse.Namespace) -> int:
    """Run due syncs on their schedules until SIGINT or SIGTERM, then stop cleanly."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        print("fieldsync: stopping after the current run", file=sys.stderr)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.is_set():
            runs = app.service.run_due()
            if runs and not app.json:
                print(table(HISTORY_COLUMNS, [run_row(run) for run in runs]), flush=True)
            if args.once:
                break
            stop.wait(args.interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


def cmd_history(app: App, args: argparse.Namespace) -> int:
    """A sync's runs, newest first."""
    runs = app.service.history(app.stored_sync(args.name).id)
    if app.json:
        dump_json([run_to_json(r) for r in runs])
    else:
        print(table(HISTORY_COLUMNS, [run_row(r) for r in runs]) if runs else "no runs yet")
    return EXIT_OK


def cmd_export_skipped(app: App, args: argparse.Namespace) -> int:
    """Write a run's skipped and failed records to CSV."""
    run_id = _full_run_id(app, args.run)
    if args.path == "-":
        rows = app.service.export_skipped(run_id, sys.stdout)
    else:
        rows = app.service.export_skipped(run_id, Path(args.path))
        print(f"{rows} record(s) written to {args.path}", file=sys.stderr)
    return EXIT_OK


def _full_run_id(app: App, prefix: str) -> str:
    for sync in app.service.list_syncs():
        for run in app.service.history(sync.id):
            if run.id == prefix or (len(prefix) >= 6 and run.id.startswith(prefix)):
                return run.id
    return prefix  # the service raises NotFoundError with the id as given


def cmd_pause(app: App, args: argparse.Namespace) -> int:
    """Pause a sync (a run in progress stops at its next batch)."""
    sync = app.service.pause(app.stored_sync(args.name).id)
    if app.json:
        dump_json(sync_to_json(sync))
    else:
        print(sync.state.value)
    return EXIT_OK


def cmd_resume(app: App, args: argparse.Namespace) -> int:
    """Resume a paused sync."""
    sync = app.service.resume(app.stored_sync(args.name).id)
    if app.json:
        dump_json(sync_to_json(sync))
    else:
        print(sync.state.value)
    return EXIT_OK


def cmd_edit(app: App, args: argparse.Namespace) -> int:
    """Store the file's mapping, criteria and schedule as a new configuration version."""
    definition = app.config.sync(args.name)
    sync = app.service.edit(
        app.sync(args.name).id,
        list_key=definition.list_key,
        mapping=definition.mapping,
        criteria=definition.criteria,
        schedule=definition.schedule,
        options=definition.options,
    )
    if app.json:
        dump_json(sync_to_json(sync))
    else:
        version = sync.pending.version if sync.pending else sync.config.version
        print(
            f"configuration version {version} saved; `fieldsync initiate {args.name!r}` applies it"
        )
    return EXIT_OK


def cmd_notifications(app: App, args: argparse.Namespace) -> int:
    """The inbox (the bell)."""
    inbox = app.service.notifications(unread_only=args.unread)
    if app.json:
        dump_json([notification_to_json(n) for n in inbox])
    else:
        rows = [("" if n.read else "*", n.created_at, n.title, n.summary) for n in inbox]
        print(table(("new", "when", "title", "summary"), rows) if rows else "no notifications")
    if args.mark_read:
        app.service.mark_read([n.id for n in inbox])
    return EXIT_OK


def cmd_disable_integration(app: App, args: argparse.Namespace) -> int:
    """Show what disabling an integration does; with --yes (or a yes at the prompt), do it."""
    impact = app.service.disable_integration(args.name)
    if not app.json:
        print(f"Disabling {args.name!r} stops {len(impact.syncs)} sync(s):")
        for sync in impact.syncs:
            print(f"  - {sync.name} ({sync.state.value})")
        print("and revokes:")
        for credential in impact.credentials or ["no credentials"]:
            print(f"  - {credential}")
        print("History is kept.")
    if not (args.yes or _confirm("Disable it?")):
        if app.json:
            dump_json(
                {
                    "confirmed": False,
                    "syncs": [s.name for s in impact.syncs],
                    "credentials": list(impact.credentials),
                }
            )
        print("fieldsync: not disabled (use --yes to confirm)", file=sys.stderr)
        return EXIT_REFUSED
    done = app.service.disable_integration(args.name, confirm=True)
    if app.json:
        dump_json(
            {
                "confirmed": True,
                "syncs": [s.name for s in done.syncs],
                "credentials": list(done.credentials),
            }
        )
    else:
        print(f"{args.name!r} is disabled.")
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "syncs": cmd_syncs,
    "preview": cmd_preview,
    "initiate": cmd_initiate,
    "run": cmd_run,
    "worker": cmd_worker,
    "history": cmd_history,
    "export-skipped": cmd_export_skipped,
    "pause": cmd_pause,
    "resume": cmd_resume,
    "edit": cmd_edit,
    "notifications": cmd_notifications,
    "disable-integration": cmd_disable_integration,
}
