"""Who may see and do what on a case: the one place every service, selector and view
asks.

- `authorize(user, case, name)`: may this user take this step or action now? Raises
  PermissionDenied (who) or TransitionRefused (state, rules) with the table's wording.
  Every service calls it first, under the case lock.
- `offered(user, case)`: the steps and actions a page offers this user, each with its
  unmet rules; the same table, so a form is shown exactly when the service would
  accept it (its rules aside, which the page lists as reasons).
- `relation_to(user, case)`: which view of this case the user has, decided by their
  relation to that case first (least privilege for people with several roles):
  a representative of a party is that party and nothing more, whatever else they
  are; a recused decider is no decider; board and panel members are deciders only
  through their seat on the case's ballot, never through their group. Every page,
  download and form, and the table's `Who`, go by it.
- Per-case permissions (django-guardian, direct foreign-key tables) are read through
  `case_permissions`; ethics staff see every case by their role (unless they are a
  party to it), everyone else only through a permission granted on that case.
  `is_superuser` grants nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from cases import workflow
from cases.models import (
    BallotSeat,
    Case,
    CaseUserObjectPermission,
    Complainant,
    LetterUserObjectPermission,
    Recusal,
)
from cases.workflow import CaseMovedOn, TransitionRefused
from members.models import Representative
from members.roles import roles_of


def case_permissions(user, case) -> frozenset[str]:
    """The codenames this user holds on this case, directly or through a group."""
    return case.held_permissions(user)


def forget_permissions(case) -> None:
    case.forget_permissions()
    case.__dict__.pop("_relation_cache", None)


# ---------------------------------------------------------------------------
# The user's relation to one case: which view of it they have
# ---------------------------------------------------------------------------

STAFF_VIEW = "staff"  # ethics staff, not a party and not recused: the whole case
DECIDER_VIEW = "decider"  # seated on the case's ballot, not recused: the dossier
RESPONDENT_VIEW = "respondent"  # a representative of the respondent, from the notice
NO_VIEW = "none"  # anyone else, a complainant's organization's representative included


def _party_flags(user, case) -> dict:
    """One query: is the user a representative of the respondent or of the member
    complainant's organization, recused on the case, seated on one of its ballots,
    holding view_case on it themselves (not through a group)?"""
    case_id = case.pk
    return (
        Case.objects.filter(pk=case_id)
        .annotate(
            represents_respondent=Exists(
                Representative.objects.filter(
                    user_id=user.pk, organization_id=OuterRef("respondent_id")
                )
            ),
            represents_complainant=Exists(
                Representative.objects.filter(
                    user_id=user.pk,
                    organization_id__in=Complainant.objects.filter(
                        pk=OuterRef(OuterRef("complainant_id")), member_organization__isnull=False
                    ).values("member_organization_id"),
                )
            ),
            recused=Exists(Recusal.objects.filter(case_id=OuterRef("pk"), member_id=user.pk)),
            seated=Exists(
                BallotSeat.objects.filter(
                    ballot__case_id=OuterRef("pk"), voter_id=user.pk, recused_at__isnull=True
                )
            ),
            views=Exists(
                CaseUserObjectPermission.objects.filter(
                    content_object_id=OuterRef("pk"),
                    user_id=user.pk,
                    permission__codename="view_case",
                )
            ),
        )
        .values("represents_respondent", "represents_complainant", "recused", "seated", "views")
        .get()
    )


def relation_to(user, case) -> str:
    """Which view of this case this user has: STAFF_VIEW, DECIDER_VIEW,
    RESPONDENT_VIEW or NO_VIEW. Their relation to the case comes first:

    - a representative of the respondent sees the respondent's view (from the notice
      of complaint, when they are given view_case) and nothing more, whatever else
      they are: board, panel, even ethics staff;
    - a representative of the member complainant's organization sees nothing of the
      case in Probity (the complainant is written to), whatever else they are;
    - a recused or conflicted board or panel member sees nothing;
    - ethics staff see the staff view, by their role;
    - a board or panel member sees the deciders' view only while seated on the case's
      ballot (a seat not taken back by a recusal) and holding view_case on it
      themselves: their group alone grants nothing, and the seat, not the group,
      decides (the table's DECIDER actions still ask the role too).

    Two queries per (user, case) (this, and the permissions the table then asks),
    remembered on the case instance until a grant or revocation
    (`forget_permissions`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_VIEW
    cache = case.__dict__.setdefault("_relation_cache", {})
    if user.pk not in cache:
        cache[user.pk] = _relation(user, case)
    return cache[user.pk]


def _relation(user, case) -> str:
    flags = _party_flags(user, case)
    # Read (and remembered) here, so the table's questions that follow cost nothing
    # and a page asks the same queries whatever its state offers.
    case_permissions(user, case)
    if flags["represents_respondent"]:
        return RESPONDENT_VIEW if flags["views"] else NO_VIEW
    if flags["represents_complainant"] or flags["recused"]:
        return NO_VIEW
    roles = roles_of(user)
    if roles.ethics_staff:
        return STAFF_VIEW
    # The seat decides, not the group: a member seated when the ballot opened keeps
    # it (and may vote) until a recusal takes it, as the count expects.
    if flags["seated"] and flags["views"]:
        return DECIDER_VIEW
    return NO_VIEW


def _who_may(user, case, name: str) -> bool:
    """The table's `who_may`, told the user's relation to the case."""
    relation = relation_to(user, case) if user is not None else None
    return workflow.who_may(user, case, name, relation)


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
    if not _who_may(user, case, name):
        raise PermissionDenied(refusal_for_who(user, case, name))
    if not workflow.path_open(name, case.procedure):
        raise TransitionRefused(workflow.path_refusal(name, case.procedure))
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
    if case is not None and (
        relation_to(user, case) != STAFF_VIEW or "manage_case" not in case_permissions(user, case)
    ):
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
        if case.state in item.states
        and workflow.path_open(item.name, case.procedure)
        and _who_may(user, case, item.name)
    }


def steps_offered(user, case) -> list[Offer]:
    return [o for o in offered(user, case).values() if isinstance(o.item, workflow.Step)]


# ---------------------------------------------------------------------------
# Seeing cases, evidence and letters
# ---------------------------------------------------------------------------


def can_view_case(user, case) -> bool:
    return relation_to(user, case) != NO_VIEW


def case_permission_id(codename: str) -> Subquery:
    """The permission's id as an uncorrelated subquery, evaluated once: compared to
    `permission_id` it lets the (user, permission, case) index answer each case with
    one lookup. Joined to auth_permission by codename instead, SQLite can use only
    the index's user prefix and reads all of the user's rows for every case (a
    board member's /cases/ at 20,000 cases: 60 s, against 50 ms)."""
    return Subquery(
        Permission.objects.filter(
            content_type__app_label="cases", content_type__model="case", codename=codename
        ).values("pk")[:1]
    )


def with_user_permission(cases: QuerySet, user, codename: str) -> QuerySet:
    """Cases on which the user holds `codename` themselves (not through a group)."""
    granted = CaseUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"), user=user, permission_id=case_permission_id(codename)
    )
    return cases.filter(Exists(granted))


def cases_visible_to(user) -> QuerySet:
    """The cases the user may open (the list; each page asks `relation_to` again).
    Staff see every case but those they are a party to or recused from (of their
    own organization's, only those they were given as its representative); everyone
    else, those on which they hold view_case themselves, minus recusals."""
    roles = roles_of(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    recused = Recusal.objects.filter(case_id=OuterRef("pk"), member_id=user.pk)
    if roles.ethics_staff:
        if not roles.representative:
            return Case.objects.exclude(Exists(recused))
        organizations = Representative.objects.filter(user_id=user.pk).values("organization_id")
        complained = Complainant.objects.filter(member_organization_id__in=organizations).values(
            "pk"
        )
        not_a_party = Case.objects.exclude(respondent_id__in=organizations).exclude(
            complainant_id__in=complained
        )
        own = with_user_permission(
            Case.objects.filter(respondent_id__in=organizations), user, "view_case"
        )
        return (not_a_party | own).exclude(Exists(recused))
    return with_user_permission(Case.objects.all(), user, "view_case").exclude(Exists(recused))


def sees_everything(user, case) -> bool:
    """Staff and seated deciders see all the case's evidence and letters, withheld
    ones included; anyone else, at most what is disclosed to the respondent."""
    return relation_to(user, case) in (STAFF_VIEW, DECIDER_VIEW)


def can_download_evidence(user, evidence) -> bool:
    """Staff and seated deciders, every file; the respondent's representatives, the
    files disclosed to the respondent (their own attachments are); no one else."""
    relation = relation_to(user, evidence.case)
    if relation in (STAFF_VIEW, DECIDER_VIEW):
        return True
    return relation == RESPONDENT_VIEW and evidence.disclosed_to_respondent


def can_download_letter(user, letter) -> bool:
    """Staff, and the board and panel seated on the case, get all its letters; the
    respondent's representatives only a letter on which they hold view_letter_pdf
    themselves (the letters addressed to the respondent); no one else any."""
    case = letter.case
    relation = relation_to(user, case)
    if relation in (STAFF_VIEW, DECIDER_VIEW):
        return True
    if relation != RESPONDENT_VIEW:
        return False
    return LetterUserObjectPermission.objects.filter(
        user=user, content_object=letter, permission__codename="view_letter_pdf"
    ).exists()
