"""The demo runs on a fresh database and says what it did."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from huey.contrib.djhuey import HUEY

from beatdesk.audit.models import AuditRecord
from beatdesk.demo.management.commands.demo import use_public_url
from beatdesk.inbox.actions import tracking_url
from beatdesk.inbox.models import Case, Message
from beatdesk.portal.models import Jurisdiction
from beatdesk.units.models import User
from tests.audit.tampering import lift_append_only_trigger, restore_append_only_trigger


@pytest.fixture
def no_worker() -> Iterator[None]:
    """Queue tasks and leave them, as `make demo` does with no worker running."""
    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = True


@pytest.mark.django_db(transaction=True)
def test_it_replays_the_demo_and_prints_its_summary(
    capsys: pytest.CaptureFixture[str], no_worker: None
) -> None:
    call_command("demo", "--no-serve")

    out = capsys.readouterr().out
    assert "replayed 201 of 201 pushes" in out
    # One resident reports a knife fight now; none of the forwarded news is an emergency.
    assert "emergencies pointed to 110: 1" in out
    known = Case.objects.exclude(auto_answered_at=None).count()
    assert known >= 1
    assert f"answered from the knowledge base: {known}" in out
    assert f"messages received: {Message.objects.filter(direction='in').count()}" in out
    assert f"cases opened: {Case.objects.count()}" in out
    assert "answers sent: 4" in out
    # The resident who asked not to be named sent a tip that is sealed and verified.
    tip = Case.objects.get(resident__external_id="oDEMO_wz_001")
    assert tip.tipster_sealed
    assert tip.verifications.get().outcome == "confirmed"
    # Every demo user can sign in with a code, and civic apps have a jurisdiction to name.
    assert not User.objects.filter(is_superuser=False, second_factor__isnull=True).exists()
    assert Jurisdiction.objects.filter(code="hz.demo.beatdesk", unit__code="hz").exists()
    call_command("audit", "verify")
    assert "audit chain intact" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_tampered_copy_of_the_demo_trail_fails_verification_naming_the_first_bad_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo", "--no-serve")
    records = list(AuditRecord.objects.order_by("sequence"))
    middle, later = records[len(records) // 2], records[len(records) * 3 // 4]

    # An attacker with the owner's rights; this test commits, so the trigger comes back.
    lift_append_only_trigger()
    try:
        AuditRecord.objects.filter(pk=middle.pk).update(details={"tampered": True})
        AuditRecord.objects.filter(pk=later.pk).delete()
    finally:
        restore_append_only_trigger()

    with pytest.raises(CommandError, match=rf"broken at record {middle.sequence} ") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


@pytest.mark.django_db(transaction=True)
def test_it_creates_nothing_new_when_the_demo_replays_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo", "--no-serve")
    counts = (Message.objects.count(), Case.objects.count())

    call_command("demo", "--no-serve")

    assert (Message.objects.count(), Case.objects.count()) == counts


def test_a_demo_served_on_another_port_gives_residents_that_port_to_track_their_case(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.delenv("BEATDESK_PUBLIC_URL", raising=False)
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"

    use_public_url("http://127.0.0.1:18775")

    assert tracking_url() == "http://127.0.0.1:18775/track/"
    assert os.environ["BEATDESK_PUBLIC_URL"] == "http://127.0.0.1:18775"


def test_a_public_address_set_by_the_operator_is_kept(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setenv("BEATDESK_PUBLIC_URL", "https://police.example.cn")
    settings.PUBLIC_BASE_URL = "https://police.example.cn"

    use_public_url("http://127.0.0.1:18775")

    assert tracking_url() == "https://police.example.cn/track/"
