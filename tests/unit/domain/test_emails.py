import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.emails import email_key, is_valid_email, normalize_email

# -- normalize_email ---------------------------------------------------------------------------


def test_normalize_email_trims_surrounding_whitespace() -> None:
    assert normalize_email("  ann@example.com\t\n") == "ann@example.com"


def test_normalize_email_lower_cases_the_domain_but_keeps_the_local_part() -> None:
    assert normalize_email("Ann.Lee@Example.COM") == "Ann.Lee@example.com"


def test_normalize_email_of_none_is_none() -> None:
    assert normalize_email(None) is None


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_normalize_email_of_blank_text_is_none(raw: str) -> None:
    assert normalize_email(raw) is None


def test_normalize_email_leaves_text_without_an_at_sign_trimmed_as_it_is() -> None:
    assert normalize_email(" Not An Address ") == "Not An Address"


def test_normalize_email_lower_cases_after_the_last_at_sign() -> None:
    assert normalize_email("A@B@EXAMPLE.com") == "A@B@example.com"


def test_normalize_email_converts_a_value_that_is_not_text() -> None:
    assert normalize_email(12345) == "12345"


# -- is_valid_email ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "ann@example.com",
        "Ann.Lee@example.co.in",
        "first.last+tag@sub.example.org",
        "o'brien@example.ie",
        "x@example.museum",
        "user_name-1@my-host.example",
        "!#$%&'*+/=?^_`{|}~-@example.com",
        "ann@xn--80ak6aa92e.com",
        "ann@example.xn--p1ai",
        "a@b.cd",
    ],
)
def test_is_valid_email_accepts_real_addresses(address: str) -> None:
    assert is_valid_email(address) is True


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("", "empty"),
        ("ann.example.com", "no @"),
        ("ann@@example.com", "two @"),
        ("ann@bob@example.com", "two @"),
        ("@example.com", "empty local part"),
        ("ann@", "empty domain"),
        (".ann@example.com", "leading dot"),
        ("ann.@example.com", "trailing dot"),
        ("ann..lee@example.com", "consecutive dots"),
        ('"ann lee"@example.com', "quoted local part"),
        ("ann lee@example.com", "space in the local part"),
        (" ann@example.com", "leading space"),
        ("ann@example.com ", "trailing space"),
        ("ann@exa mple.com", "space in the domain"),
        ("ann\x00@example.com", "NUL"),
        ("ann@example.com\n", "newline"),
        ("ann@localhost", "no TLD"),
        ("ann@example.c", "one-letter TLD"),
        ("ann@example.123", "numeric TLD"),
        ("ann@-example.com", "label starts with a hyphen"),
        ("ann@example-.com", "label ends with a hyphen"),
        ("ann@example..com", "empty label"),
        ("ann@.example.com", "leading dot in the domain"),
        ("ann@example.com.", "trailing dot in the domain"),
        ("ann@exa_mple.com", "underscore in the domain"),
        ("ann@[192.168.0.1]", "address literal"),
        ("anné@example.com", "non-ASCII local part"),
        ("ann@exämple.com", "non-ASCII domain (not punycode)"),
    ],
)
def test_is_valid_email_rejects_malformed_addresses(address: str, why: str) -> None:
    assert is_valid_email(address) is False, why


def test_is_valid_email_accepts_a_local_part_of_64_characters() -> None:
    assert is_valid_email("a" * 64 + "@example.com") is True


def test_is_valid_email_rejects_a_local_part_of_65_characters() -> None:
    assert is_valid_email("a" * 65 + "@example.com") is False


def test_is_valid_email_accepts_a_domain_label_of_63_characters() -> None:
    assert is_valid_email("ann@" + "b" * 63 + ".com") is True


def test_is_valid_email_rejects_a_domain_label_of_64_characters() -> None:
    assert is_valid_email("ann@" + "b" * 64 + ".com") is False


def test_is_valid_email_accepts_an_address_of_254_characters() -> None:
    address = "ab@" + ".".join(["b" * 61] * 4) + ".com"
    assert len(address) == 254
    assert is_valid_email(address) is True


def test_is_valid_email_rejects_an_address_of_255_characters() -> None:
    address = "abc@" + ".".join(["b" * 61] * 4) + ".com"
    assert len(address) == 255
    assert is_valid_email(address) is False


# -- email_key ---------------------------------------------------------------------------------


def test_email_key_ignores_case_in_the_whole_address() -> None:
    assert email_key("Ann.Lee@Example.com") == email_key("ann.lee@EXAMPLE.COM")


def test_email_key_tells_different_addresses_apart() -> None:
    assert email_key("ann@example.com") != email_key("anne@example.com")


# -- properties --------------------------------------------------------------------------------

_ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-"
_atoms = st.text(_ATEXT, min_size=1, max_size=10)
_locals = st.lists(_atoms, min_size=1, max_size=4).map(".".join).filter(lambda s: len(s) <= 64)
_ALNUM = string.ascii_letters + string.digits
_labels = st.one_of(
    st.text(_ALNUM, min_size=1, max_size=1),
    st.builds(
        lambda first, middle, last: first + middle + last,
        st.text(_ALNUM, min_size=1, max_size=1),
        st.text(_ALNUM + "-", max_size=20),
        st.text(_ALNUM, min_size=1, max_size=1),
    ),
)
_tlds = st.text(string.ascii_letters, min_size=2, max_size=8)
_domains = st.builds(
    lambda labels, tld: ".".join([*labels, tld]), st.lists(_labels, min_size=1, max_size=3), _tlds
)
_addresses = st.builds(lambda local, domain: f"{local}@{domain}", _locals, _domains)


@given(_addresses)
def test_generated_valid_addresses_pass(address: str) -> None:
    assert is_valid_email(address) is True


@given(_addresses)
def test_a_normalised_valid_address_is_still_valid(address: str) -> None:
    assert is_valid_email(normalize_email(f"  {address} ") or "") is True


@given(_addresses, st.integers(min_value=0), st.sampled_from([" ", "\t", "\n"]))
def test_an_address_with_whitespace_inside_fails(address: str, where: int, space: str) -> None:
    at = where % (len(address) + 1)
    assert is_valid_email(address[:at] + space + address[at:]) is False


@given(_locals, _domains)
def test_an_address_without_an_at_sign_fails(local: str, domain: str) -> None:
    assert is_valid_email(local + domain) is False


@given(_addresses, _domains)
def test_an_address_with_two_at_signs_fails(address: str, extra: str) -> None:
    assert is_valid_email(f"{address}@{extra}") is False


@given(st.text())
def test_is_valid_email_never_raises_and_requires_exactly_one_at_sign(text: str) -> None:
    if is_valid_email(text):
        assert text.count("@") == 1
