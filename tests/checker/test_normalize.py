from beatdesk.checker.core.normalize import fold_for_terms, normalize, normalize_term
from beatdesk.checker.core.traditional import TRADITIONAL_TO_SIMPLIFIED


def original_of(text: str, view_start: int, view_end: int) -> str:
    start, end = normalize(text).original_span(view_start, view_end)
    return text[start:end]


def test_it_turns_full_width_digits_and_letters_into_ascii() -> None:
    assert normalize("１３８ＡＢ").text == "138AB"


def test_it_maps_a_span_of_full_width_digits_back_to_the_original_characters() -> None:
    text = "电话：１３８００１３８０００。"
    view = normalize(text)
    start = view.text.index("138")

    assert original_of(text, start, start + 11) == "１３８００１３８０００"


def test_it_drops_zero_width_and_control_characters() -> None:
    assert normalize("报警\u200b\u001d有人\ufeff打架\u0008").text == "报警有人打架"


def test_it_maps_spans_across_dropped_characters_to_the_whole_original_stretch() -> None:
    text = "冰\u200d毒"
    view = normalize(text)

    assert view.text == "冰毒"
    assert view.original_span(0, 2) == (0, 3)


def test_it_drops_non_characters_such_as_u_fffe() -> None:
    assert normalize("车辆\ufffe停在\uffff消防通道").text == "车辆停在消防通道"


def test_it_keeps_line_breaks_and_tabs() -> None:
    assert normalize("第一行\n第二行\t完").text == "第一行\n第二行\t完"


def test_it_folds_traditional_characters_to_simplified() -> None:
    assert normalize("嚴禁非法買賣槍支彈藥").text == "严禁非法买卖枪支弹药"


def test_it_folds_rarer_traditional_and_variant_characters_too() -> None:
    assert normalize("不明眞相的羣衆在車站佈控處").text == "不明真相的群众在车站布控处"


def test_it_leaves_characters_that_are_also_simplified_words_alone() -> None:
    assert normalize("著名的乾隆於是藉口瞭望").text == "著名的乾隆於是藉口瞭望"


def test_no_traditional_character_folds_to_one_that_folds_again() -> None:
    folded = set(TRADITIONAL_TO_SIMPLIFIED.values())

    assert len(TRADITIONAL_TO_SIMPLIFIED) > 4000
    assert not folded & set(TRADITIONAL_TO_SIMPLIFIED)
    assert all(normalize(c).text == c for c in folded if len(c) == 1 and c.isprintable())


def test_it_reads_the_circled_secret_ideograph_as_plain_text() -> None:
    assert normalize("㊙").text == "秘"


def test_it_drops_fillers_between_chinese_characters_in_the_term_view() -> None:
    view = fold_for_terms(normalize("出 售　冰*毒、冰_毒、冰🙂毒、冰-·-毒"))

    assert view.text == "出售冰毒、冰毒、冰毒、冰毒"


def test_it_keeps_sentence_punctuation_between_chinese_characters() -> None:
    assert fold_for_terms(normalize("买冰。毒品，冰，毒")).text == "买冰。毒品,冰,毒"


def test_it_keeps_spaces_between_latin_words_and_numbers() -> None:
    assert fold_for_terms(normalize("Call 138 0013")).text == "call 138 0013"


def test_it_keeps_line_breaks_between_chinese_characters() -> None:
    assert fold_for_terms(normalize("冰\n毒")).text == "冰\n毒"


def test_it_points_term_view_spans_at_the_original_characters() -> None:
    text = "出 售\u200b冰*毒"
    view = fold_for_terms(normalize(text))
    start, end = view.original_span(0, len(view.text))

    assert view.text == "出售冰毒"
    assert text[start:end] == text


def test_it_spells_terms_the_way_the_term_view_spells_text() -> None:
    assert normalize_term(" 出售Ｋ粉 ") == "出售k粉"
