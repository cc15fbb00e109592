"""Read-only queries for the case pages. Each page asks a fixed number of queries
however many cases, allegations or events there are."""

from __future__ import annotations

import datetime
import re

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases import diagram, workflow
from cases.access import (
    can_download_evidence,
    can_download_letter,
    can_view_case,
    cases_visible_to,
    with_user_permission,
)
from cases.models import (
    Allegation,
    Ballot,
    BallotSeat,
    Case,
    CaseEvent,
    CaseLink,
    Complainant,
    ComplainantAppeal,
    Evidence,
    Letter,
    Recusal,
    Response,
    Sanction,
    Vote,
)
from cases.outcomes import attach_seats_and_votes, ballot_status, overdue_ballots, prior_record
from cases.workflow import STATES, CaseState, complainant_appeal_deadline
from members.models import Organization, Representative
from members.roles import roles_of

OPEN_STATES = [s for s, info in STATES.items() if not info.final]

# A whole case number ("2026-0042"; past 9,999 cases a year, "2026-10000").
WHOLE_CASE_NUMBER = re.compile(r"\d{4}-\d{4,6}", re.ASCII)
# What could be part of a case number ("2026-00", "0042", "2026").
PART_OF_CASE_NUMBER = re.compile(r"[\d-]+", re.ASCII)


def case_search(query: str) -> Q:
    """The cases a search box query finds: the case with that number when the query
    is a whole case number; otherwise the cases against organizations whose name
    contains it, and, when it could be part of a number, the cases whose number
    contains it. Each form uses an index (the unique number, the register's name
    search, `(respondent, -filed_at)`) instead of a LIKE on every case joined to its
    respondent."""
    if WHOLE_CASE_NUMBER.fullmatch(query):
        return Q(number=query)
    found = Q(respondent__in=Organization.objects.filter(name__icontains=query).values("pk"))
    if PART_OF_CASE_NUMBER.fullmatch(query):
        found |= Q(number__contains=query)
    return found


def case_list(
    *, user, query: str = "", state: str = "", principle=None, officer=None, respondent=None
) -> QuerySet[Case]:
    cases = cases_visible_to(user).select_related("respondent", "case_officer")
    query = query.strip()
    if query:
        cases = cases.filter(case_search(query))
    if state:
        cases = cases.filter(state=state)
    if principle is not None:
        # EXISTS on the (principle, case) index: a join would repeat a case once per
        # allegation and need DISTINCT over every column, for the page and its count.
        cases = cases.filter(
            Exists(Allegation.objects.filter(case=OuterRef("pk"), principle=principle))
        )
    if officer is not None:
        cases = cases.filter(case_officer=officer)
    if respondent is not None:
        cases = cases.filter(respondent=respondent)
    return cases.order_by("-filed_at", "-pk")


def case_for_page(*, number: str, user) -> Case:
    """One case with everything its page shows, or 404 for whoever may not see it."""
    try:
        case = (
            Case.objects.select_related(
                "respondent",
                "respondent__membership_class",
                "complainant",
                "complainant__member_organization",
                "procedure",
                "case_officer",
                "filed_by",
                "appeal",
                "appeal__filed_by",
                "complainant_appeal",
            )
            .prefetch_related(
                Prefetch(
                    "allegations",
                    queryset=Allegation.objects.select_related(
                        "principle", "finding", "finding__recorded_by"
                    ),
                ),
                Prefetch("evidence", queryset=Evidence.objects.select_related("added_by")),
                Prefetch(
                    "responses",
                    queryset=Response.objects.select_related("submitted_by").prefetch_related(
                        "attachments"
                    ),
                ),
                "amendments",
                "ballots",
                Prefetch(
                    "letters",
                    queryset=Letter.objects.select_related("dispatch")
                    .prefetch_related("deliveries")
                    .order_by("issued_at", "pk"),
                ),
                Prefetch("sanctions", queryset=Sanction.objects.order_by("decided_at", "pk")),
                Prefetch(
                    "recusals", queryset=Recusal.objects.select_related("member", "recorded_by")
                ),
                Prefetch(
                    "events",
                    queryset=CaseEvent.objects.select_related("actor").order_by("sequence"),
                ),
                "respondent__representatives__user",
                # The complainant's rules (docs/decisions/0021) read these.
                "complainant_submissions",
                "complainant_codes",
            )
            .get(number=number)
        )
    except Case.DoesNotExist as exc:
        raise Http404("No such case.") from exc
    if not can_view_case(user, case):
        raise Http404("No such case.")
    # Seats and votes outside prefetch_related, which skips them for a case without a
    # ballot: the page then runs the same queries for every case.
    attach_seats_and_votes(list(case.ballots.all()), among=Ballot.objects.filter(case=case))
    return case


def disclosed_evidence(case: Case) -> list[Evidence]:
    """What the respondent may see: evidence marked disclosed (their own attachments are)."""
    return [e for e in case.evidence.all() if e.disclosed_to_respondent]


def evidence_for_download(*, number: str, evidence_id: int, user) -> Evidence:
    """404 unless this user may have this file (cases.access.can_download_evidence:
    staff and seated deciders every file; the respondent's representatives the
    disclosed ones; a party's representative only their party's, whatever else
    they are)."""
    evidence = (
        Evidence.objects.select_related("case").filter(case__number=number, pk=evidence_id).first()
    )
    if evidence is None or not can_download_evidence(user, evidence):
        raise Http404("No such file.")
    return evidence


def dashboard(*, today: datetime.date | None = None, user=None) -> dict:
    """The staff dashboard. For a staff member who is also a representative of a
    member, only the cases they may see as staff or as that member's representative
    (cases.access.cases_visible_to): they are a party to their own member's cases."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=14)
    a_party = user is not None and roles_of(user).representative
    cases = cases_visible_to(user) if a_party else Case.objects.all()
    counts = dict(cases.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    by_state = [(state, STATES[state].label, counts.get(state, 0)) for state in CaseState.values]
    deadlines = list(
        cases.filter(state=CaseState.UNDER_REVIEW, response_due_on__lte=soon)
        .select_related("respondent", "case_officer")
        .order_by("response_due_on")[:100]
    )
    ballots = Ballot.objects.filter(
        closed_at__isnull=True, closes_on__gte=today, closes_on__lte=soon
    )
    ballots_closing = list(
        (ballots.filter(case__in=cases) if a_party else ballots)
        .select_related("case", "case__respondent")
        .order_by("closes_on")[:100]
    )
    appeals_closing = list(
        cases.filter(state=CaseState.SANCTIONED, appeal_deadline__lte=soon)
        .select_related("respondent")
        .order_by("appeal_deadline")[:100]
    )
    without_quorum = overdue_ballots(today)
    if a_party:
        visible = set(
            cases.filter(pk__in=[b.case_id for b in without_quorum]).values_list("pk", flat=True)
        )
        without_quorum = [b for b in without_quorum if b.case_id in visible]
    return {
        "ballots_without_quorum": without_quorum,
        "ballots_closing": ballots_closing,
        "appeals_closing": appeals_closing,
        "by_state": by_state,
        "overdue": [c for c in deadlines if c.response_due_on < today],
        "upcoming": [c for c in deadlines if c.response_due_on >= today],
        "today": today,
    }


def organization_case_summary(*, organization, user) -> list[Case]:
    """The organization page's list of cases (staff see all; others what they may)."""
    return list(cases_visible_to(user).filter(respondent=organization).order_by("-filed_at")[:50])


def portal_case_summary(*, organization, user) -> QuerySet[Case]:
    """ "Our cases": the cases against the representative's organization that they were
    given access to (from the notice of complaint on), newest first; the caller pages
    or slices it (an organization can have hundreds)."""
    return with_user_permission(
        Case.objects.filter(respondent=organization), user, "view_case"
    ).order_by("-filed_at", "-pk")


def respondent_page(case: Case) -> dict:
    """What the respondent's page shows of a case (the page adds its forms)."""
    return {
        "case": case,
        "evidence": disclosed_evidence(case),
        "no_violation_found": case.state == CaseState.NO_VIOLATION,
        "sanctions": [x for x in case.sanctions.all() if x.rescinded_at is None],
        # Listed from the letters addressed to the respondent; the download checks the
        # per-letter permission again.
        "letter_list": [x for x in case.letters.all() if x.addressee == "respondent"],
        "today": timezone.localdate(),
    }


def decider_page(case: Case, user) -> dict:
    """What a board or panel member's page shows: the ballots their role sees (the
    board the board's, the panel its own), the open one they sit on and their vote."""
    roles = roles_of(user)
    statuses = ballots_of(case)
    mine = None
    for status in statuses:
        ballot = status["ballot"]
        seated = any(s.voter_id == user.pk and s.recused_at is None for s in ballot.seats.all())
        if ballot.closed_at is None and seated:
            mine = status
    vote = None
    if mine:
        vote = next((v for v in mine["ballot"].votes.all() if v.voter_id == user.pk), None)
    # Votes are secret until the ballot closes (unless the procedure votes openly):
    # the other voters see who has voted, never how, and no projected outcome.
    visible = [
        {
            **st,
            "secret": st["ballot"].closed_at is None and not case.procedure.votes_visible_to_voters,
        }
        for st in statuses
        if (st["ballot"].kind == "board" and roles.board)
        or (st["ballot"].kind in ("appeal", "c_appeal") and roles.appeals_panel)
    ]
    return {
        "case": case,
        "ballots": visible,
        "my_ballot": mine,
        "my_vote": vote,
        # Earlier violations, where the procedure shows them to the deciders.
        "prior_record": prior_record(case) if case.procedure.deciders_see_prior_record else None,
        "today": timezone.localdate(),
    }


def ballots_of(case: Case) -> list[dict]:
    """Each ballot of the case with its status (voted, not voted, recused, projection)."""
    sanctions = [x for x in case.sanctions.all() if x.replaces_id is None]
    original = sanctions[0].kind if sanctions else ""
    return [
        ballot_status(b, case.procedure, original if b.kind == "appeal" else "")
        for b in case.ballots.all()
    ]


MY_OPEN_BALLOTS_LIMIT = 200
MY_CLOSED_BALLOTS_PAGE = 50


def my_ballots(*, user, closed_page=1) -> dict:
    """ "My ballots": the seats this board or panel member holds, open ones first
    (soonest closing, at most MY_OPEN_BALLOTS_LIMIT), then the closed ones newest first,
    a page at a time; not on a case they are a party to (as a representative of the
    respondent or of the member complainant's organization) or recused from, where
    they are no decider (cases.access.relation_to). Queried from the member's own
    seats and votes, never with a list of ids bound into the query, so a member who
    sat on 50,000 ballots waits no longer than one who sat on ten."""
    organizations = Representative.objects.filter(user_id=user.pk).values("organization_id")
    seats = (
        BallotSeat.objects.filter(voter=user, recused_at__isnull=True)
        .exclude(ballot__case__respondent_id__in=organizations)
        .exclude(
            ballot__case__complainant__in=Complainant.objects.filter(
                member_organization_id__in=organizations
            )
        )
        .exclude(ballot__case__recusals__member=user)
        .annotate(
            voted=Exists(Vote.objects.filter(ballot_id=OuterRef("ballot_id"), voter_id=user.pk))
        )
        .select_related("ballot", "ballot__case", "ballot__case__respondent")
    )
    open_seats = seats.filter(ballot__closed_at__isnull=True).order_by("ballot__closes_on", "pk")
    closed = Paginator(
        seats.filter(ballot__closed_at__isnull=False).order_by("-ballot__closed_at", "-pk"),
        MY_CLOSED_BALLOTS_PAGE,
    ).get_page(closed_page)
    return {
        "open": [(s.ballot, s.voted) for s in open_seats[:MY_OPEN_BALLOTS_LIMIT]],
        "closed": [(s.ballot, s.voted) for s in closed],
        "page": closed,
    }


def sanctions_of(organization) -> list[Sanction]:
    return list(
        Sanction.objects.filter(case__respondent=organization)
        .select_related("case")
        .order_by("-decided_at", "-pk")
    )


def letter_for_download(*, number: str, letter_id: int, user) -> Letter:
    letter = Letter.objects.select_related("case").filter(case__number=number, pk=letter_id).first()
    if letter is None or not can_download_letter(user, letter):
        raise Http404("No such letter.")
    return letter


def portal_letters(*, organization, user) -> list[Letter]:
    """The letters addressed to the representative's organization that they may open."""
    return list(
        Letter.objects.filter(
            case__respondent=organization,
            letteruserobjectpermission__user=user,
            letteruserobjectpermission__permission__codename="view_letter_pdf",
        )
        .select_related("case")
        .order_by("-issued_at", "-pk")
    )


def links_of(case: Case) -> list[tuple[CaseLink, Case]]:
    """(link, the other case) for each link of this case, oldest first."""
    links = CaseLink.objects.filter(Q(from_case=case) | Q(to_case=case)).select_related(
        "from_case__respondent", "to_case__respondent"
    )
    return [(link, link.other(case)) for link in links]


def workflow_diagram(
    *, procedure, current: str | None = None, possible=(), public: bool = False
) -> dict:
    """The workflow diagram (cases.diagram) and its text alternative, for a page: the
    paths this procedure version turns on, and no others (the SVG is cached per set)."""
    drawn = {
        "current": current,
        "possible": frozenset(possible),
        "public": public,
        "paths": workflow.open_paths(procedure),
    }
    return {
        "svg": mark_safe(  # noqa: S308  (Graphviz's SVG of the table's own labels, escaped by it)
            diagram.workflow_svg(**drawn)
        ),
        "steps": diagram.text_alternative(**drawn),
    }


# -- The complainant's page (docs/decisions/0021) --------------------------------


def complainant_case(*, number: str) -> Case:
    """The case the complainant's page shows, with what it lists (404 if none; the
    view then asks `relation_to` whether this complainant may see it)."""
    try:
        return (
            Case.objects.select_related(
                "respondent", "complainant", "procedure", "case_officer", "complainant_appeal"
            )
            .prefetch_related(
                Prefetch("letters", queryset=Letter.objects.filter(addressee="complainant")),
                "complainant_messages",
                "complainant_submissions",
                "complainant_codes",
                "responses",
                "evidence",
                "allegations",
                "amendments",
                "ballots",
            )
            .get(number=number)
        )
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def complainant_page(case: Case) -> dict:
    """What the complainant sees: the public-facing stage, the letters addressed to
    them, their deadlines, the thread with staff and what they sent. Never a vote, a
    piece of the case's evidence, or the respondent's response unless the procedure
    discloses it to the complainant."""
    appeal = getattr(case, "complainant_appeal", None)
    info = STATES[case.state]
    stage = info.complainant_label or info.public_label
    told = case.procedure.complainant_told_outcome
    if not told and case.state in (
        CaseState.SANCTIONED,
        CaseState.UNDER_APPEAL,
        CaseState.NO_VIOLATION,
    ):
        stage = "Decided"  # the procedure does not tell the complainant the outcome
    return {
        "case": case,
        "stage": stage,
        "letter_list": list(case.letters.all()),
        "thread": list(case.complainant_messages.all()),
        "submissions": list(case.complainant_submissions.all()),
        "responses": (
            [r.text for r in case.responses.all()]
            if case.procedure.complainant_sees_response
            else None
        ),
        "appeal_deadline": complainant_appeal_deadline(case),
        # What an appeal would be against, in words, and whether the panel could send
        # the case to a new vote (only after a vote: a finding of no violation).
        "appealable": "the dismissal"
        if case.state == CaseState.DISMISSED
        else ("the finding of no violation" if told else "the decision"),
        "appealable_by_vote": case.state == CaseState.NO_VIOLATION,
        "complainant_appeal": appeal,
        "today": timezone.localdate(),
    }


def complainant_staff_panel(case: Case) -> dict:
    """The staff side of the complainant's page: the thread, the submissions and
    the access code's history (never the code)."""
    return {
        "thread": list(case.complainant_messages.select_related("author")),
        "submissions": list(case.complainant_submissions.select_related("decided_by", "evidence")),
        "codes": list(case.complainant_codes.select_related("issued_by", "revoked_by")),
        "complainant_appeal": ComplainantAppeal.objects.filter(case=case).first(),
    }
