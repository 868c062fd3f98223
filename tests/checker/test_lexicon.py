import pytest

from beatdesk.checker.core import (
    Category,
    LexiconEntry,
    Severity,
    check,
    compile_lexicon,
)
from tests.checker.helpers import blocked_terms, findings_of, flagged

GUN_WARNING_CUES = ("严禁", "禁止", "打击")


def gun_lexicon() -> list[LexiconEntry]:
    return [
        LexiconEntry(
            "买卖枪支",
            Category.PROHIBITED,
            Severity.BLOCK,
            "gun trade",
            exceptions=GUN_WARNING_CUES,
            exception_severity=Severity.REVIEW,
        )
    ]


@pytest.mark.parametrize("text", ["出售冰毒", "出售冰毒。", "本人出售冰毒，量大"])
def test_it_flags_a_short_term_when_a_longer_blocked_term_contains_it(text: str) -> None:
    """peer-inputs H3: pyahocorasick's longest-match mode missed 冰毒 at the end of a text."""
    result = check(text, blocked_terms("冰毒", "出售冰毒片剂"))

    assert flagged(text, result) == ["冰毒"]
    assert result.findings[0].severity is Severity.BLOCK
    assert result.findings[0].start == text.index("冰毒")


def test_it_flags_the_second_pair_of_peer_inputs_h3() -> None:
    result = check("枪支弹药", blocked_terms("弹药", "枪支弹药出售"))

    assert [(f.start, f.end) for f in result.findings] == [(2, 4)]


def test_it_flags_both_terms_when_the_longer_one_is_complete() -> None:
    text = "本人出售冰毒片剂"

    assert flagged(text, check(text, blocked_terms("冰毒", "出售冰毒片剂"))) == [
        "出售冰毒片剂",
        "冰毒",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "出 售 冰 毒",
        "出售冰\u200b毒",
        "出售冰*毒",
        "出售冰🙂毒",
        "出售ｋ粉",
        "出售Ｋ粉",
        "出售K粉",
    ],
)
def test_it_sees_through_fillers_full_width_and_case(text: str) -> None:
    result = check(text, blocked_terms("出售冰毒", "出售k粉"))

    assert flagged(text, result) == [text]


def test_it_sees_through_traditional_characters() -> None:
    text = "誠意出售槍支"

    assert flagged(text, check(text, blocked_terms("出售枪支"))) == ["出售槍支"]


def test_it_matches_traditional_terms_in_the_lexicon_against_simplified_text() -> None:
    text = "诚意出售枪支"

    assert flagged(text, check(text, blocked_terms("出售槍支"))) == ["出售枪支"]


def test_it_does_not_join_a_term_across_a_full_stop() -> None:
    assert check("要出售冰。毒品不卖", blocked_terms("冰毒")).findings == ()


def test_it_downgrades_a_prohibited_term_inside_a_warning() -> None:
    findings = findings_of("严禁非法买卖枪支", compile_lexicon(gun_lexicon()), "lexicon")

    assert [f.severity for f in findings] == [Severity.REVIEW]


def test_it_keeps_the_block_when_the_warning_is_in_another_clause() -> None:
    text = "严禁酒驾。本店长期买卖枪支"
    findings = findings_of(text, compile_lexicon(gun_lexicon()), "lexicon")

    assert [f.severity for f in findings] == [Severity.BLOCK]


def test_it_keeps_the_block_when_the_warning_is_far_before_the_term() -> None:
    text = "严禁在本群里发与工作无关的广告和闲聊内容本店长期买卖枪支"
    findings = findings_of(text, compile_lexicon(gun_lexicon()), "lexicon")

    assert [f.severity for f in findings] == [Severity.BLOCK]


def test_it_accepts_a_whole_phrase_as_an_exception() -> None:
    entry = LexiconEntry(
        "枪支",
        Category.PROHIBITED,
        Severity.BLOCK,
        "guns",
        exceptions=("严禁非法买卖枪支",),
        exception_severity=Severity.ADVICE,
    )
    lexicon = compile_lexicon([entry])

    assert findings_of("严禁非法买卖枪支", lexicon, "lexicon")[0].severity is Severity.ADVICE
    assert findings_of("出售枪支", lexicon, "lexicon")[0].severity is Severity.BLOCK


def test_it_reports_one_finding_for_each_entry_that_shares_a_term() -> None:
    lexicon = compile_lexicon(
        [
            LexiconEntry("临时工", Category.CARELESS, Severity.REVIEW, "blame"),
            LexiconEntry("临时工", Category.OFFICIALESE, Severity.ADVICE, "vague"),
        ]
    )

    rules = [f.rule for f in check("系临时工所为", lexicon).findings]

    assert rules == ["lexicon.careless", "lexicon.officialese"]


def test_it_carries_the_reason_and_the_plain_suggestion() -> None:
    entry = LexiconEntry("戳伤", Category.EUPHEMISM, Severity.REVIEW, "minimizes", "刺伤")
    finding = check("被戳伤", compile_lexicon([entry])).findings[0]

    assert (finding.reason, finding.suggestion, finding.category) == (
        "minimizes",
        "刺伤",
        Category.EUPHEMISM,
    )


def test_it_refuses_a_term_that_is_empty_once_normalized() -> None:
    with pytest.raises(ValueError, match="empty"):
        compile_lexicon([LexiconEntry("\u200b", Category.SENSITIVE, Severity.REVIEW, "x")])
