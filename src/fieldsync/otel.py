"""OpenTelemetry traces and metrics of runs, from the event hook. Needs the ``otel`` extra
(``pip install fieldsync[otel]``, which brings ``opentelemetry-api``; you configure the SDK
and its exporters as for any other library)::

    from fieldsync.otel import OpenTelemetryHook

    service = fs.SyncService(store=store, on_event=OpenTelemetryHook())

What it records (every item carries ``fieldsync.sync_id``-style attributes, see below):

- one span per run, ``fieldsync.run``, from :class:`~fieldsync.events.RunStarted` to
  :class:`~fieldsync.events.RunFinished`, with the run's trigger, status and counts as
  attributes, an event per wait (``fieldsync.wait``) and per deferral
  (``fieldsync.deferred``), and an error status when the run failed. While a run is in
  progress its span is the current one on the run's thread, so spans of instrumented HTTP
  calls nest under it;
- ``fieldsync.records`` (counter): records by ``fieldsync.outcome`` (added, updated,
  unchanged, skipped, failed), added as each batch commits;
- ``fieldsync.runs`` (counter): finished runs by ``fieldsync.status``;
- ``fieldsync.run.duration`` (histogram, s): how long runs took;
- ``fieldsync.wait.duration`` (histogram, s): waits by ``fieldsync.wait.reason``
  (``rate_limit`` or ``retry``).

Span and metric attributes: ``fieldsync.integration`` everywhere; on spans also
``fieldsync.sync_id`` and ``fieldsync.run_id`` (ids are left off metrics, where they would
make a series per run).
"""

from __future__ import annotations

import threading
from contextvars import Token

import attrs
from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, Status, StatusCode

from fieldsync.__about__ import __version__
from fieldsync.domain.sync import RunCounts, RunStatus
from fieldsync.events import (
    BatchCommitted,
    RunDeferred,
    RunEvent,
    RunFinished,
    RunStarted,
    Waiting,
)

__all__ = ["OpenTelemetryHook"]

_SCOPE = "fieldsync"


@attrs.define
class _Open:
    span: Span
    token: Token[Context]


class OpenTelemetryHook:
    """An event hook (``SyncService(on_event=...)``) that records runs as OpenTelemetry
    spans and metrics. One hook serves any number of runs, on any threads.

    Args:
        tracer_provider: where spans go (the global provider by default).
        meter_provider: where metrics go (the global provider by default).
    """

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
    ) -> None:
        self._tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider)
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider)
        self._records = meter.create_counter(
            "fieldsync.records", unit="{record}", description="records a run looked at"
        )
        self._runs = meter.create_counter(
            "fieldsync.runs", unit="{run}", description="runs finished, by status"
        )
        self._run_duration = meter.create_histogram(
            "fieldsync.run.duration", unit="s", description="how long runs took"
        )
        self._wait_duration = meter.create_histogram(
            "fieldsync.wait.duration", unit="s", description="waits for rate limits and retries"
        )
        self._lock = threading.Lock()
        self._open: dict[str, _Open] = {}

    def __repr__(self) -> str:
        return f"OpenTelemetryHook(runs_in_progress={len(self._open)})"

    def __call__(self, event: RunEvent) -> None:
        """Record one event."""
        if isinstance(event, RunStarted):
            self._started(event)
        elif isinstance(event, BatchCommitted):
            self._committed(event)
        elif isinstance(event, Waiting):
            self._waiting(event)
        elif isinstance(event, RunDeferred):
            self._deferred(event)
        elif isinstance(event, RunFinished):
            self._finished(event)

    def _started(self, event: RunStarted) -> None:
        span = self._tracer.start_span(
            "fieldsync.run",
            start_time=_ns(event),
            attributes={
                **_ids(event),
                "fieldsync.trigger": event.run.trigger.value,
                "fieldsync.config_version": event.run.config_version,
            },
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        with self._lock:
            self._open[event.run_id] = _Open(span, token)

    def _committed(self, event: BatchCommitted) -> None:
        for outcome, count in _by_outcome(event.batch).items():
            if count:
                self._records.add(count, {**_labels(event), "fieldsync.outcome": outcome})

    def _waiting(self, event: Waiting) -> None:
        reason = event.reason.value
        self._wait_duration.record(
            event.seconds, {**_labels(event), "fieldsync.wait.reason": reason}
        )
        span = self._span(event.run_id)
        if span is not None:
            attributes: dict[str, str | float] = {
                "fieldsync.wait.reason": reason,
                "fieldsync.wait.seconds": event.seconds,
                "fieldsync.wait.until": event.until.isoformat(),
            }
            if event.endpoint:
                attributes["fieldsync.wait.endpoint"] = event.endpoint
            span.add_event("fieldsync.wait", attributes, timestamp=_ns(event))

    def _deferred(self, event: RunDeferred) -> None:
        span = self._span(event.run_id)
        if span is not None:
            attributes = {"fieldsync.reason": event.run.error or ""}
            if event.resume_at is not None:
                attributes["fieldsync.resume_at"] = event.resume_at.isoformat()
            span.add_event("fieldsync.deferred", attributes, timestamp=_ns(event))

    def _finished(self, event: RunFinished) -> None:
        run = event.run
        labels = {**_labels(event), "fieldsync.status": run.status.value}
        self._runs.add(1, labels)
        if run.finished_at is not None:
            took = (run.finished_at - run.started_at).total_seconds()
            self._run_duration.record(max(0.0, took), labels)
        with self._lock:
            opened = self._open.pop(event.run_id, None)
        if opened is None:
            return
        span = opened.span
        span.set_attribute("fieldsync.status", run.status.value)
        for outcome, count in _by_outcome(run.counts).items():
            span.set_attribute(f"fieldsync.records.{outcome}", count)
        if run.status is RunStatus.FAILED:
            span.set_status(Status(StatusCode.ERROR, run.error))
        try:
            otel_context.detach(opened.token)
        finally:
            span.end(end_time=_ns(event))

    def _span(self, run_id: str) -> Span | None:
        with self._lock:
            opened = self._open.get(run_id)
        return None if opened is None else opened.span


def _ns(event: RunEvent) -> int:
    return int(event.at.timestamp() * 1_000_000_000)


def _labels(event: RunEvent) -> dict[str, str]:
    return {"fieldsync.integration": event.integration}


def _ids(event: RunEvent) -> dict[str, str]:
    return {
        "fieldsync.integration": event.integration,
        "fieldsync.sync_id": event.sync_id,
        "fieldsync.run_id": event.run_id,
    }


def _by_outcome(counts: RunCounts) -> dict[str, int]:
    return {
        "added": counts.added,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "skipped": counts.skipped,
        "failed": counts.failed,
    }
