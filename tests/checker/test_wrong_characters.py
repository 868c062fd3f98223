"""Wrong characters of the same sound, as a pinyin input method lets them slip in."""

import pytest

from beatdesk.checker.core import Category, Severity, check, compile_lexicon
from beatdesk.checker.core.normalize import normalize
from beatdesk.checker.core.wrong_characters import (
    Corrections,
    WrongCharacterSettings,
    find_wrong_characters,
    fit_weights,
    learn_corrections,
    load_vocabulary,
    read_corrections,
    write_corrections,
)

NO_TERMS = compile_lexicon([])

WRONG_SENTENCE = "警方已经查处了幕后主使，案件正在近一步调查中。"
CORRECTED_SENTENCE = "警方已经查处了幕后主使，案件正在进一步调查中。"
EXPECTED = [("近", "进")]


def wrong(text: str) -> list[tuple[str, str | None]]:
    findings = check(text, NO_TERMS, wrong_characters=True).findings
    return [
        (text[f.start : f.end], f.suggestion)
        for f in findings
        if f.category is Category.WRONG_CHARACTER
    ]


def test_it_suggests_the_character_writers_usually_meant() -> None:
    assert wrong(WRONG_SENTENCE) == EXPECTED


def test_it_suggests_the_standard_form_of_a_word_written_two_ways() -> None:
    assert wrong("他们事后表示，这是惟一的办法。") == [("惟", "唯")]


def test_it_gives_advice_only() -> None:
    findings = check(WRONG_SENTENCE, NO_TERMS, wrong_characters=True).findings

    assert {f.severity for f in findings} == {Severity.ADVICE}
    assert {f.rule for f in findings} == {"wrong_character.same_sound"}


def test_it_lets_a_correct_sentence_pass() -> None:
    assert wrong("今天天气很好，民警在社区开展防诈骗宣传。") == []


def test_it_lets_the_corrected_sentence_pass() -> None:
    assert wrong(CORRECTED_SENTENCE) == []


def test_it_is_off_unless_asked_for() -> None:
    assert check(WRONG_SENTENCE, NO_TERMS).findings == ()


def test_it_points_at_the_character_as_written_in_full_width_text() -> None:
    assert wrong("ＡＢ\u200b" + WRONG_SENTENCE) == EXPECTED


def test_it_stays_silent_when_the_settings_ask_for_more_certainty() -> None:
    strict = WrongCharacterSettings(min_score=100.0)

    assert list(find_wrong_characters(normalize(WRONG_SENTENCE), strict)) == []


def test_it_learns_a_confused_pair_and_its_neighbours_from_a_corrected_sentence() -> None:
    learned = learn_corrections([("操作人员带防毒面具", "操作人员戴防毒面具")], load_vocabulary())

    assert learned.pairs == {("带", "戴"): 1}
    assert learned.contexts == {("员带", "戴"): 1, ("带防", "戴"): 1}
    assert learned.grams["戴防毒"] == 1
    assert "带防毒" not in learned.grams


def test_it_learns_no_pair_of_characters_that_sound_different() -> None:
    learned = learn_corrections([("院最新发布的约", "院最新发布了约")], load_vocabulary())

    assert learned.pairs == {}


def test_it_reads_back_the_corrections_it_writes() -> None:
    learned = learn_corrections([("他惟一的选择\t", "他唯一的选择\t")], load_vocabulary())
    weighted = Corrections(
        learned.pairs,
        learned.contexts,
        learned.characters,
        learned.grams,
        (-1.5, 0.5, 0.25, 1.0, 2.0, -0.5, 0.75, 0.125),
    )

    assert read_corrections(write_corrections(weighted)) == weighted


def test_it_fits_weights_that_favour_the_evidence_of_right_corrections() -> None:
    examples = [((float(x), 0.0), x > 2) for x in range(6)] * 10

    bias, first, second = fit_weights(examples)

    assert first > 0 > bias
    assert second == pytest.approx(0.0)
