"""Who may see and do what on a case: per-case permissions (django-guardian, with
direct foreign-key tables) plus the roles meant to see everything.

Ethics staff see every case (their role); everyone else sees a case only through
a permission granted on that case when the workflow reached the step that needs
it. `is_superuser` grants nothing here.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from members.roles import roles_of


def case_permissions(user, case) -> frozenset[str]:
    """The codenames this user holds on this case, directly or through a group.
    One query per (user, case), remembered on the case instance."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = case.__dict__.setdefault("_permission_cache", {})
    if user.pk not in cache:
        from cases.models import CaseGroupObjectPermission, CaseUserObjectPermission

        # Two indexed lookups on this case, UNIONed: an OR across both reverse joins
        # would pair every grant with every other and grow with the whole table.
        direct = CaseUserObjectPermission.objects.filter(content_object=case, user=user)
        through_groups = CaseGroupObjectPermission.objects.filter(
            content_object=case, group__user=user
        )
        cache[user.pk] = frozenset(
            direct.values_list("permission__codename", flat=True).union(
                through_groups.values_list("permission__codename", flat=True)
            )
        )
    return cache[user.pk]


def forget_permissions(case) -> None:
    case.__dict__.pop("_permission_cache", None)


def can_view_case(user, case) -> bool:
    roles = roles_of(user)
    if roles.ethics_staff:
        return True
    return "view_case" in case_permissions(user, case)


def with_user_permission(cases: QuerySet, user, codename: str) -> QuerySet:
    """Cases on which the user holds `codename` themselves (not through a group)."""
    from cases.models import CaseUserObjectPermission

    granted = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=codename
    )
    return cases.filter(Exists(granted))


def cases_visible_to(user) -> QuerySet:
    from cases.models import Case

    roles = roles_of(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if roles.ethics_staff:
        return Case.objects.all()
    return with_user_permission(Case.objects.all(), user, "view_case")


def can_download_letter(user, letter) -> bool:
    """Staff, and the board and panel with access to the case, get all its letters;
    anyone else only a letter on which they hold view_letter_pdf (the respondent's
    representatives, for the letters addressed to the respondent)."""
    case = letter.case
    roles = roles_of(user)
    if roles.ethics_staff:
        return True
    if "view_case" not in case_permissions(user, case):
        return False
    if (roles.board or roles.appeals_panel) and "respond_to_case" not in case_permissions(
        user, case
    ):
        return True
    from cases.models import LetterUserObjectPermission

    return LetterUserObjectPermission.objects.filter(
        user=user, content_object=letter, permission__codename="view_letter_pdf"
    ).exists()
