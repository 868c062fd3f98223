"""The entry point: spans in the original text, overall risk, limits and independence."""

import subprocess
import sys

import pytest

from beatdesk.checker.core import (
    MAX_TEXT_LENGTH,
    Category,
    LexiconEntry,
    Risk,
    Severity,
    TextTooLongError,
    check,
    compile_lexicon,
    load_default_lexicon,
)
from tests.checker.helpers import blocked_terms, flagged


def test_it_reports_spans_in_the_text_as_written() -> None:
    text = "ＡＢ\u200b出\u3000售\u200d冰毒，电话１３８００１３８０００"
    result = check(text, blocked_terms("出售冰毒"))

    assert flagged(text, result) == ["出\u3000售\u200d冰毒", "１３８００１３８０００"]


def test_it_returns_findings_in_text_order() -> None:
    text = "电话13800138000，我局高度重视"
    result = check(text, load_default_lexicon())

    assert [f.start for f in result.findings] == sorted(f.start for f in result.findings)


def test_it_rates_a_clean_text_low() -> None:
    result = check("今天天气很好，民警在社区开展防诈骗宣传。", load_default_lexicon())

    assert (result.findings, result.risk) == ((), Risk.LOW)


def test_it_rates_advice_only_low() -> None:
    assert check("我局高度重视此事。", load_default_lexicon()).risk is Risk.LOW


def test_it_rates_a_review_finding_medium() -> None:
    assert check("电话13800138000", load_default_lexicon()).risk is Risk.MEDIUM


def test_it_rates_a_block_finding_high() -> None:
    result = check("机密★ 电话13800138000", load_default_lexicon())

    assert (result.risk, result.is_blocked) == (Risk.HIGH, True)


def test_it_reports_each_finding_once() -> None:
    text = "护照号E12345678"
    result = check(text, compile_lexicon([]))

    assert len(result.findings) == 1


def test_it_accepts_a_text_at_the_length_limit() -> None:
    check("好" * MAX_TEXT_LENGTH, load_default_lexicon())


def test_it_refuses_a_text_over_the_length_limit() -> None:
    with pytest.raises(TextTooLongError, match="at most 100000"):
        check("好" * (MAX_TEXT_LENGTH + 1), load_default_lexicon())


def test_it_survives_control_and_non_characters() -> None:
    text = "报警\u001d有人打架\u0008\ufffe出售冰毒"

    assert flagged(text, check(text, blocked_terms("出售冰毒"))) == ["出售冰毒"]


def test_it_checks_an_empty_text() -> None:
    assert check("", blocked_terms("冰毒")).risk is Risk.LOW


def test_it_keeps_the_lexicon_category_on_each_finding() -> None:
    lexicon = compile_lexicon(
        [LexiconEntry("躲猫猫", Category.EUPHEMISM, Severity.REVIEW, "minimizes")]
    )

    assert check("躲猫猫", lexicon).findings[0].category is Category.EUPHEMISM


def test_it_runs_without_importing_django() -> None:
    script = (
        "import sys; from beatdesk.checker.core import check, load_default_lexicon;"
        "check('电话13800138000', load_default_lexicon());"
        "sys.exit(1 if any(name.startswith('django') for name in sys.modules) else 0)"
    )

    assert subprocess.run([sys.executable, "-c", script], check=False).returncode == 0
