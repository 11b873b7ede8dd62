"""Layouts for a narrow terminal (80 columns): what the command prints when a table or a
line would not fit, without cutting what people copy (a sync's name, a run's id, a list
key, a command) or a word in two.

- :func:`words` wraps at spaces only: never mid-word, never at a hyphen
  (``export-skipped`` stays one word), and a word longer than the line stays whole.
- :func:`stacked` is a table's narrow form: a record per row, its first columns on a line
  of their own, the others as ``label: value`` pieces packed into the lines below.
- :func:`hints` lays out ``command  why`` pairs: the command whole, the why wrapped beside
  it, or below it when the command leaves too little room.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fieldsync.cli._output import Output, Styled

__all__ = ["hints", "pack", "stacked", "words"]

_MIN_BESIDE = 24  # the fewest columns a why wrapped beside its command may have


def words(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` at spaces only (a longer word stays whole)."""
    return textwrap.wrap(
        text, width=max(1, width), break_long_words=False, break_on_hyphens=False
    ) or [""]


def pack(pieces: Sequence[str], width: int, *, indent: int, sep: str = "  ") -> list[str]:
    """``pieces`` (each kept whole) packed into lines of ``width``, each ``indent``-ed.

    ``pieces`` may hold ANSI styles: their visible length is what is measured.
    """
    lines: list[str] = []
    line, used = "", 0
    for piece in pieces:
        size = _visible(piece)
        if line and used + len(sep) + size > width - indent:
            lines.append(" " * indent + line)
            line, used = "", 0
        line, used = (f"{line}{sep}{piece}", used + len(sep) + size) if line else (piece, size)
    if line:
        lines.append(" " * indent + line)
    return lines


def stacked(
    out: Output, headers: Sequence[str], rows: Sequence[Sequence[Styled]], *, lead: int = 1
) -> str:
    """A table too wide for ``out.width`` as records: each row's first ``lead`` cells on a
    line (the first in bold), then ``header: value`` for the other cells, packed two spaces
    apart and indented by two (a pair longer than the line wraps between its words). No
    value is cut."""
    lines: list[str] = []
    for row in rows:
        first = [
            out.style(cell.text, cell.style or ("bold" if i == 0 else None))
            for i, cell in enumerate(row[:lead])
        ]
        lines += pack(first, out.width, indent=0)
        pieces: list[str] = []
        for header, cell in zip(headers[lead:], row[lead:], strict=True):
            if len(header) + 2 + len(cell.text) <= out.width - 2:
                pieces.append(
                    out.style(f"{header}:", "dim") + " " + out.style(cell.text, cell.style)
                )
                continue
            lines += pack(pieces, out.width, indent=2) + _long_pair(out, header, cell)
            pieces = []
        lines += pack(pieces, out.width, indent=2)
    return "\n".join(lines)


def _long_pair(out: Output, header: str, cell: Styled) -> list[str]:
    """A ``header: value`` too long for a line, wrapped between its words (indented by
    two, then four)."""
    first, *more = words(f"{header}: {cell.text}", out.width - 2)
    rest = words(" ".join(more), out.width - 4) if more else []
    return ["  " + out.style(first, cell.style)] + ["    " + out.style(r, cell.style) for r in rest]


def hints(out: Output, steps: Sequence[tuple[str, str]], *, indent: int = 2) -> list[str]:
    """``command  why`` lines: the commands whole and aligned, each why wrapped at word
    boundaries beside its command, or on the lines below it when the commands leave
    fewer than 24 columns."""
    width = max(len(command) for command, _ in steps)
    beside = out.width - indent - width - 2
    lines: list[str] = []
    for command, why in steps:
        if beside >= _MIN_BESIDE:
            first, *more = words(why, beside)
            lines.append(" " * indent + command.ljust(width) + "  " + out.style(first, "dim"))
            lines += [" " * (indent + width + 2) + out.style(part, "dim") for part in more]
        else:
            lines.append(" " * indent + command)
            lines += [
                " " * (indent + 4) + out.style(part, "dim")
                for part in words(why, out.width - indent - 4)
            ]
    return lines


def _visible(text: str) -> int:
    """The columns ``text`` takes on a terminal (ANSI style codes take none)."""
    length, escape = 0, False
    for char in text:
        if escape:
            escape = char != "m"
        elif char == "\x1b":
            escape = True
        else:
            length += 1
    return length
