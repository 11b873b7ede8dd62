"""docs/lifecycle.md draws the lifecycle as a table (it shows offline, unlike a diagram that
needs a script from a CDN); the table must be the code's table, cell for cell."""

from __future__ import annotations

import re
from pathlib import Path

from fieldsync.domain.state import SyncAction, SyncState, allowed_actions, transition

LIFECYCLE = Path(__file__).parents[3] / "docs" / "lifecycle.md"


def table() -> str:
    """The lifecycle table's lines, from its header to the blank line after it."""
    text = LIFECYCLE.read_text(encoding="utf-8")
    start = text.index("| from \\ action |")
    return text[start : text.index("\n\n", start)]


def documented() -> dict[tuple[SyncState, SyncAction], SyncState | None]:
    text = table()
    header = re.search(r"^\| from \\ action \|(.*)\|$", text, re.MULTILINE)
    assert header is not None, "the lifecycle table is missing"
    actions = [SyncAction(cell.strip().strip("`")) for cell in header.group(1).split("|")]
    cells: dict[tuple[SyncState, SyncAction], SyncState | None] = {}
    for row in re.findall(r"^\| `(\w+)` \|(.*)\|$", text, re.MULTILINE):
        state = SyncState(row[0])
        for action, cell in zip(actions, row[1].split("|"), strict=True):
            value = cell.strip().strip("*")
            cells[state, action] = None if value == "·" else SyncState(value)
    return cells


def actual() -> dict[tuple[SyncState, SyncAction], SyncState | None]:
    return {
        (state, action): transition(state, action) if action in allowed_actions(state) else None
        for state in SyncState
        for action in SyncAction
    }


def test_the_lifecycle_table_in_the_docs_is_the_codes() -> None:
    assert actual() == documented()


def test_a_bold_cell_is_exactly_a_change_of_state() -> None:
    text = table()
    bold = {
        (SyncState(state), target)
        for state, rest in re.findall(r"^\| `(\w+)` \|(.*)\|$", text, re.MULTILINE)
        for target in re.findall(r"\*\*(\w+)\*\*", rest)
    }
    changes = {
        (state, to.value) for (state, _), to in actual().items() if to is not None and to != state
    }

    assert changes == {(s, t) for s, t in bold}
