"""Names from other people isolated for printing: a direction they open ends with them."""

import pytest

from fieldsync.domain.wording import bidi_safe, isolate

FSI, PDI = "\u2068", "\u2069"


def test_isolate_wraps_in_first_strong_isolate_and_pop() -> None:
    assert isolate("abc") == f"{FSI}abc{PDI}"


@pytest.mark.parametrize(
    "text",
    [
        "evil\u202e",
        "\u202bx",
        "\u2067y",
        "\u05e9\u05dc\u05d5\u05dd",
        "\u0645\u0631\u062d\u0628\u0627",
        "a\u2069",
    ],
    ids=["rlo", "rle", "rli", "hebrew", "arabic", "stray-pdi"],
)
def test_right_to_left_text_and_controls_are_isolated(text: str) -> None:
    assert bidi_safe(text) == f"{FSI}{text}{PDI}"


@pytest.mark.parametrize("text", ["Invoice customers", "Zoë Ørsted", "数据", ""])
def test_left_to_right_text_is_left_as_it_is(text: str) -> None:
    assert bidi_safe(text) == text
