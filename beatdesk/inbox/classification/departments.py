"""Suggest the department that handles a matter the police do not."""

import re
from dataclasses import dataclass

from beatdesk.inbox.classification.labels import Department
from beatdesk.inbox.classification.text import fold

FALLBACK = Department.CITY_HOTLINE
FALLBACK_CONFIDENCE = 0.3

DEPARTMENT_WORDS: dict[Department, re.Pattern[str]] = {
    Department.MARKET_REGULATION: re.compile(
        r"过期|质量|退(货|款|钱)|商家|老板卷钱|缺斤少两|假货|售后|价格|收费(太)?(高|贵)|外卖里"
        r"|吃出|培训机构|预交|办的卡|会员卡|年卡|以次充好|消费"
    ),
    Department.URBAN_MANAGEMENT: re.compile(
        r"摆摊|占道|违章搭建|违建|乱搭|广告牌|招牌|共享单车|油烟|烧烤摊|绿化带|施工.{0,6}吵|晚上.{0,6}施工"
    ),
    Department.TRAFFIC_POLICE: re.compile(
        r"罚单|贴条|违停|违章|扣分|驾照|年检|红绿灯|事故认定|剐蹭|闯红灯|堵车|疏导"
    ),
    Department.FIRE_RESCUE: re.compile(
        r"灭火器|消防栓|安全出口|消防(验收|培训|通道|检查)|楼道.{0,6}充电"
    ),
    Department.HEALTH: re.compile(r"医院|诊所|医生|护士|疫苗|看病|打错针|输液"),
    Department.COURT: re.compile(r"起诉|诉讼|判决|老赖|执行|打官司|立案.{0,4}费|离婚"),
    Department.LABOUR: re.compile(r"工资|工钱|社保|加班费|辞退|试用期|补偿|劳动合同"),
    Department.ENVIRONMENT: re.compile(r"排污|废气|污染|死鱼|鱼死|粉尘|臭味|排黑水|噪音|音响"),
    Department.HOUSING: re.compile(r"物业|开发商|交房|电梯|漏水|面积|业主"),
    Department.TRANSPORT: re.compile(r"出租车|公交|网约车|大巴|绕路|司机"),
}


@dataclass(frozen=True, slots=True)
class DepartmentSuggestion:
    """The department a matter should be handed to, and how sure the rules are."""

    department: Department
    confidence: float


def suggest_department(text: str) -> DepartmentSuggestion:
    """Return the department whose words the message uses most; 12345 when none fits."""
    folded = fold(text)
    hits = {d: len(p.findall(folded)) for d, p in DEPARTMENT_WORDS.items()}
    best = max(hits, key=lambda department: hits[department])
    if hits[best] == 0:
        return DepartmentSuggestion(FALLBACK, FALLBACK_CONFIDENCE)
    ties = sum(1 for count in hits.values() if count == hits[best])
    confidence = min(0.9, 0.5 + 0.15 * hits[best]) / ties
    return DepartmentSuggestion(best, round(confidence, 3))
