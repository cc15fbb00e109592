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
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from cases import workflow
from cases.models import (
    WITHHELD_FROM_DECIDERS,
    BallotSeat,
    Case,
    CaseUserObjectPermission,
    Complainant,
    ComplainantAccess,
    LetterUserObjectPermission,
    Recusal,
)
from cases.workflow import CaseMovedOn, TransitionRefused
from members.models import Representative
from members.roles import Roles, roles_of


def case_permissions(user, case) -> frozenset[str]:
    """The codenames this user holds on this case, directly or through a group."""
    return case.held_permissions(user)


def forget_permissions(case) -> None:
    case.forget_permissions()
    case.__dict__.pop("_relation_cache", None)
    case.__dict__.pop("_party_flags", None)  # read with the case, before the change


# ---------------------------------------------------------------------------
# The user's relation to one case: which view of it they have
# ---------------------------------------------------------------------------

STAFF_VIEW = "staff"  # ethics staff, not a party and not recused: the whole case
DECIDER_VIEW = "decider"  # seated on the case's ballot, not recused: the dossier
RESPONDENT_VIEW = "respondent"  # a representative of the respondent, from the notice
COMPLAINANT_VIEW = "complainant"  # the access-code holder, or a member complainant's representative
NO_VIEW = "none"  # anyone else


class CodeHolder:
    """The complainant who signed in with the case reference and the access code
    (docs/decisions/0021). Not a Django user and never one: it stands for the
    complainant of one case, through one code, and `relation_to` gives it the
    complainant's view of that case only while the code is in force (anything else:
    no view). It holds no role and no permission; the table's COMPLAINANT `Who`
    accepts it by its relation alone. The services record its acts with no actor
    (the events say "by": "complainant")."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    pk = None
    username = "complainant"
    _probity_roles = Roles()  # members.roles.roles_of: no role

    def __init__(self, *, case_id: int, access_id: int):
        self.case_id = case_id
        self.access_id = access_id

    @property
    def relation_key(self) -> str:
        return f"code:{self.access_id}"

    def get_full_name(self) -> str:
        return _("The complainant")

    def get_username(self) -> str:
        return self.username

    def __eq__(self, other) -> bool:
        return isinstance(other, CodeHolder) and other.access_id == self.access_id

    def __hash__(self) -> int:
        return hash(("code", self.access_id))

    def __str__(self) -> str:
        return "the complainant (access code)"


def acting_user(actor):
    """The Django user to record as an event's actor: none for a code holder."""
    return None if isinstance(actor, CodeHolder) else actor


def party_flags(user) -> dict:
    """For a case query (`.annotate(**party_flags(user))`): is the user a representative
    of the respondent or of the member complainant's organization, recused on the case,
    seated on one of its ballots, holding view_case on it themselves (not through a
    group)? case_for_page reads them with the case; `remember_party_flags` keeps them."""
    return {
        "represents_respondent": Exists(
            Representative.objects.filter(
                user_id=user.pk, organization_id=OuterRef("respondent_id")
            )
        ),
        "represents_complainant": Exists(
            Representative.objects.filter(
                user_id=user.pk,
                organization_id__in=Complainant.objects.filter(
                    pk=OuterRef(OuterRef("complainant_id")), member_organization__isnull=False
                ).values("member_organization_id"),
            )
        ),
        "recused": Exists(Recusal.objects.filter(case_id=OuterRef("pk"), member_id=user.pk)),
        "seated": Exists(
            BallotSeat.objects.filter(
                ballot__case_id=OuterRef("pk"), voter_id=user.pk, recused_at__isnull=True
            )
        ),
        "views": Exists(
            CaseUserObjectPermission.objects.filter(
                content_object_id=OuterRef("pk"),
                user_id=user.pk,
                permission__codename="view_case",
            )
        ),
    }


def remember_party_flags(case, user) -> None:
    """Keep the flags a case was read with (`party_flags(user)`) for `relation_to`."""
    case.__dict__.setdefault("_party_flags", {})[user.pk] = {
        name: getattr(case, name) for name in PARTY_FLAGS
    }


PARTY_FLAGS = ("represents_respondent", "represents_complainant", "recused", "seated", "views")


def _party_flags(user, case) -> dict:
    """The flags of `party_flags`: as the case was read with them, else one query."""
    known = case.__dict__.get("_party_flags", {}).get(user.pk)
    if known is not None:
        return known
    return Case.objects.filter(pk=case.pk).annotate(**party_flags(user)).values(*PARTY_FLAGS).get()


def relation_to(user, case) -> str:
    """Which view of this case this user has: STAFF_VIEW, DECIDER_VIEW,
    RESPONDENT_VIEW or NO_VIEW. Their relation to the case comes first:

    - a representative of the respondent sees the respondent's view (from the notice
      of complaint, when they are given view_case) and nothing more, whatever else
      they are: board, panel, even ethics staff;
    - a representative of the member complainant's organization has the complainant's
      view (the complainant's page), whatever else they are; so does the holder of
      the case's access code (`CodeHolder`, docs/decisions/0021);
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
    key = workflow.relation_key(user)
    if key not in cache:
        cache[key] = (
            _code_relation(user, case) if isinstance(user, CodeHolder) else _relation(user, case)
        )
    return cache[key]


def _code_relation(holder: CodeHolder, case) -> str:
    """The complainant's view of its own case while its code is in force; of any other
    case, nothing (one query)."""
    in_force = ComplainantAccess.objects.filter(
        pk=holder.access_id, case_id=case.pk, revoked_at__isnull=True
    ).exists()
    return COMPLAINANT_VIEW if in_force and holder.case_id == case.pk else NO_VIEW


def _relation(user, case) -> str:
    flags = _party_flags(user, case)
    # Read (and remembered) here, so the table's questions that follow cost nothing
    # and a page asks the same queries whatever its state offers.
    case_permissions(user, case)
    if flags["represents_respondent"]:
        return RESPONDENT_VIEW if flags["views"] else NO_VIEW
    if flags["represents_complainant"]:
        # A member complainant follows its case with its own accounts: the
        # complainant's page, and nothing of the staff's or the deciders' view.
        return COMPLAINANT_VIEW
    if flags["recused"]:
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
    """Why this user may not take this step or action, in the active language (the
    refusals are shown, never stored)."""
    item = workflow.entry(name)
    if isinstance(item, workflow.Step):
        message = _("You may not “%(step)s” on case %(number)s.")
        return message % {"step": str(item.label).lower(), "number": case.number}
    if item.who is workflow.STAFF:
        if user is None or not roles_of(user).ethics_staff:
            return _("Only ethics staff may do this.")
        return _("You do not have the staff permission on this case.")
    if item.who is workflow.RESPONDENT and name == "respond":
        return _("Only the respondent's representatives may respond to this case.")
    if item.who is workflow.COMPLAINANT:
        return _("Only the complainant may do this, from the complainant's page.")
    if item.who is workflow.VOTER:
        return _("You are not an eligible voter on this case.")
    if item.who is workflow.DECIDER:
        if user is None or not roles_of(user).decider:
            return _("Only board and appeals-panel members declare conflicts.")
        return _("You have no access to this case.")
    message = _("You may not %(doing)s on case %(number)s.")
    return message % {"doing": item.doing, "number": case.number}


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
        message = _(
            "This case has moved on: it is now %(state)s. Reload the page to see what changed."
        )
        raise CaseMovedOn(message % {"state": workflow.state_words(case.state)})
    if case.state not in item.states:
        closed = getattr(item, "closed_refusal", "")
        if closed:
            raise PermissionDenied(str(closed))
        raise TransitionRefused(item.refusal(case))
    unmet = item.unmet(case)
    if unmet:
        raise TransitionRefused([check.reason for check in unmet])
    return item


def require_reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _("%(label)s: a written reason is required.")
        raise ValidationError(message % {"label": label})
    return reason


def require_staff(user, case=None) -> None:
    """Ethics staff (and, given a case, holding the staff permission on it): for the
    staff pages and services that are not about one case's state."""
    if user is None or not roles_of(user).ethics_staff:
        raise PermissionDenied(_("Only ethics staff may do this."))
    if case is not None and (
        relation_to(user, case) != STAFF_VIEW or "manage_case" not in case_permissions(user, case)
    ):
        raise PermissionDenied(_("You do not have the staff permission on this case."))


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
    take from the case's state and that applies to the case (its only_when rules),
    in table order. Pages show a form exactly for these."""
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
        and item.applies(case)
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
    # Their own view_case, read from the CaseViewer rows the grant service keeps with it
    # (an index of the user's cases, docs/decisions/0030).
    return Case.objects.filter(viewers__user=user).exclude(Exists(recused))


def cases_listed_for(user) -> QuerySet:
    """The cases of `cases_visible_to`, for a list newest first: annotated with the keys
    the list is ordered and paged by, `listed_at` and `listed_id` (the case's filed_at
    and id). Staff's are the case's own columns (their filed_at index); anyone else's
    are read from their CaseViewer rows, the (user, -filed_at) index giving their cases
    in order without passing over the others'."""
    cases = cases_visible_to(user)
    if roles_of(user).ethics_staff or not getattr(user, "is_authenticated", False):
        return cases.annotate(listed_at=F("filed_at"), listed_id=F("pk"))
    # The CaseViewer row cases_visible_to joined: its copy of filed_at is in its index.
    return cases.annotate(listed_at=F("viewers__filed_at"), listed_id=F("viewers__case_id"))


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
    if relation == DECIDER_VIEW and letter.kind in WITHHELD_FROM_DECIDERS:
        return False
    if relation in (STAFF_VIEW, DECIDER_VIEW):
        return True
    if relation != RESPONDENT_VIEW:
        return False
    return LetterUserObjectPermission.objects.filter(
        user=user, content_object=letter, permission__codename="view_letter_pdf"
    ).exists()


def complainant_may_download(user, letter) -> bool:
    """The complainant (code holder or member complainant's representative) gets the
    letters addressed to the complainant in their own case, and no other."""
    return letter.addressee == "complainant" and relation_to(user, letter.case) == COMPLAINANT_VIEW
