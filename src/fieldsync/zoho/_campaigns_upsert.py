"""Writing a batch of contacts with ``json/listsubscribe``: paced, concurrent, all-or-nothing
on quota, one outcome per contact."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

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
from fieldsync.zoho._campaigns_codes import (
    CODES,
    MessageKind,
    answer_message,
    confirms_success,
    message_kind,
)
from fieldsync.zoho._campaigns_parse import EMAIL_FIELD
from fieldsync.zoho._field_types import to_campaigns_value

__all__ = ["SUBSCRIBE", "UNKNOWN_REFUSALS_IN_A_ROW", "Subscriber"]

SUBSCRIBE = "json/listsubscribe"
# Contacts in a row refused with codes fieldsync does not know before the refusals are
# taken for the account's (a new account-wide error) rather than each contact's: the batch
# stops and the run is deferred, instead of failing every contact of the pass.
UNKNOWN_REFUSALS_IN_A_ROW = 10

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

    def __init__(
        self, api: ZohoApi, pacer: Pacer, *, concurrency: int, outage_after: int = 3
    ) -> None:
        self._api = api
        self._pacer = pacer
        self._concurrency = concurrency
        self._breaker = CircuitBreaker(outage_after)
        self._unknown = CircuitBreaker(UNKNOWN_REFUSALS_IN_A_ROW)

    def upsert(self, list_key: str, contacts: Sequence[TargetContact]) -> list[UpsertOutcome]:
        """Write ``contacts``; see :meth:`ZohoCampaignsTarget.upsert` for the outcomes.

        Raises:
            QuotaExhaustedError: the batch does not fit in the windows, or the endpoint
                stopped answering for a quota before any contact of it was written;
                nothing of the batch was written.
            FatalSyncError: credentials refused, list gone, wrong URL (the batch stops).
            ServiceUnavailableError: ``outage_after`` contacts in a row ran out of retries
                on a temporary failure: Zoho is down, and the batch stops (the caller
                defers the run; the contacts of the batch are sent again then).
        """
        if not contacts:
            return []
        outcomes = send_batch(
            len(contacts),
            lambda index, batch: self._write(list_key, contacts[index], batch),
            pacer=self._pacer,
            endpoint=SUBSCRIBE,
            concurrency=self._concurrency,
            name="campaigns",
        )
        return [outcome for outcome in outcomes if outcome is not None]

    def _write(self, list_key: str, contact: TargetContact, batch: _Batch) -> UpsertOutcome | None:
        if batch.fatal is not None or batch.outage is not None:
            return None
        if batch.stopped is not None:
            return _failed(contact, f"Not sent: {batch.stopped.message}")
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
            body = self._api.request("POST", SUBSCRIBE, data=form, pacer=self._pacer)
        except RecordRejectedError as exc:
            # Zoho answered about this contact: the service is up, whatever the answer.
            self._breaker.succeeded()
            batch.answered = True
            if exc.reason is ReasonCode.PLAN_LIMIT:
                batch.plan_full.set()
            text = _refusal_text(exc)
            if exc.reason is ReasonCode.TARGET_REJECTED and exc.api_code not in CODES:
                # A code fieldsync does not know: failed (reported, not remembered), so a
                # later change of the record sends it again.
                if self._unknown.failed():
                    batch.down(self._everyone_refused(exc))
                    return None
                return UpsertOutcome(contact.key, OutcomeKind.FAILED, exc.reason, text)
            self._unknown.succeeded()
            return _skipped(contact, exc.reason, text)
        except FatalSyncError as exc:
            batch.fail(exc)
            return None
        except QuotaExhaustedError as exc:  # a window ran out under this batch
            batch.stop(exc)
            return _failed(contact, str(exc))
        except RateLimitedError as exc:
            # Zoho documents no throttling answer; a 429 that outlasted the retries is
            # taken for a locked endpoint: calling it again would only prolong the lock.
            batch.stop(locked_out(self._pacer, exc, SUBSCRIBE))
            return _failed(contact, str(exc))
        except RetriableError as exc:  # retries ran out
            if self._breaker.failed():
                batch.down(self._outage(exc))
            return _failed(contact, str(exc))
        except SyncError as exc:
            return _failed(contact, str(exc))
        self._breaker.succeeded()
        self._unknown.succeeded()
        batch.answered = True
        message = answer_message(body)
        if not confirms_success(body):
            # Failed, not written: no fingerprint is kept and the pass keeps its watermark,
            # so the next pass sends the contact again.
            return _failed(contact, f"{_UNCONFIRMED} {_shown(body)}")
        kind = message_kind(message)
        if kind is MessageKind.CONFIRMATION_SENT:
            return _skipped(contact, ReasonCode.CONFIRMATION_PENDING, message)
        return UpsertOutcome(contact.key, _WRITTEN[kind], message=message)

    def _outage(self, last: RetriableError) -> ServiceUnavailableError:
        count = self._breaker.threshold
        return ServiceUnavailableError(
            f"Zoho Campaigns failed {count} contacts in a row after their retries "
            f"(the last: {last.message}); the run stops here and continues later",
            status_code=last.status_code,
            api_code=last.api_code,
            endpoint=last.endpoint,
        )

    def _everyone_refused(self, last: RecordRejectedError) -> ServiceUnavailableError:
        return ServiceUnavailableError(
            f"Zoho Campaigns refused {UNKNOWN_REFUSALS_IN_A_ROW} contacts in a row with codes "
            f"fieldsync does not know (the last: code {last.api_code}, {last.message}); taken "
            "for a failure of the account, not of the contacts: the run stops here and "
            "continues later",
            status_code=last.status_code,
            api_code=last.api_code,
            endpoint=last.endpoint,
        )


_UNCONFIRMED = "Zoho Campaigns answered without saying that the contact was written:"


def _shown(body: Mapping[str, object]) -> str:
    """The answer, short, for the failed record's reason text."""
    try:
        text = json.dumps(body, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # nested about as deep as the parser allows
        return "(an answer too deeply nested to show)"
    return text if len(text) <= 120 else text[:117] + "..."


def _refusal_text(exc: RecordRejectedError) -> str:
    """Zoho's code and message, for the skipped/failed export."""
    message = exc.message or exc.reason.text
    return f"Zoho Campaigns code {exc.api_code}: {message}" if exc.api_code else message


def _failed(contact: TargetContact, message: str) -> UpsertOutcome:
    return UpsertOutcome(contact.key, OutcomeKind.FAILED, ReasonCode.TARGET_ERROR, message)


def _skipped(contact: TargetContact, reason: ReasonCode, message: str) -> UpsertOutcome:
    return UpsertOutcome(contact.key, OutcomeKind.SKIPPED, reason, message or reason.text)


_Batch = CallsOfABatch[UpsertOutcome]
