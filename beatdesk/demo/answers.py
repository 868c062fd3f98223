"""Officers of the demo answer, seal and verify a few cases, through the inbox's actions."""

import json

from beatdesk.demo.replay import DATA
from beatdesk.inbox.actions import do_answer_case, do_set_case_type
from beatdesk.inbox.models import Case, CaseType, Direction
from beatdesk.inbox.sealing import do_seal_tipster
from beatdesk.inbox.verification import do_record_verification
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
        # Texts are encrypted, so the case's few answers are compared here, not in SQL.
        answered = case.messages.filter(direction=Direction.OUTBOUND)
        if any(message.text == item["text"] for message in answered):
            continue
        do_answer_case(case, officer, item["text"])
        count += 1
    return count


def verify_demo_tips() -> int:
    """Seal and verify each scripted tip once; a rerun finds it verified and adds nothing."""
    items = json.loads((DATA / "residents.json").read_text(encoding="utf-8"))["verifications"]
    count = 0
    for item in items:
        case = Case.objects.filter(resident__external_id=item["openid"]).order_by("-pk").first()
        officer = _officer_for(case) if case else None
        if case is None or officer is None or case.verifications.exists():
            continue
        if case.case_type != CaseType.TIP:
            case = do_set_case_type(case, officer, CaseType.TIP)
        if item["seal"] and not case.tipster_sealed:
            case = do_seal_tipster(case, officer)
        do_record_verification(
            case, officer, method=item["method"], outcome=item["outcome"], note=item["note"]
        )
        count += 1
    return count
