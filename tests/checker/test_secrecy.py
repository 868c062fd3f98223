"""Police secrets: classification marks, internal numbers and protected people's names."""

import pytest

from beatdesk.checker.core import Severity, compile_lexicon
from tests.checker.helpers import findings_of

NO_TERMS = compile_lexicon([])


def secrets(text: str) -> list[tuple[str, str, Severity]]:
    return [
        (text[f.start : f.end], f.rule.removeprefix("secrecy."), f.severity)
        for f in findings_of(text, NO_TERMS, "secrecy")
    ]


@pytest.mark.parametrize(
    "mark",
    [
        "绝密★",
        "机密★10年",
        "秘密★启用前",
        "秘 密 ☆ 长期",
        "機密★",
        "机密级",
        "秘密*1年",
        "机*密★1年",
        "绝-密★",
        "秘\u200b密★",
    ],
)
def test_it_blocks_a_classification_mark(mark: str) -> None:
    assert secrets(f"附件：{mark}（略）") == [(mark, "mark", Severity.BLOCK)]


def test_it_does_not_take_an_ordinary_secret_for_a_mark() -> None:
    assert secrets("这是我们之间的秘密，也是成功的机密所在。") == []


@pytest.mark.parametrize("marking", ["内部资料", "不得外传", "仅限内部", "内 部 资 料"])
def test_it_asks_to_review_an_internal_use_marking(marking: str) -> None:
    assert secrets(f"本通报为{marking}。") == [(marking, "internal_marking", Severity.REVIEW)]


def test_it_flags_a_police_document_number_without_the_words_before_it() -> None:
    assert secrets("根据公刑〔2024〕12号文件要求") == [
        ("公刑〔2024〕12号", "document_number", Severity.REVIEW)
    ]


def test_it_flags_a_document_number_written_with_full_width_brackets() -> None:
    assert secrets("按照京公网安［2023］5号通知")[0][:2] == (
        "京公网安［2023］5号",
        "document_number",
    )


def test_it_gives_only_advice_for_a_document_number_of_another_issuer() -> None:
    assert secrets("按照国发〔2024〕1号文件")[0][2] is Severity.ADVICE


def test_it_flags_a_labelled_case_number() -> None:
    assert secrets("案件编号：A4403055000002024010012。") == [
        ("A4403055000002024010012", "case_number", Severity.REVIEW)
    ]


def test_it_flags_a_labelled_incident_number() -> None:
    assert secrets("警情号J3301020000202405060001")[0][:2] == (
        "J3301020000202405060001",
        "case_number",
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("受害人王小明报警称其被骗", "王小明"),
        ("证人张强说当时天很黑", "张强"),
        ("举报人：欧阳明月", "欧阳明月"),
        ("未成年人李娜", "李娜"),
        ("举报人张三反映情况", "张三"),
        ("受害人李四表示不认识对方", "李四"),
        ("证人王五当时在场", "王五"),
        ("举报人张三丰反映情况", "张三丰"),
        ("举报人张 三反映情况", "张 三"),
        ("受害人王*小明称", "王*小明"),
    ],
)
def test_it_flags_the_name_of_a_protected_person(text: str, name: str) -> None:
    assert secrets(text) == [(name, "protected_name", Severity.REVIEW)]


@pytest.mark.parametrize(
    "text",
    [
        "受害人王某报警称",
        "受害人刘女士称",
        "证人陈小明（化名）称",
        "受害人马上报警",
        "未成年人保护法",
        "举报人称",
        "受害人家属到场",
    ],
)
def test_it_lets_pseudonyms_titles_and_ordinary_words_pass(text: str) -> None:
    assert secrets(text) == []


def test_it_suggests_the_surname_with_mou() -> None:
    finding = findings_of("受害人王小明报警", NO_TERMS, "secrecy")[0]

    assert finding.suggestion == "王某"


def test_the_suggestion_in_place_of_a_name_leaves_the_words_after_it_whole() -> None:
    text = "举报人张三反映情况"
    finding = findings_of(text, NO_TERMS, "secrecy")[0]

    fixed = text[: finding.start] + (finding.suggestion or "") + text[finding.end :]

    assert fixed == "举报人张某反映情况"


def test_every_name_in_a_list_of_protected_people_is_flagged() -> None:
    assert [name for name, _rule, _severity in secrets("被害人邵某平、邵宗华和邵宗国三人")] == [
        "邵宗华",
        "邵宗国",
    ]
