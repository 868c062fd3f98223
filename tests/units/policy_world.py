"""One world for the policy tests: two cities, a person for every role, an object everywhere.

province
  city-1
    county-1          leader, inspector, center staff and the three administrators
      station-a       officer, duty officer, account operator, approver
        community-a1
      station-b
    county-2
  city-2
    county-3          officer Dora, who asks other units to take cases
      station-c
      station-d       where every offered case waits (no one in the cast covers it)

Each unit a placement can name holds a case (written in by a resident over WeChat), a
photo on that case, a canned answer, a duty shift, a Weibo account that publishes by hand
with a post waiting on it, and a case at station-d that station-d asks that unit to take.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from beatdesk.channels import outbox
from beatdesk.channels.models import Account, ChannelKind, OutboxMessage
from beatdesk.channels.wechat.peer import WeChatPeer
from beatdesk.inbox.actions import do_request_transfer
from beatdesk.inbox.models import (
    CannedAnswer,
    Case,
    CaseTransfer,
    CaseType,
    Direction,
    DuplicateProposal,
    FollowUp,
    FollowUpKind,
    MediationOutcome,
    Priority,
    Resident,
)
from beatdesk.portal.models import Photo
from beatdesk.units.duty import local_day
from beatdesk.units.models import DutyShift, Role, Unit, UnitKind, User
from beatdesk.units.policy import Placement
from tests.conftest import (
    AES_KEY,
    APP_ID,
    ORIGINAL_ID,
    TOKEN,
    make_unit,
    make_user,
    make_wechat_account,
)
from tests.inbox.helpers import resident_writes
from tests.portal.conftest import image_bytes

# Where each placement points, seen from a person at a station or at the county.
PLACES = {
    "station-a": {
        Placement.OWN: "station-a",
        Placement.CHILD: "community-a1",
        Placement.PARENT: "county-1",
        Placement.SIBLING: "station-b",
        Placement.OTHER_CITY: "station-c",
    },
    "county-1": {
        Placement.OWN: "county-1",
        Placement.CHILD: "station-a",
        Placement.PARENT: "city-1",
        Placement.SIBLING: "county-2",
        Placement.OTHER_CITY: "station-c",
    },
}
PLACED_UNITS = sorted({code for places in PLACES.values() for code in places.values()})

# The cast: a person for every role, at the unit where that role is usually held.
CAST = {
    "officer_anna": (Role.OFFICER, "station-a"),
    "duty_dan": (Role.DUTY_OFFICER, "station-a"),
    "operator_olga": (Role.OPERATOR, "station-a"),
    "approver_amy": (Role.APPROVER, "station-a"),
    "leader_li": (Role.LEADER, "county-1"),
    "inspector_ivy": (Role.INSPECTOR, "county-1"),
    "center_chen": (Role.CENTER_STAFF, "county-1"),
    "sysadmin_sam": (Role.SYSTEM_ADMIN, "county-1"),
    "security_sue": (Role.SECURITY_ADMIN, "county-1"),
    "auditor_audrey": (Role.AUDIT_ADMIN, "county-1"),
}
# Signed in, no role anywhere: every object is somewhere they do not belong.
OUTSIDER = "outsider_otto"
PEOPLE = [*CAST, OUTSIDER]
HOLDING_UNIT = "station-d"
# The Weibo user behind every unit's account: the links people record must name it.
WEIBO_UID = "5000000001"

TREE = [
    ("province", UnitKind.PROVINCE, None),
    ("city-1", UnitKind.CITY, "province"),
    ("city-2", UnitKind.CITY, "province"),
    ("county-1", UnitKind.COUNTY, "city-1"),
    ("county-2", UnitKind.COUNTY, "city-1"),
    ("county-3", UnitKind.COUNTY, "city-2"),
    ("station-a", UnitKind.STATION, "county-1"),
    ("station-b", UnitKind.STATION, "county-1"),
    ("community-a1", UnitKind.COMMUNITY, "station-a"),
    ("station-c", UnitKind.STATION, "county-3"),
    (HOLDING_UNIT, UnitKind.STATION, "county-3"),
]


@dataclass
class World:
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    offers: dict[str, CaseTransfer] = field(default_factory=dict)
    photos: dict[str, Photo] = field(default_factory=dict)
    canned: dict[str, CannedAnswer] = field(default_factory=dict)
    shifts: dict[str, DutyShift] = field(default_factory=dict)
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)
    weibo_accounts: dict[str, Account] = field(default_factory=dict)
    posts: dict[str, OutboxMessage] = field(default_factory=dict)
    proposals: dict[str, DuplicateProposal] = field(default_factory=dict)

    def role_of(self, name: str) -> str | None:
        return CAST[name][0] if name in CAST else None

    def unit_at(self, name: str, placement: Placement) -> str:
        """Return the code of the unit at `placement` seen from where the person works."""
        home = CAST[name][1] if name in CAST else "station-a"
        return PLACES[home][placement]


def build_world() -> World:
    world = World()
    for code, kind, parent in TREE:
        world.units[code] = make_unit(code, kind, world.units[parent] if parent else None)
    for name, (role, home) in CAST.items():
        world.people[name] = make_user(name, world.units[home], role)
    world.people[OUTSIDER] = make_user(OUTSIDER, None, None)
    world.people["officer_dora"] = make_user("officer_dora", world.units["county-3"], Role.OFFICER)
    _write_cases(world)
    for code in PLACED_UNITS:
        _furnish(world, code)
    return world


def _write_cases(world: World) -> None:
    peer = WeChatPeer(TOKEN, APP_ID, AES_KEY, ORIGINAL_ID)
    for code in [*PLACED_UNITS, HOLDING_UNIT]:
        account = make_wechat_account(world.units[code], code=f"wechat-{code}")
        turns = len(PLACED_UNITS) if code == HOLDING_UNIT else 1
        for turn in range(turns):
            resident_writes(account, peer, f"o-{code}-{turn}", "请问办理护照需要带哪些材料？")
    # Emergencies can be acknowledged and complaints have a deadline to extend, so every
    # case route has something to change when the request is allowed.
    Case.objects.update(
        priority=Priority.EMERGENCY, emergency_reason="violence", case_type="complaint"
    )
    for case in Case.objects.select_related("unit"):
        if case.unit.code != HOLDING_UNIT:
            world.cases[case.unit.code] = case
    waiting = Case.objects.filter(unit__code=HOLDING_UNIT).order_by("pk")
    for code, case in zip(PLACED_UNITS, waiting, strict=True):
        world.offers[code] = do_request_transfer(
            case, world.people["officer_dora"], world.units[code], "辖区调整"
        )


def _furnish(world: World, code: str) -> None:
    unit, case = world.units[code], world.cases[code]
    message = case.messages.filter(direction=Direction.INBOUND).get()
    assert message.delivery is not None
    world.photos[code] = Photo.objects.create(
        delivery=message.delivery,
        message=message,
        position=0,
        content_type="image/png",
        width=64,
        height=48,
        digest="0" * 64,
        data=image_bytes("PNG"),
    )
    world.canned[code] = CannedAnswer.objects.create(
        unit=unit,
        title=f"Canned of {code}",
        text="您好，已收到。",
        created_by=world.people["center_chen"],
    )
    world.follow_ups[code] = FollowUp.objects.create(
        case=case,
        kind=FollowUpKind.VISIT,
        outcome=MediationOutcome.HOLDING,
        happened_on=timezone.localdate(),
        note="回访",
        next_on=timezone.localdate() + timedelta(days=2),
    )
    on_duty = make_user(f"on_duty_{code.replace('-', '_')}", None, None)
    world.shifts[code] = DutyShift.objects.create(unit=unit, user=on_duty, day=local_day(unit))
    _weibo(world, code)
    world.proposals[code] = _duplicate_of(case)


def _weibo(world: World, code: str) -> None:
    """A Weibo account of the unit that publishes by hand, and a post waiting on it."""
    unit = world.units[code]
    account = Account.objects.create(
        code=f"weibo-{code}",
        kind=ChannelKind.WEIBO,
        name=f"Weibo of {code}",
        unit=unit,
        app_id="3000000001",
        original_id=WEIBO_UID,
        credentials=json.dumps({"app_secret": "policy-weibo-secret"}),
        channel_settings={"publish_by_hand": True},
    )
    world.weibo_accounts[code] = account
    world.posts[code], _created = outbox.enqueue_post(
        account, "城南路今晚施工封闭，请绕行。", f"post:policy-{code}", by_hand=True
    )


def _duplicate_of(case: Case) -> DuplicateProposal:
    """Open a second case at the case's unit and propose it as the same matter."""
    resident = Resident.objects.create(account=case.account, external_id=f"o-dup-{case.pk}")
    second = Case.objects.create(
        account=case.account,
        resident=resident,
        unit=case.unit,
        tracking_code=f"DUP{case.pk}",
        last_message_at=case.last_message_at,
    )
    return DuplicateProposal.objects.create(case=second, other=case, reason="text")


@dataclass(frozen=True)
class Attempt:
    """A request to make on behalf of someone, and the audit action it writes if it works."""

    method: str
    url: str
    data: dict[str, str]
    audited_as: str = ""


AttemptBuilder = Callable[[World, str, str], Attempt]


def _case_post(path: str, audited_as: str, **data: str) -> AttemptBuilder:
    def build(world: World, _name: str, code: str) -> Attempt:
        url = f"/inbox/cases/{world.cases[code].pk}/{path}"
        return Attempt("POST", url, dict(data), audited_as)

    return build


def _seal(world: World, _name: str, code: str) -> Attempt:
    # Only a tip's sender can be sealed; the world's cases are complaints until now.
    Case.objects.filter(pk=world.cases[code].pk).update(case_type="tip")
    return Attempt("POST", f"/inbox/cases/{world.cases[code].pk}/seal/", {}, "case.sealed")


def _unseal(world: World, _name: str, code: str) -> Attempt:
    # A sender the resident asked to keep anonymous, whom a leader needs to call.
    Case.objects.filter(pk=world.cases[code].pk).update(case_type="tip", tipster_sealed=True)
    url = f"/inbox/cases/{world.cases[code].pk}/unseal/"
    data = {"category": "verify", "reason": "线索需向举报人当面核实"}
    return Attempt("POST", url, data, "case.unsealed")


def _assign(world: World, name: str, code: str) -> Attempt:
    # People assign cases to themselves here: they are always among those who may take it.
    url = f"/inbox/cases/{world.cases[code].pk}/assign/"
    return Attempt("POST", url, {"assignee": str(world.people[name].pk)}, "case.assigned")


def _transfer(world: World, _name: str, code: str) -> Attempt:
    url = f"/inbox/cases/{world.cases[code].pk}/transfer/"
    data = {"to_unit": str(world.units[HOLDING_UNIT].pk), "reason": "地点在对方辖区"}
    return Attempt("POST", url, data, "case.transfer_requested")


def _follow_up(world: World, _name: str, code: str) -> Attempt:
    # Follow-ups are recorded on disputes; the world's cases become one for this attempt.
    case = world.cases[code]
    Case.objects.filter(pk=case.pk).update(case_type=CaseType.DISPUTE)
    day = timezone.localdate().isoformat()
    data = {"kind": "mediation", "outcome": "agreed", "happened_on": day, "note": "双方当面调解"}
    return Attempt("POST", f"/inbox/cases/{case.pk}/follow-ups/", data, "case.follow_up")


def _decide(verb: str, audited_as: str, **data: str) -> AttemptBuilder:
    def build(world: World, _name: str, code: str) -> Attempt:
        offer = world.offers[code]
        url = f"/inbox/cases/{offer.case_id}/transfers/{offer.pk}/{verb}/"
        return Attempt("POST", url, dict(data), audited_as)

    return build


def _duplicate(verb: str, audited_as: str) -> AttemptBuilder:
    def build(world: World, _name: str, code: str) -> Attempt:
        proposal = world.proposals[code]
        url = f"/inbox/cases/{proposal.case_id}/duplicates/{proposal.pk}/{verb}/"
        return Attempt("POST", url, {"keep": str(proposal.other_id)}, audited_as)

    return build


def _lexicon(method: str) -> AttemptBuilder:
    def build(world: World, _name: str, code: str) -> Attempt:
        url = f"/checker/lexicons/{code}/"
        if method == "GET":
            return Attempt("GET", url, {})
        term = {"action": "term", "term": "测试词", "category": "careless", "reason": "测试"}
        return Attempt(
            "POST",
            url,
            term | {"severity": "", "suggestion": "", "exceptions": ""},
            "lexicon.term_set",
        )

    return build


def _write_post(method: str) -> AttemptBuilder:
    def build(world: World, _name: str, code: str) -> Attempt:
        url = f"/posts/accounts/{world.weibo_accounts[code].code}/write/"
        if method == "GET":
            return Attempt("GET", url, {})
        data = {"text": "城南路已恢复通行。", "key": f"{world.units[code].pk:032x}"}
        return Attempt("POST", url, data, "post.written")

    return build


def _post(path: str, audited_as: str, **data: str) -> AttemptBuilder:
    def build(world: World, _name: str, code: str) -> Attempt:
        return Attempt("POST", f"/posts/{world.posts[code].pk}/{path}", dict(data), audited_as)

    return build


# How to exercise each route of the table, per method, on the object at a given unit.
ATTEMPTS: dict[tuple[str, str], AttemptBuilder] = {
    ("inbox/cases/<int:case_id>/", "GET"): lambda world, _name, code: Attempt(
        "GET", f"/inbox/cases/{world.cases[code].pk}/", {}, "case.viewed"
    ),
    ("inbox/cases/<int:case_id>/answer/", "POST"): _case_post(
        "answer/", "case.answered", text="您好，您的留言已收到，我们会尽快处理。"
    ),
    ("inbox/cases/<int:case_id>/status/", "POST"): _case_post(
        "status/", "case.status", status="in_progress"
    ),
    ("inbox/cases/<int:case_id>/verify/", "POST"): _case_post(
        "verify/", "case.verified", method="call_back", outcome="confirmed"
    ),
    ("inbox/cases/<int:case_id>/seal/", "POST"): _seal,
    ("inbox/cases/<int:case_id>/unseal/", "POST"): _unseal,
    ("inbox/cases/<int:case_id>/type/", "POST"): _case_post(
        "type/", "case.type_set", case_type="consultation"
    ),
    ("inbox/cases/<int:case_id>/extend/", "POST"): _case_post(
        "extend/", "case.deadline_extended", days="15", reason="等待鉴定结果"
    ),
    ("inbox/cases/<int:case_id>/follow-ups/", "POST"): _follow_up,
    ("inbox/cases/<int:case_id>/seen/", "POST"): _case_post("seen/", "case.emergency_seen"),
    ("inbox/cases/<int:case_id>/unmask/", "POST"): _case_post("unmask/", "case.unmasked"),
    ("inbox/cases/<int:case_id>/assign/", "POST"): _assign,
    ("inbox/cases/<int:case_id>/transfer/", "POST"): _transfer,
    ("inbox/cases/<int:case_id>/transfers/<int:transfer_id>/accept/", "POST"): _decide(
        "accept", "case.transfer_accepted"
    ),
    ("inbox/cases/<int:case_id>/transfers/<int:transfer_id>/decline/", "POST"): _decide(
        "decline", "case.transfer_declined", reason="不属于本辖区"
    ),
    ("inbox/cases/<int:case_id>/duplicates/<int:proposal_id>/merge/", "POST"): _duplicate(
        "merge", "case.merged"
    ),
    ("inbox/cases/<int:case_id>/duplicates/<int:proposal_id>/dismiss/", "POST"): _duplicate(
        "dismiss", "case.duplicate_dismissed"
    ),
    ("inbox/canned/<int:canned_id>/retire/", "POST"): lambda world, _name, code: Attempt(
        "POST", f"/inbox/canned/{world.canned[code].pk}/retire/", {}, "canned_answer.retired"
    ),
    ("inbox/duty/<int:shift_id>/remove/", "POST"): lambda world, _name, code: Attempt(
        "POST", f"/inbox/duty/{world.shifts[code].pk}/remove/", {}, "duty.removed"
    ),
    ("inbox/duty/units/<int:unit_id>/turns/", "POST"): lambda world, _name, code: Attempt(
        "POST",
        f"/inbox/duty/units/{world.units[code].pk}/turns/",
        {"enabled": "1"},
        "unit.round_robin",
    ),
    ("checker/lexicons/<str:code>/", "GET"): _lexicon("GET"),
    ("checker/lexicons/<str:code>/", "POST"): _lexicon("POST"),
    ("portal/photos/<int:photo_id>/", "GET"): lambda world, _name, code: Attempt(
        "GET", f"/portal/photos/{world.photos[code].pk}/", {}
    ),
    ("posts/accounts/<slug:code>/write/", "GET"): _write_post("GET"),
    ("posts/accounts/<slug:code>/write/", "POST"): _write_post("POST"),
    ("posts/<int:post_id>/", "GET"): lambda world, _name, code: Attempt(
        "GET", f"/posts/{world.posts[code].pk}/", {}
    ),
    ("posts/<int:post_id>/published/", "POST"): _post(
        "published/", "post.published_by_hand", link=f"https://weibo.com/{WEIBO_UID}/PqRsTuVwX"
    ),
    ("posts/<int:post_id>/abandon/", "POST"): _post(
        "abandon/", "post.abandoned", reason="out_of_date"
    ),
}
