"""Find emergencies in a message: rules first, for recall; the model only assists.

A trigger is a phrase that says danger is happening (有人拿刀, 着火了, 不想活了). A trigger is
set aside when its context says the danger is not here and now: the message forwards news,
tells a past or settled event, asks a hypothetical, jokes, quotes a film or a song, or
describes a habit. Words of urgency (现在, 快来, 救命) outweigh the weaker of those signs
(past and habit), because "昨天出门到现在还没回来" is an emergency. When no trigger is left
the model may still raise the alarm if it is fairly sure, and may restore a trigger that
only a weak sign (past, habit, hypothetical, warning) set aside; it never silences a trigger.
"""

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from beatdesk.inbox.classification.labels import EmergencyReason
from beatdesk.inbox.classification.text import fold

if TYPE_CHECKING:
    from beatdesk.inbox.classification.model import Model

logger = logging.getLogger(__name__)

# Only this much of a message is searched; real messages are far shorter.
MAX_RULE_CHARACTERS = 2000
RULE_CONFIDENCE = 0.9
# The model alone raises the alarm from this probability, and restores a trigger that the
# context set aside from the lower one; both were chosen by cross-validation on the train
# split (bench/classifier.py --dev).
MODEL_ALARM = 0.5
MODEL_RESTORE = 0.4

Reason = EmergencyReason

_PERSON = (
    r"(孩子|小孩|儿子|女儿|娃|宝宝|孙子|孙女|外孙|老人|老头|老太|我爸|我妈|爸爸|妈妈|父亲|母亲"
    r"|奶奶|爷爷|姥姥|姥爷|外婆|外公|老婆|老公|媳妇|丈夫|妻子|姐|妹|哥|弟|男孩|女孩)"
)

# Trigger phrases per reason; when several reasons match, the first in this order leads.
TRIGGER_WORDS: dict[Reason, str] = {
    Reason.FIRE: (
        r"着火|起火|失火|火灾|冒(黑|白|浓)?烟|冒火|烧起来|烧着了|火(很|越来越|好|太|特别)大"
        r"|火苗|明火|爆炸|(煤气|燃气|天然气)(泄|外)?漏|漏气|烧焦"
    ),
    Reason.SELF_HARM: (
        r"不想活|活不下去|(想|要)(去)?(自杀|死|轻生)|自杀|轻生|寻死|跳楼|跳下去|跳河|跳江|割腕"
        r"|(吞|吃|喝)了.{0,6}(安眠药|农药|药|老鼠药)|遗书|撑不下去|结束(自己|生命|吧)|不想拖累"
        r"|(站|坐)在.{0,4}(天台|楼顶|栏杆外|桥上|窗台|楼边)|想最后"
    ),
    Reason.MISSING_PERSON: (
        _PERSON + r".{0,16}(不见了|走丢|走失|走散|没回(来|家)|联系不上|失联|找不到人"
        r"|没(看见|看到)了?|没(去|到)(上学|学校))"
        r"|(孩子|小孩)(丢了|不见)|走丢了|走失了|走散了|找不到(妈妈|爸爸|家人|孩子|小孩)"
        r"|到处找|找遍了"
    ),
    Reason.DANGEROUS_DRIVING: (
        r"酒驾|醉驾|喝(多|醉|大)了?.{0,12}(开车|上车|驾驶)|喝了.{0,8}酒.{0,10}开车"
        r"|喝得.{0,10}开车|停在(车道|高速|隧道)|歪歪扭扭|逆行|横冲直撞|飙车|刹车.{0,4}失灵"
        r"|乱冲|一边开车一边|(小孩|孩子)在开车"
    ),
    Reason.VIOLENCE: (
        r"(在|正在|还在|又|家)(打|砍|捅|踢|殴打|围殴|揍|掐)(我|人|他|她|孩子|司机|一个)"
        r"|(打|揍|掐|踢)(我|孩子)(?!电话|手机|的)|(拿|持|举|挥)着?(刀|棍|棒|斧|枪|酒瓶|砖)"
        r"|砍人|捅人|打人了|杀人了|打起来了|打群架|围殴|群殴|家暴|动手了|惨叫|(踹|砸)门"
        r"|有人(在|正在)?打(架|人)|(在|正在)打架|打成一团"
        r"|砸东西|闹事|打了(我|人|他|她)"
    ),
    Reason.CRIME_IN_PROGRESS: (
        r"(正在|在|又在)(撬|偷|抢|砸|翻|掏|剪)(?!拍|看|听|懒|笑|吃)|撬(门|锁|窗)|翻(窗|墙)进"
        r"|试(门)?锁|入室|抢劫|抢了(我|她|他)|安全账户|(逼|威胁|让)我.{0,8}转(账|钱)"
        r"|(现在|正在|马上).{0,8}转(账|钱)|拉.{0,6}上车"
    ),
    Reason.MEDICAL: (
        r"晕倒|昏倒|昏迷|叫不醒|没(有)?了?呼吸|呼吸很弱|不省人事|抽搐|口吐白沫|喘不(上|过)气"
        r"|心脏(病)?(发|不舒服)|胸口(疼|痛)|落水|溺水|掉(进)?(河|水|湖|井|海)里"
        r"|流了?(好多|很多|一地)血|血止不住|流血|摔下来|一动不动|倒(在)?地|躺(在)?地上"
        r"|撞人了|被车撞|羊水破|要生了|脸都紫了|被狗咬"
    ),
    Reason.THREAT: (
        r"救命|救救我|(要|说要|扬言|威胁|喊着?要).{0,6}(杀|弄死|砍|捅|打死|收拾|同归于尽|点火|烧)"
        r"|弄死我|杀了我|打死我|绑(架|到|走)|被(关|锁|困|控制|看着|绑)|不让(我)?(走|出去|离开)"
        r"|出不(来|去)|跟(着|踪)我|(拿着|带着)(刀|汽油|枪)|偷偷(用|发)|他不停|抱走"
        r"|抢走(孩子|小孩)"
    ),
}
TRIGGERS = [(reason, re.compile(words)) for reason, words in TRIGGER_WORDS.items()]

# Context that sets a trigger aside. Strong signs hold whatever else the message says.
FICTION = re.compile(r"电视剧|电影|小说|游戏|剧里|剧情|演得|bgm|这首歌|唱的|歌词|动画")
JOKE = re.compile(r"哈哈|😂|🤣|😄|开玩笑|开个玩笑|逗你|hhh")
HYPERBOLE = re.compile(
    r"逼死|想死的心|死的心都有|要了(我|老)?的?命"
    r"|(题|作业|考试|房贷|加班|老板|工作|学习|科目).{0,6}(杀了我|要命|救命)"
    r"|(救命|杀了我).{0,6}(题|作业|考试|房贷|太难|好难|穷|累)"
)
RESOLVED = re.compile(
    r"已经?(被)?(劝开|散了|扑灭|灭了|找到|找回|回来了|没事|好了|抓到|抓住|送医|脱险|康复)"
    r"|虚惊|没事了|找到了|自己回来了|救起|获救|解救|后来安静|伤好了|康复"
    r"|现在.{0,2}(好了|好多了|没事)"
)
NEWS = re.compile(
    r"据.{0,14}(报|通报|消息|称)|据[\u4e00-\u9fff]{1,10}(网|社|台|新闻|媒体)[，,:：]|通报|新闻|记者|转发|网上说|听说|刷到|网曝|据悉|报道|当地时间"
    r"|被告人|嫌疑人|嫌犯|判处|公安机关|警方|日前|近日|\d{1,2}日|\d时许|前日|昨日|传说|谣"
    r"|(?<![有一在是个的和跟被给向对某这那说])[\u4e00-\u9fff]某(?![些种个处天时地])"
)
WARNING = re.compile(r"提醒|注意|谨防|小心|别(喝|酒|在)|真的假的|是真的吗|是不是真的|辟谣")
HYPOTHETICAL = re.compile(
    r"如果|万一|假如|要是|假设|遇到|遇见|碰到|以防|防止|会不会|要不要|怎么区分|什么区别"
    r"|算不算|这算|应该怎么|怎么帮|可以.{0,6}吗|多久"
)
# A past event named as such ("上周的事") stays past whatever else the message says.
SETTLED_PAST = re.compile(r"(天|周|礼拜|月|年|次|回)的事")
# Weak signs: a past or habitual event, unless words of urgency say it goes on now.
PAST = re.compile(
    r"昨天|昨晚|前天|上周|上礼拜|上个?月|去年|前年|前(两|几|些)天|之前|以前|上次|上回|当时|那天"
    r"|年前|后来|曾经|(丢|走丢|着|想|被拐|晕|打|见)过"
)
HABIT = re.compile(r"天天|每天|经常|总是|老是|惯犯|好几次|好几回|容易")
URGENT = re.compile(
    r"现在|正在|还在|快来|快点|快追|赶紧|救命|救救|马上|求求|刚刚|就在|帮帮我|到现在|一直没"
    r"|还没(回|找|联系)|不敢(出|出声)"
)
# Signs the model may overrule; news, fiction, jokes and settled events it may not, because
# it learnt danger words and cannot tell a forwarded report from a call for help.
WEAK_SIGNS = {"past", "habit", "hypothetical", "warning"}
CLAUSE_BREAK = re.compile(r"[。！？!?；;\n,，、 ]")


@dataclass(frozen=True, slots=True)
class EmergencyFinding:
    """Whether a message looks like an emergency, why, and where it says so.

    `probability` is the estimated chance that the message is an emergency (0..1);
    `span` gives the offsets of the matched phrase in the original text (None when the
    model raised the alarm alone); `reasons` lists every kind found, the main one first.
    """

    is_emergency: bool
    reason: EmergencyReason | None
    span: tuple[int, int] | None
    probability: float
    source: str
    reasons: tuple[EmergencyReason, ...] = ()

    def matched_text(self, text: str) -> str:
        """Return the phrase of `text` that raised the alarm, or an empty string."""
        return text[self.span[0] : self.span[1]] if self.span else ""


NOT_AN_EMERGENCY = EmergencyFinding(False, None, None, 0.0, "rules")


@dataclass(frozen=True, slots=True)
class Trigger:
    """A phrase that says danger, and whether its context set it aside."""

    reason: EmergencyReason
    start: int
    end: int
    set_aside_by: str


def find_triggers(text: str) -> list[Trigger]:
    """Return every trigger in the text, in the order of `TRIGGERS`, with its context."""
    folded = fold(text[:MAX_RULE_CHARACTERS])
    message_signs = _message_signs(folded)
    triggers = []
    for reason, pattern in TRIGGERS:
        for match in pattern.finditer(folded):
            blocker = message_signs or _clause_signs(folded, match.start(), match.end())
            triggers.append(Trigger(reason, match.start(), match.end(), blocker))
    return triggers


def _message_signs(folded: str) -> str:
    """Return the sign anywhere in the message that sets every trigger aside, if any."""
    urgent = URGENT.search(folded) is not None
    signs = (
        ("fiction", FICTION),
        ("joke", JOKE),
        ("hyperbole", HYPERBOLE),
        ("resolved", RESOLVED),
        ("settled past", SETTLED_PAST),
    )
    for name, pattern in signs:
        if pattern.search(folded):
            return name
    if NEWS.search(folded) and not re.search(r"救命|快来|救救|求求|帮帮我", folded):
        return "news"
    if WARNING.search(folded) and not urgent:
        return "warning"
    for name, pattern in (("past", PAST), ("habit", HABIT)):
        if pattern.search(folded) and not urgent:
            return name
    return ""


def _clause_signs(folded: str, start: int, end: int) -> str:
    """Return the sign in the trigger's own clause that sets it aside, if any."""
    clause_start = _clause_start(folded, start)
    clause_end = _clause_end(folded, end)
    clause = folded[clause_start:clause_end]
    if HYPOTHETICAL.search(clause):
        return "hypothetical"
    return ""


def _clause_start(folded: str, position: int) -> int:
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(folded, 0, position)]
    return breaks[-1] if breaks else 0


def _clause_end(folded: str, position: int) -> int:
    match = CLAUSE_BREAK.search(folded, position)
    return match.start() if match else len(folded)


def detect_emergency(text: str, model: "Model | None" = None) -> EmergencyFinding:
    """Say whether a message looks like an emergency, why, and which words say so."""
    triggers = find_triggers(text)
    live = [t for t in triggers if not t.set_aside_by]
    model_probability, model_reason = (0.0, None)
    if model is not None:
        model_probability, model_reason = model.emergency_probability(text)

    if live:
        return _finding(live, max(RULE_CONFIDENCE, model_probability), "rules")
    restorable = [t for t in triggers if t.set_aside_by in WEAK_SIGNS]
    if restorable and model_probability >= MODEL_RESTORE:
        return _finding(restorable, model_probability, "rules+model")
    if model_reason is not None and model_probability >= MODEL_ALARM:
        return EmergencyFinding(
            True, model_reason, None, model_probability, "model", (model_reason,)
        )
    probability = model_probability if model is not None else (0.2 if triggers else 0.0)
    return EmergencyFinding(False, None, None, probability, "model" if model else "rules")


def _finding(triggers: list[Trigger], probability: float, source: str) -> EmergencyFinding:
    reasons = tuple(dict.fromkeys(t.reason for t in triggers))
    first = triggers[0]
    logger.info("emergency detected reason=%s source=%s", first.reason, source)
    return EmergencyFinding(
        True, first.reason, (first.start, first.end), probability, source, reasons
    )
