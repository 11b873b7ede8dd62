"""``fieldsync verify NAME [--repair]``: read the sync's list back and compare it with what
the sync sent and what the source says now; exit 6 (``ExitCode.DRIFT``) when it differs,
0 when it matches or the repair mended it."""

from __future__ import annotations

import argparse

from fieldsync.cli._app import App
from fieldsync.cli._exit import ExitCode
from fieldsync.cli._render import dump_json
from fieldsync.codec import report_to_json
from fieldsync.domain.drift import VerifyReport

__all__ = ["cmd_verify"]

_SHOWN = 10  # addresses listed per kind; --json has them all


def cmd_verify(app: App, args: argparse.Namespace) -> int:
    """Verify (and with ``--repair`` mend) a sync's list."""
    sync = app.sync(args.name)
    report = app.service.verify(sync.id, repair=args.repair)
    if app.json:
        dump_json(report_to_json(report))
    else:
        print(report_text(report, app))
    if report.repair is not None:
        # a repair mends all that differs: what it could not send is in its history run
        return ExitCode.OK if not report.repair.failed else ExitCode.NOT_COMPLETED
    return ExitCode.DRIFT if report.drift else ExitCode.OK


def report_text(report: VerifyReport, app: App) -> str:
    """The report for people, each kind with its first addresses."""
    lines = [app.out.wrap(line) for line in str(report).splitlines()]
    kinds = (
        ("missing", report.missing),
        ("differing", tuple(f"{d.email}: {', '.join(d.fields)}" for d in report.differing)),
        ("not ours", report.not_ours),
        ("deleted in the source", report.deleted),
        ("old addresses", report.replaced),
    )
    for label, items in kinds:
        if items:
            more = f" (and {len(items) - _SHOWN:,} more)" if len(items) > _SHOWN else ""
            lines.append(app.out.wrap(f"{label}: {', '.join(items[:_SHOWN])}{more}"))
    if report.repair is None and report.drift:
        lines.append(app.out.wrap("`fieldsync verify --repair NAME` mends it."))
    return "\n".join(lines)
