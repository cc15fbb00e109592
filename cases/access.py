"""Who may see and do what on a case: the one place every service, selector and view
asks.

- `authorize(user, case, name)`: may this user take this step or action now? Raises
  PermissionDenied (who) or TransitionRefused (state, rules) with the table's wording.
  Every service calls it first, under the case lock.
- `offered(user, case)`: the steps and actions a page offers this user, each with its
  unmet rules; the same table, so a form is shown exactly when the service would
  accept it (its rules aside, which the page lists as reasons).
- Per-case permissions (django-guardian, direct foreign-key tables) are read through
  `case_permissions`; ethics staff see every case by their role, everyone else only
  through a permission granted on that case. `is_superuser` grants nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet

from cases import workflow
from cases.models import Case, CaseUserObjectPermission, LetterUserObjectPermission
from cases.workflow import CaseMovedOn, TransitionRefused
from members.roles import roles_of


def case_permissions(user, case) -> frozenset[str]:
    """The codenames this user holds on this case, directly or through a group."""
    return case.held_permissions(user)


def forget_permissions(case) -> None:
    case.forget_permissions()


# ---------------------------------------------------------------------------
# Steps and actions
# ---------------------------------------------------------------------------


def refusal_for_who(user, case, name: str) -> str:
    item = workflow.entry(name)
    if isinstance(item, workflow.Step):
        return f"You may not “{item.label.lower()}” on case {case.number}."
    if item.who is workflow.STAFF:
        if user is None or not roles_of(user).ethics_staff:
            return "Only ethics staff may do this."
        return "You do not have the staff permission on this case."
    if item.who is workflow.RESPONDENT and name == "respond":
        return "Only the respondent's representatives may respond to this case."
    if item.who is workflow.VOTER:
        return "You are not an eligible voter on this case."
    if item.who is workflow.DECIDER:
        if user is None or not roles_of(user).decider:
            return "Only board and appeals-panel members declare conflicts."
        return "You have no access to this case."
    return f"You may not {item.doing} on case {case.number}."


def authorize(
    user, case, name: str, *, expected_state: str | None = None
) -> workflow.Step | workflow.Action:
    """Refuse, with the table's own wording, unless this user may take this step or
    action on this case now: who first (403, whatever the state), then whether the
    case is still in the state the user saw (`expected_state`), then the state, then
    the rules. Returns the table entry. The caller holds the case lock."""
    item = workflow.entry(name)
    if not workflow.who_may(user, case, name):
        raise PermissionDenied(refusal_for_who(user, case, name))
    if expected_state and case.state != expected_state:
        raise CaseMovedOn(
            f"This case has moved on: it is now {case.state_label.lower()}. "
            "Reload the page to see what changed."
        )
    if case.state not in item.states:
        closed = getattr(item, "closed_refusal", "")
        if closed:
            raise PermissionDenied(closed)
        raise TransitionRefused(item.refusal(case))
    unmet = item.unmet(case)
    if unmet:
        raise TransitionRefused([check.reason for check in unmet])
    return item


def require_reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(f"{label}: a written reason is required.")
    return reason


def require_staff(user, case=None) -> None:
    """Ethics staff (and, given a case, holding the staff permission on it): for the
    staff pages and services that are not about one case's state."""
    if user is None or not roles_of(user).ethics_staff:
        raise PermissionDenied("Only ethics staff may do this.")
    if case is not None and "manage_case" not in case_permissions(user, case):
        raise PermissionDenied("You do not have the staff permission on this case.")


@dataclass(frozen=True)
class Offer:
    """A step or action a page offers: its table entry and the rules it still waits for."""

    item: workflow.Step | workflow.Action
    unmet: list

    @property
    def name(self) -> str:
        return self.item.name

    @property
    def step(self):  # templates written for steps read offer.step.label
        return self.item

    @property
    def ready(self) -> bool:
        return not self.unmet


def offered(user, case, names: Iterable[str] | None = None) -> dict[str, Offer]:
    """{name: Offer} for every step and action (or those named) that this user may
    take from the case's state, in table order. Pages show a form exactly for these."""
    entries = (
        [workflow.entry(n) for n in names]
        if names is not None
        else [*workflow.STEPS.values(), *workflow.ACTIONS.values()]
    )
    return {
        item.name: Offer(item, item.unmet(case))
        for item in entries
        if case.state in item.states and workflow.who_may(user, case, item.name)
    }


def steps_offered(user, case) -> list[Offer]:
    return [o for o in offered(user, case).values() if isinstance(o.item, workflow.Step)]


# ---------------------------------------------------------------------------
# Seeing cases, evidence and letters
# ---------------------------------------------------------------------------


def can_view_case(user, case) -> bool:
    if roles_of(user).ethics_staff:
        return True
    return "view_case" in case_permissions(user, case)


def with_user_permission(cases: QuerySet, user, codename: str) -> QuerySet:
    """Cases on which the user holds `codename` themselves (not through a group)."""
    granted = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission__codename=codename
    )
    return cases.filter(Exists(granted))


def cases_visible_to(user) -> QuerySet:
    roles = roles_of(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if roles.ethics_staff:
        return Case.objects.all()
    return with_user_permission(Case.objects.all(), user, "view_case")


def sees_as_decider(user, case) -> bool:
    """A board or panel member with access who is not the respondent's representative:
    they see the deciders' view of the case."""
    return roles_of(user).decider and "respond_to_case" not in case_permissions(user, case)


def can_download_letter(user, letter) -> bool:
    """Staff, and the board and panel with access to the case, get all its letters;
    anyone else only a letter on which they hold view_letter_pdf (the respondent's
    representatives, for the letters addressed to the respondent)."""
    case = letter.case
    if roles_of(user).ethics_staff:
        return True
    if "view_case" not in case_permissions(user, case):
        return False
    if sees_as_decider(user, case):
        return True
    return LetterUserObjectPermission.objects.filter(
        user=user, content_object=letter, permission__codename="view_letter_pdf"
    ).exists()
