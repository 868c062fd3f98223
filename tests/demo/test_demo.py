"""The demo runs on a fresh database and says what it did."""

import pytest
from django.core.management import call_command

from beatdesk.inbox.models import Case, Message
from beatdesk.portal.models import Jurisdiction
from beatdesk.units.models import User


@pytest.mark.django_db(transaction=True)
def test_it_replays_the_demo_and_prints_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
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
def test_it_creates_nothing_new_when_the_demo_replays_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("demo", "--no-serve")
    counts = (Message.objects.count(), Case.objects.count())

    call_command("demo", "--no-serve")

    assert (Message.objects.count(), Case.objects.count()) == counts
