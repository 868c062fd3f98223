"""The policy table: which role may do what, and where the object may sit relative to them.

Every role covers the subtree of the unit where it is held, so an object sits in one of
five places as seen from that unit: the unit itself (own), below it (child), above it
(parent), beside it under the same parent (sibling), or in another city. The table names,
for each action and role, the places where the role may act. The access modules read
their role sets from it (all but the inbox's transfer roles and the duty roster's leaders,
still written out in `inbox.actions` and `inbox.views`), and `tests/units/test_policy.py`
turns every cell into an HTTP request against the real URLs, so the table, the code and
the behaviour cannot drift.

Decisions, and why:

- **Nobody acts above or beside their unit.** A role covers its unit's subtree and nothing
  else: a station officer does not see the county's cases nor the next station's, and a
  county leader sees the stations below, not the city above. Only own and child appear in
  the table; the code cannot express any other placement (`check_table` refuses one).
- **Network center staff of the province see the whole province** because every city is a
  child of the province; center staff of a city see that city only. No special case.
- **Reading and working are separate.** Everyone who handles cases (officers, duty
  officers, account operators, approvers, leaders, network center staff) reads and works
  on the cases of their units; inspectors read them and change nothing.
- **Moving a case between units is for those who answer for it**: officers, duty officers
  and leaders ask another unit and decide an offer; operators and center staff do not.
- **A unit's standing answers and its duty roster belong to its leaders**; canned answers
  also to the network center, which writes most of them.
- **Wording rules belong to the network center and the security administrator**; the
  system and security administrators may also check text, because they configure the
  checker and must see what it does.
- **Separation of duties.** The audit administrator reads the audit trail and changes no
  case, account or rule; the system administrator keeps the system running and neither
  reads nor deletes the audit trail; no administrator reads residents' messages.
- **Exporting cases** (a masked CSV, run as a job) is for leaders, network center staff and
  inspectors: officers read their cases on screen, but taking a unit's cases away in bulk
  is for those who answer for the unit or supervise it. The export page asks this table,
  and so does the report file (`reports.access`), which takes a unit's figures away too.
- **Seeing personal data whole** (unmasking) is for officers, duty officers and leaders,
  who call residents back; every screen masks it otherwise, and each showing is audited.
- **Posting through an account** (a post the outbox delivers, or one a person publishes
  by hand and records) is for account operators and the network center. It is not the
  publish action: drafts and risk-weighted approval are later work that sits on top.
- **Verifying a tip or help request** (recording how it was checked and what was found)
  is for officers, duty officers and leaders, who call back and go out; operators and the
  center answer what others have checked, and inspectors change nothing.
- **Sealing a tipster** (a tip the resident asked to keep anonymous) is a change to the
  case like any other: everyone who works on it may seal, and nobody can undo it.
  **Unsealing** (seeing who sent a sealed tip, for one response) is for leaders of the
  case's unit or above only: they answer for the tipster's safety. Officers work the tip
  without knowing who sent it; inspectors, operators, the center and administrators
  never see it, and each unsealing needs a typed reason and is audited.
- **Actions nobody holds yet** (publish, delete) are in the table so that the issue
  wiring each one has its row ready; no URL that names an object performs them
  (`NOT_OFFERED`, checked below and by the tests). Reading the audit trail is given to the
  audit administrator alone, the one such grant issue 6 decides; no page offers it yet.

The table describes staff pages. Webhooks, the public portal, Open311 and the admin are
outside it (`OUTSIDE_STAFF_POLICY` says why).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from beatdesk.units.models import Role


class Placement(StrEnum):
    """Where an object's unit sits, seen from the unit where the role is held."""

    OWN = "own"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER_CITY = "other_city"


class Action(StrEnum):
    """What a person does: the issue's ten actions, transfers, sealing, the settings pages."""

    LIST = "list"
    VIEW = "view"
    UNMASK = "unmask"
    EDIT = "edit"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    ANSWER = "answer"
    PUBLISH = "publish"
    EXPORT = "export"
    DELETE = "delete"
    READ_AUDIT = "read_audit"
    VERIFY = "verify"
    UNSEAL = "unseal"
    KEEP_CANNED_ANSWERS = "keep_canned_answers"
    KEEP_DUTY_ROSTER = "keep_duty_roster"
    EDIT_LEXICON = "edit_lexicon"
    CHECK_TEXT = "check_text"
    OPERATE_ACCOUNT = "operate_account"


SUBTREE = frozenset({Placement.OWN, Placement.CHILD})
NOWHERE: frozenset[Placement] = frozenset()

CASE_HANDLERS = (
    Role.OFFICER,
    Role.DUTY_OFFICER,
    Role.OPERATOR,
    Role.APPROVER,
    Role.LEADER,
    Role.CENTER_STAFF,
)
CASE_READERS = (*CASE_HANDLERS, Role.INSPECTOR)


def _subtree_for(roles: Iterable[Role]) -> dict[Role, frozenset[Placement]]:
    """Return a full row: the subtree for `roles`, nowhere for every other role."""
    granted = set(roles)
    return {role: SUBTREE if role in granted else NOWHERE for role in Role}


POLICY: Mapping[Action, Mapping[Role, frozenset[Placement]]] = {
    Action.LIST: _subtree_for(CASE_READERS),
    Action.VIEW: _subtree_for(CASE_READERS),
    # Seeing personal data whole is for those who call the resident back; each showing is
    # audited. Inspectors, operators and the center read cases masked.
    Action.UNMASK: _subtree_for((Role.OFFICER, Role.DUTY_OFFICER, Role.LEADER)),
    Action.EDIT: _subtree_for(CASE_HANDLERS),
    Action.ASSIGN: _subtree_for(CASE_HANDLERS),
    Action.TRANSFER: _subtree_for((Role.OFFICER, Role.DUTY_OFFICER, Role.LEADER)),
    Action.ANSWER: _subtree_for(CASE_HANDLERS),
    Action.PUBLISH: _subtree_for(()),
    # Taking cases away in bulk is for those who answer for a unit or supervise it.
    Action.EXPORT: _subtree_for((Role.LEADER, Role.CENTER_STAFF, Role.INSPECTOR)),
    Action.DELETE: _subtree_for(()),
    Action.READ_AUDIT: _subtree_for((Role.AUDIT_ADMIN,)),
    # Checking a tip or help request is done by those who call back and go out.
    Action.VERIFY: _subtree_for((Role.OFFICER, Role.DUTY_OFFICER, Role.LEADER)),
    # A sealed tipster is shown to the leaders who answer for the unit, nobody else.
    Action.UNSEAL: _subtree_for((Role.LEADER,)),
    Action.KEEP_CANNED_ANSWERS: _subtree_for((Role.LEADER, Role.CENTER_STAFF)),
    Action.KEEP_DUTY_ROSTER: _subtree_for((Role.LEADER,)),
    Action.EDIT_LEXICON: _subtree_for((Role.CENTER_STAFF, Role.SECURITY_ADMIN)),
    Action.CHECK_TEXT: _subtree_for((*CASE_READERS, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)),
    # Writing a post through a unit's account, and publishing it by hand where the platform
    # refuses the app, is for its account operators and the network center.
    Action.OPERATE_ACCOUNT: _subtree_for((Role.OPERATOR, Role.CENTER_STAFF)),
}

# Actions no URL that names an object performs yet; a later issue gives each its pages.
NOT_OFFERED = frozenset({Action.PUBLISH, Action.DELETE, Action.READ_AUDIT})


@dataclass(frozen=True)
class Route:
    """A staff URL that names an object: its kind and what each method does to it.

    `found_within` is the action whose scope finds the object at all: outside it the
    object does not exist for the user (404); inside it but without the right to act, the
    request changes nothing.
    """

    object_kind: str
    methods: Mapping[str, Action]
    found_within: Action


ROUTES: Mapping[str, Route] = {
    "inbox/cases/<int:case_id>/": Route("case", {"GET": Action.VIEW}, Action.VIEW),
    "inbox/cases/<int:case_id>/answer/": Route("case", {"POST": Action.ANSWER}, Action.VIEW),
    "inbox/cases/<int:case_id>/unmask/": Route("case", {"POST": Action.UNMASK}, Action.VIEW),
    "inbox/cases/<int:case_id>/status/": Route("case", {"POST": Action.EDIT}, Action.VIEW),
    "inbox/cases/<int:case_id>/verify/": Route("case", {"POST": Action.VERIFY}, Action.VIEW),
    "inbox/cases/<int:case_id>/seal/": Route("case", {"POST": Action.EDIT}, Action.VIEW),
    "inbox/cases/<int:case_id>/unseal/": Route("case", {"POST": Action.UNSEAL}, Action.VIEW),
    "inbox/cases/<int:case_id>/type/": Route("case", {"POST": Action.EDIT}, Action.VIEW),
    "inbox/cases/<int:case_id>/extend/": Route("case", {"POST": Action.EDIT}, Action.VIEW),
    "inbox/cases/<int:case_id>/follow-ups/": Route("case", {"POST": Action.EDIT}, Action.VIEW),
    "inbox/cases/<int:case_id>/seen/": Route("case", {"POST": Action.EDIT}, Action.VIEW),
    "inbox/cases/<int:case_id>/assign/": Route("case", {"POST": Action.ASSIGN}, Action.VIEW),
    "inbox/cases/<int:case_id>/transfer/": Route("case", {"POST": Action.TRANSFER}, Action.VIEW),
    # A transfer is placed where it asks the case to go: that unit sees the case and
    # decides, wherever the case sits now.
    "inbox/cases/<int:case_id>/transfers/<int:transfer_id>/accept/": Route(
        "transfer", {"POST": Action.TRANSFER}, Action.VIEW
    ),
    "inbox/cases/<int:case_id>/transfers/<int:transfer_id>/decline/": Route(
        "transfer", {"POST": Action.TRANSFER}, Action.VIEW
    ),
    # A proposal is placed with the case it was found on; merging changes both cases.
    "inbox/cases/<int:case_id>/duplicates/<int:proposal_id>/merge/": Route(
        "duplicate", {"POST": Action.EDIT}, Action.VIEW
    ),
    "inbox/cases/<int:case_id>/duplicates/<int:proposal_id>/dismiss/": Route(
        "duplicate", {"POST": Action.EDIT}, Action.VIEW
    ),
    "inbox/canned/<int:canned_id>/retire/": Route(
        "canned_answer", {"POST": Action.KEEP_CANNED_ANSWERS}, Action.KEEP_CANNED_ANSWERS
    ),
    "inbox/duty/<int:shift_id>/remove/": Route(
        "duty_shift", {"POST": Action.KEEP_DUTY_ROSTER}, Action.KEEP_DUTY_ROSTER
    ),
    "inbox/duty/units/<int:unit_id>/turns/": Route(
        "unit", {"POST": Action.KEEP_DUTY_ROSTER}, Action.KEEP_DUTY_ROSTER
    ),
    "checker/lexicons/<str:code>/": Route(
        "unit_code",
        {"GET": Action.EDIT_LEXICON, "POST": Action.EDIT_LEXICON},
        Action.EDIT_LEXICON,
    ),
    "posts/accounts/<slug:code>/write/": Route(
        "account",
        {"GET": Action.OPERATE_ACCOUNT, "POST": Action.OPERATE_ACCOUNT},
        Action.OPERATE_ACCOUNT,
    ),
    "posts/<int:post_id>/": Route("post", {"GET": Action.OPERATE_ACCOUNT}, Action.OPERATE_ACCOUNT),
    "posts/<int:post_id>/published/": Route(
        "post", {"POST": Action.OPERATE_ACCOUNT}, Action.OPERATE_ACCOUNT
    ),
    "posts/<int:post_id>/abandon/": Route(
        "post", {"POST": Action.OPERATE_ACCOUNT}, Action.OPERATE_ACCOUNT
    ),
    # Staff open a resident's photo from the case page; it is served only with its case.
    "portal/photos/<int:photo_id>/": Route("photo", {"GET": Action.VIEW}, Action.VIEW),
}

# Staff pages that list rows, and the action whose scope decides which rows they show. A
# row from a unit outside that scope must never appear, not even in a count.
LIST_PAGES: Mapping[str, Action] = {
    "inbox/": Action.LIST,
    "inbox/duty/": Action.LIST,
    "inbox/follow-ups/": Action.LIST,
    "inbox/canned/": Action.KEEP_CANNED_ANSWERS,
    "checker/lexicons/": Action.EDIT_LEXICON,
    # The accounts a person may post through, and their posts.
    "posts/": Action.OPERATE_ACCOUNT,
    # Counts, not rows: the units it may be narrowed to, and the cases it counts.
    "reports/": Action.LIST,
}

# URL prefixes that take ids or codes but are not staff pages, and why the table leaves
# them out. Each has its own promises and tests.
OUTSIDE_STAFF_POLICY: Mapping[str, str] = {
    "hooks/": "webhooks: the caller is a platform proving itself by signature, not staff; "
    "the code names the channel account the push is for",
    "open311/v2/": "Open311 for the public: a service code or a public request id, showing "
    "only what the resident may see",
    "admin/": "Django's admin: only superusers and staff flagged by an operator enter it, "
    "with Django's own permissions; no role grants access",
    "me/": "a person's own settings: a binding of their WeChat or QQ belongs to them, "
    "whatever their roles; any other id is 404 (channels.access.access_binding_by_id, "
    "tests/channels/test_bindings.py)",
    "jobs/": "a job and its file belong to the person who started it, whatever their roles; "
    "any other id is 404 (core.access.jobs_for, tests/core/test_jobs.py)",
}


def allowed_placements(action: Action, role: str) -> frozenset[Placement]:
    """Return where a holder of `role` may perform `action`."""
    return POLICY[action].get(Role(role), NOWHERE)


def roles_for(action: Action) -> frozenset[Role]:
    """Return every role that may perform `action` somewhere: the set access code filters by."""
    return frozenset(role for role, placements in POLICY[action].items() if placements)


def check_table() -> None:
    """Raise ValueError if the table leaves out a cell or grants what code cannot keep."""
    if set(POLICY) != set(Action):
        raise ValueError("the policy table must have a row for every action")
    # Access code filters by role over subtrees and knows no other shape; a row that
    # granted a parent or a sibling would be promised here and not kept there.
    for action, row in POLICY.items():
        if set(row) != set(Role):
            raise ValueError(f"policy row {action} must name every role")
        for role, placements in row.items():
            if placements not in (SUBTREE, NOWHERE):
                raise ValueError(f"policy {action} for {role} is neither a subtree nor none")
    for pattern, route in ROUTES.items():
        if NOT_OFFERED & set(route.methods.values()):
            raise ValueError(f"{pattern} performs an action the table says is not offered")


check_table()
