import pytest

from beatdesk.checker.core import Category, LexiconFormatError, Severity, parse_lexicon

HEADER = "term\tcategory\tseverity\treason\tsuggestion\texceptions\texception_severity"


def lexicon_text(*lines: str) -> str:
    return "\n".join(["# A lexicon written for a test.", HEADER, *lines]) + "\n"


def test_it_parses_every_column() -> None:
    entries = parse_lexicon(
        lexicon_text("买卖枪支\tprohibited\tblock\t涉枪\t\t严禁| 禁止 \tadvice")
    )

    entry = entries[0]
    assert (entry.term, entry.category, entry.severity) == (
        "买卖枪支",
        Category.PROHIBITED,
        Severity.BLOCK,
    )
    assert (entry.suggestion, entry.exceptions, entry.exception_severity) == (
        None,
        ("严禁", "禁止"),
        Severity.ADVICE,
    )


def test_it_takes_the_category_default_for_an_empty_severity() -> None:
    entries = parse_lexicon(lexicon_text("高度重视\tofficialese\t\t套话\t重视"))

    assert entries[0].severity is Severity.ADVICE
    assert entries[0].suggestion == "重视"


def test_it_accepts_windows_line_endings() -> None:
    text = lexicon_text("戳伤\teuphemism\t\t淡化\t刺伤").replace("\n", "\r\n")

    assert parse_lexicon(text)[0].suggestion == "刺伤"


def test_it_reports_every_malformed_line_with_its_number_and_imports_nothing() -> None:
    text = lexicon_text(
        "高度重视\tofficialese\t\t套话\t重视",
        "戳伤\tslang\t\t淡化\t刺伤",
        "冰毒\tprohibited\tfatal\t毒品",
        "只有两列\tsensitive",
    )

    with pytest.raises(LexiconFormatError) as raised:
        parse_lexicon(text)

    assert [problem.line for problem in raised.value.problems] == [4, 5, 6]
    assert "line 4: Unknown category 'slang'" in str(raised.value)


def test_it_reports_a_term_that_repeats_in_the_same_category() -> None:
    text = lexicon_text("冰毒\tsensitive\t\t毒品", "冰 毒\tsensitive\t\t毒品")

    with pytest.raises(LexiconFormatError, match="line 4: '冰 毒' repeats line 3"):
        parse_lexicon(text)


def test_it_rejects_a_file_without_the_header() -> None:
    with pytest.raises(LexiconFormatError, match="line 1: The header must be"):
        parse_lexicon("冰毒\tsensitive\t\t毒品\n")


def test_it_rejects_an_empty_file() -> None:
    with pytest.raises(LexiconFormatError, match="no header"):
        parse_lexicon("# only a comment\n")


def test_it_rejects_an_entry_without_a_reason() -> None:
    with pytest.raises(LexiconFormatError, match="line 3: The term and the reason"):
        parse_lexicon(lexicon_text("冰毒\tsensitive\t\t"))
