"""What one person may change by importing a matrix: only inside the units they manage.

An operator or system administrator imports for the units their role covers: new units hang
under one of them, people and accounts belong to one of them, and nobody who also works
elsewhere is changed. An operator grants only the roles of officers on the street; every
other role (leader, approver, inspector, center staff, operator, the administrators) reads
or decides more than an operator does and is granted by a system administrator. Nobody
changes their own roles by import.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from beatdesk.channels.models import Account
from beatdesk.units.access import role_roots
from beatdesk.units.models import Role, Unit, User

IMPORT_ROLES = frozenset({Role.OPERATOR, Role.SYSTEM_ADMIN})
# What an operator may grant: no more than officers hold, and less than the operator does.
OPERATOR_GRANTABLE = frozenset({Role.OFFICER, Role.DUTY_OFFICER})


def may_import(user: User) -> bool:
    """Return whether the user may import a matrix file at all."""
    return bool(role_roots(user, IMPORT_ROLES))


def _within(unit: Unit, roots: Iterable[str]) -> bool:
    return any(unit.path.startswith(root) for root in roots)


@dataclass(frozen=True)
class Importer:
    """Who imports, and the paths of the subtrees they may change (None: every unit)."""

    actor: User | None
    roots: tuple[str, ...] | None
    admin_roots: tuple[str, ...] | None

    @classmethod
    def unlimited(cls) -> "Importer":
        """The command line's importer: the person at the console may change anything."""
        return cls(actor=None, roots=None, admin_roots=None)

    @classmethod
    def for_user(cls, user: User) -> "Importer":
        roots = tuple(unit.path for unit in role_roots(user, IMPORT_ROLES))
        admin_roots = tuple(unit.path for unit in role_roots(user, {Role.SYSTEM_ADMIN}))
        return cls(actor=user, roots=roots, admin_roots=admin_roots)

    def check_unit(self, code: str, parent: Unit | None) -> None:
        """Refuse a unit outside the importer's units, or a new place for it outside them."""
        if self.roots is None:
            return
        existing = Unit.objects.filter(code=code).first()
        if existing is not None:
            self._check_inside(existing)
            # An importer may rename their own top unit, which stays where it is.
            if existing.parent_id == (parent.pk if parent else None):
                return
        if parent is None or not _within(parent, self.roots):
            raise ValueError(_("unit %(code)s must sit under a unit you manage") % {"code": code})

    def check_person(self, username: str, unit: Unit, roles: Iterable[str]) -> None:
        """Refuse a person at a unit outside, a role above an officer's, or oneself."""
        if self.roots is None or self.admin_roots is None:
            return
        self._check_inside(unit)
        if self.actor is not None and username == self.actor.username:
            raise ValueError(_("you may not change your own roles by import"))
        beyond = sorted(set(roles) - OPERATOR_GRANTABLE)
        if beyond and not _within(unit, self.admin_roots):
            message = _("only a system administrator may grant %(roles)s")
            raise ValueError(message % {"roles": ", ".join(beyond)})
        self._check_person_inside(username)

    def check_account(self, code: str, unit: Unit, owner: User | None) -> None:
        """Refuse an account of a unit outside, or one whose owner also works elsewhere."""
        if self.roots is None:
            return
        self._check_inside(unit)
        existing = Account.objects.filter(code=code).select_related("unit").first()
        if existing is not None:
            self._check_inside(existing.unit)
        if owner is not None:
            self._check_person_inside(owner.username)

    def _check_inside(self, unit: Unit) -> None:
        assert self.roots is not None
        if not _within(unit, self.roots):
            message = _("unit %(code)s is outside the units you manage")
            raise ValueError(message % {"code": unit.code})

    def _check_person_inside(self, username: str) -> None:
        # Changing someone who also works elsewhere would reach beyond the importer's units.
        assert self.roots is not None
        user = User.objects.filter(username=username).first()
        if user is None:
            return
        units = [assignment.unit for assignment in user.role_assignments.select_related("unit")]
        if user.is_superuser or user.is_staff or not all(_within(u, self.roots) for u in units):
            message = _("%(username)s also works outside the units you manage")
            raise ValueError(message % {"username": username})
