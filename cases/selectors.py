"""Read-only queries for the case pages. Each page asks a fixed number of queries
however many cases, allegations or events there are."""

from __future__ import annotations

import datetime
import re

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

from association.paging import KeysetPage, keyset_page
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
    Evidence,
    Letter,
    Publication,
    PublicationLevel,
    Recusal,
    Response,
    RetentionKind,
    Sanction,
    Vote,
)
from cases.outcomes import attach_seats_and_votes, ballot_status, prior_record
from cases.services.retention import PERIODS as RETENTION_PERIODS
from cases.services.retention import due_on, on_hold
from cases.workflow import STATES, CaseState
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


def case_list_page(
    cases: QuerySet[Case], *, size: int, after: str = "", before: str = "", go: str = ""
) -> KeysetPage:
    """One page of the case list, newest first, by keyset (association.paging): after
    or before a cursor, or from `go`, a case number or a date ("2026-03-01": the cases
    entered on that day or before). The (-filed_at, -pk) order is the index's."""
    start_at, problem = None, ""
    go = go.strip()
    if go:
        try:
            day = datetime.date.fromisoformat(go)
        except ValueError:
            found = cases.filter(number=go).values_list("filed_at", "pk").first()
            if found is None:
                problem = f"No case numbered “{go}” is in this list."
            else:
                start_at = found
        else:
            end_of_day = datetime.datetime.combine(day, datetime.time.max)
            start_at = (timezone.make_aware(end_of_day), 2**62)  # every case of that day
    page = keyset_page(
        cases,
        order=("-filed_at", "-pk"),
        kinds=(datetime.datetime, int),
        size=size,
        after=after,
        before=before,
        start_at=start_at,
    )
    page.problem = problem or page.problem
    return page


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
                "publication",
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
                    queryset=CaseEvent.objects.select_related("actor")
                    .prefetch_related("personal_fields")
                    .order_by("sequence"),
                ),
                "respondent__representatives__user",
                # The membership rules read the history once per check.
                "respondent__status_history",
                "legal_holds",
                "purges",
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
    if evidence.purged_at is not None:
        raise Http404("This file was removed at the end of its retention period.")
    return evidence


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
        or (st["ballot"].kind == "appeal" and roles.appeals_panel)
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
    if letter.purged_at is not None:
        raise Http404("This letter was removed at the end of its retention period.")
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


# ---------------------------------------------------------------------------
# Publication (docs/decisions/0023)
# ---------------------------------------------------------------------------


def published_decisions(on: datetime.date | None = None):
    """The public decisions page: each entry as fixed when it was published, newest
    first; nothing withheld, taken down or past its period."""
    return Publication.public(on or timezone.localdate()).order_by("-published_on", "-pk")


def published_decisions_of(organization, on: datetime.date | None = None) -> list[Publication]:
    """The organization's verification page: only entries that name it (the level
    "name"); an entry without names must not be tied to the member here."""
    return list(
        published_decisions(on).filter(case__respondent=organization, level=PublicationLevel.NAME)
    )


def retention_status(case: Case, today: datetime.date | None = None) -> list[tuple[str, str]]:
    """(kind, what happens to it) for the staff page's retention panel."""
    today = today or timezone.localdate()
    purged = {p.kind: p for p in case.purges.all()}
    hold = on_hold(case)
    rows = []
    for kind, field in RETENTION_PERIODS.items():
        label = RetentionKind(kind).label
        days = getattr(case.procedure, field)
        due = due_on(case, kind, today)
        if kind in purged:
            removed = timezone.localtime(purged[kind].purged_at)
            text = f"removed on {date_format(removed, 'j F Y')}"
        elif days is None:
            text = "kept: the procedure sets no period"
        elif due is None:
            text = f"kept until {days} days after the case closes"
        elif hold is not None:
            text = (
                f"due on {date_format(due, 'j F Y')} at the earliest; "
                "the legal hold stops the clock"
            )
        else:
            text = f"to be removed on {date_format(due, 'j F Y')}"
        rows.append((label, text))
    return rows
