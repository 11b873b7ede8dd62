"""JSON Schema (2020-12, the subset the API's declarations use) as small dicts, and the one
validator that reads request bodies with them (the OpenAPI document shows the same dicts).

Nothing is coerced: ``"false"`` is not a boolean, ``123`` is not text, ``null`` is only
allowed where a schema says ``"null"``. Every problem is kept, by its path in the body
(``options.update_empty_values``, ``mapping.1.create``; ``""`` for the body itself).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "NO_CONTROL",
    "Schema",
    "array",
    "boolean",
    "choice",
    "integer",
    "nullable",
    "number",
    "obj",
    "ref",
    "text",
    "validate",
]

Schema = dict[str, Any]
"""A JSON Schema, as a dict."""

NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]*$"
"""The pattern of free text: no NUL and no control character (tabs and newlines too)."""

_REF = "#/components/schemas/"


def text(max_length: int = 255, *, pattern: str | None = NO_CONTROL, **more: Any) -> Schema:
    """A string of at most ``max_length`` characters, free of control characters."""
    found: Schema = {"type": "string", "maxLength": max_length, **more}
    if pattern is not None:
        found["pattern"] = pattern
    return found


def choice(values: Iterable[enum.Enum]) -> Schema:
    """One of an enum's values."""
    return {"type": "string", "enum": [v.value for v in values]}


def boolean() -> Schema:
    """``true`` or ``false``."""
    return {"type": "boolean"}


def integer(**more: Any) -> Schema:
    """A whole number."""
    return {"type": "integer", **more}


def number() -> Schema:
    """A number."""
    return {"type": "number"}


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null``."""
    if "$ref" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    kinds = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
    return {**schema, "type": kinds}


def array(items: Schema, **more: Any) -> Schema:
    """A list of ``items``."""
    return {"type": "array", "items": items, **more}


def obj(
    properties: Mapping[str, Schema], *, required: tuple[str, ...] = (), closed: bool = True
) -> Schema:
    """An object of these ``properties``; ``closed``: no other key."""
    found: Schema = {"type": "object", "properties": dict(properties)}
    if required:
        found["required"] = list(required)
    if closed:
        found["additionalProperties"] = False
    return found


def ref(name: str) -> Schema:
    """A reference to a named schema (``components.schemas``)."""
    return {"$ref": _REF + name}


_TYPES: dict[str, tuple[str, Any]] = {
    "object": ("an object", dict),
    "array": ("a list", list),
    "string": ("text", str),
    "boolean": ("true or false", bool),
    "integer": ("a whole number", int),
    "number": ("a number", (int, float)),
    "null": ("null", type(None)),
}


def _is(value: object, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "number" and isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return isinstance(value, _TYPES[kind][1])


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def validate(
    schema: Schema, value: object, named: Mapping[str, Schema], path: str = ""
) -> dict[str, str]:
    """Every problem of ``value`` against ``schema``, by path; ``named`` resolves
    ``$ref``s. Empty when it matches."""
    problems: dict[str, str] = {}

    def say(where: str, message: str) -> None:
        problems.setdefault(where, message)

    if "$ref" in schema:
        return validate(named[schema["$ref"].removeprefix(_REF)], value, named, path)
    if "anyOf" in schema:
        tried = [validate(s, value, named, path) for s in schema["anyOf"]]
        if any(not found for found in tried):
            return {}
        # the first alternative of the value's own type explains best
        return next((t for t in tried if path not in t or len(t) > 1), tried[0])
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            if "enum" in schema:
                say(path, "must be one of " + ", ".join(map(str, schema["enum"])) + ".")
            else:
                say(path, "must be " + " or ".join(_TYPES[k][0] for k in kinds) + ".")
            return problems
    if "const" in schema and (type(value), value) != (type(schema["const"]), schema["const"]):
        say(path, f"must be {schema['const']!r}.")
    if "enum" in schema and value not in schema["enum"]:
        say(path, "must be one of " + ", ".join(map(str, schema["enum"])) + ".")
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)):
            say(path, f"must be at most {schema['maxLength']} characters.")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            say(path, "must not hold a control character.")
    low, high = schema.get("minimum"), schema.get("maximum")
    if _is(value, "number") and not (
        (low is None or value >= low) and (high is None or value <= high)
    ):
        say(
            path,
            f"must be from {low} to {high}." if high is not None else f"must be {low} or more.",
        )
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            say(path, f"must have at most {schema['maxItems']} items.")
        for index, item in enumerate(value):
            if "items" in schema:
                problems.update(validate(schema["items"], item, named, _join(path, index)))
    if isinstance(value, dict):
        properties: Mapping[str, Schema] = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                say(_join(path, key), "is required.")
        for key, item in value.items():
            if key in properties:
                problems.update(validate(properties[key], item, named, _join(path, key)))
            elif schema.get("additionalProperties") is False:
                say(_join(path, str(key)[:40]), "is not a known key.")
            elif isinstance(schema.get("additionalProperties"), dict):
                extra = schema["additionalProperties"]
                problems.update(validate(extra, item, named, _join(path, key)))
    return problems
