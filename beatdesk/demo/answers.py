"""Officers of the demo answer a few cases, through the inbox's own action."""

import json

from beatdesk.demo.replay import DATA
from beatdesk.inbox.actions import do_answer_case
from beatdesk.inbox.models import Case, Direction
from beatdesk.units.models import Role, User


def _officer_for(case: Case) -> User | None:
    return (
        User.objects.filter(role_assignments__unit=case.unit, role_assignments__role=Role.OFFICER)
        .order_by("username")
        .first()
    )


def answer_demo_cases() -> int:
    """Answer each scripted case once; a rerun finds the answer there and adds nothing."""
    answers = json.loads((DATA / "residents.json").read_text(encoding="utf-8"))["answers"]
    count = 0
    for item in answers:
        case = Case.objects.filter(resident__external_id=item["openid"]).order_by("-pk").first()
        officer = _officer_for(case) if case else None
        if case is None or officer is None:
            continue
        if case.messages.filter(direction=Direction.OUTBOUND, text=item["text"]).exists():
            continue
        do_answer_case(case, officer, item["text"])
        count += 1
    return count
