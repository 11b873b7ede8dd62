"""How the `fieldsync` command writes for people: colour when the terminal takes it, tables
that fit the terminal's width (100 columns when piped), and times in one format and zone."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from fieldsync.cli._layout import stacked, words
from fieldsync.domain.schedule import Schedule
from fieldsync.domain.wording import bidi_safe
from fieldsync.exceptions import ConfigurationError, ScheduleError

__all__ = ["Output", "Styled", "colour_enabled", "parse_zone", "shorten"]

DEFAULT_WIDTH = 100
_TIME_FORMAT = "%Y-%m-%d %H:%M %Z"
_CODES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
}
# The colour of a run's or a sync's status, wherever it is shown.
STATUS_STYLES: Mapping[str, str] = {
    "completed": "green",
    "active": "green",
    "failed": "red",
    "needs_attention": "red",
    "disabled": "dim",
    "deferred": "yellow",
    "paused": "yellow",
    "interrupted": "yellow",
    "running": "cyan",
    "draft": "blue",
}


def colour_enabled(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour ``stream``: never with ``NO_COLOR`` (https://no-color.org) or
    ``TERM=dumb``, always with ``FORCE_COLOR``, else when it is a terminal."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def parse_zone(name: str | None) -> tzinfo | None:
    """The time zone called ``name`` (``None``: the computer's local zone).

    Raises:
        ConfigurationError: an unknown zone.
    """
    if name is None or name.lower() == "local":
        return None
    try:
        # the same rule as a schedule's zone: bounded, printable, known
        return ZoneInfo(Schedule.daily("00:00", tz=name).tz)
    except (ScheduleError, ZoneInfoNotFoundError, ValueError, OSError):
        shown = repr(name) if len(name) <= 60 else repr(name[:57]) + "..."
        raise ConfigurationError(
            f"time zone {shown} is unknown: use an IANA name such as 'Europe/London' or local"
        ) from None


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut marked with an ellipsis."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"


@attrs.frozen
class Styled:
    """A table cell or a piece of text with a style (``"bold"``, ``"red"``, ...)."""

    text: str
    style: str | None = None
    right: bool = False  # aligned right in a table (numbers)


@attrs.frozen
class Output:
    """Where and how the command writes for people.

    Attributes:
        colour: whether to use ANSI colour and bold.
        width: the columns a line may take.
        zone: the time zone times are shown in (``None``: local).
    """

    colour: bool = False
    width: int = DEFAULT_WIDTH
    zone: tzinfo | None = None

    @classmethod
    def for_terminal(cls, zone: tzinfo | None = None, stream: TextIO | None = None) -> Output:
        """Colour and width from the terminal ``stream`` (stdout) is, if it is one."""
        stream = stream or sys.stdout
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
        return cls(colour=colour_enabled(stream), width=max(40, width), zone=zone)

    def style(self, text: str, style: str | None) -> str:
        """``text`` in ``style`` (nothing when colour is off, or no style)."""
        if not self.colour or style is None:
            return text
        codes = ";".join(_CODES[part] for part in style.split())
        return f"\x1b[{codes}m{text}\x1b[0m"

    def status(self, value: str) -> Styled:
        """A status word in its colour."""
        return Styled(value, STATUS_STYLES.get(value))

    def time(self, value: datetime | None) -> str:
        """A time in the one format of the command, in the user's zone (``-`` for none)."""
        if value is None:
            return "-"
        return value.astimezone(self.zone).strftime(_TIME_FORMAT).strip()

    def wrap(self, text: str, *, indent: int = 0) -> str:
        """``text`` wrapped to :attr:`width` at spaces (never mid-word nor at a hyphen: a
        word longer than the line stays whole), each line indented by ``indent``."""
        lines = words(bidi_safe(text), self.width - indent)
        return "\n".join(" " * indent + line for line in lines)

    def wrap_status(self, text: str, status: str, *, indent: int = 0) -> str:
        """``text`` wrapped as :meth:`wrap` (later lines indented by ``indent``), its first
        ``: status:`` in the status's colour (``Customers: completed: 3 records ...``)."""
        first, *more = words(bidi_safe(text), self.width)
        if more:
            more = words(" ".join(more), self.width - indent)
        marked = f": {status}:"
        first = first.replace(marked, f": {self.style(status, STATUS_STYLES.get(status))}:", 1)
        return "\n".join([first, *(" " * indent + line for line in more)])

    def heading(self, text: str) -> str:
        """A section heading (isolated when it has right-to-left text or controls)."""
        return self.style(bidi_safe(text), "bold")

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        shrink: Sequence[int] = (),
        keep: Sequence[int] = (),
        lead: int = 1,
    ) -> str:
        """A text table that fits :attr:`width`: columns in ``shrink`` (indexes, first
        shrunk first) are cut with an ellipsis when the table is too wide; then any column
        not in ``keep``, widest first, down to its header's width. When the columns in
        ``keep`` (never cut: names, ids, times) leave too little room, the rows are drawn
        as records instead (``_layout.stacked``), the first ``lead`` columns heading each."""
        cells = [[_text(v) for v in row] for row in rows]
        widths = [max([len(h), *(len(r[i].text) for r in cells)]) for i, h in enumerate(headers)]
        _fit(widths, headers, self.width, shrink, keep)
        if keep and sum(widths) + 2 * (len(widths) - 1) > self.width:
            return stacked(self, headers, cells, lead=lead)
        # A column of numbers has its header on the right too.
        right = [bool(cells) and all(r[i].right for r in cells) for i in range(len(headers))]
        head = "  ".join(
            h.rjust(w) if r else h.ljust(w) for h, w, r in zip(headers, widths, right, strict=True)
        ).rstrip()
        lines = [self.style(head, "bold"), "  ".join("-" * w for w in widths)]
        for row in cells:
            parts = []
            for cell, w in zip(row, widths, strict=True):
                text = shorten(cell.text, w)
                pad = " " * (w - len(text))
                # Isolated after cutting: a right-to-left name, or a control it leaves
                # open, never reorders the cells after it.
                styled = self.style(bidi_safe(text), cell.style)
                parts.append(pad + styled if cell.right else styled + pad)
            lines.append("  ".join(parts).rstrip())
        return "\n".join(lines)

    def fields(self, pairs: Iterable[tuple[str, object]], *, indent: int = 2) -> str:
        """Aligned ``label  value`` lines (a detail view). Values are never cut: a long
        one wraps at spaces under itself; one with a word too long for that (a list key)
        goes whole on the lines below its label."""
        items = [(label, _text(value)) for label, value in pairs]
        label_width = max((len(label) for label, _ in items), default=0)
        room = max(10, self.width - indent - label_width - 2)
        lines = []
        for label, value in items:
            text = bidi_safe(value.text)
            parts = words(text, room)
            if all(len(part) <= room for part in parts):
                margin = indent + label_width + 2
                head = " " * indent + self.style(label.ljust(label_width), "dim") + "  "
            else:  # a word too long to sit beside the label: the value below it
                margin, head = indent + 2, " " * (indent + 2)
                lines.append(" " * indent + self.style(label, "dim"))
                parts = words(text, self.width - margin)
            lines.append(head + self.style(parts[0], value.style))
            lines += [" " * margin + self.style(part, value.style) for part in parts[1:]]
        return "\n".join(lines)


def _text(value: object) -> Styled:
    if isinstance(value, Styled):
        return value
    if value is None:
        return Styled("-")
    if isinstance(value, int) and not isinstance(value, bool):
        return Styled(f"{value:,}", right=True)
    return Styled(str(value))


def _fit(
    widths: list[int],
    headers: Sequence[str],
    room: int,
    shrink: Sequence[int],
    keep: Sequence[int] = (),
) -> None:
    """Narrow ``widths`` in place until the columns and their gaps fit ``room`` (the
    columns in ``keep`` are left whole)."""

    def total() -> int:
        return sum(widths) + 2 * (len(widths) - 1)

    for index in shrink:
        excess = total() - room
        if excess <= 0:
            return
        floor = max(len(headers[index]), 8)
        widths[index] = max(floor, widths[index] - excess)
    narrowable = [i for i in range(len(widths)) if i not in keep]
    while total() > room and narrowable:
        index = max(narrowable, key=lambda i: widths[i] - len(headers[i]))
        if widths[index] <= len(headers[index]):
            return  # every column is down to its header: too narrow a terminal to fit
        widths[index] -= 1
