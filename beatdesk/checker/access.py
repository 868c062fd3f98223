"""Who may check text where, and who may edit which unit's lexicon."""

from django.db.models import QuerySet
from django.http import Http404

from beatdesk.checker.models import Lexicon
from beatdesk.units.access import units_for
from beatdesk.units.models import Unit, User
from beatdesk.units.policy import Action, roles_for

# Everyone who writes or approves what the police say may check text (policy table).
CHECK_ROLES = roles_for(Action.CHECK_TEXT)
# The wording rules of a unit and the units below it belong to the network center and the
# security administrator; officers and operators propose changes, they do not make them.
LEXICON_EDIT_ROLES = roles_for(Action.EDIT_LEXICON)


def check_units_for(user: User) -> QuerySet[Unit]:
    """Return the units whose lexicon the user may check text against."""
    return units_for(user, CHECK_ROLES)


def check_unit_for(user: User, code: str | None) -> Unit:
    """Return the unit named by `code` if the user may check there, else their highest unit.

    A code outside the user's units is not found, the same as a code that does not exist.
    """
    units = check_units_for(user).order_by("depth", "code")
    unit = units.filter(code=code).first() if code else units.first()
    if unit is None:
        raise Http404("No such unit")
    return unit


def lexicons_for(user: User) -> QuerySet[Lexicon]:
    """Return the lexicon layers the user may edit."""
    return Lexicon.objects.filter(unit__in=units_for(user, LEXICON_EDIT_ROLES))


def may_edit_lexicon(user: User, unit: Unit) -> bool:
    """Return whether the user may change the lexicon layer of `unit`."""
    return units_for(user, LEXICON_EDIT_ROLES).filter(pk=unit.pk).exists()


def lexicon_unit_for(user: User, code: str) -> Unit:
    """Return the unit whose layer the user may edit; any other code is not found."""
    unit = units_for(user, LEXICON_EDIT_ROLES).filter(code=code).first()
    if unit is None:
        raise Http404("No such unit")
    return unit
