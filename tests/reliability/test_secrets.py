"""Suite 5, secrets: the client secret, the refresh token and every access token minted
during a run never appear in a log line, a repr, an exception text, a notification or an
export. The scenario goes through faults, token expiry and refresh, a deleted list (a
fatal error), a refused client secret, and disabling the integration (revocation); the
scanner then searches everything it collected."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import attrs
import httpx
import pytest
from _zoho_rig import CLIENT_ID, REFRESH_TOKEN, ZohoRig, all_exceptions, build

from fieldsync.domain.sync import RunStatus
from fieldsync.exceptions import FieldSyncError
from fieldsync.zoho.auth import ZohoOAuth

_FORMAT = logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s %(args)r")


@attrs.define
class Haystack:
    """Every text a user or an operator could see, by where it came from."""

    texts: list[tuple[str, str]] = attrs.field(factory=list)

    def add(self, where: str, *objects: object) -> None:
        for each in objects:
            self.texts.append((where, repr(each)))
            self.texts.append((where, str(each)))

    def add_exception(self, exc: BaseException) -> None:
        for each in all_exceptions(exc):
            self.add(f"exception {type(each).__name__}", each, *each.args)
            self.texts.extend(("exception note", note) for note in getattr(each, "__notes__", ()))

    def leaks(self, secrets: set[str]) -> Iterator[tuple[str, str]]:
        for where, text in self.texts:
            for secret in secrets:
                if secret in text:
                    yield where, secret


def scenario(rig: ZohoRig, seen: Haystack) -> None:
    """Drive the rig through the paths that handle credentials."""
    runs = rig.finish_pass(rig.initiate())
    rig.accounts.expire_access_tokens()  # the next call is refused: refresh and retry
    rig.clock.advance(7200)
    runs += rig.finish_pass(rig.service.run(rig.sync_id))
    rig.campaigns.delete_list(rig.list_key)
    rig.clock.advance(60)
    written = rig.store.fingerprints(rig.sync_id, [str(c["contact_id"]) for c in rig.customers()])
    rig.invoice.update_contact(next(iter(written)), first_name="Changed")
    runs.append(rig.service.run(rig.sync_id))  # fatal: the sync needs attention
    assert RunStatus.FAILED is runs[-1].status
    wrong = ZohoOAuth(
        client_id=CLIENT_ID,
        client_secret="wrong-" + REFRESH_TOKEN,
        refresh_token=REFRESH_TOKEN,
        client=httpx.Client(transport=rig.recorder),
        clock=rig.clock,
    )
    try:
        wrong.access_token()
    except FieldSyncError as exc:
        seen.add_exception(exc)
    seen.add("repr", wrong, rig.auth, rig.source, rig.target, rig.service, rig.store)
    seen.add("describe", rig.auth.describe(), rig.source.describe_credentials())
    seen.add("describe", rig.target.describe_credentials())
    seen.add("impact", rig.service.disable_integration("zoho"))
    seen.add("impact", rig.service.disable_integration("zoho", confirm=True))
    for run in [*runs, *rig.store.runs(rig.sync_id)]:
        seen.add("run", run, run.error)
        out = io.StringIO(newline="")
        rig.service.export_skipped(run.id, out)
        seen.add("export", out.getvalue())
    seen.add("detail", rig.service.sync_detail(rig.sync_id), rig.store.get_sync(rig.sync_id))
    for notification in [*rig.service.notifications(), *rig.notifier.sent]:
        seen.add("notification", notification, notification.title, notification.summary)
    try:
        rig.service.run(rig.sync_id)
    except FieldSyncError as exc:
        seen.add_exception(exc)


def test_no_secret_appears_in_logs_reprs_errors_notifications_or_exports(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rig = build(seed=7, contacts=40, fault_rate=0.15, attempts=3)
    seen = Haystack()

    scenario(rig, seen)

    for record in caplog.records:
        seen.texts.append((f"log {record.name}", _FORMAT.format(record)))
    secrets = rig.secrets
    assert len(secrets) >= 4, "the scenario minted fewer access tokens than it should"
    assert any(where.startswith("log httpx") for where, _ in seen.texts)
    assert [] == list(seen.leaks(secrets))


def test_the_scanner_finds_a_secret_planted_in_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("fieldsync.test").debug("token %s", "1000.planted")
    seen = Haystack()

    seen.texts.extend(("log", _FORMAT.format(record)) for record in caplog.records)

    assert [("log", "1000.planted")] == list(seen.leaks({"1000.planted"}))
