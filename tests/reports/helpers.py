"""Cases for the reports, put in through the WeChat endpoint and then moved back in time.

The endpoint stamps everything with the present; a report needs cases of past days and
weeks, so the helpers rewrite the stored times once the case exists.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_answer_case
from beatdesk.inbox.models import Case, CaseStatus, Direction, Message
from beatdesk.units.models import User
from tests.inbox.helpers import resident_writes

BEIJING = ZoneInfo("Asia/Shanghai")
# Words no knowledge entry answers, so no automatic answer joins the conversation.
COMPLAINT = "小区门口的垃圾三天没人收了，臭得不行"


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def days_ago(days: int, hour: int = 10) -> datetime:
    """Return `hour` o'clock Beijing time on the day `days` before today in Beijing."""
    today = timezone.localtime(timezone.now(), BEIJING).date()
    day = today - timedelta(days=days)
    return beijing(day.year, day.month, day.day, hour)


def case_opened_at(
    account: Account, peer: WeChatPeer, openid: str, opened_at: datetime, case_type: str
) -> Case:
    """A resident's case of `case_type` whose first message arrived at `opened_at`."""
    case = resident_writes(account, peer, openid, COMPLAINT)
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened_at, last_message_at=opened_at, case_type=case_type
    )
    # The endpoint's own automatic receipt (the tracking code) moves back with the message.
    case.messages.update(sent_at=opened_at)
    case.refresh_from_db()
    return case


def settle(
    case: Case, deadline: datetime, closed_at: datetime | None = None, status: str = ""
) -> None:
    """Give the case a deadline and, when `closed_at` is given, close it then."""
    if not status:
        status = CaseStatus.CLOSED if closed_at else CaseStatus.IN_PROGRESS
    Case.objects.filter(pk=case.pk).update(deadline=deadline, closed_at=closed_at, status=status)


def officer_answers_at(case: Case, officer: User, sent_at: datetime) -> Message:
    """The officer answers through the inbox; the answer is then dated `sent_at`."""
    answer = do_answer_case(case, officer, "已收到，我们马上安排人去处理。")
    Message.objects.filter(pk=answer.pk).update(sent_at=sent_at)
    return answer


def automatic_answer_at(case: Case, sent_at: datetime) -> Message:
    """An automatic answer (as the knowledge base or the 110 rule sends) dated `sent_at`."""
    return Message.objects.create(
        resident=case.resident,
        case=case,
        direction=Direction.OUTBOUND,
        kind="text",
        text="您好，已收到您的留言。",
        sent_at=sent_at,
        is_automatic=True,
    )
