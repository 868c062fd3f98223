"""Personal data: peer-inputs H4 and the other kinds, each with a masked spelling."""

import pytest

from beatdesk.checker.core import Category, Severity, compile_lexicon
from beatdesk.checker.core.personal_data import (
    canonical_resident_id,
    is_valid_resident_id,
    passes_luhn,
)
from tests.checker.helpers import findings_of

NO_TERMS = compile_lexicon([])
FAKE_ID = "11010519491231002X"
FAKE_MOBILE = "13800138000"
VALID_CARD = "6222021001234561"


def personal_data(text: str) -> list[tuple[str, str, str | None]]:
    return [
        (text[f.start : f.end], f.rule.removeprefix("personal_data."), f.suggestion)
        for f in findings_of(text, NO_TERMS, "personal_data")
    ]


@pytest.mark.parametrize(
    "written_id",
    ["11010519491231002x", "11010519491231002X", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_it_finds_an_id_and_a_phone_in_a_citizen_message(written_id: str) -> None:
    """peer-inputs H4, expectations 1, 3 and 4: lowercase x, uppercase X, full-width."""
    text = f"我的身份证{written_id}，电话{FAKE_MOBILE}"

    assert [(found, rule) for found, rule, _ in personal_data(text)] == [
        (written_id, "resident_id"),
        (FAKE_MOBILE, "mobile"),
    ]


def test_it_finds_a_full_width_id_with_a_full_width_lowercase_x() -> None:
    text = "身份证１１０１０５１９４９１２３１００２ｘ"

    assert personal_data(text)[0][:2] == ("１１０１０５１９４９１２３１００２ｘ", "resident_id")


def test_it_marks_personal_data_for_review() -> None:
    finding = findings_of(f"电话{FAKE_MOBILE}", NO_TERMS, "personal_data")[0]

    assert (finding.category, finding.severity) == (Category.PERSONAL_DATA, Severity.REVIEW)


@pytest.mark.parametrize(
    "typed",
    ["11010519491231002x", " 110105 19491231 002x ", "１１０１０５１９４９１２３１００２ｘ"],
)
def test_it_stores_a_typed_id_with_a_capital_x(typed: str) -> None:
    """peer-inputs H4, expectation 5, the part a portal form takes from the library."""
    assert canonical_resident_id(typed) == FAKE_ID


def test_it_refuses_to_store_an_id_with_a_wrong_check_character() -> None:
    assert canonical_resident_id("110105194912310021") is None


def test_it_finds_an_id_written_with_spaces_and_zero_width_characters() -> None:
    text = "身份证 110105 1949\u200b1231 002X 请核实"

    assert personal_data(text)[0][:2] == ("110105 1949\u200b1231 002X", "resident_id")


def test_it_finds_an_old_fifteen_digit_id() -> None:
    assert personal_data("旧身份证110105491231002。")[0][1] == "resident_id"


def test_it_ignores_eighteen_digits_with_a_wrong_check_character() -> None:
    assert personal_data("订单号110105194912310021") == []


def test_it_validates_the_id_check_character_in_either_case() -> None:
    assert is_valid_resident_id(FAKE_ID)
    assert is_valid_resident_id(FAKE_ID.lower())
    assert not is_valid_resident_id("11010519491231002Y")
    assert not is_valid_resident_id("11010519491331002X")


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("13800138000", "138****8000"),
        ("138 0013 8000", "138 **** 8000"),
        ("138-0013-8000", "138-****-8000"),
        ("１３８００１３８０００", "１３８****８０００"),
    ],
)
def test_it_finds_a_mobile_number_however_it_is_written(written: str, masked: str) -> None:
    assert personal_data(f"请拨{written}联系") == [(written, "mobile", masked)]


def test_it_separates_two_numbers_written_side_by_side() -> None:
    text = "电话13800138000 13900139000"

    assert [found for found, _, _ in personal_data(text)] == ["13800138000", "13900139000"]


def test_it_finds_a_mobile_number_after_the_country_code() -> None:
    assert personal_data("+86 138 0013 8000")[0][:2] == ("86 138 0013 8000", "mobile")


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("86 138 0013 8000", "86 138 **** 8000"),
        ("8613800138000", "86138****8000"),
        ("0086 138 0013 8000", "0086 138 **** 8000"),
        ("008613800138000", "0086138****8000"),
    ],
)
def test_the_mask_after_a_country_code_still_shows_the_network_prefix(
    written: str, masked: str
) -> None:
    assert personal_data(f"请拨打{written}") == [(written, "mobile", masked)]


@pytest.mark.parametrize("written", ["010-62345678", "0755 2345 6789", "(010)62345678"])
def test_it_finds_a_landline_number(written: str) -> None:
    assert personal_data(f"座机{written}")[0][:2] == (written, "landline")


def test_it_finds_a_local_number_only_when_the_clause_speaks_of_calling() -> None:
    assert personal_data("请致电62345678")[0][1] == "landline"
    assert personal_data("共缴获现金62345678元") == []


def test_it_ignores_dates_times_and_amounts() -> None:
    assert personal_data("2024-01-01 12:30，涉案金额1200000元，编号2024 0101 5678") == []


@pytest.mark.parametrize(
    ("written", "masked"),
    [("京A12345", "京A****5"), ("粤B·D12345", "粤B·*****5"), ("沪AF12345", "沪A*****5")],
)
def test_it_finds_licence_plates_including_new_energy_ones(written: str, masked: str) -> None:
    assert personal_data(f"车牌{written}的车辆") == [(written, "licence_plate", masked)]


def test_it_ignores_a_province_name_followed_by_a_word() -> None:
    assert personal_data("粤BHELLO，京ABC") == []


def test_it_finds_a_bank_card_that_passes_the_luhn_check() -> None:
    text = f"卡号{VALID_CARD[:4]} {VALID_CARD[4:8]} {VALID_CARD[8:12]} {VALID_CARD[12:]}"

    assert personal_data(text) == [(text[2:], "bank_card", "**** **** **** 4561")]


def test_it_ignores_a_long_number_that_fails_the_luhn_check() -> None:
    assert not passes_luhn("6222021001234567")
    assert personal_data("流水号6222021001234567") == []


def test_it_finds_passport_numbers() -> None:
    assert personal_data("护照号E12345678")[0] == ("E12345678", "passport", "E******78")
    assert personal_data("通行证C1234567")[0][:2] == ("C1234567", "passport")


def test_it_finds_an_email_address_and_masks_its_local_part() -> None:
    assert personal_data("邮箱zhang.san@example.cn。") == [
        ("zhang.san@example.cn", "email", "z****.***@example.cn")
    ]


def test_it_reports_a_phone_inside_an_email_address_once() -> None:
    assert [rule for _, rule, _ in personal_data("13800138000@qq.com")] == ["email"]


def test_it_finds_a_house_number_and_the_rooms_after_it() -> None:
    text = "当事人家住人民路12号3栋501室。"

    assert personal_data(text) == [("12号3栋501室", "address", "**号*栋***室")]


def test_it_does_not_take_a_metro_line_for_a_house_number() -> None:
    assert personal_data("乘坐地铁路1号线") == []


@pytest.mark.parametrize(
    ("text", "written", "kind"),
    [
        ("住在文三路 123号", "123号", "address"),
        ("住在文三路１ ２ ３号", "１ ２ ３号", "address"),
        ("车牌浙 A 1 2 3 4 5", "浙 A 1 2 3 4 5", "licence_plate"),
        ("车牌浙A.D.1.2.3.4.5", "浙A.D.1.2.3.4.5", "licence_plate"),
        ("请联系138.0013.8000", "138.0013.8000", "mobile"),
        ("请拨打一三八零零一三八零零零", "一三八零零一三八零零零", "mobile"),
        ("请拨打幺三八 零零幺三 八零零零", "幺三八 零零幺三 八零零零", "mobile"),
        (
            "身份证一一零一零一一九九零零三零七四五一四",
            "一一零一零一一九九零零三零七四五一四",
            "resident_id",
        ),
        ("加我QQ：12345678", "12345678", "im_account"),
        ("联系ＱＱ 23456789", "23456789", "im_account"),
        ("微信号 zhang_san88", "zhang_san88", "im_account"),
    ],
)
def test_it_finds_personal_data_written_to_slip_past_filters(
    text: str, written: str, kind: str
) -> None:
    assert [(found, rule) for found, rule, _masked in personal_data(text)] == [(written, kind)]


@pytest.mark.parametrize(
    "text", ["联系电话：2024.12.05前办理", "圆周率约3.14159265", "IP 192.168.1.100"]
)
def test_dotted_dates_and_decimals_are_not_taken_for_numbers(text: str) -> None:
    assert personal_data(text) == []


@pytest.mark.parametrize(
    "text", ["欢迎加入警民QQ群123456789", "关注微信公众号平安西湖", "第一二三名"]
)
def test_it_leaves_group_numbers_official_accounts_and_rankings_alone(text: str) -> None:
    assert personal_data(text) == []


def test_the_mask_of_a_number_in_chinese_numerals_keeps_its_shape() -> None:
    assert personal_data("请拨打一三八零零一三八零零零")[0][2] == "一三八****八零零零"
