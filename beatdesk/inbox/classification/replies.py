"""The words a resident gets at once: kind, plain Chinese, and the number to call."""

from beatdesk.inbox.classification.emergency import EmergencyFinding
from beatdesk.inbox.classification.labels import (
    DEPARTMENT_CONTACTS,
    Department,
    EmergencyReason,
)

Reason = EmergencyReason

# How the reason is said to the resident: what we think may be happening, never a verdict.
REASON_PHRASES: dict[EmergencyReason, str] = {
    Reason.VIOLENCE: "有人正在动手伤人",
    Reason.THREAT: "您的人身安全正受到威胁",
    Reason.SELF_HARM: "您或您身边的人可能有生命危险",
    Reason.MISSING_PERSON: "有家人走失或联系不上",
    Reason.FIRE: "发生了火情或燃气泄漏",
    Reason.MEDICAL: "有人受伤或突发急病",
    Reason.CRIME_IN_PROGRESS: "违法犯罪正在发生",
    Reason.DANGEROUS_DRIVING: "有人正在危险驾驶",
}
NEEDS_FIRE_SERVICE = {Reason.FIRE}
NEEDS_AMBULANCE = {Reason.MEDICAL, Reason.SELF_HARM, Reason.VIOLENCE, Reason.FIRE}


def emergency_reply(finding: EmergencyFinding) -> str:
    """Return the answer a resident gets at once when a message looks like an emergency."""
    reasons = finding.reasons or ((finding.reason,) if finding.reason else ())
    if not reasons:
        return ""
    phrase = REASON_PHRASES[reasons[0]]
    parts = [
        f"看起来{phrase}。请立即拨打110报警，说清楚您在哪里、发生了什么。",
    ]
    if NEEDS_FIRE_SERVICE & set(reasons):
        parts.append("有火情请同时拨打119，先离开危险的地方，不要乘电梯。")
    if NEEDS_AMBULANCE & set(reasons):
        parts.append("有人受伤或身体不适，请拨打120。")
    if Reason.SELF_HARM in reasons:
        parts.append("您并不孤单，也可以拨打心理援助热线12356，有人愿意听您说。")
    parts.append("这里的留言不一定能马上被看到，打电话最快。值班民警也已收到提醒。")
    return "".join(parts)


def handover_reply(department: Department) -> str:
    """Return the answer for a matter another department handles, with its hotline."""
    contact = DEPARTMENT_CONTACTS[department]
    return (
        f"您好，您反映的事情主要由{contact.name}负责，建议您拨打{contact.hotline}反映，"
        "处理会更快。如果还有需要派出所帮忙的地方，请随时告诉我们。"
    )
