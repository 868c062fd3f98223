"""Rule family 3, continued: deployment details of a police operation that has not happened yet.

Publishing when and where officers will lie in wait, set up a checkpoint or close the net
warns the people they are after. A sentence is flagged when it names an operation and either
a future time or a specific place, unless it tells of an operation that is over (昨日凌晨，
民警在某小区抓获) or is a notice meant for the public (请市民注意绕行).
"""

import re
from collections.abc import Iterator

from beatdesk.checker.core.findings import Category, Finding, Severity
from beatdesk.checker.core.messages import gettext_noop
from beatdesk.checker.core.normalize import NormalizedText

_OPERATION = re.compile(
    r"布控|蹲守|蹲点守候|守候伏击|伏击|埋伏|抓捕|围捕|收网"
    r"|突击检查|突击清查|突击搜查|设卡|设伏|堵截|查缉"
    r"|行动部署|警力部署|部署警力|抓捕方案|抓捕行动|收网行动"
    r"|清查|夜查|盘查|搜捕|缉捕|突袭"
)

# Times that can only lie ahead, or that name the hour of a plan (届时, 凌晨3时, 20:00).
_FUTURE_TIME = re.compile(
    r"明天|明日|明晚|明早|明晨|后天|今晚|今夜|今天晚上|今日晚"
    r"|下周|下星期|下个?月|下旬|届时"
    r"|将于|将在|拟于|拟在|计划于|准备于|定于|择机"
)
_CLOCK_TIME = re.compile(
    r"(?:本|这)(?:周|星期)[一二三四五六日天]|(?:周|星期)[一二三四五六日天]"
    r"|\d{1,2}月\d{1,2}[日号]|凌晨|深夜|夜间|\d{1,2}[:：]\d{2}|\d{1,2}[时点]"
)
# A specific place: a name of a few characters ending in a kind of place (幸福路, 锦绣小区).
_PLACE = re.compile(
    r"[\u4e00-\u9fff\d]{1,10}?"
    r"(?:路口|路|街|巷|大道|小区|广场|酒店|宾馆|旅馆|网吧"
    r"|车站|码头|收费站|服务区|出口|入口"
    r"|号楼|单元|村|镇|乡|桥|大厦|公寓|仓库|厂房|KTV)"
)
# Signs that the operation is over: it is news, not a plan.
_PAST = re.compile(
    r"昨日|昨天|昨晚|昨夜|前日|前天|日前|近日|此前|上周|上月|去年"
    r"|当天|当晚|当场|随后|最终"
    r"|抓获|落网|破获|缴获|查获|捕获|擒获|归案|刑拘|刑事拘留|被抓|已将|已被|成功"
    r"|打掉|捣毁|摧毁|端掉|侦破|告破"
)
# Signs of a notice meant for the public, which names times and places on purpose.
_PUBLIC_NOTICE = re.compile(
    r"请市民|请广大|敬请|提醒广大|提醒市民|注意绕行|提前绕行|合理安排出行|欢迎|宣传|请过往"
)
# Sentence ends in the normalized view (NFKC has made ！？； ASCII).
_SENTENCE = re.compile(r"[^。!?;\n]+")

DEPLOYMENT_REASON = gettext_noop(
    "When or where officers will act in an operation that has not happened yet must not be "
    "published; leave the time and place out until the operation is over."
)


def find_deployment_details(view: NormalizedText) -> Iterator[Finding]:
    """Yield a review finding on each operation word of a sentence that gives its plan away."""
    # Most texts name no operation at all; no operation word holds a sentence end, so one
    # search of the whole text says whether any sentence needs reading.
    if _OPERATION.search(view.text) is None:
        return
    for sentence in _SENTENCE.finditer(view.text):
        text = sentence.group()
        if not _OPERATION.search(text) or _PUBLIC_NOTICE.search(text):
            continue
        if not _gives_plan_away(text):
            continue
        for operation in _OPERATION.finditer(text):
            start, end = view.original_span(
                sentence.start() + operation.start(), sentence.start() + operation.end()
            )
            yield Finding(
                start,
                end,
                "secrecy.deployment",
                Category.SECRECY,
                Severity.REVIEW,
                DEPLOYMENT_REASON,
            )


def _gives_plan_away(sentence: str) -> bool:
    # A word that can only point ahead wins over a past cue (昨日部署，今晚收网); a date, an
    # hour or a place alone is news when the sentence also says the operation is over.
    if _FUTURE_TIME.search(sentence):
        return True
    if _PAST.search(sentence):
        return False
    return bool(_CLOCK_TIME.search(sentence) or _PLACE.search(sentence))
