"""Within a unit: manual assignment, the duty roster, cases in turn, the duty officer alerted."""

import pytest

from beatdesk.audit.models import AuditRecord
from beatdesk.channels.models import Account
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.models import Case
from beatdesk.units.duty import local_day
from beatdesk.units.models import DutyShift, Role, User
from tests.conftest import Cast, make_user, signed_in
from tests.inbox.helpers import resident_writes

DANGER = "救命！有人拿着刀在我家楼下砍人，现在还在追，快来！"


@pytest.fixture
def case(account: Account, peer: WeChatPeer) -> Case:
    return resident_writes(account, peer, "oASSIGN", "小区门口的路灯坏了一个星期了")


@pytest.fixture
def second_officer(cast: Cast) -> User:
    return make_user("officer_an", cast.station_a, Role.OFFICER)


def put_on_duty(cast: Cast, *officers: User) -> None:
    leader = signed_in(cast.leader)
    today = local_day(cast.station_a).isoformat()
    for officer in officers:
        data = {"unit": cast.station_a.pk, "user": officer.pk, "day": today}
        assert leader.post("/inbox/duty/", data).status_code == 302


def test_an_officer_assigns_a_case_to_herself_and_the_history_says_so(
    cast: Cast, case: Case
) -> None:
    anna = signed_in(cast.officer_a)

    anna.post(f"/inbox/cases/{case.pk}/assign/", {"assignee": cast.officer_a.pk})

    case.refresh_from_db()
    assert case.assignee == cast.officer_a
    record = AuditRecord.objects.get(action="case.assigned", object_id=str(case.pk))
    assert (record.actor, record.details["via"]) == (cast.officer_a, "manual")
    page = anna.get(f"/inbox/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Officer Anna · Assigned</li>" in page


def test_a_case_cannot_go_to_an_officer_of_another_station(cast: Cast, case: Case) -> None:
    signed_in(cast.officer_a).post(
        f"/inbox/cases/{case.pk}/assign/", {"assignee": cast.officer_b.pk}
    )

    case.refresh_from_db()
    assert case.assignee is None


def test_other_stations_and_outsiders_get_404_when_assigning(cast: Cast, case: Case) -> None:
    for user in (cast.officer_b, cast.outsider):
        response = signed_in(user).post(f"/inbox/cases/{case.pk}/assign/", {"assignee": user.pk})
        assert response.status_code == 404
    case.refresh_from_db()
    assert case.assignee is None


def test_the_leader_keeps_the_roster_and_officers_only_read_it(
    cast: Cast, second_officer: User
) -> None:
    put_on_duty(cast, cast.officer_a)
    today = local_day(cast.station_a).isoformat()

    refused = signed_in(cast.officer_a).post(
        "/inbox/duty/", {"unit": cast.station_a.pk, "user": second_officer.pk, "day": today}
    )

    assert refused.status_code == 400
    assert list(DutyShift.objects.values_list("user__username", flat=True)) == ["officer_anna"]
    page = signed_in(cast.officer_a).get("/inbox/duty/").content.decode()
    assert "Officer Anna" in page
    assert (
        signed_in(cast.officer_b).get("/inbox/duty/").content.decode().count("Officer Anna") == 0
    )
    assert AuditRecord.objects.filter(action="duty.added", actor=cast.leader).exists()


def test_nobody_outside_the_unit_can_be_put_on_its_duty(cast: Cast) -> None:
    today = local_day(cast.station_a).isoformat()

    response = signed_in(cast.leader).post(
        "/inbox/duty/", {"unit": cast.station_a.pk, "user": cast.officer_b.pk, "day": today}
    )

    assert response.status_code == 400
    assert not DutyShift.objects.exists()


def test_only_a_leader_over_the_unit_removes_a_duty(cast: Cast) -> None:
    put_on_duty(cast, cast.officer_a)
    shift = DutyShift.objects.get()

    assert signed_in(cast.officer_a).post(f"/inbox/duty/{shift.pk}/remove/").status_code == 404
    assert signed_in(cast.leader).post(f"/inbox/duty/{shift.pk}/remove/").status_code == 302
    assert not DutyShift.objects.exists()


def test_new_cases_go_in_turn_to_the_people_on_duty(
    cast: Cast, second_officer: User, account: Account, peer: WeChatPeer
) -> None:
    put_on_duty(cast, cast.officer_a, second_officer)
    leader = signed_in(cast.leader)
    leader.post(f"/inbox/duty/units/{cast.station_a.pk}/turns/", {"enabled": "1"})

    assignees = [
        resident_writes(account, peer, f"oTURN{n}", "请问户口迁移要带什么材料").assignee
        for n in range(4)
    ]

    assert assignees == [cast.officer_a, second_officer, cast.officer_a, second_officer]


def test_without_turns_new_cases_wait_for_someone_to_assign_them(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    put_on_duty(cast, cast.officer_a)

    assert resident_writes(account, peer, "oWAIT", "请问户口迁移要带什么").assignee is None


def test_an_emergency_goes_to_the_duty_officer_and_every_screen_still_shows_it(
    cast: Cast, second_officer: User, account: Account, peer: WeChatPeer
) -> None:
    put_on_duty(cast, second_officer)

    case = resident_writes(account, peer, "oDANGER", DANGER)

    assert case.assignee == second_officer
    alert = AuditRecord.objects.get(action="case.duty_alerted", object_id=str(case.pk))
    assert alert.details["user"] == second_officer.pk
    banner = 'class="emergency-banner"'
    assert banner in signed_in(cast.officer_a).get("/inbox/").content.decode()
    assert banner in signed_in(second_officer).get("/inbox/").content.decode()
    assert banner not in signed_in(cast.officer_b).get("/inbox/").content.decode()


def test_an_emergency_with_nobody_on_duty_still_reaches_every_covering_screen(
    cast: Cast, account: Account, peer: WeChatPeer
) -> None:
    case = resident_writes(account, peer, "oDANGER2", DANGER)

    assert case.assignee is None
    assert 'class="emergency-banner"' in signed_in(cast.leader).get("/inbox/").content.decode()


def test_only_a_leader_over_the_unit_turns_cases_in_turn_on(cast: Cast) -> None:
    url = f"/inbox/duty/units/{cast.station_a.pk}/turns/"

    assert signed_in(cast.officer_a).post(url, {"enabled": "1"}).status_code == 404
    assert signed_in(cast.outsider).post(url, {"enabled": "1"}).status_code == 404
    cast.station_a.refresh_from_db()
    assert not cast.station_a.round_robin

    assert signed_in(cast.leader).post(url, {"enabled": "1"}).status_code == 302
    cast.station_a.refresh_from_db()
    assert cast.station_a.round_robin
    assert AuditRecord.objects.filter(action="unit.round_robin", actor=cast.leader).exists()


@pytest.mark.parametrize("day", ["2020-01-01", "9999-12-31"])
def test_a_duty_outside_the_two_weeks_the_roster_shows_is_refused(cast: Cast, day: str) -> None:
    data = {"unit": cast.station_a.pk, "user": cast.officer_a.pk, "day": day}

    response = signed_in(cast.leader).post("/inbox/duty/", data)

    assert response.status_code == 400
    assert not DutyShift.objects.exists()
