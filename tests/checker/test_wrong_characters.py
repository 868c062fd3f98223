"""Wrong characters of the same sound, as a pinyin input method lets them slip in."""

from beatdesk.checker.core import Category, Severity, check, compile_lexicon
from beatdesk.checker.core.normalize import normalize
from beatdesk.checker.core.wrong_characters import (
    WrongCharacterSettings,
    find_wrong_characters,
)

NO_TERMS = compile_lexicon([])


def wrong(text: str) -> list[tuple[str, str | None]]:
    findings = check(text, NO_TERMS, wrong_characters=True).findings
    return [
        (text[f.start : f.end], f.suggestion)
        for f in findings
        if f.category is Category.WRONG_CHARACTER
    ]


def test_it_suggests_the_character_that_makes_a_common_word() -> None:
    assert wrong("景区不勘重负，游客排起长队。") == [("勘", "堪")]


def test_it_gives_advice_only() -> None:
    findings = check("景区不勘重负", NO_TERMS, wrong_characters=True).findings

    assert {f.severity for f in findings} == {Severity.ADVICE}


def test_it_lets_a_correct_sentence_pass() -> None:
    assert wrong("今天天气很好，民警在社区开展防诈骗宣传。") == []


def test_it_is_off_unless_asked_for() -> None:
    assert check("景区不勘重负", NO_TERMS).findings == ()


def test_it_points_at_the_character_as_written_in_full_width_text() -> None:
    text = "ＡＢ\u200b景区不勘重负"

    assert wrong(text) == [("勘", "堪")]


def test_it_stays_silent_when_the_settings_ask_for_more_certainty() -> None:
    strict = WrongCharacterSettings(min_gain=100.0)

    assert list(find_wrong_characters(normalize("景区不勘重负"), strict)) == []
