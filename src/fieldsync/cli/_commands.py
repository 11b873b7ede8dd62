"""The configured commands: each takes the app and the parsed arguments, returns an exit code."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from types import FrameType

from fieldsync.cli._app import App
from fieldsync.cli._detail import detail_text, history_table, sync_row, syncs_table
from fieldsync.cli._exit import ExitCode, exit_code_for_runs
from fieldsync.cli._layout import hints
from fieldsync.cli._listen import listening
from fieldsync.cli._output import Styled
from fieldsync.cli._progress import counts_text, open_progress
from fieldsync.cli._render import dump_json, notification_to_json
from fieldsync.cli._verify import cmd_verify
from fieldsync.codec import run_to_json as run_json
from fieldsync.codec import sync_to_json
from fieldsync.domain.sync import Notification, Sync, SyncRun
from fieldsync.domain.wording import bidi_safe
from fieldsync.exceptions import DisclaimerNotAcknowledgedError, NotFoundError

__all__ = ["COMMANDS"]

Command = Callable[[App, argparse.Namespace], int]


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}


def _runs_exit(app: App, runs: list[SyncRun]) -> int:
    return exit_code_for_runs(runs, credentials_rejected=app.watch.rejected)


def _print_runs(app: App, runs: list[SyncRun]) -> None:
    if app.json:
        dump_json([run_json(run) for run in runs])
    elif runs:
        names = app.names()
        for run in runs:
            name = names.get(run.sync_id, run.sync_id)
            text = f"{name}: {run.status.value}: {run.total:,} records ({counts_text(run)})"
            print(app.out.wrap_status(text, run.status.value, indent=2))
            if run.error:
                print(app.out.wrap(run.error, indent=2))
    else:
        print("nothing was due")


def _with_progress(app: App, sync: Sync, work: Callable[[], SyncRun]) -> SyncRun:
    if not app.json:
        app.progress.current = open_progress(sync.name, zone=app.out.zone)
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
                {**sync_to_json(detail.sync), "history": [run_json(r) for r in detail.history]}
            )
        else:
            print(detail_text(detail, app.out))
        return ExitCode.OK
    disabled = app.store.disabled_integrations()
    for integration, spec in app.config.syncs:
        if integration not in disabled:  # no new syncs for a disabled one
            app.sync(spec.name)
    syncs = app.service.list_syncs()
    if app.json:
        dump_json([sync_to_json(s) for s in syncs])
        return ExitCode.OK
    rows = []
    for sync in syncs:
        history = app.service.history(sync.id)
        rows.append(sync_row(sync, history[0] if history else None, app.out))
    print(syncs_table(rows, app.out) if rows else "no syncs")
    return ExitCode.OK


def cmd_preview(app: App, args: argparse.Namespace) -> int:
    """What the next run would do, with nothing written. Exits 2 when the mapping or the
    criteria do not fit the schemas (the run would fail)."""
    sync = app.sync(args.name)
    preview = app.service.preview(sync.id)
    code = ExitCode.CONFIG if preview.problems else ExitCode.OK
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
        return code
    if sync.pending is not None:
        # Say so: a `run` before that initiate still runs the configuration in force.
        print(
            app.out.wrap(
                f"configuration version {preview.config_version} (saved by edit): applied by"
                f" `fieldsync initiate {shlex.quote(sync.name)}`; until then `run` uses"
                f" version {sync.config.version}"
            )
        )
    for problem in preview.problems:
        print(app.out.style(app.out.wrap(f"problem: {problem.code}: {problem.message}"), "red"))
    fields = ", ".join(f.name for f in preview.fields_to_create) or "none"
    print(app.out.wrap(f"fields to create: {fields}"))
    print(
        f"would add {preview.would_add:,}, update {preview.would_update:,};",
        f"{preview.unchanged:,} unchanged",
    )
    for reason, count in preview.skipped_by_reason.items():
        print(f"would skip {count:,}: {reason.value}")
    return code


def cmd_initiate(app: App, args: argparse.Namespace) -> int:
    """Validate, create missing fields, start the first run; then show the sync and what
    to do next."""
    sync = app.sync(args.name)

    def initiate(accept: bool) -> SyncRun:
        return _with_progress(
            app, sync, lambda: app.service.initiate(sync.id, acknowledge_disclaimer=accept)
        )

    try:
        run = initiate(args.accept_disclaimer)
    except DisclaimerNotAcknowledgedError as refused:
        print(app.out.wrap(refused.disclaimer), file=sys.stderr)
        if not _confirm("Go ahead?"):
            print(
                "fieldsync: not initiated: the disclaimer was not acknowledged"
                " (--acknowledge-disclaimer)",
                file=sys.stderr,
            )
            return ExitCode.REFUSED
        run = initiate(True)
    _print_runs(app, [run])
    if not app.json:
        print()
        print(detail_text(app.service.sync_detail(sync.id), app.out, history=False))
        print()
        print(app.out.heading("Next"))
        print("\n".join(hints(app.out, _next_steps(app, sync.name, run))))
    return _runs_exit(app, [run])


def _next_steps(app: App, name: str, run: SyncRun) -> list[tuple[str, str]]:
    quoted = shlex.quote(name)
    steps = [(f"fieldsync history {quoted}", "its runs, as they happen")]
    if run.skipped or run.failed:
        steps.append(
            (
                f"fieldsync export-skipped {run.id[:8]} skipped.csv",
                "the records not written, and why",
            )
        )
    schedule = app.service.sync_detail(run.sync_id).config.schedule.describe()
    if schedule == "once":
        steps.append((f"fieldsync run {quoted}", "run it again by hand"))
    else:
        steps.append(("fieldsync worker", f"runs it {schedule}"))
    steps.append((f"fieldsync pause {quoted}", "stop it until resumed"))
    return steps


def cmd_run(app: App, args: argparse.Namespace) -> int:
    """Run one sync now, or every sync that is due."""
    if args.due:
        runs = app.service.run_due()
    else:
        sync = app.sync(args.name)
        if sync.pending is not None and not app.json:
            print(
                app.out.wrap(
                    f"fieldsync: {sync.name} runs configuration version {sync.config.version};"
                    f" version {sync.pending.version} is saved, and `fieldsync initiate"
                    f" {shlex.quote(sync.name)}` applies it"
                ),
                file=sys.stderr,
            )
        runs = [_with_progress(app, sync, lambda: app.service.run(sync.id))]
    _print_runs(app, runs)
    return _runs_exit(app, runs)


def cmd_worker(app: App, args: argparse.Namespace) -> int:
    """Run due syncs on their schedules until SIGINT or SIGTERM, then stop cleanly; with
    ``--listen HOST:PORT``, receive webhooks there too and run what they ask for."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        print("fieldsync: stopping after the current run", file=sys.stderr)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    # --listen: the webhook receiver, served in a thread beside the loop
    receiver: AbstractContextManager[object] = (
        listening(app.service, app.config, args.listen) if args.listen else nullcontext()
    )
    try:
        with receiver:
            while not stop.is_set():
                runs = app.service.run_due()
                if runs and not app.json:
                    _print_runs(app, runs)
                    sys.stdout.flush()
                if args.once:
                    break
                stop.wait(args.interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return ExitCode.OK


def cmd_history(app: App, args: argparse.Namespace) -> int:
    """A sync's runs, newest first."""
    runs = app.service.history(app.stored_sync(args.name).id)
    if app.json:
        dump_json([run_json(r) for r in runs])
    else:
        print(history_table(runs, app.out) if runs else "no runs yet")
    return ExitCode.OK


def cmd_export_skipped(app: App, args: argparse.Namespace) -> int:
    """Write a run's skipped and failed records to CSV."""
    run_id = _full_run_id(app, args.run)
    if args.path == "-":
        app.service.export_skipped(run_id, sys.stdout, excel=args.excel)
    else:
        rows = app.service.export_skipped(run_id, Path(args.path), excel=args.excel)
        print(app.out.wrap(f"{rows:,} record(s) written to {args.path}"), file=sys.stderr)
    return ExitCode.OK


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
        resume = f"fieldsync resume {shlex.quote(sync.name)}"
        print(app.out.wrap(f"{bidi_safe(sync.name)} is {sync.state.value}; `{resume}` resumes it"))
    return ExitCode.OK


def cmd_resume(app: App, args: argparse.Namespace) -> int:
    """Resume a paused sync."""
    sync = app.service.resume(app.stored_sync(args.name).id)
    if app.json:
        dump_json(sync_to_json(sync))
    else:
        when = app.out.time(sync.next_run_at) if sync.next_run_at else "when run"
        print(app.out.wrap(f"{bidi_safe(sync.name)} is {sync.state.value} again; next run: {when}"))
    return ExitCode.OK


def cmd_edit(app: App, args: argparse.Namespace) -> int:
    """Store the file's mapping, criteria and schedule as a new configuration version."""
    _, spec = app.config.sync(args.name)
    sync = app.service.edit(app.sync(args.name).id, spec)
    if app.json:
        dump_json(sync_to_json(sync))
    else:
        version = sync.pending.version if sync.pending else sync.config.version
        print(
            app.out.wrap(
                f"configuration version {version} saved; "
                f"`fieldsync initiate {shlex.quote(args.name)}` applies it"
            )
        )
    return ExitCode.OK


def cmd_notifications(app: App, args: argparse.Namespace) -> int:
    """The inbox (the bell), numbered; ``--open N`` shows what notification N is about."""
    inbox = app.service.notifications()  # numbered over the whole inbox: N stays N
    if args.open is not None:
        return _open_notification(app, inbox, args.open)
    shown = [(n, note) for n, note in enumerate(inbox, 1) if not (args.unread and note.read)]
    if app.json:
        dump_json([{**notification_to_json(note), "number": n} for n, note in shown])
    elif shown:
        names = app.names()
        rows = [
            (
                n,
                "" if note.read else Styled("*", "bold yellow"),
                app.out.time(note.created_at),
                names.get(note.sync_id or "", "-"),
                Styled(note.title, None if note.read else "bold"),
            )
            for n, note in shown
        ]
        print(
            app.out.table(
                ("#", "new", "when", "sync", "title"), rows, shrink=(4, 3), keep=(0, 1, 2)
            )
        )
        print(app.out.style("`fieldsync notifications --open N` shows one and its sync", "dim"))
    else:
        print("no notifications")
    if args.mark_read:
        app.service.mark_read([note.id for _, note in shown])
    return ExitCode.OK


def _open_notification(app: App, inbox: list[Notification], number: int) -> int:
    if not 1 <= number <= len(inbox):
        raise NotFoundError("notification", str(number))
    note = inbox[number - 1]
    app.service.mark_read([note.id])
    if app.json:
        dump_json({**notification_to_json(note), "number": number, "read": True})
        return ExitCode.OK
    print(app.out.heading(app.out.wrap(note.title)))
    print(app.out.wrap(f"{app.out.time(note.created_at)}  {bidi_safe(note.summary)}", indent=2))
    if note.run_id:
        print(f"  run {note.run_id[:8]}")
    if note.sync_id:
        print()
        print(detail_text(app.service.sync_detail(note.sync_id), app.out))
    return ExitCode.OK


def cmd_disable_integration(app: App, args: argparse.Namespace) -> int:
    """Show what disabling an integration does; with --yes (or a yes at the prompt), do it."""
    impact = app.service.disable_integration(args.name)
    if not app.json:
        print(f"Disabling {args.name!r} stops {len(impact.syncs)} sync(s):")
        for sync in impact.syncs:
            print(f"  - {bidi_safe(sync.name)} ({sync.state.value})")
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
        return ExitCode.REFUSED
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
    return ExitCode.OK


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
    "verify": cmd_verify,
}
