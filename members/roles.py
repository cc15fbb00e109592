"""The roles of Probity's users, and how to tell which a user holds.

Roles are Django groups created by a data migration. A representative is a user
linked to one organization (members.Representative). Superusers exist for the
admin only: nothing here treats `is_superuser` as a role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from members.models import Representative

ETHICS_STAFF = "Ethics staff"
BOARD = "Board"
APPEALS_PANEL = "Appeals panel"
ROLE_GROUPS = (ETHICS_STAFF, BOARD, APPEALS_PANEL)
# How each role group reads on a page.
ROLE_LABELS = {
    ETHICS_STAFF: _("Ethics staff"),
    BOARD: _("Board"),
    APPEALS_PANEL: _("Appeals panel"),
}


@dataclass(frozen=True)
class Roles:
    ethics_staff: bool = False
    board: bool = False
    appeals_panel: bool = False
    organization_id: int | None = None

    @property
    def representative(self) -> bool:
        return self.organization_id is not None

    @property
    def decider(self) -> bool:
        """A board or appeals-panel member (what they may see of a case comes from
        their seat on its ballot, never from this alone)."""
        return self.board or self.appeals_panel

    @property
    def sees_register(self) -> bool:
        """Staff, board and panel see the whole register; a representative only their own."""
        return self.ethics_staff or self.board or self.appeals_panel

    @property
    def label(self) -> str:
        # The group names are stored (and matched) in English; the label is shown.
        names = [
            str(name)
            for name, held in (
                (ROLE_LABELS[ETHICS_STAFF], self.ethics_staff),
                (ROLE_LABELS[BOARD], self.board),
                (ROLE_LABELS[APPEALS_PANEL], self.appeals_panel),
                (_("Representative"), self.representative),
            )
            if held
        ]
        return ", ".join(names) or str(_("No role"))


def with_roles(users: QuerySet) -> QuerySet:
    """Users with their roles read in the same query (`remember_roles` then keeps them
    on each user): how the session's user is loaded on every request (members.accounts.
    SignInBackend), so a page asks no query for the roles, and a role taken away counts
    from the very next request (nothing is carried over from one request to another)."""
    member_of = Group.objects.filter(user=OuterRef("pk"))
    return users.annotate(
        _role_staff=Exists(member_of.filter(name=ETHICS_STAFF)),
        _role_board=Exists(member_of.filter(name=BOARD)),
        _role_panel=Exists(member_of.filter(name=APPEALS_PANEL)),
        _role_organization=Subquery(
            Representative.objects.filter(user_id=OuterRef("pk"))
            .order_by()
            .values("organization_id")[:1]
        ),
    )


def remember_roles(user):
    """Keep the roles `with_roles` read on the user (what roles_of returns)."""
    user._probity_roles = Roles(
        ethics_staff=bool(user._role_staff),
        board=bool(user._role_board),
        appeals_panel=bool(user._role_panel),
        organization_id=user._role_organization,
    )
    return user


def roles_of(user) -> Roles:
    """The user's roles: read with the user (`with_roles`), else computed once per user
    object (two small queries)."""
    if not getattr(user, "is_authenticated", False):
        return Roles()
    cached = getattr(user, "_probity_roles", None)
    if cached is not None:
        return cached
    groups = set(user.groups.values_list("name", flat=True))
    organization_id = next(
        iter(
            Representative.objects.filter(user_id=user.pk)
            .order_by()
            .values_list("organization_id", flat=True)[:1]
        ),
        None,
    )
    roles = Roles(
        ethics_staff=ETHICS_STAFF in groups,
        board=BOARD in groups,
        appeals_panel=APPEALS_PANEL in groups,
        organization_id=organization_id,
    )
    user._probity_roles = roles
    return roles


def is_ethics_staff(user) -> bool:
    return roles_of(user).ethics_staff
