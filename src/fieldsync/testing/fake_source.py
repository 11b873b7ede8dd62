"""A working in-memory :class:`~fieldsync.ports.Source` that records how it was read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime

from fieldsync.clock import SystemClock
from fieldsync.domain.fields import Field, FieldType, Schema
from fieldsync.domain.records import SourcePage, SourceRecord
from fieldsync.exceptions import AuthenticationError
from fieldsync.ports import Clock

__all__ = ["CONTACT_SCHEMA", "FakeSource"]

CONTACT_SCHEMA = Schema.of(
    Field("email", FieldType.EMAIL),
    Field("first_name"),
    Field("last_name"),
    Field("company_name"),
    Field("phone", FieldType.PHONE),
    Field("country"),
    Field("status"),
    Field("outstanding_receivable_amount", FieldType.DECIMAL),
    Field("created_time", FieldType.DATETIME),
)
"""The schema of a typical invoicing contact, :class:`FakeSource`'s default."""

_PAGE = "page:"


class FakeSource:
    """A :class:`~fieldsync.ports.Source` over records held in memory.

    Reads return the records newest first (modified time descending, then key), in pages of
    ``page_size``, and honour ``since`` (records modified at or after it) and ``resume``
    (a page position ``"page:N"``). Every read is recorded in :attr:`reads`.

    Args:
        records: the initial records.
        schema: the source schema. By default :data:`CONTACT_SCHEMA`, extended with a text
            field for every other value name the records carry (so ``put`` accepts any
            field name).
        page_size: records per page.
        clock: the time ``put`` stamps records with when no ``modified_at`` is given.

    Attributes:
        reads: ``(since, resume)`` of every ``read`` call, in order.
        pages_read: how many pages all reads have yielded.
        revoked: whether :meth:`revoke` was called (reads then raise
            :class:`~fieldsync.exceptions.AuthenticationError`).
        on_page: called with each page just before it is yielded (a test hook: for
            example, pause the sync in the middle of a run).

    Raises:
        ValueError: ``page_size`` is less than 1.
    """

    def __init__(
        self,
        records: Iterable[SourceRecord] | None = None,
        *,
        schema: Schema | None = None,
        page_size: int = 100,
        clock: Clock | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1, not {page_size}")
        self._records: dict[str, SourceRecord] = {r.key: r for r in records or ()}
        self._schema = schema
        self._page_size = page_size
        self._clock: Clock = clock or SystemClock()
        self._failures: list[tuple[BaseException, int]] = []
        self.reads: list[tuple[datetime | None, str | None]] = []
        self.pages_read: int = 0
        self.revoked: bool = False
        self.on_page: Callable[[SourcePage], None] | None = None

    def __repr__(self) -> str:
        return f"FakeSource(records={len(self._records)}, page_size={self._page_size})"

    # -- changing the data -------------------------------------------------------------------

    def put(
        self, key: str, values: Mapping[str, object], *, modified_at: datetime | None = None
    ) -> SourceRecord:
        """Add the record ``key`` or replace its values; return it.

        Args:
            key: the record's key.
            values: its values by field name (replacing all earlier values).
            modified_at: when it changed (aware); defaults to the clock's now.

        Raises:
            ValueError: ``modified_at`` is naive, or ``schema`` was given and ``values``
                names a field it lacks.
        """
        stamp = self._clock.now() if modified_at is None else modified_at
        if stamp.tzinfo is None:
            raise ValueError("modified_at must be time-zone aware")
        if self._schema is not None:
            unknown = sorted(set(values) - set(self._schema.names))
            if unknown:
                raise ValueError(f"the source schema has no field(s) {', '.join(unknown)}")
        record = SourceRecord(key=key, modified_at=stamp, values=dict(values))
        self._records[key] = record
        return record

    def delete(self, key: str) -> None:
        """Remove the record ``key``.

        Raises:
            KeyError: there is no such record.
        """
        del self._records[key]

    @property
    def records(self) -> list[SourceRecord]:
        """Every record, in read order."""
        return self._ordered()

    # -- fault hooks -------------------------------------------------------------------------

    def fail_next_read(self, exc: BaseException, *, after_pages: int = 0) -> None:
        """Make the next ``read`` raise ``exc`` after yielding ``after_pages`` pages (at its
        end when it has fewer). Several calls queue up, one per read."""
        self._failures.append((exc, after_pages))

    # -- the Source port ---------------------------------------------------------------------

    def schema(self) -> Schema:
        """The source schema (see the class docstring for the default)."""
        if self._schema is not None:
            return self._schema
        known = set(CONTACT_SCHEMA.names)
        extra = sorted({name for r in self._records.values() for name in r.values} - known)
        return CONTACT_SCHEMA.with_fields(Field(name) for name in extra)

    def read(
        self, *, since: datetime | None = None, resume: str | None = None
    ) -> Iterator[SourcePage]:
        """Stream the records (modified at or after ``since``) page by page from ``resume``.

        The records are taken when the read starts: changes made while it runs show in the
        next read.

        Raises:
            AuthenticationError: the credentials were revoked.
            ValueError: ``resume`` is not a position this source gave out.
            BaseException: whatever :meth:`fail_next_read` was given.
        """
        self.reads.append((since, resume))
        first = _page_number(resume)
        failure = self._failures.pop(0) if self._failures else None
        records = [r for r in self._ordered() if since is None or r.modified_at >= since]
        return self._pages(records, first, failure)

    def _pages(
        self,
        records: Sequence[SourceRecord],
        first: int,
        failure: tuple[BaseException, int] | None,
    ) -> Iterator[SourcePage]:
        if self.revoked:
            raise AuthenticationError("the fake source's token was revoked")
        size = self._page_size
        for yielded, number in enumerate(range(first, max(first, -(-len(records) // size)))):
            if failure is not None and yielded == failure[1]:
                raise failure[0]
            page = SourcePage(records[number * size : (number + 1) * size], f"{_PAGE}{number}")
            self.pages_read += 1
            if self.on_page is not None:
                self.on_page(page)
            yield page
        if failure is not None:
            raise failure[0]

    def count(self) -> int:
        """How many records a full read yields."""
        return len(self._records)

    def describe_credentials(self) -> tuple[str, ...]:
        """The one credential :meth:`revoke` revokes."""
        return ("fake source token",)

    def revoke(self) -> None:
        """Revoke the credentials: later reads raise AuthenticationError. Idempotent."""
        self.revoked = True

    def _ordered(self) -> list[SourceRecord]:
        # newest first, then key: the order Zoho Invoice lists contacts in
        return sorted(self._records.values(), key=lambda r: (-_stamp(r.modified_at), r.key))


def _stamp(instant: datetime) -> float:
    return instant.astimezone(UTC).timestamp()


def _page_number(resume: str | None) -> int:
    if resume is None:
        return 0
    number = resume.removeprefix(_PAGE)
    if not resume.startswith(_PAGE) or not number.isdigit():
        raise ValueError(f"{resume!r} is not a position of this source")
    return int(number)
