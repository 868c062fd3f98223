"""The shipped lexicon on sentences written around real police wording gaffes."""

import pytest

from beatdesk.checker.core import Category, Severity, check, load_default_lexicon
from tests.checker.helpers import findings_of

# Sentences of news posts about past crimes, from shared/data/cscd-ime-dev.tsv (CSCD-IME,
# Hu, Meng and Zhou, CC BY 4.0). A news report is not an advert: nothing here is blocked.
PAST_CRIME_NEWS = [
    "近日办案民警终于分别在东莞、深圳两地抓获俩人",
    "据警方通报，肇事面包车司机系醉酒驾驶，8名死者中最大79岁，最小11岁",
    "今日，大陆公安机关在广东省广州市将两名犯罪嫌疑人移交给台湾警方",
    "金东警方此前发出的协查通报显示，吴某是云南镇雄人，出生于1992年…",
]


def lexicon_findings(text: str) -> list[tuple[str, Category, Severity, str | None]]:
    return [
        (text[f.start : f.end], f.category, f.severity, f.suggestion)
        for f in findings_of(text, load_default_lexicon(), "lexicon")
    ]


def test_it_proposes_stab_wound_for_a_poke_wound() -> None:
    text = "男子在争执中被对方用水果刀戳伤腹部，已送医救治。"

    assert ("戳伤", Category.EUPHEMISM, Severity.REVIEW, "刺伤") in lexicon_findings(text)


def test_it_flags_a_death_in_custody_explained_as_hide_and_seek() -> None:
    text = "该在押人员与同监室人员玩躲猫猫时撞墙受伤，经抢救无效死亡。"

    found = lexicon_findings(text)

    assert found[0][:3] == ("躲猫猫", Category.EUPHEMISM, Severity.REVIEW)


def test_it_treats_hide_and_seek_with_children_as_advice_only() -> None:
    text = "周末民警到幼儿园和小朋友一起玩躲猫猫游戏。"

    assert [severity for _, _, severity, _ in lexicon_findings(text)] == [Severity.ADVICE]


def test_it_flags_blame_pushed_onto_temporary_workers() -> None:
    text = "经查，打人者系临时工，已被辞退。"

    assert lexicon_findings(text)[0][:2] == ("临时工", Category.CARELESS)


def test_it_offers_plain_wording_for_stock_phrases() -> None:
    text = "我局高度重视，第一时间进一步加强巡逻防控，妥善处置。"

    found = {
        term: (severity, suggestion) for term, _, severity, suggestion in lexicon_findings(text)
    }

    assert set(found) == {"高度重视", "第一时间", "进一步加强", "妥善处置"}
    assert found["第一时间"] == (Severity.ADVICE, "立即，或写明具体时间")


def test_it_flags_victim_blaming() -> None:
    text = "警方提醒：受害人当晚衣着暴露，独自回家。"

    assert lexicon_findings(text)[0][:2] == ("衣着暴露", Category.DISCRIMINATORY)


def test_it_names_the_current_unit_for_an_outdated_one() -> None:
    text = "公安消防支队官兵赶到现场，协警协助疏导交通。"

    assert [(term, suggestion) for term, _, _, suggestion in lexicon_findings(text)] == [
        ("公安消防支队", "消防救援支队"),
        ("协警", "辅警"),
    ]


def test_it_corrects_a_confused_word_pair() -> None:
    text = "截止目前，民警已侦察案件线索十余条。"

    assert [(term, suggestion) for term, _, _, suggestion in lexicon_findings(text)] == [
        ("截止目前", "截至目前"),
        ("侦察案件", "侦查案件"),
    ]


def test_it_blocks_a_drug_advert() -> None:
    result = check("本人出售冰毒，量大从优，私聊。", load_default_lexicon())

    assert result.is_blocked


def test_it_does_not_block_an_anti_drug_warning() -> None:
    result = check("警方提醒：严禁出售冰毒，发现线索请举报。", load_default_lexicon())

    assert not result.is_blocked
    assert result.needs_review


def test_it_does_not_block_a_warning_against_selling_guns() -> None:
    result = check("严禁非法买卖枪支弹药！", load_default_lexicon())

    assert not result.is_blocked


def test_it_does_not_block_the_seizure_of_drugs_in_a_case_report() -> None:
    result = check("民警当场缴获冰毒12克。", load_default_lexicon())

    assert [f.severity for f in result.findings] == [Severity.ADVICE]


@pytest.mark.parametrize("text", PAST_CRIME_NEWS)
def test_it_does_not_block_news_of_past_crimes(text: str) -> None:
    assert not check(text, load_default_lexicon()).is_blocked


def test_it_gives_every_shipped_entry_a_reason() -> None:
    entries = load_default_lexicon().entries

    assert len(entries) > 100
    assert all(entry.reason for entry in entries)
