"""What a screen shows of personal data before anyone asks to see it whole."""

import pytest

from beatdesk.checker.core import conceal


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("身份证110101199003074514", "110101199003074514"),
        # A mistyped ID fails its checksum and is still somebody's number.
        ("身份证330106199001011235", "330106199001011235"),
        # So does a card number that fails the Luhn check.
        ("卡号6222021234567890123", "6222021234567890123"),
        ("电话 138 0013 8000", "0013"),
        ("车牌浙 A12345停门口", "A12345"),
        ("车牌浙A12345停门口", "A12345"),
    ],
)
def test_personal_data_is_masked_even_when_mistyped_or_spaced(text: str, hidden: str) -> None:
    shown = conceal(text)

    assert hidden not in shown
    assert len(shown) == len(text)


def test_a_name_next_to_tipster_is_reduced_to_the_family_name() -> None:
    assert conceal("举报人王建国说的") == "举报人王某说的"


def test_short_numbers_dates_and_plain_words_are_left_as_written() -> None:
    text = "2024年3月5日下午3点，3号楼201室门口有两辆车"

    assert conceal(text) == text
