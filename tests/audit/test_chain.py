"""The audit trail is a hash chain; `beatdesk audit verify` names the first bad record."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from beatdesk.audit.actions import record
from beatdesk.audit.models import AuditRecord
from beatdesk.audit.verify import ChainHead, current_head, verify_chain
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from tests.audit.tampering import lift_append_only_trigger
from tests.conftest import Cast
from tests.inbox.helpers import resident_writes
from tests.units.signing_in import sign_in_through_the_form


@pytest.fixture
def trail(cast: Cast) -> list[AuditRecord]:
    # The cast's own set-up writes no audit records; these five are the whole trail.
    lift_append_only_trigger()
    return [
        record("case.status", cast.station_a, actor=cast.officer_a, unit=cast.station_a, new=n)
        for n in ("in_progress", "waiting", "resolved", "closed", "reopened")
    ]


def test_an_untouched_trail_verifies(trail: list[AuditRecord]) -> None:
    assert verify_chain() is None
    assert [entry.sequence for entry in trail] == [1, 2, 3, 4, 5]
    assert str(current_head()) == f"5:{trail[-1].hash}"


def test_an_edited_detail_is_named_by_its_sequence(trail: list[AuditRecord]) -> None:
    AuditRecord.objects.filter(pk=trail[2].pk).update(details={"new": "closed"})

    problem = verify_chain()

    assert problem is not None
    assert (problem.sequence, problem.kind) == (3, "edited")


def test_an_edited_and_rehashed_record_breaks_the_link_to_the_next(
    trail: list[AuditRecord], cast: Cast
) -> None:
    forged = AuditRecord.objects.get(pk=trail[1].pk)
    forged.actor = cast.leader
    forged.hash = forged.compute_hash()
    forged.save()

    problem = verify_chain()

    assert problem is not None
    assert (problem.sequence, problem.kind) == (3, "relinked")


def test_a_deleted_record_leaves_a_gap_that_is_named(trail: list[AuditRecord]) -> None:
    AuditRecord.objects.filter(pk=trail[1].pk).delete()

    problem = verify_chain()

    assert problem is not None
    assert (problem.sequence, problem.kind) == (3, "deleted")
    assert "records 2 to 2 are missing" in problem.message


def test_an_inserted_record_without_a_number_is_found(trail: list[AuditRecord]) -> None:
    AuditRecord.objects.create(action="case.status", object_type="x", object_id="1")

    problem = verify_chain()

    assert problem is not None
    assert problem.kind == "inserted"


def test_reordered_records_are_found(trail: list[AuditRecord]) -> None:
    AuditRecord.objects.filter(pk=trail[3].pk).update(sequence=99)
    AuditRecord.objects.filter(pk=trail[2].pk).update(sequence=4)
    AuditRecord.objects.filter(pk=trail[3].pk).update(sequence=3)

    problem = verify_chain()

    assert problem is not None
    assert problem.sequence == 3
    assert problem.kind in {"relinked", "edited"}


def test_truncation_is_found_against_a_head_exported_earlier(trail: list[AuditRecord]) -> None:
    exported = current_head()
    AuditRecord.objects.filter(sequence__gte=4).delete()
    # A careful attacker rewinds the database's own head too.
    from beatdesk.audit.models import AuditChainHead

    AuditChainHead.objects.filter(pk=1).update(sequence=3, hash=trail[2].hash)

    assert verify_chain() is None
    problem = verify_chain(exported)
    assert problem is not None
    assert problem.kind == "truncated"


def test_the_command_exits_1_naming_the_record_and_0_when_intact(
    trail: list[AuditRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "verify", "--head", str(current_head()))
    assert "audit chain intact up to 5" in capsys.readouterr().out

    AuditRecord.objects.filter(pk=trail[0].pk).update(action="case.opened")
    with pytest.raises(CommandError, match=r"broken at record 1 \(id \d+\): edited") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


def test_a_malformed_exported_head_is_a_usage_error(trail: list[AuditRecord]) -> None:
    with pytest.raises(CommandError, match="chain head looks like") as raised:
        call_command("audit", "verify", "--head", "nonsense")

    assert raised.value.returncode == 2
    assert ChainHead.parse(f"5:{'A' * 64}").hash == "a" * 64


def test_signing_in_and_reading_a_case_are_each_one_record(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oAUDIT", "请问几点开门")
    client = Client()
    sign_in_through_the_form(client, cast.officer_a)

    client.get(f"/inbox/cases/{case.pk}/")
    client.get(f"/inbox/cases/{case.pk}/")

    signed_in = AuditRecord.objects.filter(action="user.signed_in", actor=cast.officer_a)
    viewed = AuditRecord.objects.filter(action="case.viewed", object_id=str(case.pk))
    assert (signed_in.count(), viewed.count()) == (1, 2)
    assert verify_chain() is None
