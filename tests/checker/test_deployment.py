"""Deployment details of a police operation that has not happened yet."""

import re
from pathlib import Path

import pytest

from beatdesk.checker.core import Category, Severity, compile_lexicon
from tests.checker.helpers import findings_of

NO_TERMS = compile_lexicon([])
BENCH = Path(__file__).resolve().parents[2] / "bench" / "data" / "cscd-ime-dev.tsv"
POLICE_NEWS = re.compile(r"警|公安|派出所|诈骗|骗子|盗窃|小偷|偷|抢劫|抓获|嫌疑人|犯罪|拘留|逮捕")


def deployment(text: str) -> list[str]:
    return [text[f.start : f.end] for f in findings_of(text, NO_TERMS, "secrecy.deployment")]


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("明天凌晨4时，刑警大队在城东收费站设卡。", "设卡"),
        ("今晚对该团伙集中收网，各组按警力部署到位。", "收网"),
        ("下周一起在幸福路口蹲守，等嫌疑人出现。", "蹲守"),
        ("12月5日凌晨对锦绣小区3号楼实施抓捕。", "抓捕"),
        ("专案组拟于20时对目标酒店突击检查。", "突击检查"),
        ("民警在滨江路设伏。", "设伏"),
        ("明晚8点在西湖文化广场开展集中清查行动。", "清查"),
        ("本周六起在火车站开展夜查。", "夜查"),
        ("明天凌晨3点在火车站佈控。", "佈控"),
    ],
)
def test_it_asks_to_review_an_operation_with_a_future_time_or_a_place(
    text: str, operation: str
) -> None:
    assert deployment(text)[0] == operation


def test_it_files_the_finding_as_a_secret_for_review() -> None:
    finding = findings_of("明晚在火车站布控。", NO_TERMS, "secrecy.deployment")[0]

    assert (finding.category, finding.severity) == (Category.SECRECY, Severity.REVIEW)


@pytest.mark.parametrize(
    "text",
    [
        "本周六上午在人民广场开展反诈宣传活动，欢迎市民参加。",
        "明天起开展交通整治，请市民注意绕行。",
        "明晚起在城区主要路口设卡查处酒驾，请广大驾驶人注意。",
        "昨日凌晨，民警在幸福小区将嫌疑人抓获。",
        "12月3日20时许，民警在城东收费站设卡，当场查获毒品两公斤。",
        "民警布控多日后成功抓捕嫌疑人。",
        "抓捕犯罪嫌疑人是警察的职责。",
        "2024年3月5日，警方在文三路开展收网行动，一举打掉该团伙。",
        "警方在城西一仓库开展突袭，捣毁一个制假窝点。",
    ],
)
def test_it_lets_public_notices_and_past_operations_pass(text: str) -> None:
    assert deployment(text) == []


def test_it_rarely_flags_police_news_from_official_weibo_posts() -> None:
    lines = BENCH.read_text(encoding="utf-8").splitlines()
    news = [c for _, _, c in (line.split("\t") for line in lines) if POLICE_NEWS.search(c)]
    flagged = [sentence for sentence in news if deployment(sentence)]

    # 255 such lines, mostly reports of past operations; none is flagged today.
    assert len(news) > 200
    assert len(flagged) <= len(news) // 50
