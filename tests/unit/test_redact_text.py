import pytest

from fieldsync.redaction import redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET https://x/y?token=abc&page=2", "GET https://x/y?token=REDACTED&page=2"),
        (
            "refresh_token=1000.aa client_secret=shh",
            "refresh_token=REDACTED client_secret=REDACTED",
        ),
        ("Authorization: Zoho-oauthtoken 1000.abc", "Authorization: Zoho-oauthtoken REDACTED"),
        ("Bearer eyJhbGciOi and more", "Bearer REDACTED and more"),
        ("nothing secret here: page=2", "nothing secret here: page=2"),
    ],
)
def test_secret_looking_values_are_replaced_and_the_rest_kept(text: str, expected: str) -> None:
    assert redact_text(text) == expected
