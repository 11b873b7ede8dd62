"""The progress bar of a run: done/total, rate, ETA, and why it waits when it does.

With the ``fieldsync[cli]`` extra installed and stderr a terminal, rich draws it; without
rich it is one line redrawn in place. Off a terminal (a log file, CI) it is a plain line
every ``every`` records and one line per wait, so logs stay short and readable.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Protocol, TextIO

from fieldsync.cli._output import DEFAULT_WIDTH, colour_enabled, shorten
from fieldsync.domain.sync import SyncRun
from fieldsync.events import (
    BatchCommitted,
    RunEstimated,
    RunEvent,
    RunStarted,
    Waiting,
    WaitReason,
)

__all__ = ["PlainProgress", "ProgressHook", "ProgressView", "open_progress"]

_BAR = 20
# Waits shorter than these are not shown: pacing at 500 calls a minute waits a fraction of a
# second before most calls, and a line (or a flicker) for each would drown the progress.
SHOWN_WAIT = 1.0  # seconds, on a terminal
LOGGED_WAIT = 5.0  # seconds, off a terminal (as the library logs long waits)


class ProgressView(Protocol):
    """What shows a run's progress."""

    def expect(self, total: int | None) -> None:
        """How many records the run will look at, when the run knows (a bar then)."""

    def update(self, run: SyncRun) -> None:
        """The run so far (after each committed batch)."""

    def note(self, text: str) -> None:
        """A line worth keeping above the progress (the run's expected duration)."""

    def waiting(self, until: datetime | None, why: str, seconds: float | None = None) -> None:
        """The run waits ``seconds`` (``until``: when it goes on, if known)."""

    def close(self) -> None:
        """The run is over: end the display."""


def counts_text(run: SyncRun, *, compact: bool = False) -> str:
    """``1,200 added, 30 updated, ...`` for a run so far (``compact``: without the zeros)."""
    counts = [
        (run.added, "added"),
        (run.updated, "updated"),
        (run.unchanged, "unchanged"),
        (run.skipped, "skipped"),
        (run.failed, "failed"),
    ]
    shown = [(n, what) for n, what in counts if n or not compact]
    return ", ".join(f"{n:,} {what}" for n, what in shown) or "nothing yet"


def _clock_time(when: datetime, zone: tzinfo | None, seconds: float | None) -> str:
    # A wait of a minute or two ends at a second worth saying; a longer one at a minute.
    short = seconds is not None and seconds < 120
    return when.astimezone(zone).strftime("%H:%M:%S" if short else "%H:%M")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class PlainProgress:
    """A dependency-free progress line on ``out`` (stderr).

    Args:
        label: what runs (the sync's name).
        total: the records the run will look at, when known (a bar and an ETA then).
        out: where to write.
        every: off a terminal, a line at most every ``every`` records.
        zone: the zone wait times are shown in (``None``: local).
        ticks: seconds from a monotonic clock (for the rate).
    """

    def __init__(
        self,
        label: str,
        *,
        total: int | None = None,
        out: TextIO | None = None,
        every: int = 1000,
        zone: tzinfo | None = None,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self._label = label
        self._total = total
        self._out = out or sys.stderr
        self._tty = bool(getattr(self._out, "isatty", lambda: False)())
        self._every = every
        self._zone = zone
        self._width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns - 1
        self._ticks = ticks
        self._started = ticks()
        self._last_line = 0
        self._done = 0
        self._drawn = False

    def expect(self, total: int | None) -> None:
        """Set the total, unless one was given already."""
        if self._total is None:
            self._total = total

    def update(self, run: SyncRun) -> None:
        """Show a run's progress so far."""
        self._done = run.total
        if not self._tty and run.total - self._last_line < self._every:
            return
        self._last_line = run.total
        self._draw(f"{self._measure()}  {counts_text(run, compact=True)}")

    def note(self, text: str) -> None:
        """Write ``text`` on a line of its own, whole (the progress line is drawn again
        below it)."""
        width = shutil.get_terminal_size((80, 24)).columns
        indent = " " * (len(self._label) + 2)
        line = textwrap.fill(
            f"{self._label}  {text}",
            width=max(width, 40),
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        self._out.write(("\r\x1b[2K" if self._tty else "") + line + "\n")
        self._out.flush()

    def waiting(self, until: datetime | None, why: str, seconds: float | None = None) -> None:
        """Say that the run waits, and until when (short waits are not shown)."""
        if seconds is not None and seconds < (SHOWN_WAIT if self._tty else LOGGED_WAIT):
            return
        wait = f"{why} until {_clock_time(until, self._zone, seconds)}" if until else why
        # The wait is said whole (until when is what the reader needs); what goes first
        # when the line is too long is the bar, then the label, then the count.
        leads = (
            self._measure(rate=False),
            self._measure(rate=False, bar=False),
            self._measure(rate=False, bar=False, label=False),
            "",
        )
        for lead in leads:
            line = f"{lead}  {wait}" if lead else wait
            if len(line) <= self._width:
                break
        self._draw(line, whole=True)

    def close(self) -> None:
        """End the progress line."""
        if self._tty and self._drawn:
            self._out.write("\n")
            self._out.flush()

    def _measure(self, *, rate: bool = True, bar: bool = True, label: bool = True) -> str:
        done, total = self._done, self._total
        elapsed = max(self._ticks() - self._started, 1e-9)
        per_second = done / elapsed
        parts = [self._label] if label else []
        if total and bar:
            share = min(1.0, done / total)
            filled = round(_BAR * share)
            parts.append(f"[{'#' * filled}{'.' * (_BAR - filled)}] {share:4.0%}")
        parts.append(f"{done:,}" + (f"/{total:,}" if total else " records"))
        if rate:  # not while waiting: the wait says more than a rate that is falling
            parts.append(f"{per_second:,.0f}/s")
        if rate and total and per_second > 0 and done < total:
            parts.append(f"ETA {_duration((total - done) / per_second)}")
        return "  ".join(parts)

    def _draw(self, text: str, *, whole: bool = False) -> None:
        self._drawn = True
        if not whole:
            text = shorten(text, self._width)
        if self._tty:
            self._out.write("\r\x1b[2K" + text)
        else:
            self._out.write(text + "\n")
        self._out.flush()


class RichProgress:
    """The progress bar drawn by rich (the ``fieldsync[cli]`` extra)."""

    def __init__(self, label: str, *, total: int | None, out: TextIO, zone: tzinfo | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._zone = zone
        console = Console(file=out, no_color=not colour_enabled(out))
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=24),
            TaskProgressColumn(),
            TextColumn("{task.fields[done]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[eta]}"),
            TextColumn("{task.fields[status]}"),
            console=console,
        )
        self._task = self._progress.add_task(
            label, total=total, done="", rate="", eta="", status=""
        )
        self._progress.start()

    def expect(self, total: int | None) -> None:
        """Set the total, unless one was given already."""
        if total and self._progress.tasks[0].total is None:
            self._progress.update(self._task, total=total)

    def update(self, run: SyncRun) -> None:
        """Show a run's progress so far."""
        self._progress.update(self._task, completed=run.total, status="")
        task = self._progress.tasks[0]
        speed: Any = task.speed
        left: Any = task.time_remaining
        self._progress.update(
            self._task,
            done=f"{run.total:,}" + (f"/{task.total:,.0f}" if task.total else " records"),
            rate=f"{speed:,.0f}/s" if speed else "",
            eta=f"ETA {_duration(left)}" if left is not None and task.total else "",
        )

    def note(self, text: str) -> None:
        """Print ``text`` above the bar."""
        self._progress.console.print(text, markup=False, highlight=False)

    def waiting(self, until: datetime | None, why: str, seconds: float | None = None) -> None:
        """Say that the run waits, and until when (short waits are not shown)."""
        if seconds is not None and seconds < SHOWN_WAIT:
            return
        text = f"{why} until {_clock_time(until, self._zone, seconds)}" if until else why
        self._progress.update(self._task, status=f"[yellow]{text}")

    def close(self) -> None:
        """Stop drawing (the finished bar stays)."""
        self._progress.stop()


def open_progress(
    label: str,
    *,
    total: int | None = None,
    out: TextIO | None = None,
    every: int = 1000,
    zone: tzinfo | None = None,
) -> ProgressView:
    """The best progress display for ``out`` (stderr): rich's bar on a terminal when rich is
    installed, else :class:`PlainProgress`."""
    out = out or sys.stderr
    if getattr(out, "isatty", lambda: False)():
        try:
            return RichProgress(label, total=total, out=out, zone=zone)
        except ImportError:
            pass  # the plain CLI works without the fieldsync[cli] extra
    return PlainProgress(label, total=total, out=out, every=every, zone=zone)


class ProgressHook:
    """The service's ``on_event`` hook: feeds the progress display shown now.

    Args:
        services: what to call each integration's service in a wait's message (``"Zoho"``
            for ``"waiting for Zoho's rate limit until 14:02"``).
    """

    def __init__(self, services: Mapping[str, str] | None = None) -> None:
        self.current: ProgressView | None = None
        self._services = dict(services or {})

    def __call__(self, event: RunEvent) -> None:
        view = self.current
        if view is None:
            return
        if isinstance(event, RunStarted):
            view.expect(event.expected)
        elif isinstance(event, RunEstimated):
            view.note(f"expected at the target's rate limits: {event.estimate}")
        elif isinstance(event, BatchCommitted):
            view.update(event.run)
        elif isinstance(event, Waiting):
            view.waiting(event.until, self._why(event), event.seconds)

    def _why(self, event: Waiting) -> str:
        service = self._services.get(event.integration)
        if event.reason is WaitReason.RETRY:
            return f"retrying {event.endpoint or 'a call'} after a temporary failure"
        return f"waiting for {service}'s rate limit" if service else "waiting for the rate limit"
