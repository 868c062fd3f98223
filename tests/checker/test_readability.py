"""Readability: long sentences, chains of stock phrases and the plain-language score."""

from beatdesk.checker.core import (
    Category,
    CheckResult,
    Readability,
    Risk,
    Severity,
    check,
    compile_lexicon,
    load_default_lexicon,
)
from tests.checker.helpers import findings_of

NO_TERMS = compile_lexicon([])
LONG = (
    "经过民警连续多日对辖区内各重点路段和人员密集场所的走访排查以及对大量监控视频的反复比对分析"
    "最终确定了嫌疑人的活动轨迹和落脚地点"
)


def rules(text: str) -> list[str]:
    return [f.rule for f in findings_of(text, load_default_lexicon(), "readability")]


def test_it_advises_splitting_a_sentence_over_sixty_characters() -> None:
    finding = findings_of(LONG + "。", NO_TERMS, "readability")[0]

    assert (finding.rule, finding.severity, finding.category) == (
        "readability.long_sentence",
        Severity.ADVICE,
        Category.READABILITY,
    )
    assert (finding.start, finding.end) == (0, len(LONG))


def test_it_lets_a_sentence_of_sixty_characters_pass() -> None:
    assert rules("好" * 60 + "。") == []


def test_it_advises_on_three_stock_phrases_in_one_sentence() -> None:
    text = "我局高度重视，多措并举，切实加强巡逻防控。"

    assert rules(text) == ["readability.stock_phrases"]


def test_it_lets_two_stock_phrases_pass() -> None:
    assert rules("我局高度重视，多措并举。") == []


def test_it_counts_stock_phrases_per_sentence() -> None:
    assert rules("我局高度重视。多措并举。切实加强巡逻。") == []


def test_it_scores_a_plain_text_one_hundred() -> None:
    result = check("民警救下落水儿童。孩子已回家。", NO_TERMS)

    assert result.readability == Readability(100, ())


def test_it_scores_a_hard_text_lower_and_points_at_its_hardest_sentence() -> None:
    text = "民警救下落水儿童。" + LONG + "。"
    readability = check(text, load_default_lexicon()).readability
    hardest = readability.hardest_sentences[0]

    assert readability.score < 80
    assert text[hardest.start : hardest.end] == LONG


def test_it_keeps_the_score_within_zero_and_one_hundred() -> None:
    text = "高度重视进一步加强多措并举齐抓共管常抓不懈" * 10
    score = check(text, load_default_lexicon()).readability.score

    assert 0 <= score <= 100


def test_it_scores_an_empty_text_one_hundred() -> None:
    assert check("", NO_TERMS).readability.score == 100


def test_it_lets_old_callers_build_a_result_without_a_score() -> None:
    assert CheckResult((), Risk.LOW).readability.score == 100
