"""Lexicon layers: the default, then each level from the province down; versions and imports."""

import io
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from beatdesk.audit.models import AuditRecord
from beatdesk.checker.actions import (
    LexiconError,
    do_allow_term,
    do_import_lexicon,
    do_remove_term,
    do_set_term,
)
from beatdesk.checker.core import Category, LexiconEntry, LexiconFormatError, Severity
from beatdesk.checker.lexicons import check_at, effective_lexicon
from beatdesk.checker.models import Lexicon, LexiconTerm
from tests.conftest import Cast, make_unit

HEADER = "term\tcategory\tseverity\treason\tsuggestion\texceptions\texception_severity\n"
PROVINCE_FILE = (
    "# the province's own words\n"
    + HEADER
    + "警花\tdiscriminatory\t\t以外貌称呼女警，不尊重\t女民警\n"
    + "严打\tofficialese\tadvice\t运动式提法\t依法打击\n"
)


def rules(result: object) -> list[tuple[str, str]]:
    return [(f.rule, f.severity.value) for f in result.findings]  # type: ignore[attr-defined]


def test_a_province_term_applies_at_its_stations_and_not_in_another_province(cast: Cast) -> None:
    do_import_lexicon(cast.center_operator, cast.province, PROVINCE_FILE.encode(), "p.tsv")
    other_province = make_unit("prov-2", "province", None)
    other_station = make_unit("prov-2-s", "station", other_province)

    at_station, _versions = check_at("表彰辖区一名警花。", cast.station_a)
    elsewhere, _versions = check_at("表彰辖区一名警花。", other_station)

    assert ("lexicon.discriminatory", "review") in rules(at_station)
    assert not any(rule == "lexicon.discriminatory" for rule, _ in rules(elsewhere))


def test_a_station_allowance_silences_a_province_term_only_at_that_station(cast: Cast) -> None:
    do_import_lexicon(cast.center_operator, cast.province, PROVINCE_FILE.encode(), "p.tsv")

    do_allow_term(cast.center_operator, cast.station_a, "严打")

    at_a, _ = check_at("开展严打行动。", cast.station_a)
    at_b, _ = check_at("开展严打行动。", cast.station_b)
    assert "lexicon.officialese" not in [rule for rule, _ in rules(at_a)]
    assert "lexicon.officialese" in [rule for rule, _ in rules(at_b)]


def test_a_city_can_make_a_default_term_stricter_for_the_units_below_it(cast: Cast) -> None:
    default = {(f.rule, f.severity) for f in check_at("他被戳伤了。", None)[0].findings}
    entry = LexiconEntry(
        term="戳伤",
        category=Category.EUPHEMISM,
        severity=Severity.BLOCK,
        reason="刀伤不能说成戳伤",
        suggestion="刺伤",
    )

    do_set_term(cast.center_operator, cast.city, entry)

    at_station, versions = check_at("他被戳伤了。", cast.station_a)
    assert ("lexicon.euphemism", Severity.BLOCK) in {
        (f.rule, f.severity) for f in at_station.findings
    }
    assert ("lexicon.euphemism", Severity.BLOCK) not in default
    assert versions == "city:v1"


def test_the_compiled_lexicon_is_reused_until_a_change_bumps_the_version(cast: Cast) -> None:
    do_import_lexicon(cast.center_operator, cast.province, PROVINCE_FILE.encode(), "p.tsv")

    first, _ = effective_lexicon(cast.station_a)
    again, _ = effective_lexicon(cast.station_a)
    term = do_allow_term(cast.center_operator, cast.province, "严打")
    after_change, layers = effective_lexicon(cast.station_a)

    assert again is first
    assert after_change is not first
    assert [layer.version for layer in layers] == [2]
    do_remove_term(cast.center_operator, term)
    assert effective_lexicon(cast.station_a)[0] is not after_change


def test_a_file_with_a_bad_line_imports_nothing_and_names_the_line(cast: Cast) -> None:
    do_import_lexicon(cast.center_operator, cast.province, PROVINCE_FILE.encode(), "p.tsv")
    broken = HEADER + "好词\tofficialese\t\t理由\n坏词\tnonsense\t\t理由\n只有一列\n"

    with pytest.raises(LexiconFormatError) as raised:
        do_import_lexicon(cast.center_operator, cast.province, broken.encode(), "p.tsv")

    assert [problem.line for problem in raised.value.problems] == [3, 4]
    lexicon = Lexicon.objects.get(unit=cast.province)
    assert lexicon.version == 1
    assert sorted(lexicon.terms.values_list("term", flat=True)) == ["严打", "警花"]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(cast: Cast) -> None:
    data = (HEADER + "警花\tcareless\t\t理由\n").encode() + "严打\tofficialese\t\t理由\n".encode(
        "gbk"
    )

    with pytest.raises(LexiconFormatError, match="line 3"):
        do_import_lexicon(cast.center_operator, cast.province, data, "p.tsv")

    assert not Lexicon.objects.exists()


def test_an_excel_lexicon_imports_and_its_errors_name_the_row(cast: Cast) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split("\t"))
    sheet.append(["警花", "discriminatory", None, "以外貌称呼女警", "女民警"])
    good = io.BytesIO()
    book.save(good)
    sheet.append(["严打", "no-such-category", None, "理由"])
    bad = io.BytesIO()
    book.save(bad)

    do_import_lexicon(cast.center_operator, cast.province, good.getvalue(), "words.xlsx")
    with pytest.raises(LexiconFormatError) as raised:
        do_import_lexicon(cast.center_operator, cast.province, bad.getvalue(), "words.xlsx")

    assert [problem.line for problem in raised.value.problems] == [3]
    assert list(Lexicon.objects.get().terms.values_list("term", flat=True)) == ["警花"]


def test_a_workbook_with_a_formula_cell_is_refused_by_row_and_imports_nothing(
    cast: Cast,
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split("\t"))
    sheet.append(["警花", "discriminatory", None, "以外貌称呼女警", "女民警"])
    sheet.append(["=A2", "careless", None, "=1+1"])
    data = io.BytesIO()
    book.save(data)

    with pytest.raises(LexiconFormatError) as raised:
        do_import_lexicon(cast.center_operator, cast.province, data.getvalue(), "words.xlsx")

    assert [problem.line for problem in raised.value.problems] == [3]
    assert "formula" in raised.value.problems[0].text
    assert not LexiconTerm.objects.exists()


def test_every_change_to_a_lexicon_is_audited_with_ids_only(cast: Cast) -> None:
    do_import_lexicon(cast.center_operator, cast.province, PROVINCE_FILE.encode(), "p.tsv")
    term = do_allow_term(cast.center_operator, cast.station_a, "严打")
    do_remove_term(cast.center_operator, term)

    actions = list(
        AuditRecord.objects.order_by("id").values_list("action", "actor__username", "details")
    )
    assert [action for action, _, _ in actions] == [
        "lexicon.imported",
        "lexicon.term_allowed",
        "lexicon.term_removed",
    ]
    assert {actor for _, actor, _ in actions} == {"center_chen"}
    assert actions[0][2] == {"version": 1, "terms": 2}


def test_the_import_command_replaces_a_layer_or_names_every_bad_line(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "province.tsv"
    good.write_text(PROVINCE_FILE, encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text(HEADER + "词\tnonsense\t\t理由\n", encoding="utf-8")

    call_command("import_lexicon", "prov", str(good))
    with pytest.raises(CommandError, match="nothing was imported:\nline 2: Unknown category"):
        call_command("import_lexicon", "prov", str(bad))

    assert "prov: 2 terms, version 1" in capsys.readouterr().out
    assert Lexicon.objects.get(unit=cast.province).version == 1


@pytest.mark.parametrize("term", ["\u200b", "\u200b\u200c", "枪", " a "])
def test_a_term_too_short_once_normalized_is_refused_everywhere(cast: Cast, term: str) -> None:
    data = (HEADER + f"{term}\tcareless\t\t理由\n").encode()

    with pytest.raises(LexiconFormatError, match="line 2"):
        do_import_lexicon(cast.center_operator, cast.province, data, "p.tsv")
    with pytest.raises(LexiconError, match="两个可见字符"):
        do_allow_term(cast.center_operator, cast.province, term)
    entry = LexiconEntry(
        term=term, category=Category.CARELESS, severity=Severity.REVIEW, reason="x"
    )
    with pytest.raises(LexiconError, match="两个可见字符"):
        do_set_term(cast.center_operator, cast.province, entry)

    assert not Lexicon.objects.exists()


def test_a_stored_term_that_normalizes_to_nothing_is_skipped_not_fatal(cast: Cast) -> None:
    do_import_lexicon(cast.center_operator, cast.province, PROVINCE_FILE.encode(), "p.tsv")
    layer = Lexicon.objects.get(unit=cast.province)
    LexiconTerm.objects.create(lexicon=layer, term="\u200b", normalized="", category="careless")
    layer.stamp = uuid.uuid4()
    layer.save()

    result, _versions = check_at("表彰辖区一名警花。", cast.station_a)

    assert ("lexicon.discriminatory", "review") in rules(result)
