"""A resident writing again soon after a case closed reopens it; later, a new case follows it."""

from datetime import timedelta

from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseStatus, Message
from beatdesk.inbox.reopening import is_thanks_only
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

REPORT = "小区门口的路灯坏了一个星期，晚上很黑，麻烦处理一下"


def resolved_case(cast: Cast, account: Account, peer: WeChatPeer, openid: str) -> Case:
    case = resident_writes(account, peer, openid, REPORT)
    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/answer/", {"text": "已经联系物业维修。", "resolve": "on"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    return case


def opened_days_ago(case: Case, days: int) -> None:
    """Make the case opened, due and closed that many days ago."""
    long_ago = timezone.now() - timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(
        opened_at=long_ago, deadline=long_ago + timedelta(hours=8), closed_at=long_ago
    )


def test_writing_again_within_the_period_reopens_the_case_and_threads_the_message_there(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resolved_case(cast, account, peer, "oREOPEN1")

    again = resident_writes(account, peer, "oREOPEN1", "还没解决，今天晚上路灯还是不亮")

    case.refresh_from_db()
    assert again.pk == case.pk and Case.objects.count() == 1
    assert case.status == CaseStatus.REOPENED and case.closed_at is None
    assert case.reopened_at is not None
    assert Message.objects.filter(case=case, direction="in").count() == 2
    reopened = AuditRecord.objects.get(action="case.reopened", object_id=str(case.pk))
    assert reopened.details == {"via": "message"}


def test_a_reopened_case_gets_a_fresh_deadline_counted_from_the_reopening(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resolved_case(cast, account, peer, "oREOPEN2")
    opened_days_ago(case, 5)

    resident_writes(account, peer, "oREOPEN2", "民警同志，路灯又坏了")

    case.refresh_from_db()
    assert case.reopened_at is not None and case.deadline is not None
    assert case.deadline > case.reopened_at
    assert case.reminded_at is None and case.escalated_at is None


def test_a_thank_you_is_kept_on_the_closed_case_without_reopening_it(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resolved_case(cast, account, peer, "oREOPEN3")

    resident_writes(account, peer, "oREOPEN3", "好的，谢谢警官！👍")

    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    assert Message.objects.filter(case=case, direction="in").count() == 2
    assert not AuditRecord.objects.filter(action="case.reopened").exists()


def test_thanks_with_a_complaint_that_it_is_not_settled_is_not_thanks_alone() -> None:
    assert is_thanks_only("谢谢！")
    assert is_thanks_only("OK, thanks.")
    assert not is_thanks_only("谢谢，但是还没解决")
    assert not is_thanks_only("好的我明天再来派出所")
    assert is_thanks_only("👍")
    assert not is_thanks_only("？")


def test_after_the_period_a_new_case_opens_that_names_the_earlier_one(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resolved_case(cast, account, peer, "oREOPEN4")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=8))

    newer = resident_writes(account, peer, "oREOPEN4", "路灯又坏了")

    case.refresh_from_db()
    assert newer.pk != case.pk and newer.follows_id == case.pk
    assert case.status == CaseStatus.RESOLVED
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{newer.pk}/").content.decode()
    assert f'href="/inbox/cases/{case.pk}/"' in page


def test_the_period_follows_the_setting(
    cast: Cast, account: Account, peer: WeChatPeer, settings: object
) -> None:
    settings.REOPEN_PERIOD_DAYS = 0  # type: ignore[attr-defined]
    case = resolved_case(cast, account, peer, "oREOPEN5")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(minutes=5))

    newer = resident_writes(account, peer, "oREOPEN5", "路灯又坏了")

    assert newer.pk != case.pk


def test_an_officer_of_another_station_cannot_see_the_link_to_the_earlier_case(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resolved_case(cast, account, peer, "oREOPEN6")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=30))
    newer = resident_writes(account, peer, "oREOPEN6", "路灯又坏了")

    response = signed_in(cast.officer_b).get(f"/inbox/cases/{newer.pk}/")

    assert response.status_code == 404


def test_an_officer_reopening_a_case_gives_it_a_fresh_deadline_as_a_resident_would(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resolved_case(cast, account, peer, "oREOPEN9")
    opened_days_ago(case, 5)

    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/status/", {"status": "reopened"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED and case.closed_at is None
    assert case.reopened_at is not None and case.deadline is not None
    assert case.deadline > case.reopened_at
    reopened = AuditRecord.objects.get(action="case.reopened", object_id=str(case.pk))
    assert (reopened.details, reopened.actor) == ({"via": "officer"}, cast.officer_a)
