"""Residents' personal data leaves after its retention period, and nothing younger is touched.

Time travel by argument: the purge takes the moment it runs as `now`, and the cases are
closed at chosen moments before it.
"""

from datetime import timedelta

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.utils import timezone

from beatdesk.audit.models import AuditRecord
from beatdesk.audit.verify import verify_chain
from beatdesk.channels.models import Account, ChannelContact, InboundDelivery, OutboxMessage
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.checker.models import CheckRecord
from beatdesk.core.models import Job, JobStatus
from beatdesk.inbox.models import (
    Case,
    CaseStatus,
    CaseType,
    FollowUp,
    FollowUpKind,
    MediationOutcome,
    Message,
    Resident,
    Unsealing,
    UnsealReason,
    Verification,
    VerificationMethod,
    VerificationOutcome,
)
from beatdesk.retention.actions import do_purge
from beatdesk.retention.models import Purge
from beatdesk.retention.policy import RetentionSettingError, periods
from tests.conftest import Cast
from tests.inbox.helpers import resident_writes

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
NOW = timezone.now()


def closed(case: Case, days_ago: float, case_type: str = CaseType.CONSULTATION) -> Case:
    """Close the case as if an officer had done it `days_ago` days before NOW."""
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=days_ago), case_type=case_type
    )
    case.refresh_from_db()
    return case


def inbound_text(case: Case) -> str:
    return Message.objects.get(case=case, direction="in").text


@pytest.fixture
def write(account: Account, peer: WeChatPeer) -> object:
    def writes(openid: str, text: str = f"请问身份证丢了怎么补办？我电话{PHONE}") -> Case:
        return resident_writes(account, peer, openid, text)

    return writes


def test_a_consultation_closed_over_a_year_ago_loses_its_personal_data(write: object) -> None:
    case = closed(write("oOLD"), days_ago=366)  # type: ignore[operator]
    message = Message.objects.get(case=case, direction="in")

    report = do_purge(NOW)

    assert report.cases == [case.pk]
    message.refresh_from_db()
    assert (message.text, message.attributes) == ("", {})
    delivery = InboundDelivery.objects.get(message=message)
    assert (bytes(delivery.raw_body), delivery.payload) == (b"", "")
    kept = Case.objects.get(pk=case.pk)
    assert (kept.case_type, kept.unit_id, kept.tracking_code) == (
        CaseType.CONSULTATION,
        case.unit_id,
        case.tracking_code,
    )
    assert Purge.objects.get(case=case).messages >= 1
    assert AuditRecord.objects.filter(action="case.purged", object_id=str(case.pk)).count() == 1


def test_a_day_short_of_its_period_a_case_is_not_touched(write: object) -> None:
    case = closed(write("oYOUNG"), days_ago=364)  # type: ignore[operator]

    report = do_purge(NOW)

    assert report.cases == []
    assert PHONE in inbound_text(case)
    assert not Purge.objects.exists()


def test_an_open_case_keeps_its_data_however_old(write: object) -> None:
    case = write("oOPEN")  # type: ignore[operator]
    Case.objects.filter(pk=case.pk).update(opened_at=NOW - timedelta(days=3000))

    do_purge(NOW + timedelta(days=3000))

    assert PHONE in inbound_text(case)


def test_chatter_is_kept_the_legal_floor_of_184_days_and_no_less(write: object) -> None:
    young = closed(write("oCHAT1", "哈哈哈 13900139000"), 183.9, CaseType.CHAT)  # type: ignore[operator]
    old = closed(write("oCHAT2", "嘿嘿 13700137000"), 184.1, CaseType.CHAT)  # type: ignore[operator]

    do_purge(NOW)

    assert "13900139000" in inbound_text(young)
    assert inbound_text(old) == ""


def test_a_period_under_184_days_is_refused_everywhere(settings: object) -> None:
    settings.RETENTION_DAYS = "chat=100"  # type: ignore[attr-defined]

    with pytest.raises(RetentionSettingError, match="chat"):
        periods()
    with pytest.raises(CommandError, match="184"):
        call_command("purge")
    errors = [m for m in checks.run_checks() if m.id == "beatdesk.E301"]
    assert errors and "chat" in errors[0].msg


def test_a_malformed_setting_is_refused(settings: object) -> None:
    settings.RETENTION_DAYS = "tip=forever"  # type: ignore[attr-defined]

    with pytest.raises(RetentionSettingError, match="tip=forever"):
        periods()


def test_a_longer_configured_period_keeps_the_data_longer(settings: object, write: object) -> None:
    settings.RETENTION_DAYS = "consultation=730"  # type: ignore[attr-defined]
    case = closed(write("oLONG"), days_ago=400)  # type: ignore[operator]

    do_purge(NOW)

    assert PHONE in inbound_text(case)


def test_the_resident_becomes_anonymous_only_when_nothing_of_theirs_is_left(
    write: object,
) -> None:
    first = closed(write("oTWICE"), days_ago=400)  # type: ignore[operator]
    Case.objects.filter(pk=first.pk).update(resident=first.resident)
    second = write("oTWICE", "又想问一下护照的事")  # type: ignore[operator]
    if second.pk == first.pk:
        pytest.fail("the second message should open its own case after closing")

    do_purge(NOW)
    first.resident.refresh_from_db()
    assert first.resident.external_id == "oTWICE"

    closed(second, days_ago=400)
    _unseen_since(first.resident.pk, days=400)
    do_purge(NOW)
    first.resident.refresh_from_db()
    assert first.resident.external_id == f"purged-{first.resident.pk}"
    # The blind index went with the id: the old id finds nobody, and writing again starts
    # a new resident.
    assert not Resident.objects.filter(external_id="oTWICE").exists()
    assert first.resident.anonymized_at == NOW


def _unseen_since(resident_id: int, days: int) -> None:
    moment = NOW - timedelta(days=days)
    Resident.objects.filter(pk=resident_id).update(first_seen_at=moment, last_seen_at=moment)


def test_a_resident_seen_lately_keeps_their_id_even_with_nothing_left_to_purge(
    write: object,
) -> None:
    case = closed(write("oRECENT"), days_ago=400)  # type: ignore[operator]

    do_purge(NOW)

    case.resident.refresh_from_db()
    assert case.resident.external_id == "oRECENT"


def test_the_senders_id_leaves_the_delivery_key_the_answer_and_the_contact_too(
    write: object,
) -> None:
    case = closed(write("oTRACED"), days_ago=400)  # type: ignore[operator]
    _unseen_since(case.resident_id, days=400)
    assert ChannelContact.objects.filter(external_id="oTRACED").exists()

    do_purge(NOW)

    traces = [
        *InboundDelivery.objects.values_list("delivery_key", "payload", "reply"),
        *OutboxMessage.objects.values_list("recipient", "payload"),
        *ChannelContact.objects.values_list("external_id", flat=True),
    ]
    assert "oTRACED" not in str(traces)


def test_the_checkers_record_of_a_message_holds_no_words_to_purge(write: object) -> None:
    case = closed(write("oCHECKED"), days_ago=400)  # type: ignore[operator]
    message = Message.objects.get(case=case, direction="in")

    check = CheckRecord.objects.get(object_type="inbox.message", object_id=str(message.pk))

    assert check.findings and PHONE not in str(check.findings)


def test_a_second_run_finds_nothing_more_and_the_audit_chain_still_verifies(
    write: object,
) -> None:
    closed(write("oAGAIN"), days_ago=400)  # type: ignore[operator]

    first, second = do_purge(NOW), do_purge(NOW)

    assert len(first.cases) == 1 and second.cases == []
    assert verify_chain() is None


def test_a_dry_run_counts_and_changes_nothing(write: object) -> None:
    case = closed(write("oDRY"), days_ago=400)  # type: ignore[operator]

    report = do_purge(NOW, dry_run=True)

    assert report.cases == [case.pk]
    assert report.messages == Message.objects.filter(case=case).count() >= 1
    assert report.deliveries >= 1
    assert PHONE in inbound_text(case)
    assert not Purge.objects.exists()


def test_the_command_says_what_it_purged(
    write: object, capsys: pytest.CaptureFixture[str]
) -> None:
    closed(write("oCMD"), days_ago=800)  # type: ignore[operator]

    call_command("purge")

    assert "cases purged: 1" in capsys.readouterr().out


def test_group_chatter_outside_any_case_goes_after_the_floor_and_not_before(
    write: object,
) -> None:
    resident = write("oCHATTER").resident  # type: ignore[operator]
    old, young = (
        Message.objects.create(
            resident=resident,
            direction="in",
            kind="text",
            text=f"群里闲聊，我号码{number}",
            sent_at=NOW - timedelta(days=days),
        )
        for number, days in (("13600136000", 185), ("13500135000", 183))
    )

    do_purge(NOW)

    old.refresh_from_db()
    young.refresh_from_db()
    assert old.text == ""
    assert "13500135000" in young.text


def test_a_case_export_file_is_emptied_a_month_after_its_job_ended(cast: Cast) -> None:
    old, recent = (
        Job.objects.create(
            kind="case_export",
            started_by=cast.leader,
            status=JobStatus.DONE,
            finished_at=NOW - timedelta(days=days),
            result_name="cases.csv",
            result_data=b"code,status\\n",
        )
        for days in (31, 29)
    )

    report = do_purge(NOW)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert report.job_files == 1
    assert (bytes(old.result_data), bytes(recent.result_data)) == (b"", b"code,status\\n")


def test_a_disputes_mediation_notes_go_with_its_messages_and_the_outcomes_stay(
    write: object,
) -> None:
    case = closed(write("oDISPUTE", "楼上楼下因为漏水吵起来了"), 1096, CaseType.DISPUTE)  # type: ignore[operator]
    FollowUp.objects.create(
        case=case,
        kind=FollowUpKind.MEDIATION,
        outcome=MediationOutcome.AGREED,
        happened_on=(NOW - timedelta(days=1200)).date(),
        note=f"楼上住户王某，电话{PHONE}，同意修好防水",
    )

    do_purge(NOW)

    follow_up = FollowUp.objects.get(case=case)
    assert (follow_up.note, follow_up.outcome) == ("", MediationOutcome.AGREED)


def test_verification_notes_and_unsealing_reasons_go_and_the_outcomes_stay(
    cast: Cast, write: object
) -> None:
    case = closed(write("oTIP", "举报：小区地下室有人聚众赌博"), 1096, CaseType.TIP)  # type: ignore[operator]
    Verification.objects.create(
        case=case,
        verified_by=cast.officer_a,
        method=VerificationMethod.CALL_BACK,
        note=f"回拨举报人{PHONE}核实",
        outcome=VerificationOutcome.CONFIRMED,
    )
    Unsealing.objects.create(
        case=case,
        unsealed_by=cast.leader,
        category=UnsealReason.PROTECT,
        reason="举报人王某受威胁",
    )

    do_purge(NOW)

    verification = Verification.objects.get(case=case)
    assert (verification.note, verification.outcome) == ("", VerificationOutcome.CONFIRMED)
    assert Unsealing.objects.get(case=case).reason == ""
