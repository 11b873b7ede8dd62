"""The shapes of the API's request bodies (the validator reads each POST's body with its
endpoint's), named in the OpenAPI document's ``components`` beside the answers' shapes."""

from __future__ import annotations

import enum

from fieldsync import ScheduleKind, SyncOptions
from fieldsync.codec import options_to_json
from fieldsync.domain.spec import (
    MAX_CRITERIA_LENGTH,
    MAX_FIELD_NAME_LENGTH,
    MAX_LIST_KEY_LENGTH,
    MAX_NAME_LENGTH,
)
from fieldsync.web._schema import Schema, array, boolean, choice, integer, nullable, obj, ref, text

__all__ = ["BODIES", "MAX_MAPPING_ROWS", "MAX_NAME", "options_properties"]

MAX_NAME = 255
"""The longest integration name, notification id or other name a body or path holds."""
MAX_MAPPING_ROWS = 1000
"""The most mapping rows a spec may have."""

# Criteria may span lines: tab, newline and carriage return are its only control characters.
_CRITERIA_TEXT = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
_TIME = text(64, format="date-time")


def options_properties() -> dict[str, Schema]:
    """The options' keys and types, read from the codec's JSON of the default options
    (a new option is declared here as soon as the codec writes it): a flag is a boolean,
    an enum one of its values, ``retrieve_since`` a time or ``null``."""
    defaults = SyncOptions()
    found: dict[str, Schema] = {}
    for key in options_to_json(defaults):
        value = getattr(defaults, key, None)
        if isinstance(value, bool):
            found[key] = boolean()
        elif isinstance(value, enum.Enum):
            found[key] = choice(type(value))
        elif isinstance(value, int):
            found[key] = integer()
        else:  # a time, or nothing: as retrieve_since
            found[key] = nullable(_TIME)
    return found


_PAIR_IN = obj(
    {
        "source": text(MAX_FIELD_NAME_LENGTH),
        "target": text(MAX_FIELD_NAME_LENGTH),
        "create": boolean(),
    },
    required=("source",),
)
_SCHEDULE_IN = obj(
    {
        "kind": choice(ScheduleKind),
        "interval": nullable({"type": "number", "minimum": 1}),
        "hours": nullable(integer(minimum=0, maximum=10_000)),
        "days": nullable(integer(minimum=0, maximum=10_000)),
        "at": nullable(text(16)),
        "weekday": nullable(integer(minimum=0, maximum=6)),
        "day": nullable(integer(minimum=1, maximum=31)),
        "tz": text(64),
    }
)
_OPTIONS_IN = obj(options_properties())
_SPEC_IN: dict[str, Schema] = {
    "name": text(MAX_NAME_LENGTH),
    "list_key": text(MAX_LIST_KEY_LENGTH),
    "mapping": array(ref("FieldPairIn"), maxItems=MAX_MAPPING_ROWS),
    "criteria": text(MAX_CRITERIA_LENGTH, pattern=_CRITERIA_TEXT),
    "schedule": ref("ScheduleIn"),
    "options": ref("OptionsIn"),
    "integration": text(MAX_NAME),
}

BODIES: dict[str, Schema] = {
    "FieldPairIn": _PAIR_IN,
    "ScheduleIn": _SCHEDULE_IN,
    "OptionsIn": _OPTIONS_IN,
    "SyncCreate": obj(_SPEC_IN, required=("integration", "name", "list_key", "mapping")),
    "SyncEdit": obj(_SPEC_IN),
    "Initiate": obj({"acknowledge_disclaimer": boolean()}),
    "Disable": obj({"confirm": boolean()}),
    "MarkRead": obj({"ids": nullable(array(text(64), maxItems=10_000))}),
    "Verify": obj({"repair": boolean()}),
    "Empty": obj({}),
}
"""Every request body's shape, by name."""
