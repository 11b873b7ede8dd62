"""The registry of secret values fieldsync holds, scrubbed by value (issue 19)."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest

from fieldsync._secrets import (
    MIN_SECRET_LENGTH,
    SECRETS,
    SecretValues,
    redact_text,
    register_secret,
)
from fieldsync.domain.quota import CachedToken
from fieldsync.notifiers import WebhookNotifier
from fieldsync.stores import InMemoryStore
from fieldsync.testing.clock import FakeClock
from fieldsync.testing.emulators import AccountsEmulator
from fieldsync.zoho import ZohoOAuth


def fresh(prefix: str = "1000.") -> str:
    """A secret no other test registered."""
    return f"{prefix}{uuid.uuid4().hex}"


def test_a_registered_value_is_replaced_wherever_it_appears() -> None:
    values = SecretValues()
    values.add("1000.abc.def-secret")

    text = "refused 1000.abc.def-secret (twice: 1000.abc.def-secret)"

    assert values.redact(text) == "refused REDACTED (twice: REDACTED)"


def test_a_short_value_is_not_registered() -> None:
    values = SecretValues()

    assert not values.add("x" * (MIN_SECRET_LENGTH - 1))
    assert values.add("y" * MIN_SECRET_LENGTH)
    assert values.redact("xxxxxxx yyyyyyyy") == "xxxxxxx REDACTED"
    assert len(values) == 1


def test_the_url_encoded_form_is_scrubbed_too() -> None:
    values = SecretValues()
    values.add("p@ss/word+1")

    assert values.redact("postgresql://u:p%40ss%2Fword%2B1@host/db") == (
        "postgresql://u:REDACTED@host/db"
    )


def test_a_value_containing_another_is_replaced_whole() -> None:
    values = SecretValues()
    values.add("1000.short")
    values.add("1000.short.and-longer")

    assert values.redact("1000.short.and-longer") == "REDACTED"


def test_only_the_newest_transient_values_are_kept() -> None:
    values = SecretValues(transient_limit=2)
    values.add("the-client-secret")
    for n in range(3):
        values.add(f"1000.token-{n}", transient=True)

    assert (
        values.redact("1000.token-0 1000.token-1 1000.token-2") == "1000.token-0 REDACTED REDACTED"
    )
    assert values.redact("the-client-secret") == "REDACTED"  # lasting values stay


def test_a_transient_value_registered_again_is_the_newest() -> None:
    values = SecretValues(transient_limit=2)
    values.add("1000.token-a", transient=True)
    values.add("1000.token-b", transient=True)
    values.add("1000.token-a", transient=True)
    values.add("1000.token-c", transient=True)

    assert values.redact("1000.token-a 1000.token-b") == "REDACTED 1000.token-b"


def test_an_empty_registry_changes_nothing() -> None:
    assert SecretValues().redact("token 1000.abc") == "token 1000.abc"


def test_the_repr_shows_counts_never_values() -> None:
    values = SecretValues()
    values.add("the-client-secret")
    values.add("1000.the-token", transient=True)

    assert "secret" not in repr(values).lower().replace("secretvalues", "")
    assert "the-token" not in repr(values)
    assert repr(values) == "SecretValues(lasting=1, transient=1)"


def test_redact_text_scrubs_registered_values_and_patterns() -> None:
    secret = fresh()
    register_secret(secret)

    text = redact_text(f"quoted {secret} header Zoho-oauthtoken 1000.other ?token=abc")

    assert text == "quoted REDACTED header Zoho-oauthtoken REDACTED ?token=REDACTED"
    assert len(SECRETS) >= 1


def test_log_records_are_scrubbed_from_any_logger(caplog: pytest.LogCaptureFixture) -> None:
    secret = fresh()
    register_secret(secret, transient=True)
    caplog.set_level(logging.DEBUG)

    logging.getLogger("somelibrary.http").info("sent %s to %s", secret, "host")
    logging.getLogger("fieldsync.test").warning(f"inline {secret}")

    assert [record.getMessage() for record in caplog.records] == [
        "sent REDACTED to host",
        "inline REDACTED",
    ]
    assert secret not in caplog.text


def test_an_exception_given_as_an_argument_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    secret = fresh()
    register_secret(secret)
    caplog.set_level(logging.DEBUG)

    logging.getLogger("fieldsync.test").warning("failed: %s", RuntimeError(f"said {secret}"))
    logging.getLogger("fieldsync.test").warning("failed: %(why)s", {"why": f"said {secret}"})

    assert [record.getMessage() for record in caplog.records] == ["failed: said REDACTED"] * 2


def test_a_logged_traceback_is_scrubbed(caplog: pytest.LogCaptureFixture) -> None:
    secret = fresh()
    register_secret(secret)
    caplog.set_level(logging.DEBUG)

    try:
        raise RuntimeError(f"the API said {secret}")
    except RuntimeError:
        logging.getLogger("fieldsync.test").exception("failed")

    assert "the API said REDACTED" in caplog.text
    assert secret not in caplog.text


def test_a_record_without_a_secret_keeps_its_arguments(caplog: pytest.LogCaptureFixture) -> None:
    register_secret(fresh())
    caplog.set_level(logging.DEBUG)

    logging.getLogger("fieldsync.test").info("%d contacts", 3)

    (record,) = caplog.records
    assert (record.msg, record.args) == ("%d contacts", (3,))


# -- who registers -----------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def accounts(clock: FakeClock) -> AccountsEmulator:
    return AccountsEmulator(clock=clock)


def zoho(
    accounts: AccountsEmulator, clock: FakeClock, cache: InMemoryStore | None = None
) -> tuple[ZohoOAuth, str, str]:
    """An OAuth client of fresh secrets (returned with them)."""
    secret, refresh = fresh("secret-"), fresh()
    accounts.register_client("client", secret, refresh)
    auth = ZohoOAuth(
        client_id="client",
        client_secret=secret,
        refresh_token=refresh,
        client=httpx.Client(transport=accounts),
        clock=clock,
        token_cache=cache,
    )
    return auth, secret, refresh


def test_zoho_oauth_registers_its_secret_its_refresh_token_and_each_minted_token(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    auth, secret, refresh = zoho(accounts, clock)

    token = auth.access_token()

    assert redact_text(f"{secret} {refresh} {token}") == "REDACTED REDACTED REDACTED"


def test_a_token_taken_from_a_shared_cache_is_registered(
    accounts: AccountsEmulator, clock: FakeClock
) -> None:
    cache = InMemoryStore()
    auth, _, _ = zoho(accounts, clock, cache)
    shared = fresh("1000.shared-")
    cache.store_token(auth.quota_key, CachedToken(shared, clock.now().timestamp() + 3000.0))

    assert auth.access_token() == shared
    assert redact_text(shared) == "REDACTED"


def test_the_webhook_secret_is_registered() -> None:
    secret = fresh("whsec-")
    with WebhookNotifier("https://hooks.example.com/services/T0/B0/X", secret=secret):
        assert redact_text(f"signed with {secret}") == "signed with REDACTED"


def test_the_database_password_is_registered(postgres_url: str, postgres_schema: str) -> None:
    from psycopg.conninfo import make_conninfo

    from fieldsync.stores.postgres import PostgresStore

    password = fresh("pw-")  # the test server trusts every connection: any password does
    with PostgresStore(make_conninfo(postgres_url, password=password), schema=postgres_schema):
        assert redact_text(f"password {password} refused") == "password REDACTED refused"
