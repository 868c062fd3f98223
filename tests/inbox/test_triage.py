"""Every message is typed and checked for danger on arrival; emergencies answer 110 at once."""

import functools

import pytest
from django.core.management import call_command
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer, fields
from beatdesk.inbox.classification import examples, load_labelled_set, train
from beatdesk.inbox.models import Case, CaseType, ClassifierModel, Priority, TypeSource
from beatdesk.inbox.triage import officer_corrections
from tests.channels.wechat.pushes import push
from tests.conftest import Cast, signed_in
from tests.inbox.helpers import resident_writes

DANGER = "救命！有人拿着刀在我家楼下砍人，现在还在追，快来！"
OLD_NEWS = "昨天新闻说隔壁县破获一起持刀抢劫案，嫌疑人已经被抓了，这个是真的吗"


@functools.cache
def _model_json() -> str:
    return train(examples(load_labelled_set(), "train")).to_json()


@pytest.fixture
def trained(db: None) -> ClassifierModel:
    return ClassifierModel.objects.create(shipped_examples=1, corrections=0, model=_model_json())


def test_a_resident_in_danger_is_told_to_call_110_in_the_same_reply(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    response, query = push(Client(), account, peer, peer.build_text("oDANGER", DANGER, 77001))

    reply = peer.open_reply(response.content, query)
    assert reply is not None
    content = fields(reply)["Content"]
    assert content.index("110") < content.index("跟踪") if "跟踪" in content else "110" in content
    case = Case.objects.get(resident__external_id="oDANGER")
    assert case.priority == Priority.EMERGENCY
    assert case.emergency_reason == "violence"
    assert AuditRecord.objects.filter(action="case.emergency", object_id=str(case.pk)).exists()


def test_the_emergency_stays_on_covering_officers_screens_until_one_has_seen_it(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oDANGER", DANGER)
    banner = 'class="emergency-banner"'

    assert banner in signed_in(cast.officer_a).get("/inbox/").content.decode()
    assert banner in signed_in(cast.leader).get("/inbox/").content.decode()
    assert banner not in signed_in(cast.officer_b).get("/inbox/").content.decode()
    assert signed_in(cast.officer_b).post(f"/inbox/cases/{case.pk}/seen/").status_code == 404

    signed_in(cast.officer_a).post(f"/inbox/cases/{case.pk}/seen/")

    assert banner not in signed_in(cast.leader).get("/inbox/").content.decode()
    case.refresh_from_db()
    assert case.emergency_acknowledged_by == cast.officer_a
    assert AuditRecord.objects.filter(action="case.emergency_seen", actor=cast.officer_a).exists()


def test_forwarded_news_of_a_past_crime_is_not_an_emergency(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oNEWS", OLD_NEWS)

    assert case.priority == Priority.NORMAL
    assert case.emergency_reason == ""


def test_a_new_case_gets_its_type_and_confidence_from_the_trained_model(
    cast: Cast, account: Account, peer: WeChatPeer, trained: ClassifierModel
) -> None:
    case = resident_writes(account, peer, "oASK", "请问办理居住证需要带哪些材料？要本人去吗")

    assert (case.case_type, case.type_source) == (CaseType.CONSULTATION, TypeSource.AUTOMATIC)
    assert case.type_confidence is not None and 0 < case.type_confidence <= 1
    page = signed_in(cast.officer_a).get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "% sure" in page.content.decode()


def test_an_officers_type_is_kept_recorded_and_learnt_from(
    cast: Cast, account: Account, peer: WeChatPeer, trained: ClassifierModel
) -> None:
    case = resident_writes(account, peer, "oFIX", "你们那边晚上几点关门啊")

    response = signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/type/", {"case_type": "complaint"}
    )
    resident_writes(account, peer, "oFIX", "好的谢谢")

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.case_type, case.type_source) == ("complaint", TypeSource.OFFICER)
    assert AuditRecord.objects.filter(action="case.type_set", actor=cast.officer_a).exists()
    assert [(e.text, e.case_type.value) for e in officer_corrections()] == [
        ("你们那边晚上几点关门啊", "complaint")
    ]


def test_an_inspector_cannot_set_a_type(cast: Cast, account: Account, peer: WeChatPeer) -> None:
    case = resident_writes(account, peer, "oINS", "你好")

    signed_in(cast.inspector).post(f"/inbox/cases/{case.pk}/type/", {"case_type": "praise"})

    case.refresh_from_db()
    assert case.type_source != TypeSource.OFFICER


def test_training_stores_a_model_and_reports_its_test_figures(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("train_classifier")

    out = capsys.readouterr().out
    assert ClassifierModel.objects.count() == 1
    assert "corrections" in out
    assert "emergencies found" in out
