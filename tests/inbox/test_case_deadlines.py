"""Cases get deadlines from their type; waiting stops the clock; the sweep reminds, escalates."""

from datetime import timedelta

from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_change_case_status, do_set_case_type
from beatdesk.inbox.deadlines import due_at
from beatdesk.inbox.models import Case, CaseStatus
from beatdesk.inbox.schedule import policy_book
from beatdesk.inbox.tasks import sweep_deadlines
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes


def expected_deadline(case: Case) -> object:
    book = policy_book()
    codes = [unit.code for unit in reversed(list(case.unit.ancestors()))]
    policy = book.policy_for(case.case_type, region_type=case.unit.region_type, unit_codes=codes)
    assert policy is not None
    schedule = book.schedule_for(
        case.unit.time_zone,
        region_type=case.unit.region_type,
        unit_codes=codes,
        assume_weekends_for_missing_years=True,
    )
    return due_at(case.opened_at, policy, schedule)


def test_a_complaint_gets_the_complaint_deadline_in_working_time(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oDUE", "你们窗口的人态度太差了")

    do_set_case_type(case, cast.officer_a, "complaint")

    case.refresh_from_db()
    assert case.deadline == expected_deadline(case)
    assert case.deadline is not None and case.deadline > case.opened_at + timedelta(days=6)
    assert case.reminder_at is not None and case.reminder_at < case.deadline


def test_chat_has_no_deadline(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    case = resident_writes(account, peer, "oCHAT", "哈哈")

    do_set_case_type(case, cast.officer_a, "chat")

    case.refresh_from_db()
    assert case.deadline is None


def test_waiting_for_the_resident_pushes_the_deadline_back(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oWAIT", "我想投诉一下停车的事")
    # The case came in a month ago; it has waited for the resident since the next day.
    opened = timezone.now() - timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(opened_at=opened)
    do_set_case_type(case, cast.officer_a, "complaint")
    case.refresh_from_db()
    before = case.deadline
    do_change_case_status(case, cast.officer_a, CaseStatus.WAITING)
    case.pauses.update(started_at=opened + timedelta(days=1))

    resident_writes(account, peer, "oWAIT", "补充一下，是小区东门")

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.pauses.get().ended_at is not None
    assert before is not None and case.deadline is not None
    assert case.deadline > timezone.now() > before


def test_the_sweep_reminds_and_escalates_each_case_once(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oLATE", "我的事情怎么还没人管")
    past = timezone.now() - timedelta(minutes=1)
    Case.objects.filter(pk=case.pk).update(reminder_at=past, escalation_at=past)

    first = sweep_deadlines()
    second = sweep_deadlines()

    assert (first, second) == ((1, 1), (0, 0))
    actions = AuditRecord.objects.filter(
        object_id=str(case.pk), action__in=["case.reminded", "case.escalated"]
    )
    assert sorted(actions.values_list("action", flat=True)) == ["case.escalated", "case.reminded"]


def test_a_closed_case_is_neither_reminded_nor_counted_late(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oDONE", "谢谢你们")
    do_change_case_status(case, cast.officer_a, CaseStatus.RESOLVED)
    past = timezone.now() - timedelta(minutes=1)
    Case.objects.filter(pk=case.pk).update(reminder_at=past, escalation_at=past)

    assert sweep_deadlines() == (0, 0)
    case.refresh_from_db()
    assert case.closed_at is not None


def test_the_inbox_marks_an_overdue_case(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    case = resident_writes(account, peer, "oOVER", "投诉：路灯坏了一个月")
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - timedelta(hours=1))

    page = signed_in(cast.officer_a).get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'class="due overdue"' in page


def test_an_extension_within_the_limit_moves_the_deadline_and_keeps_the_reason(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oEXT", "投诉：邻居装修噪音")
    do_set_case_type(case, cast.officer_a, "complaint")
    case.refresh_from_db()
    before = case.deadline

    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/extend/", {"days": "15", "reason": "等交警支队出具认定书"}
    )

    case.refresh_from_db()
    assert response.status_code == 302
    assert before is not None and case.deadline is not None and case.deadline > before
    assert case.deadline_extension_reason == "等交警支队出具认定书"
    record = AuditRecord.objects.get(action="case.deadline_extended")
    assert record.details == {"days": 15}


def test_an_extension_past_the_limit_or_without_reason_changes_nothing(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oEXT2", "投诉：窗口排队太久")
    do_set_case_type(case, cast.officer_a, "complaint")
    case.refresh_from_db()
    before = case.deadline
    client = signed_in(cast.officer_a)

    client.post(f"/inbox/cases/{case.pk}/extend/", {"days": "16", "reason": "再等等"})
    client.post(f"/inbox/cases/{case.pk}/extend/", {"days": "10", "reason": "   "})

    case.refresh_from_db()
    assert (case.deadline, case.deadline_extended_to) == (before, None)
    assert not AuditRecord.objects.filter(action="case.deadline_extended").exists()
