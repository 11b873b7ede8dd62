import hashlib
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldsync.domain.planner import fingerprint

IST = timezone(timedelta(hours=5, minutes=30))


def test_a_fingerprint_is_32_hex_digits() -> None:
    assert len(fingerprint({"Name": "Ann"})) == 32
    assert set(fingerprint({"Name": "Ann"})) <= set("0123456789abcdef")


def test_a_fingerprint_does_not_depend_on_the_order_of_the_items() -> None:
    assert fingerprint({"a": 1, "b": "x"}) == fingerprint({"b": "x", "a": 1})


def test_the_fingerprint_of_known_values_never_changes() -> None:
    # Stored fingerprints must stay valid across releases; this pins the canonical form.
    values = {
        "Email": "ann@example.com",
        "Age": 42,
        "Balance": Decimal("1234.50"),
        "Birthday": date(1990, 5, 17),
        "Created": datetime(2013, 10, 7, 18, 24, 51, tzinfo=IST),
        "Active": True,
        "Note": None,
    }
    canonical = (
        '[["Active","bool","True"],["Age","int","42"],["Balance","decimal","1234.5"],'
        '["Birthday","date","1990-05-17"],["Created","datetime","1381150491000000"],'
        '["Email","str","ann@example.com"],["Note","null",null]]'
    )
    expected = hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()
    assert expected == fingerprint(values)


def test_a_fingerprint_is_the_same_in_another_process() -> None:
    code = (
        "from fieldsync.domain.planner import fingerprint;"
        "print(fingerprint({'Name': 'Zoë', 'Age': 7}), end='')"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout

    assert fingerprint({"Name": "Zoë", "Age": 7}) == other


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (1, "1"),
        (1, True),
        (1, Decimal(1)),
        (1, 1.0),
        (None, ""),
        (None, "None"),
        ("true", True),
        (date(2024, 3, 1), "2024-03-01"),
        (date(2024, 3, 1), datetime(2024, 3, 1, tzinfo=UTC)),
        (datetime(2024, 3, 1), datetime(2024, 3, 1, tzinfo=UTC)),
    ],
)
def test_values_of_different_types_have_different_fingerprints(one: object, other: object) -> None:
    assert fingerprint({"f": one}) != fingerprint({"f": other})


def test_a_value_moved_to_another_field_changes_the_fingerprint() -> None:
    assert fingerprint({"a": "x", "b": ""}) != fingerprint({"a": "", "b": "x"})


def test_a_field_left_out_differs_from_a_field_cleared() -> None:
    assert fingerprint({"a": "x"}) != fingerprint({"a": "x", "b": None})


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (Decimal("1.0"), Decimal("1.00")),
        (Decimal("100"), Decimal("1E+2")),
        (Decimal("0"), Decimal("-0.00")),
        (0.0, -0.0),
        (
            datetime(2013, 10, 7, 18, 24, 51, tzinfo=IST),
            datetime(2013, 10, 7, 12, 54, 51, tzinfo=UTC),
        ),
    ],
)
def test_equal_values_written_differently_have_equal_fingerprints(
    one: object, other: object
) -> None:
    assert fingerprint({"f": one}) == fingerprint({"f": other})


def test_decimals_with_more_digits_than_the_context_stay_apart() -> None:
    one = Decimal("1." + "0" * 40 + "1")
    other = Decimal("1." + "0" * 40 + "2")

    assert fingerprint({"f": one}) != fingerprint({"f": other})


def test_a_value_of_an_unknown_type_cannot_be_fingerprinted() -> None:
    with pytest.raises(TypeError, match="list"):
        fingerprint({"f": [1]})


def test_a_subclass_of_a_known_type_is_fingerprinted_as_its_base() -> None:
    class Name(str):
        pass

    assert fingerprint({"f": "Ann"}) == fingerprint({"f": Name("Ann")})


# -- property: equal fingerprints iff equal canonical values -------------------------------------

_offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_canonical_values = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(-5, 5),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-3, max_value=3),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 1, 3)),
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2024, 1, 2), timezones=_offsets
    ),
)
_records = st.dictionaries(st.sampled_from(["a", "b", "c"]), _canonical_values, max_size=3)


def _same(one: object, other: object) -> bool:
    """Python equality, but a value's type counts (1 is not True, nor Decimal(1))."""
    return type(one) is type(other) and one == other


def _equal_records(one: dict[str, object], other: dict[str, object]) -> bool:
    return one.keys() == other.keys() and all(_same(one[k], other[k]) for k in one)


@given(_records, _records)
def test_fingerprints_are_equal_exactly_when_the_values_are(
    one: dict[str, object], other: dict[str, object]
) -> None:
    assert _equal_records(one, other) == (fingerprint(one) == fingerprint(other))


@given(_records)
def test_a_record_and_its_copy_have_equal_fingerprints(record: dict[str, object]) -> None:
    assert fingerprint(record) == fingerprint(dict(reversed(list(record.items()))))


def test_a_decimal_nan_has_a_fingerprint_of_its_own() -> None:
    assert fingerprint({"f": Decimal("NaN")}) != fingerprint({"f": Decimal(0)})


def test_a_subclass_of_a_known_number_type_is_fingerprinted_as_its_base() -> None:
    class Count(int):
        pass

    assert fingerprint({"f": 3}) == fingerprint({"f": Count(3)})
