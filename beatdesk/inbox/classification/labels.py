"""The codes the classifier speaks: case types, emergency reasons and departments.

The case type codes are those of `beatdesk.inbox.models.CaseType`, repeated here because the
classifier must not import Django; a test keeps the two lists equal.
"""

from dataclasses import dataclass
from enum import StrEnum


class CaseTypeCode(StrEnum):
    """The types a message can be given automatically (all of CaseType but unclassified)."""

    CONSULTATION = "consultation"
    HELP = "help"
    TIP = "tip"
    SUGGESTION = "suggestion"
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    PRAISE = "praise"
    CHAT = "chat"
    SPAM = "spam"
    NOT_POLICE = "not_police"


UNCLASSIFIED = "unclassified"


class EmergencyReason(StrEnum):
    """Why a message looks like an emergency; each has its own kind words in the reply."""

    VIOLENCE = "violence"
    THREAT = "threat"
    SELF_HARM = "self_harm"
    MISSING_PERSON = "missing_person"
    FIRE = "fire"
    MEDICAL = "medical"
    CRIME_IN_PROGRESS = "crime_in_progress"
    DANGEROUS_DRIVING = "dangerous_driving"


class Department(StrEnum):
    """Who handles a matter that is not for the police."""

    CITY_HOTLINE = "city_hotline"
    MARKET_REGULATION = "market_regulation"
    URBAN_MANAGEMENT = "urban_management"
    TRAFFIC_POLICE = "traffic_police"
    FIRE_RESCUE = "fire_rescue"
    HEALTH = "health"
    COURT = "court"
    LABOUR = "labour"
    ENVIRONMENT = "environment"
    HOUSING = "housing"
    TRANSPORT = "transport"


@dataclass(frozen=True, slots=True)
class DepartmentContact:
    """How a resident reaches a department: its name and its public hotline."""

    name: str
    hotline: str


DEPARTMENT_CONTACTS: dict[Department, DepartmentContact] = {
    Department.CITY_HOTLINE: DepartmentContact("12345政务服务便民热线", "12345"),
    Department.MARKET_REGULATION: DepartmentContact("市场监督管理部门", "12315"),
    Department.URBAN_MANAGEMENT: DepartmentContact("城市管理部门（城管）", "12345"),
    Department.TRAFFIC_POLICE: DepartmentContact("公安交通管理部门（交警）", "122"),
    Department.FIRE_RESCUE: DepartmentContact("消防救援机构（火灾隐患举报）", "96119"),
    Department.HEALTH: DepartmentContact("卫生健康部门", "12320"),
    Department.COURT: DepartmentContact("人民法院诉讼服务", "12368"),
    Department.LABOUR: DepartmentContact("人力资源和社会保障部门（劳动保障监察）", "12333"),
    Department.ENVIRONMENT: DepartmentContact("生态环境部门", "12369"),
    Department.HOUSING: DepartmentContact("住房和城乡建设部门", "12345"),
    Department.TRANSPORT: DepartmentContact("交通运输部门", "12328"),
}
