"""The httpx log filter: secrets in a query string never reach a log record."""

from __future__ import annotations

import logging

import httpx
import pytest

from fieldsync.redaction import install_log_redaction


def logged_url(url: str, caplog: pytest.LogCaptureFixture) -> str:
    install_log_redaction()
    caplog.set_level(logging.INFO, logger="httpx")
    with httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200))) as client:
        client.post(url)
    (record,) = [r for r in caplog.records if r.name == "httpx"]
    return record.getMessage()


def test_a_token_in_the_query_is_replaced_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    message = logged_url("https://accounts.zoho.com/oauth/v2/token/revoke?token=1000.x.y", caplog)

    assert "revoke?token=REDACTED " in message


def test_other_query_parameters_are_logged_as_they_are(caplog: pytest.LogCaptureFixture) -> None:
    message = logged_url("https://campaigns.zoho.com/api/v1.1/x?resfmt=JSON&token=t", caplog)

    assert "x?resfmt=JSON&token=REDACTED " in message


def test_installing_twice_adds_one_filter() -> None:
    install_log_redaction()
    before = list(logging.getLogger("httpx").filters)

    install_log_redaction()

    assert logging.getLogger("httpx").filters == before
