"""Separation of duties: auditors change nothing, administrators do not read the trail.

The audit administrator reads the audit trail and changes no case; the system
administrator keeps the system running and neither reads nor deletes the trail; every
change to what someone may do is itself on the trail.
"""

from django.contrib import admin
from django.test import Client

from beatdesk.audit.models import AuditRecord
from beatdesk.units.models import Role, RoleAssignment, User
from beatdesk.units.policy import NOT_OFFERED, POLICY, ROUTES, Action, Placement
from tests.conftest import make_user, signed_in
from tests.units.policy_world import ATTEMPTS, World

CHANGES = (
    Action.EDIT,
    Action.ASSIGN,
    Action.TRANSFER,
    Action.ANSWER,
    Action.VERIFY,
    Action.UNSEAL,
    Action.DELETE,
)


def _move_to_the_province(world: World, name: str) -> User:
    """Give the person their role at the top of the tree, where it covers every unit."""
    person = world.people[name]
    RoleAssignment.objects.filter(user=person).update(unit=world.units["province"])
    return person


def test_the_table_gives_the_audit_administrator_no_change_to_any_case() -> None:
    for action in CHANGES:
        assert not POLICY[action][Role.AUDIT_ADMIN], action


def test_the_table_gives_the_system_administrator_no_reading_or_deleting_of_the_trail() -> None:
    assert not POLICY[Action.READ_AUDIT][Role.SYSTEM_ADMIN]
    assert not POLICY[Action.DELETE][Role.SYSTEM_ADMIN]
    assert POLICY[Action.READ_AUDIT][Role.AUDIT_ADMIN] == {Placement.OWN, Placement.CHILD}


def test_the_audit_administrator_of_the_province_changes_no_case_anywhere(
    db: None, world: World
) -> None:
    auditor = _move_to_the_province(world, "auditor_audrey")
    client = signed_in(auditor)

    for (pattern, method), build in ATTEMPTS.items():
        if ROUTES[pattern].object_kind not in {"case", "transfer"}:
            continue
        attempt = build(world, "auditor_audrey", "station-a")
        send = client.get if method == "GET" else client.post
        assert send(attempt.url, attempt.data).status_code == 404, attempt.url

    # Signing in is on the trail too; nothing else the auditor did may be.
    assert not AuditRecord.objects.filter(actor=auditor).exclude(action="user.signed_in").exists()


def test_the_system_administrator_of_the_province_reads_no_case_nor_its_history(
    db: None, world: World
) -> None:
    # A case page shows the case's history from the trail; it stays closed to them.
    client = signed_in(_move_to_the_province(world, "sysadmin_sam"))

    for code in ("station-a", "county-1", "station-c"):
        assert client.get(f"/inbox/cases/{world.cases[code].pk}/").status_code == 404
        assert client.get(f"/portal/photos/{world.photos[code].pk}/").status_code == 404


def test_no_url_reads_or_deletes_the_audit_trail_not_even_the_admin(db: None) -> None:
    superuser = User.objects.create_superuser("root_rita", password="correct horse battery")

    response = signed_in(superuser).get("/admin/audit/auditrecord/")

    assert {Action.READ_AUDIT, Action.DELETE} <= NOT_OFFERED
    assert not admin.site.is_registered(AuditRecord)
    assert response.status_code == 404


def _role_rows(prefix: str, rows: list[dict[str, str]]) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    data |= {f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data


def _change_form(person: User, **fields: str) -> dict[str, str]:
    data = {
        "username": person.username,
        "is_active": "on",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
    }
    return data | fields


def test_granting_and_revoking_a_role_in_the_admin_are_each_one_audit_record(
    db: None, world: World
) -> None:
    superuser = User.objects.create_superuser("root_rita", password="correct horse battery")
    client = signed_in(superuser)
    person = make_user("new_officer_nina", None, None)
    url = f"/admin/units/user/{person.pk}/change/"
    station = world.units["station-a"]

    grant = _role_rows(
        "role_assignments",
        [{"unit": str(station.pk), "role": Role.OFFICER, "user": str(person.pk)}],
    )
    granted = client.post(url, _change_form(person) | grant)
    assignment = RoleAssignment.objects.get(user=person)
    revoke = _role_rows(
        "role_assignments",
        [
            {
                "id": str(assignment.pk),
                "unit": str(station.pk),
                "role": Role.OFFICER,
                "user": str(person.pk),
                "DELETE": "on",
            }
        ],
    ) | {"role_assignments-INITIAL_FORMS": "1"}
    revoked = client.post(url, _change_form(person) | revoke)

    assert (granted.status_code, revoked.status_code) == (302, 302)
    assert not RoleAssignment.objects.filter(user=person).exists()
    trail = AuditRecord.objects.filter(actor=superuser, action__startswith="role.")
    assert [(r.action, r.unit_id, r.details["role"]) for r in trail.order_by("sequence")] == [
        ("role.granted", station.pk, Role.OFFICER),
        ("role.revoked", station.pk, Role.OFFICER),
    ]


def test_making_someone_a_superuser_in_the_admin_is_audited(db: None, world: World) -> None:
    superuser = User.objects.create_superuser("root_rita", password="correct horse battery")
    person = world.people["sysadmin_sam"]

    response = signed_in(superuser).post(
        f"/admin/units/user/{person.pk}/change/",
        _change_form(person, is_staff="on", is_superuser="on")
        | _role_rows("role_assignments", []),
    )

    assert response.status_code == 302
    changed = AuditRecord.objects.get(actor=superuser, action="user.security_changed")
    assert changed.object_id == str(person.pk)
    assert changed.details == {"fields": "is_staff,is_superuser"}


def test_a_person_given_every_role_is_still_kept_out_of_the_admin(db: None, world: World) -> None:
    # Roles decide what happens on staff pages; the admin needs a flag no role sets.
    person = world.people["sysadmin_sam"]
    for role in Role:
        RoleAssignment.objects.get_or_create(user=person, unit=world.units["province"], role=role)
    client: Client = signed_in(person)

    response = client.get(f"/admin/units/user/{person.pk}/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
