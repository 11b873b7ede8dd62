"""Writing a batch of contacts with ``json/listsubscribe``: paced, concurrent, all-or-nothing
on quota, one outcome per contact."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, TargetContact, UpsertOutcome
from fieldsync.exceptions import FatalSyncError, QuotaExhaustedError, RecordRejectedError, SyncError
from fieldsync.http.ratelimit import Pacer
from fieldsync.zoho._api import ZohoApi
from fieldsync.zoho._campaigns_codes import MessageKind, answer_message, message_kind
from fieldsync.zoho._campaigns_parse import EMAIL_FIELD
from fieldsync.zoho._field_types import to_campaigns_value

__all__ = ["SUBSCRIBE", "Subscriber"]

SUBSCRIBE = "json/listsubscribe"

_WRITTEN = {
    MessageKind.ADDED: OutcomeKind.ADDED,
    MessageKind.UPDATED: OutcomeKind.UPDATED,
    MessageKind.UNKNOWN: OutcomeKind.WRITTEN,
}


class Subscriber:
    """Sends batches of contacts to ``json/listsubscribe``, one call per contact.

    Args:
        api: the authenticated Campaigns API.
        pacer: the pacer over the endpoint's windows, shared by every batch and thread.
        concurrency: calls in flight at once; 1 sends them in order on the calling thread.
    """

    def __init__(self, api: ZohoApi, pacer: Pacer, *, concurrency: int) -> None:
        self._api = api
        self._pacer = pacer
        self._concurrency = concurrency
        self._reserve_lock = threading.Lock()

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        """Write ``contacts``; see :meth:`ZohoCampaignsTarget.upsert` for the outcomes.

        Raises:
            QuotaExhaustedError: the batch does not fit in the windows; nothing was sent.
            FatalSyncError: credentials refused, list gone, wrong URL (the batch stops).
        """
        if not contacts:
            return []
        slots = self._reserve(len(contacts))
        batch = _Batch(len(contacts))

        def one(index: int) -> None:
            batch.outcomes[index] = self._write(list_key, contacts[index], slots[index], batch)

        if self._concurrency == 1 or len(contacts) == 1:
            for index in range(len(contacts)):
                one(index)
        else:
            workers = min(self._concurrency, len(contacts))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="campaigns") as pool:
                list(pool.map(one, range(len(contacts))))
        if batch.fatal is not None:
            raise batch.fatal
        return [outcome for outcome in batch.outcomes if outcome is not None]

    def _reserve(self, count: int) -> list[float]:
        """The send times of ``count`` calls, reserved together.

        All or nothing as far as sending goes: when one call does not fit within the
        pacer's ``max_wait``, none is sent. The slots reserved before it stay counted (the
        limiter cannot hand them back), which only makes later pacing a little more careful.
        """
        limiter, max_wait = self._pacer.limiter, self._pacer.max_wait
        with self._reserve_lock:
            now = self._pacer.clock.now().timestamp()
            slots = []
            for _ in range(count):
                delay = limiter.reserve(now, max_delay=max_wait)
                if delay > max_wait:
                    resume_at = datetime.fromtimestamp(now + delay, UTC)
                    raise QuotaExhaustedError(
                        f"the Zoho Campaigns {SUBSCRIBE} limits are used up until "
                        f"{resume_at.isoformat()}; the batch was not sent",
                        resume_at=resume_at,
                        endpoint=self._pacer.name,
                    )
                slots.append(now + delay)
            return slots

    def _write(
        self, list_key: str, contact: TargetContact, slot: float, batch: _Batch
    ) -> UpsertOutcome | None:
        if batch.fatal is not None:
            return None
        if batch.plan_full.is_set():
            return _skipped(contact, ReasonCode.PLAN_LIMIT, "Not sent: the plan limit is reached.")
        info = {EMAIL_FIELD: contact.email}
        for name, value in contact.values.items():
            if name != EMAIL_FIELD:
                info[name] = to_campaigns_value(value)
        form = {
            "listkey": list_key,
            "resfmt": "JSON",
            "contactinfo": json.dumps(info, ensure_ascii=False),
        }
        try:
            body = self._api.request(
                "POST", SUBSCRIBE, data=form, pacer=_PrepaidPacer(self._pacer, slot)
            )
        except RecordRejectedError as exc:
            if exc.reason is ReasonCode.PLAN_LIMIT:
                batch.plan_full.set()
            return _skipped(contact, exc.reason, exc.message)
        except FatalSyncError as exc:
            batch.fail(exc)
            return None
        except SyncError as exc:  # retries ran out (or the day's quota, mid-retry)
            return UpsertOutcome(contact.key, OutcomeKind.FAILED, ReasonCode.TARGET_ERROR, str(exc))
        message = answer_message(body)
        kind = message_kind(message)
        if kind is MessageKind.CONFIRMATION_SENT:
            return _skipped(contact, ReasonCode.CONFIRMATION_PENDING, message)
        return UpsertOutcome(contact.key, _WRITTEN[kind], message=message)


def _skipped(contact: TargetContact, reason: ReasonCode, message: str) -> UpsertOutcome:
    return UpsertOutcome(contact.key, OutcomeKind.SKIPPED, reason, message or reason.text)


class _Batch:
    """What the calls of one batch share: outcomes, the plan-limit stop, a fatal error."""

    def __init__(self, size: int) -> None:
        self.outcomes: list[UpsertOutcome | None] = [None] * size
        self.plan_full = threading.Event()
        self.fatal: FatalSyncError | None = None
        self._lock = threading.Lock()

    def fail(self, error: FatalSyncError) -> None:
        with self._lock:
            if self.fatal is None:
                self.fatal = error


class _PrepaidPacer(Pacer):
    """A pacer whose first wait is for a slot reserved earlier with the rest of the batch;
    later waits (retries, a token refresh) reserve new slots as usual."""

    def __init__(self, base: Pacer, slot: float) -> None:
        super().__init__(base.limiter, base.clock, max_wait=base.max_wait, name=base.name)
        self._slot: float | None = slot

    def acquire(self) -> None:
        """Wait for the prepaid slot the first time, for a new slot afterwards."""
        if self._slot is None:
            super().acquire()
            return
        wait = self._slot - self.clock.now().timestamp()
        self._slot = None
        if wait > 0:
            self.clock.sleep(wait)
