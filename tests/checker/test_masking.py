from beatdesk.checker.core import check, compile_lexicon, load_default_lexicon, mask
from beatdesk.checker.core.masking import mask_characters

NO_TERMS = compile_lexicon([])


def masked(text: str) -> str:
    return mask(text, check(text, NO_TERMS).findings)


def test_it_hides_all_eighteen_characters_of_an_id_ending_in_lowercase_x() -> None:
    """peer-inputs H4, expectation 2: never only the first 15 or 17 characters."""
    assert masked("身份证11010519491231002x，请核实") == "身份证******************，请核实"


def test_it_hides_all_eighteen_characters_of_a_full_width_id() -> None:
    assert masked("身份证１１０１０５１９４９１２３１００２Ｘ。") == "身份证" + "*" * 18 + "。"


def test_it_masks_an_id_and_a_phone_in_the_same_message() -> None:
    text = "我的身份证11010519491231002X，电话13800138000"

    assert masked(text) == "我的身份证******************，电话138****8000"


def test_it_replaces_a_protected_name_with_the_surname_and_mou() -> None:
    assert masked("受害人王小明报警称") == "受害人王某报警称"


def test_it_leaves_lexicon_findings_alone() -> None:
    text = "我局高度重视，电话13800138000"

    assert (
        mask(text, check(text, load_default_lexicon()).findings) == "我局高度重视，电话138****8000"
    )


def test_it_masks_overlapping_findings_once() -> None:
    text = "联系13800138000@example.cn"

    assert masked(text) == "联系1**********@example.cn"


def test_it_keeps_separators_when_masking_characters() -> None:
    assert mask_characters("138 0013-8000", 3, 4) == "138 ****-8000"


def test_it_masks_everything_when_the_kept_parts_overlap() -> None:
    assert mask_characters("12", 3, 4) == "12"
    assert mask_characters("123456", 0, 0) == "******"
