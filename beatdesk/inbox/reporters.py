"""Who else reported a case's matter: the residents whose cases were merged into it.

After a merge the kept case carries every resident's messages, but its own resident is
only one of them. An answer that concerns the matter, not one person, may go to each of
the others too, on the channel each of them wrote on; `inbox.actions.do_answer_case`
sends it when the officer asks. An answer holding personal data or a protected name never
goes to them (see `SHARED_ANSWER_REFUSED`): it was written to one resident.
"""

from beatdesk.checker.core import Category, CheckResult
from beatdesk.inbox.models import Case

# Findings that make an answer one resident's alone.
SHARED_ANSWER_REFUSED = frozenset({Category.PERSONAL_DATA, Category.SECRECY})

# Merges chain (a case merged into one that was later merged into a third); no real chain
# is long, and a bound keeps a damaged one from looping.
MAX_MERGE_DEPTH = 20


def merged_reporters(case: Case) -> list[Case]:
    """Return, for each other resident whose case was merged into this one, that case.

    Cases merged into a case that was itself merged here count too. The kept case's own
    resident, residents whose channel id the retention purge replaced and residents of an
    account since switched off (nothing is sent through it) are left out; a resident with
    several merged cases is named once, by the earliest.
    """
    merged: list[Case] = []
    level = [case.pk]
    for _depth in range(MAX_MERGE_DEPTH):
        found = list(
            Case.objects.filter(merged_into_id__in=level)
            .select_related("resident", "account")
            .order_by("pk")
        )
        if not found:
            break
        merged.extend(found)
        level = [other.pk for other in found]

    reporters: dict[int, Case] = {}
    for other in sorted(merged, key=lambda other: other.pk):
        resident = other.resident
        if resident.pk == case.resident_id or not may_write_to(other):
            continue
        reporters.setdefault(resident.pk, other)
    return list(reporters.values())


def merged_onward(case: Case) -> list[Case]:
    """Return the cases this one was merged into, in order: the last is where it lives now.

    Empty for a case never merged. After B was merged into A and A into Z, B's list is
    [A, Z]: B's resident's new messages and answers belong to Z.
    """
    onward: list[Case] = []
    current = case
    while current.merged_into_id is not None and len(onward) < MAX_MERGE_DEPTH:
        current = Case.objects.get(pk=current.merged_into_id)
        onward.append(current)
    return onward


def may_write_to(case: Case) -> bool:
    """Return whether the case's resident can still be written to on its account."""
    return case.resident.anonymized_at is None and case.account.is_active


def is_for_one_resident(result: CheckResult) -> bool:
    """Return whether the checked answer holds what only its own resident may read."""
    return any(finding.category in SHARED_ANSWER_REFUSED for finding in result.findings)
