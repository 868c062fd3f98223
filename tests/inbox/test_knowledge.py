"""Common questions are answered from the knowledge base at once when the match is sure."""

import datetime
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from beatdesk.inbox.knowledge import (
    COMMON_PATH,
    DEFAULT_THRESHOLD,
    AutoAnswer,
    Entry,
    HoldReason,
    Knowledge,
    KnowledgeFormatError,
    LabelledQuestion,
    Layer,
    MenuError,
    MissingContactError,
    Proposals,
    answer_click,
    build_menu,
    decide,
    entries_due_for_review,
    group_key,
    load_layer,
    load_questions,
    match,
    overlay,
    parse_layer,
    render_answer,
)
from beatdesk.inbox.knowledge.evaluation import EVALUATION_DAY, evaluate
from beatdesk.inbox.knowledge.questions import assign_splits, write_questions

# The test part's figures as measured in bench/RESULTS.md, with a little room.
PRECISION_FLOOR = 0.94
COVERAGE_FLOOR = 0.55
UNANSWERABLE_AUTO_CEILING = 0.10
PROPOSAL_RECALL_FLOOR = 0.90

TODAY = datetime.date(2026, 12, 4)
CONTACT = {
    "station_name": "城东派出所",
    "station_phone": "0000-1234567",
    "station_address": "示例路1号",
    "office_hours": "工作日 9:00-17:00",
    "tracking_url": "https://example.org/track",
}
PLAN = {
    "警务信息": ["通知公告", "防诈骗", "联系我们"],
    "业务咨询": ["户籍", "身份证", "居住证", "出入境", "证明"],
    "便民查询": ["进度查询", "办事指南", "entry:traffic-violation"],
}
PROVINCE = """
unit = "P44"

[[entry]]
id = "guide-hours"
menu = ["便民查询", "办事指南", "办公时间"]
questions = ["派出所几点上班"]
answer = "办公时间：{office_hours}。"
review_by = 2027-06-30
"""
STATION = """
unit = "P44-S001"

[[entry]]
id = "guide-hours"
menu = ["便民查询", "办事指南", "办公时间"]
questions = ["派出所几点上班", "周六开门吗"]
answer = "本所周六上午也办理户籍业务，办公时间：{office_hours}。"
review_by = 2027-03-31
"""


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return Knowledge(overlay([load_layer()]))


def entry(identifier: str = "x", **changes: object) -> Entry:
    base = Entry(
        id=identifier,
        menu=("便民查询", "办事指南", identifier),
        questions=("派出所几点上班",),
        answer="办公时间：{office_hours}。",
        review_by=datetime.date(2027, 6, 30),
        unit="P44",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_stations_entry_replaces_the_provinces_entry_with_the_same_id() -> None:
    province = parse_layer(PROVINCE, "province.toml")
    station = parse_layer(STATION, "station.toml")

    merged = overlay([province, station])

    assert list(merged) == ["guide-hours"]
    assert merged["guide-hours"].unit == "P44-S001"
    assert merged["guide-hours"].answer.startswith("本所周六上午")
    assert overlay([province])["guide-hours"].unit == "P44"


def test_a_station_can_withdraw_a_provincial_entry_it_does_not_offer() -> None:
    common = load_layer(unit="P44")
    station = Layer("P44-S001", (), frozenset({"exit-passport"}))

    merged = overlay([common, station])

    assert "exit-passport" not in merged
    assert len(merged) == len(common.entries) - 1
    assert all(entry.unit == "P44" for entry in merged.values())


def test_a_sure_match_is_answered_at_once(knowledge: Knowledge) -> None:
    candidates = match("身份证丢了咋补办", knowledge)

    decision = decide(candidates, knowledge.entries, today=TODAY)

    assert isinstance(decision, AutoAnswer)
    assert decision.entry.id == "id-lost"
    assert 0 <= decision.candidate.confidence <= 1
    assert decision.candidate.confidence >= DEFAULT_THRESHOLD


def test_an_unsure_match_proposes_the_best_three_to_the_officer(knowledge: Knowledge) -> None:
    candidates = match("孩子的证件怎么弄", knowledge)

    decision = decide(candidates, knowledge.entries, today=TODAY)

    assert isinstance(decision, Proposals)
    assert decision.reason == HoldReason.LOW_CONFIDENCE
    assert len(decision.candidates) == 3
    scores = [candidate.score for candidate in decision.candidates]
    assert scores == sorted(scores, reverse=True)


def test_a_question_sharing_nothing_with_the_base_is_no_match(knowledge: Knowledge) -> None:
    decision = decide(match("🙂🙂", knowledge), knowledge.entries, today=TODAY)

    assert decision == Proposals((), HoldReason.NO_MATCH)


def test_an_emergency_or_complaint_flag_prevents_an_automatic_answer(
    knowledge: Knowledge,
) -> None:
    candidates = match("身份证丢了咋补办", knowledge)

    decision = decide(candidates, knowledge.entries, today=TODAY, needs_person=True)

    assert isinstance(decision, Proposals)
    assert decision.reason == HoldReason.NEEDS_PERSON
    assert decision.candidates[0].entry_id == "id-lost"


def test_an_entry_past_its_review_date_is_reported_and_not_sent(knowledge: Knowledge) -> None:
    later = datetime.date(2027, 7, 1)
    candidates = match("身份证丢了咋补办", knowledge)

    decision = decide(candidates, knowledge.entries, today=later)

    assert isinstance(decision, Proposals)
    assert decision.reason == HoldReason.DUE_FOR_REVIEW
    assert entries_due_for_review(knowledge.entries, TODAY) == []
    assert len(entries_due_for_review(knowledge.entries, later)) == len(knowledge.entries)


def test_placeholders_are_filled_from_the_stations_contact(knowledge: Knowledge) -> None:
    text = render_answer(knowledge.entries["guide-address"], "wechat", CONTACT)

    assert text == (
        "城东派出所的地址是：示例路1号。来之前可以先拨打0000-1234567确认要带的材料，免得多跑一趟。"
    )
    assert "{" not in text


def test_a_missing_contact_field_is_refused_rather_than_sent_as_a_placeholder(
    knowledge: Knowledge,
) -> None:
    contact = {**CONTACT, "station_address": " "}

    with pytest.raises(MissingContactError) as raised:
        render_answer(knowledge.entries["guide-address"], "wechat", contact)

    assert raised.value.missing == {"station_address"}


def test_a_qq_group_gets_the_shorter_wording_and_others_the_default(
    knowledge: Knowledge,
) -> None:
    fraud = knowledge.entries["fraud-safe-account"]

    short = render_answer(fraud, "onebot", CONTACT)
    default = render_answer(fraud, "wechat", CONTACT)

    assert len(short) < len(default)
    assert default.startswith("这是冒充公检法的诈骗")


def test_the_menu_of_the_shipped_base_fits_wechats_limits(knowledge: Knowledge) -> None:
    menu = build_menu(knowledge.entries, PLAN)

    assert len(menu["button"]) == 3
    for button in menu["button"]:
        assert len(button["name"].encode()) <= 16
        assert 1 <= len(button["sub_button"]) <= 5
        for sub in button["sub_button"]:
            assert sub["type"] == "click"
            assert len(sub["name"].encode()) <= 40
            assert len(sub["key"].encode()) <= 128
    json.dumps(menu, ensure_ascii=False)


def test_a_group_of_more_than_five_is_refused_with_a_clear_error(knowledge: Knowledge) -> None:
    with pytest.raises(MenuError, match=r"'业务咨询' has 6 items .* allows 1 to 5"):
        build_menu(knowledge.entries)


def test_a_fourth_top_level_button_is_refused(knowledge: Knowledge) -> None:
    entries = {**knowledge.entries, "x": entry(menu=("其他事项", "杂项", "x"))}
    plan = {**PLAN, "其他事项": ["杂项"]}

    with pytest.raises(MenuError, match="4 top-level buttons"):
        build_menu(entries, plan)


def test_a_name_too_long_in_bytes_is_refused() -> None:
    entries = {"x": entry(menu=("警务信息公开栏目", "通知", "x"))}

    with pytest.raises(MenuError, match=r"'警务信息公开栏目' is 24 bytes .* allows 16"):
        build_menu(entries)


def test_a_click_key_maps_back_to_its_entry(knowledge: Knowledge) -> None:
    menu = build_menu(knowledge.entries, PLAN)
    keys = [sub["key"] for button in menu["button"] for sub in button["sub_button"]]

    assert "KB_traffic-violation" in keys
    assert (
        answer_click("KB_traffic-violation", knowledge.entries)
        == (knowledge.entries["traffic-violation"])
    )
    assert answer_click("KB_gone", knowledge.entries) is None
    assert answer_click("SOMETHING_ELSE", knowledge.entries) is None


def test_a_group_click_lists_its_questions_and_invites_the_resident_to_ask(
    knowledge: Knowledge,
) -> None:
    overview = answer_click(group_key("业务咨询", "身份证"), knowledge.entries)

    assert isinstance(overview, str)
    assert "首次申领" in overview
    assert "丢失补领" in overview


def test_format_errors_name_the_line_and_the_entry() -> None:
    broken = STATION.replace('["便民查询", "办事指南", "办公时间"]', '["便民查询"]')

    with pytest.raises(KnowledgeFormatError, match=r"station.toml, line 5: entry 1 \(guide"):
        parse_layer(broken, "station.toml")


def test_an_unknown_placeholder_is_refused_when_the_layer_is_read() -> None:
    broken = STATION.replace("{office_hours}", "{office_time}")

    with pytest.raises(KnowledgeFormatError, match=r"guide-hours.*office_time"):
        parse_layer(broken, "station.toml")


def test_a_duplicate_id_names_the_second_line() -> None:
    doubled = STATION + STATION.split("\n", 2)[2]

    with pytest.raises(KnowledgeFormatError, match=r"line 12: entry 2 \(guide-hours\).*earlier"):
        parse_layer(doubled, "station.toml")


def test_a_toml_syntax_error_names_its_line() -> None:
    with pytest.raises(KnowledgeFormatError, match=r"station.toml: .*line 3"):
        parse_layer('unit = "S"\n\nid = = 1\n', "station.toml")


def test_a_quoted_review_date_is_refused() -> None:
    broken = STATION.replace("review_by = 2027-03-31", 'review_by = "2027-03-31"')

    with pytest.raises(KnowledgeFormatError, match="without quotes"):
        parse_layer(broken, "station.toml")


def test_the_shipped_base_covers_the_three_menus_with_at_least_forty_entries(
    knowledge: Knowledge,
) -> None:
    level_two = {entry.menu[:2] for entry in knowledge.entries.values()}

    assert len(knowledge.entries) >= 40
    assert {top for top, _ in level_two} == {"警务信息", "业务咨询", "便民查询"}
    for group in ("户籍", "身份证", "居住证", "出入境", "交通车辆", "证明"):
        assert ("业务咨询", group) in level_two
    assert all(len(entry.questions) >= 3 for entry in knowledge.entries.values())
    for entry_ in knowledge.entries.values():
        for channel in ("wechat", "onebot"):
            assert "{" not in render_answer(entry_, channel, CONTACT)


def test_the_labelled_questions_are_enough_and_name_real_entries(
    knowledge: Knowledge,
) -> None:
    questions = load_questions()

    assert len(questions) >= 200
    assert sum(not question.is_answerable for question in questions) >= 50
    labelled = {question.entry for question in questions if question.is_answerable}
    assert labelled <= set(knowledge.entries)
    assert {question.split for question in questions} == {"train", "test"}


def test_the_split_is_fixed_in_the_file_and_new_lines_never_move_it(tmp_path: Path) -> None:
    questions = load_questions()
    added = [LabelledQuestion(f"new{n}", "", "none", f"问题{n}") for n in range(10)]

    assigned = assign_splits([*questions, *added])

    assert assign_splits(questions) == questions
    assert assigned[: len(questions)] == questions
    assert all(question.split for question in assigned)
    write_questions(assigned, tmp_path / "questions.tsv", "# copy")
    assert load_questions(tmp_path / "questions.tsv") == assigned


def test_the_test_part_figures_stay_above_their_floors(knowledge: Knowledge) -> None:
    test_part = [question for question in load_questions() if question.split == "test"]

    result = evaluate(test_part, knowledge, DEFAULT_THRESHOLD)

    assert result.precision >= PRECISION_FLOOR
    assert result.coverage >= COVERAGE_FLOOR
    assert result.unanswerable_auto_rate <= UNANSWERABLE_AUTO_CEILING
    assert result.proposal_recall >= PROPOSAL_RECALL_FLOOR
    assert EVALUATION_DAY == TODAY


def test_the_library_runs_without_django() -> None:
    code = (
        "import sys; from beatdesk.inbox.knowledge import Knowledge, load_layer, match, overlay;"
        " match('身份证丢了', Knowledge(overlay([load_layer()])));"
        " assert not any(m.startswith('django') for m in sys.modules)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)

    assert completed.returncode == 0, completed.stderr.decode()


def test_the_shipped_file_is_the_common_layer() -> None:
    assert load_layer(COMMON_PATH).unit == "common"
