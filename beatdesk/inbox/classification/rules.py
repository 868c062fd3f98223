"""Rules that vote for a case type: menu keys decide, keywords add evidence to the model."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from beatdesk.inbox.classification.labels import CaseTypeCode
from beatdesk.inbox.classification.text import fold

Code = CaseTypeCode

# A menu key starting with one of these prefixes decides the type of the message that
# follows the click. Accounts name their keys; these are the conventions of the demo menus.
DEFAULT_MENU_PREFIXES: dict[str, CaseTypeCode] = {
    "MENU_BUSINESS_": Code.CONSULTATION,
    "MENU_QUERY_": Code.CONSULTATION,
    "MENU_INFO_": Code.CONSULTATION,
    "MENU_CONSULT": Code.CONSULTATION,
    "MENU_HELP": Code.HELP,
    "MENU_TIP": Code.TIP,
    "MENU_REPORT": Code.TIP,
    "MENU_SUGGEST": Code.SUGGESTION,
    "MENU_COMPLAIN": Code.COMPLAINT,
    "MENU_MEDIAT": Code.DISPUTE,
    "MENU_DISPUTE": Code.DISPUTE,
    "MENU_PRAISE": Code.PRAISE,
}
MENU_CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class Vote:
    """A rule's evidence for a case type: how much it counts and where it matched."""

    case_type: CaseTypeCode
    weight: float
    span: tuple[int, int]
    rule: str


KEYWORD_RULES: list[tuple[str, CaseTypeCode, float, re.Pattern[str]]] = [
    (
        "complaint-words",
        Code.COMPLAINT,
        0.6,
        re.compile(
            r"投诉|态度(太|很|极其|非常|特别)?(差|恶劣|不好|冲|敷衍)|踢皮球|敷衍|不作为|不耐烦"
            r"|没人(接|回|管|理)|到现在(都|也|还)?没(有)?(回|消息|下文|音|答复|动静)"
        ),
    ),
    ("tip-words", Code.TIP, 0.5, re.compile(r"举报|线索|匿名|可疑|不对劲|鬼鬼祟祟|你们查查")),
    (
        "suggestion-words",
        Code.SUGGESTION,
        0.6,
        re.compile(r"建议|希望(你们|能|可以|以后)|提个(小)?(建议|意见|想法)|可以考虑|我有个想法"),
    ),
    (
        "praise-words",
        Code.PRAISE,
        0.6,
        re.compile(r"感谢|点赞|👍|锦旗|表扬|致敬|好评|辛苦了|好人一生平安|太给力"),
    ),
    (
        "dispute-words",
        Code.DISPUTE,
        0.6,
        re.compile(r"调解|纠纷|评评理|说和|协调|谈不拢|不认账|吵(了|起来|架|翻)|闹(矛盾|翻|得)"),
    ),
    (
        "spam-words",
        Code.SPAM,
        0.7,
        re.compile(
            r"https?://|www\.|加(v|微|我微|q|扣)|私聊|日结|代(开|办|写|考|刷|练|运营)|包过|稳赚|月入"
            r"|扫码|进群|点击|砍一刀|全场.折|优惠|包邮|招(代理|学徒|聘)|低价|高价回收"
        ),
    ),
    (
        "consultation-words",
        Code.CONSULTATION,
        0.4,
        re.compile(
            r"请问|咨询|问一下|问下|想问|怎么(办理|补办|弄|登记)|(什么|啥)(材料|手续)|要带(什么|啥)"
            r"|在哪(里)?(办|开|报名|申请)|几点|多久|要多少钱|能不能办|可以办"
        ),
    ),
    (
        "help-words",
        Code.HELP,
        0.3,
        re.compile(r"被(偷|骗|盗|冒用|打)|偷了|丢了|骗了|找回|追回|帮(我|帮|忙)|怎么办"),
    ),
]

GREETING = re.compile(
    r"^(你好|您好|在吗|在不在|有人吗|哈喽|嗨|hi|hello|早上好|晚上好|晚安|收到|好的|嗯+|ok"
    r"|哈+|[?？1]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]+|测试一下|谢谢)+$"
)
GREETING_WEIGHT = 1.0


def menu_type(
    menu_key: str, prefixes: Mapping[str, CaseTypeCode] = DEFAULT_MENU_PREFIXES
) -> CaseTypeCode | None:
    """Return the case type a menu key decides, or None for keys that decide nothing."""
    key = menu_key.strip().upper()
    for prefix, case_type in prefixes.items():
        if key.startswith(prefix):
            return case_type
    return None


def keyword_votes(text: str) -> list[Vote]:
    """Return the votes of the keyword rules for a message."""
    folded = fold(text)
    votes = []
    for name, case_type, weight, pattern in KEYWORD_RULES:
        match = pattern.search(folded)
        if match:
            votes.append(Vote(case_type, weight, (match.start(), match.end()), name))
    bare = re.sub(r"[\s\W_]+", "", folded)
    if bare and GREETING.match(bare):
        votes.append(Vote(Code.CHAT, GREETING_WEIGHT, (0, len(text)), "greeting"))
    return votes
