"""The wire format of the Campaigns emulator: limits, answer bodies, paging, codes."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Literal

import httpx

from fieldsync.domain.records import RateWindow
from fieldsync.testing.emulators._campaigns_state import MAX_RANGE, ApiError

__all__ = [
    "API_PREFIX",
    "BULK_LIMIT",
    "DEFAULT_LIMITS",
    "LOCKOUT_STATUS",
    "Body",
    "CodeStyle",
    "CodeStyler",
    "asks_for_json",
    "page",
    "success",
    "xml_answer",
]

API_PREFIX = "/api/v1.1/"
LOCKOUT_STATUS = 429
BULK_LIMIT = 10  # addresses per addlistsubscribersinbulk call
_DEFAULT_RANGE = 20
_LOCK_30_MIN = 1800.0

DEFAULT_LIMITS: Mapping[str, tuple[RateWindow, ...]] = {
    "POST json/listsubscribe": (
        RateWindow(500, 60.0, _LOCK_30_MIN),
        RateWindow(12_500, 3600.0, _LOCK_30_MIN),
        RateWindow(75_000, 86_400.0, _LOCK_30_MIN),
    ),
    "GET getlistsubscribers": (RateWindow(500, 300.0, _LOCK_30_MIN),),
    "POST json/listunsubscribe": (RateWindow(500, 300.0, _LOCK_30_MIN),),
    "GET listsubscriberscount": (RateWindow(500, 300.0, _LOCK_30_MIN),),
    "POST addlistsubscribersinbulk": (RateWindow(2000, 60.0, 600.0),),
    "GET contact/allfields": (RateWindow(100, 300.0, _LOCK_30_MIN),),
    "POST custom/add": (RateWindow(100, 300.0, _LOCK_30_MIN),),
}

CodeStyle = Literal["mixed", "text", "number"]
Body = dict[str, object]


class CodeStyler:
    """Zoho sends codes as text or as numbers; the emulator does both, seeded."""

    def __init__(self, style: CodeStyle, seed: int) -> None:
        self._style = style
        self._rng = random.Random(seed)

    def code(self, code: str) -> str | int:
        if self._style == "text" or (self._style == "mixed" and self._rng.random() < 0.5):
            return code
        return int(code)

    def restyle(self, body: Body) -> Body:
        inner = body.get("response")
        target = inner if isinstance(inner, dict) else body
        if isinstance(target.get("code"), str):
            target["code"] = self.code(str(target["code"]))
        return body


def success(endpoint: str, **fields: object) -> Body:
    return {"status": "success", "code": "0", "uri": f"{API_PREFIX}{endpoint}", **fields}


def page(params: dict[str, str], *, max_range: int = MAX_RANGE) -> tuple[int, int]:
    """``fromindex`` (from 1) and ``range`` as a 0-based start and a size."""
    first = _number(params.get("fromindex"), 1)
    size = _number(params.get("range"), _DEFAULT_RANGE)
    if size > max_range:
        raise ApiError("6502", f"The range is above the maximum of {max_range}.")
    return max(first, 1) - 1, max(size, 1)


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw is not None and raw.strip().isdigit() else default


def asks_for_json(name: str, params: Mapping[str, str]) -> bool:
    if name in ("contact/allfields", "custom/add"):
        return params.get("type", "").lower() == "json"
    if name.startswith("json/"):
        return params.get("resfmt", "JSON").upper() == "JSON"
    return params.get("resfmt", "").upper() == "JSON"


def xml_answer(name: str) -> httpx.Response:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<response uri="{API_PREFIX}{name}" version="1.1"><status>error</status>'
        "<code>1004</code><message>This emulator answers JSON only: ask with resfmt=JSON "
        "(or type=json on the field endpoints).</message></response>"
    )
    return httpx.Response(200, headers={"Content-Type": "text/xml;charset=UTF-8"}, text=xml)
