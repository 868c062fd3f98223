"""Put a resident's message into the inbox the way the WeChat endpoint does."""

from django.test import Client

from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case, CaseType
from beatdesk.inbox.verification import do_record_verification
from beatdesk.units.models import User
from tests.channels.wechat.pushes import push

_next_msg_id = [1000]


def resident_writes(account: Account, peer: WeChatPeer, openid: str, text: str) -> Case:
    _next_msg_id[0] += 1
    response, _query = push(
        Client(), account, peer, peer.build_text(openid, text, _next_msg_id[0])
    )
    assert response.status_code == 200
    return Case.objects.filter(resident__external_id=openid).latest("opened_at")


def verify_if_needed(officer: User, case: Case) -> None:
    """Record the check a tip or help request needs before a final answer, as an officer
    would after calling the resident back; other types need none."""
    if case.case_type in {CaseType.TIP, CaseType.HELP}:
        do_record_verification(case, officer, method="call_back", outcome="confirmed")
