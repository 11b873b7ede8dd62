"""OpenTelemetry: runs as spans and metrics, checked with the SDK's in-memory exporters."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from service_helpers import LIST, MAPPING, START, PacedTarget, counter_ids, put_people

from fieldsync import SyncSpec
from fieldsync.exceptions import AuthenticationError, QuotaExhaustedError
from fieldsync.otel import OpenTelemetryHook
from fieldsync.service import SyncService
from fieldsync.stores.memory import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.fakes import FakeSource, FakeTarget


class Telemetry:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.metrics = InMemoryMetricReader()
        self.hook = OpenTelemetryHook(
            tracer_provider=tracer_provider,
            meter_provider=MeterProvider(metric_readers=[self.metrics]),
        )

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self, name: str) -> dict[tuple[tuple[str, object], ...], float]:
        data = self.metrics.get_metrics_data()
        assert data is not None
        found: dict[tuple[tuple[str, object], ...], float] = {}
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        key = tuple(sorted(dict(point.attributes or {}).items()))
                        found[key] = getattr(point, "value", None) or getattr(point, "count", 0)
        return found


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


def service_with(
    telemetry: Telemetry,
    store: InMemoryStore,
    clock: FakeClock,
    source: FakeSource,
    target: FakeTarget,
) -> SyncService:
    service = SyncService(store=store, clock=clock, ids=counter_ids(), on_event=telemetry.hook)
    service.register_integration("crm", source=source, target=target)
    return service


@pytest.fixture
def service(
    telemetry: Telemetry,
    store: InMemoryStore,
    clock: FakeClock,
    source: FakeSource,
    target: FakeTarget,
) -> SyncService:
    return service_with(telemetry, store, clock, source, target)


def test_a_run_is_one_span_with_its_ids_status_and_counts(
    telemetry: Telemetry, source: FakeSource, service: SyncService
) -> None:
    put_people(source, 10)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    run = service.initiate(sync.id)

    (span,) = telemetry.finished()
    attributes = dict(span.attributes or {})
    assert ("fieldsync.run", sync.id, run.id, "crm", "initiate", "completed", 10) == (
        span.name,
        attributes["fieldsync.sync_id"],
        attributes["fieldsync.run_id"],
        attributes["fieldsync.integration"],
        attributes["fieldsync.trigger"],
        attributes["fieldsync.status"],
        attributes["fieldsync.records.added"],
    )
    assert span.start_time == int(START.timestamp() * 1e9)


def test_records_are_counted_by_outcome_as_batches_commit(
    telemetry: Telemetry, source: FakeSource, service: SyncService
) -> None:
    put_people(source, 9)
    source.put("bad", {"email": "not-an-email"})
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    service.initiate(sync.id)

    assert {
        (("fieldsync.integration", "crm"), ("fieldsync.outcome", "added")): 9,
        (("fieldsync.integration", "crm"), ("fieldsync.outcome", "skipped")): 1,
    } == telemetry.points("fieldsync.records")


def test_finished_runs_are_counted_by_status(
    telemetry: Telemetry, source: FakeSource, service: SyncService
) -> None:
    put_people(source, 3)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    service.initiate(sync.id)

    assert {(("fieldsync.integration", "crm"), ("fieldsync.status", "completed")): 1} == (
        telemetry.points("fieldsync.runs")
    )


def test_a_failed_run_ends_its_span_with_an_error_status(
    telemetry: Telemetry, source: FakeSource, service: SyncService
) -> None:
    put_people(source, 3)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    source.fail_next_read(AuthenticationError("token revoked"))

    service.initiate(sync.id)

    (span,) = telemetry.finished()
    assert StatusCode.ERROR is span.status.status_code


def test_waits_are_span_events_and_a_histogram_by_reason(
    telemetry: Telemetry, store: InMemoryStore, clock: FakeClock, source: FakeSource
) -> None:
    target = PacedTarget(clock)
    target.create_list(LIST)
    service = service_with(telemetry, store, clock, source, target)
    put_people(source, 8)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))

    service.initiate(sync.id)

    (span,) = telemetry.finished()
    reasons = {dict(e.attributes or {})["fieldsync.wait.reason"] for e in span.events}
    assert {"rate_limit", "retry"} == reasons
    assert {"rate_limit", "retry"} == {
        dict(key)["fieldsync.wait.reason"] for key in telemetry.points("fieldsync.wait.duration")
    }


def test_a_deferral_is_an_event_of_the_runs_span(
    telemetry: Telemetry, source: FakeSource, service: SyncService
) -> None:
    put_people(source, 20)
    sync = service.create_sync("crm", SyncSpec(name="People", list_key=LIST, mapping=MAPPING))
    source.fail_next_read(QuotaExhaustedError("daily cap", resume_at=START), after_pages=1)

    service.initiate(sync.id)

    (span,) = telemetry.finished()
    (deferred,) = [e for e in span.events if e.name == "fieldsync.deferred"]
    assert ("daily cap", START.isoformat(), "deferred") == (
        dict(deferred.attributes or {})["fieldsync.reason"],
        dict(deferred.attributes or {})["fieldsync.resume_at"],
        dict(span.attributes or {})["fieldsync.status"],
    )
