"""The ``GET contacts`` query of the Invoice emulator: filters, sorting, search and paging.

Orderings are cached per data version, so paging through a large organization sorts it
once, not once per page.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs
import httpx

__all__ = ["MAX_PER_PAGE", "ContactQuery", "QueryError", "QueryPage", "parse_time"]

MAX_PER_PAGE = 200  # Zoho's default and (per third parties) maximum page size
_FILTERS = {"Status.All": None, "Status.Active": "active", "Status.Inactive": "inactive"}
_CONTACT_TYPES = ("customer", "vendor")
_TIME_COLUMNS = ("created_time", "last_modified_time")
_TEXT_COLUMNS = ("contact_name", "first_name", "last_name", "email", "company_name")
_NUMBER_COLUMNS = ("outstanding_receivable_amount",)
_SEARCHED = ("contact_name", "company_name", "first_name", "last_name", "email")
_CACHED_ORDERINGS = 8

Row = dict[str, Any]


class QueryError(ValueError):
    """A query parameter the API refuses (answered as HTTP 400, code 2)."""


@attrs.frozen
class QueryPage:
    """One page of rows (live references; copy before answering) and its page_context."""

    rows: list[Row]
    context: dict[str, Any]


def parse_time(text: str) -> datetime:
    """A Zoho time (``2013-10-07T18:24:51+0530``; ``+05:30`` and ``Z`` also accepted)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


class ContactQuery:
    """Answers list queries over one organization's contacts. Not thread-safe by itself."""

    def __init__(self) -> None:
        self._orderings: OrderedDict[tuple[object, ...], list[Row]] = OrderedDict()

    def run(
        self, contacts: Mapping[str, Row], version: int, params: httpx.QueryParams
    ) -> QueryPage:
        """The page of ``contacts`` that ``params`` ask for.

        Raises:
            QueryError: an invalid page, filter, contact type or sort column.
        """
        page = _positive(params.get("page", "1"), "page")
        per_page = min(
            _positive(params.get("per_page", str(MAX_PER_PAGE)), "per_page"), MAX_PER_PAGE
        )
        filter_by = params.get("filter_by", "Status.All")
        if filter_by not in _FILTERS:
            raise QueryError("Invalid value passed for filter_by")
        contact_type = params.get("contact_type") or None
        if contact_type is not None and contact_type not in _CONTACT_TYPES:
            raise QueryError("Invalid value passed for contact_type")
        column = params.get("sort_column", "contact_name")
        if column not in (*_TIME_COLUMNS, *_TEXT_COLUMNS, *_NUMBER_COLUMNS):
            raise QueryError("Invalid value passed for sort_column")
        order = params.get("sort_order", "A")
        if order not in ("A", "D"):
            raise QueryError("Invalid value passed for sort_order")
        search = params.get("search_text", "").strip().casefold()
        key = (id(contacts), version, filter_by, contact_type, column, order, search)
        ordered = self._orderings.get(key)
        if ordered is None:
            ordered = _select(contacts, _FILTERS[filter_by], contact_type, search)
            ordered.sort(key=_sort_key(column), reverse=order == "D")
            self._orderings[key] = ordered
            if len(self._orderings) > _CACHED_ORDERINGS:
                self._orderings.popitem(last=False)
        start = (page - 1) * per_page
        context = {
            "page": page,
            "per_page": per_page,
            "has_more_page": start + per_page < len(ordered),
            "report_name": "Contacts",
            "applied_filter": filter_by,
            "sort_column": column,
            "sort_order": order,
            "search_criteria": [{"column_name": "search_text", "search_text": search}]
            if search
            else [],
        }
        return QueryPage(rows=ordered[start : start + per_page], context=context)


def _positive(text: str, name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"Invalid value passed for {name}") from None
    if value < 1:
        raise QueryError(f"Invalid value passed for {name}")
    return value


def _select(
    contacts: Mapping[str, Row], status: str | None, contact_type: str | None, search: str
) -> list[Row]:
    return [
        row
        for row in contacts.values()
        if (status is None or row.get("status") == status)
        and (contact_type is None or row.get("contact_type") == contact_type)
        and (not search or any(search in str(row.get(f, "")).casefold() for f in _SEARCHED))
    ]


def _sort_key(column: str) -> Any:
    # The contact id breaks ties, so equal values page in a stable order.
    if column in _TIME_COLUMNS:
        return lambda row: (parse_time(row[column]).timestamp(), int(row["contact_id"]))
    if column in _NUMBER_COLUMNS:
        return lambda row: (float(row.get(column) or 0), int(row["contact_id"]))
    return lambda row: (str(row.get(column, "")).casefold(), int(row["contact_id"]))
