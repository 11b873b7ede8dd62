"""Adding bare addresses with ``addlistsubscribersinbulk``: ten a call, paced in its own
window, concurrent, all-or-nothing on quota, one outcome per contact.

Each successful answer is read into one outcome per address by
:func:`fieldsync.zoho._campaigns_bulk_answer.read_answer`.
"""

from __future__ import annotations

from collections.abc import Sequence

from fieldsync.domain.reasons import ReasonCode
from fieldsync.domain.records import OutcomeKind, TargetContact, UpsertOutcome
from fieldsync.exceptions import (
    FatalSyncError,
    QuotaExhaustedError,
    RateLimitedError,
    RecordRejectedError,
    RetriableError,
    ServiceUnavailableError,
    SyncError,
)
from fieldsync.http.breaker import CircuitBreaker
from fieldsync.http.ratelimit import Pacer
from fieldsync.zoho._api import ZohoApi
from fieldsync.zoho._campaigns_batch import CallsOfABatch, locked_out, send_batch
from fieldsync.zoho._campaigns_bulk_answer import read_answer
from fieldsync.zoho._campaigns_codes import answer_message, confirms_success

__all__ = ["BULK", "PER_CALL", "BulkAdder"]

BULK = "addlistsubscribersinbulk"
PER_CALL = 10  # addresses one call takes (Zoho's documented maximum)
_UNCONFIRMED = "Zoho Campaigns answered without saying that the contacts were added:"


class BulkAdder:
    """Sends batches of bare addresses to ``addlistsubscribersinbulk``, ten a call.

    Args:
        api: the authenticated Campaigns API.
        pacer: the pacer over the endpoint's own windows (2,000 calls a minute).
        concurrency: calls in flight at once; 1 sends them in order on the calling thread.
        per_call: addresses per call.
        outage_after: calls in a row whose retries ran out before the batch gives up.
    """

    def __init__(
        self,
        api: ZohoApi,
        pacer: Pacer,
        *,
        concurrency: int,
        per_call: int = PER_CALL,
        outage_after: int = 3,
    ) -> None:
        self._api = api
        self._pacer = pacer
        self._concurrency = concurrency
        self._per_call = max(1, min(per_call, PER_CALL))
        self._breaker = CircuitBreaker(outage_after)

    def add(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        """Add ``contacts`` by address; see ``ZohoCampaignsTarget.add_emails``.

        Raises:
            QuotaExhaustedError: the calls do not fit in the window now, or the endpoint
                stopped answering for a quota before any call was answered; nothing of
                the batch was written.
            FatalSyncError: credentials refused, list gone, wrong URL (the batch stops).
            ServiceUnavailableError: ``outage_after`` calls in a row ran out of retries.
        """
        if not contacts:
            return []
        step = self._per_call
        groups = [contacts[low : low + step] for low in range(0, len(contacts), step)]
        outcomes = send_batch(
            len(groups),
            lambda index, batch: self._send(list_key, groups[index], batch),
            pacer=self._pacer,
            endpoint=BULK,
            concurrency=self._concurrency,
            name="campaigns-bulk",
        )
        return [outcome for group in outcomes for outcome in group or ()]

    def _send(
        self, list_key: str, group: Sequence[TargetContact], batch: _Calls
    ) -> list[UpsertOutcome] | None:
        if batch.fatal is not None or batch.outage is not None:
            return None
        if batch.stopped is not None:
            return _all_failed(group, f"Not sent: {batch.stopped.message}")
        if batch.plan_full.is_set():
            text = "Not sent: the plan limit is reached."
            return [_skip(c, ReasonCode.PLAN_LIMIT, text) for c in group]
        form = {
            "listkey": list_key,
            "resfmt": "JSON",
            "emailids": ",".join(contact.email for contact in group),
        }
        try:
            body = self._api.request("POST", BULK, data=form, pacer=self._pacer)
        except RecordRejectedError as exc:
            # One code for the whole call: every address of it shares the refusal.
            self._breaker.succeeded()
            batch.answered = True
            if exc.reason is ReasonCode.PLAN_LIMIT:
                batch.plan_full.set()
            return [_skip(c, exc.reason, exc.message) for c in group]
        except FatalSyncError as exc:
            batch.fail(exc)
            return None
        except QuotaExhaustedError as exc:
            batch.stop(exc)
            return _all_failed(group, str(exc))
        except RateLimitedError as exc:
            batch.stop(locked_out(self._pacer, exc, BULK))
            return _all_failed(group, str(exc))
        except RetriableError as exc:
            if self._breaker.failed():
                batch.down(self._outage(exc))
            return _all_failed(group, str(exc))
        except SyncError as exc:
            return _all_failed(group, str(exc))
        self._breaker.succeeded()
        batch.answered = True
        if not confirms_success(body):
            shown = answer_message(body) or "no message"
            return _all_failed(group, f"{_UNCONFIRMED} {shown[:100]}")
        return read_answer(group, body)

    def _outage(self, last: RetriableError) -> ServiceUnavailableError:
        return ServiceUnavailableError(
            f"Zoho Campaigns failed {self._breaker.threshold} {BULK} calls in a row after "
            f"their retries (the last: {last.message}); the run stops here and continues later",
            status_code=last.status_code,
            api_code=last.api_code,
            endpoint=last.endpoint,
        )


def _skip(contact: TargetContact, reason: ReasonCode, message: str) -> UpsertOutcome:
    return UpsertOutcome(contact.key, OutcomeKind.SKIPPED, reason, message or reason.text)


def _all_failed(group: Sequence[TargetContact], message: str) -> list[UpsertOutcome]:
    return [
        UpsertOutcome(c.key, OutcomeKind.FAILED, ReasonCode.TARGET_ERROR, message) for c in group
    ]


_Calls = CallsOfABatch[list[UpsertOutcome]]
