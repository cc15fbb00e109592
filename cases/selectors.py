"""Read-only queries for the case pages. Each page asks a fixed number of queries
however many cases, allegations or events there are."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.paging import KeysetPage, bounded_count, keyset_page, through
from association.prefetch import PreparedTogether, attach, attach_grouped, load_together
from association.prepared import PreparedQuery
from cases import diagram, workflow
from cases.access import (
    CodeHolder,
    can_download_evidence,
    can_download_letter,
    can_view_case,
    cases_listed_for,
    cases_visible_to,
    party_flags,
    remember_party_flags,
    with_user_permission,
)
from cases.models import (
    WITHHELD_FROM_DECIDERS,
    Allegation,
    Amendment,
    Ballot,
    BallotKind,
    BallotSeat,
    Case,
    CaseEvent,
    CaseLink,
    ComplainantAccess,
    ComplainantAppeal,
    ComplainantMessage,
    ComplainantSubmission,
    Compliance,
    ComplianceProof,
    ConsentOffer,
    Delivery,
    Evidence,
    Hearing,
    HearingParticipant,
    HearingRequest,
    InterimSuspension,
    LegalHold,
    Letter,
    LetterOrder,
    PersonalField,
    Publication,
    PublicationLevel,
    Recusal,
    Response,
    RetentionKind,
    RetentionPurge,
    ReviewComment,
    ReviewDisclosure,
    Sanction,
    Vote,
)
from cases.outcomes import ballot_status, prior_record
from cases.services.letters import pending_for_organization_rows
from cases.services.retention import PERIODS as RETENTION_PERIODS
from cases.services.retention import due_on, on_hold
from cases.workflow import STATES, CaseState, complainant_appeal_deadline
from members.models import Organization, Representative, StatusChange
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
    cases = cases_listed_for(user).select_related("respondent", "case_officer")
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
    return cases.order_by("-listed_at", "-listed_id")


def case_list_page(
    cases: QuerySet[Case], *, size: int, after: str = "", before: str = "", go: str = ""
) -> KeysetPage:
    """One page of the case list, newest first, by keyset (association.paging): after
    or before a cursor, or from `go`, a case number or a date ("2026-03-01": the cases
    entered on that day or before). The (-listed_at, -listed_id) order is the index's
    (cases.access.cases_listed_for: the case's filed_at and id)."""
    start_at, problem = None, ""
    go = go.strip()
    if go:
        try:
            day = datetime.date.fromisoformat(go)
        except ValueError:
            found = cases.filter(number=go).values_list("listed_at", "listed_id").first()
            if found is None:
                problem = _("No case numbered “%(number)s” is in this list.") % {"number": go}
            else:
                start_at = found
        else:
            end_of_day = datetime.datetime.combine(day, datetime.time.max)
            start_at = through(timezone.make_aware(end_of_day))  # every case of that day
    page = keyset_page(
        cases,
        order=("-listed_at", "-listed_id"),
        kinds=(datetime.datetime, int),
        size=size,
        after=after,
        before=before,
        start_at=start_at,
    )
    page.problem = problem or page.problem
    return page


CASE_PAGE_RELATIONS = (
    "respondent",
    "respondent__membership_class",
    "complainant",
    "complainant__member_organization",
    "procedure",
    "case_officer",
    "filed_by",
    "received_by",
    "appeal",
    "appeal__filed_by",
    "complainant_appeal",
    "publication",
)


def _case_page_rows(case: Case) -> dict[str, QuerySet]:
    """Every kind of row a case page, its rules and its panels read, each as the
    queryset `prefetch_related` would have run for it."""
    of_case = {"case_id": case.pk}
    return {
        "allegations": Allegation.objects.filter(**of_case).select_related(
            "principle", "finding", "finding__recorded_by"
        ),
        "evidence": Evidence.objects.filter(**of_case).select_related("added_by"),
        "responses": Response.objects.filter(**of_case).select_related("submitted_by"),
        "attachments": Evidence.objects.filter(response__case_id=case.pk),
        "amendments": Amendment.objects.filter(**of_case),
        "ballots": Ballot.objects.filter(**of_case),
        "seats": BallotSeat.objects.filter(ballot__case_id=case.pk).select_related("voter"),
        "votes": Vote.objects.filter(ballot__case_id=case.pk).select_related("voter"),
        "letters": Letter.objects.filter(**of_case)
        .select_related("dispatch")
        .order_by("issued_at", "pk"),
        "deliveries": Delivery.objects.filter(letter__case_id=case.pk),
        # The letters ordered and not issued yet ("being prepared"; docs/decisions/0027).
        "letter_orders": LetterOrder.objects.filter(**of_case, letter__isnull=True).order_by(
            "ordered_at", "pk"
        ),
        "sanctions": Sanction.objects.filter(**of_case).order_by("decided_at", "pk"),
        "recusals": Recusal.objects.filter(**of_case).select_related("member", "recorded_by"),
        "events": CaseEvent.objects.filter(**of_case).select_related("actor").order_by("sequence"),
        "personal_fields": PersonalField.objects.filter(event__case_id=case.pk),
        "representatives": Representative.objects.filter(
            organization_id=case.respondent_id
        ).select_related("user"),
        "status_history": StatusChange.objects.filter(organization_id=case.respondent_id),
        "complainant_submissions": ComplainantSubmission.objects.filter(**of_case).select_related(
            "decided_by", "evidence"
        ),
        "complainant_codes": ComplainantAccess.objects.filter(**of_case).select_related(
            "issued_by", "revoked_by"
        ),
        "complainant_messages": ComplainantMessage.objects.filter(**of_case).select_related(
            "author"
        ),
        "legal_holds": LegalHold.objects.filter(**of_case),
        "purges": RetentionPurge.objects.filter(**of_case),
        "consent_offers": ConsentOffer.objects.filter(**of_case),
        "interim_suspensions": InterimSuspension.objects.filter(**of_case),
        "links_from": CaseLink.objects.filter(from_case_id=case.pk).select_related(
            "to_case", "to_case__respondent"
        ),
        "links_to": CaseLink.objects.filter(to_case_id=case.pk).select_related(
            "from_case", "from_case__respondent"
        ),
        "hearing_requests": HearingRequest.objects.filter(**of_case),
        "review_disclosures": ReviewDisclosure.objects.filter(**of_case),
        "review_comments": ReviewComment.objects.filter(**of_case).select_related("submitted_by"),
        "hearings": Hearing.objects.filter(**of_case).select_related("minutes"),
        "hearing_panels": Hearing.panel.through.objects.filter(
            hearing__case_id=case.pk
        ).select_related("user"),
        "hearing_participants": HearingParticipant.objects.filter(**of_case),
        "compliance": Compliance.objects.filter(sanction__case_id=case.pk)
        .select_related("recorded_by")
        .order_by("sanction_id"),
        "proofs": ComplianceProof.objects.filter(compliance__sanction__case_id=case.pk).order_by(
            "uploaded_at", "pk"
        ),
    }


def case_for_page(*, number: str, user, page_rows: bool = True) -> Case:
    """One case with everything its page shows, or 404 for whoever may not see it: the
    case (one query), who may see it (access.relation_to, two), then every related row
    its page reads in one more (association.prefetch), however much the case holds.
    `page_rows=False` leaves out the related rows, for a form's POST that redirects
    when it succeeds (what it reads, it reads when it needs it)."""
    cases = Case.objects.select_related(*CASE_PAGE_RELATIONS)
    signed_in = getattr(user, "is_authenticated", False) and not isinstance(user, CodeHolder)
    if signed_in:  # who they are to this case, read with it
        cases = cases.annotate(**party_flags(user))
    try:
        case = cases.get(number=number)
    except Case.DoesNotExist as exc:
        raise Http404("No such case.") from exc
    if signed_in:
        remember_party_flags(case, user)
    if not can_view_case(user, case):
        raise Http404("No such case.")
    if page_rows:
        attach_page_rows(case)
    return case


def attach_page_rows(case: Case) -> None:
    """Load `_case_page_rows` together and put each where prefetch_related would."""
    rows = load_together(_case_page_rows(case))
    for name in (
        "allegations", "evidence", "responses", "amendments", "ballots", "letters",
        "letter_orders", "sanctions", "recusals", "events", "complainant_submissions", "complainant_codes",
        "complainant_messages", "legal_holds", "purges", "consent_offers",
        "interim_suspensions", "links_from", "links_to", "hearing_requests",
        "review_disclosures", "review_comments", "hearings", "hearing_participants",
    ):  # fmt: skip
        attach(case, name, rows[name])
    attach_grouped(rows["responses"], "attachments", rows["attachments"])
    attach_grouped(rows["letters"], "deliveries", rows["deliveries"])
    attach_grouped(rows["events"], "personal_fields", rows["personal_fields"])
    attach(case.respondent, "representatives", rows["representatives"])
    attach(case.respondent, "status_history", rows["status_history"])
    for ballot in rows["ballots"]:
        seats = [s for s in rows["seats"] if s.ballot_id == ballot.pk]
        votes = [v for v in rows["votes"] if v.ballot_id == ballot.pk]
        attach(ballot, "seats", seats)
        attach(ballot, "votes", votes)
    panels: dict[int, list] = {}
    for row in rows["hearing_panels"]:
        panels.setdefault(row.hearing_id, []).append(row.user)
    for hearing in rows["hearings"]:
        attach(hearing, "panel", panels.get(hearing.pk, []))
    # Read by compliance_for_page, with the sanctions the case already holds.
    sanctions = {x.pk: x for x in rows["sanctions"]}
    proofs: dict[int, list] = {}
    for proof in rows["proofs"]:
        proofs.setdefault(proof.compliance_id, []).append(proof)
    for row in rows["compliance"]:
        row.sanction = sanctions[row.sanction_id]
    case._page_compliance = [(row, proofs.get(row.pk, [])) for row in rows["compliance"]]


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
    or slices it (an organization can have thousands).

    Read from the representative's own CaseViewer rows (kept by the grant service with
    view_case, docs/decisions/0030): their (user, respondent, -filed_at) index gives the
    cases in order, annotated with the keys `portal_cases_page` seeks on; the permission stays
    the authority on each case's page."""
    return (
        # One filter: the same CaseViewer row, a range of its case_viewer_ours index.
        Case.objects.filter(viewers__user=user, viewers__respondent=organization)
        .annotate(listed_at=F("viewers__filed_at"), listed_id=F("viewers__case_id"))
        # What each row's stage and deadline read of the case (portal_rows); the rest
        # comes with the page (with_deadline_rows).
        .select_related("procedure", "appeal")
        .order_by("-listed_at", "-listed_id")
    )


def portal_cases_page(
    *, organization, user, size: int, after: str = "", before: str = ""
) -> KeysetPage:
    """One page of "Our cases", newest first, by keyset (association.paging): the last
    page costs what the first does, and the count stops at COUNT_LIMIT. What the rows'
    deadlines read comes with them (with_deadline_rows)."""
    page = keyset_page(
        portal_case_summary(organization=organization, user=user),
        order=("-listed_at", "-listed_id"),
        kinds=(datetime.datetime, int),
        size=size,
        after=after,
        before=before,
    )
    with_deadline_rows(page.object_list)
    return page


def respondent_page(case: Case) -> dict:
    """What the respondent's page shows of a case (the page adds its forms)."""
    today = timezone.localdate()
    disclosed = disclosed_evidence(case)
    sanctions = list(case.sanctions.all())
    return {
        "case": case,
        # What the association disclosed, apart from the files the respondent sent.
        "evidence": [e for e in disclosed if e.response_id is None],
        "own_uploads": [e for e in disclosed if e.response_id is not None],
        "no_violation_found": case.state == CaseState.NO_VIOLATION,
        "sanctions": [x for x in sanctions if x.rescinded_at is None],
        # The board's sanction, as decided (an appeal may since have lifted or replaced it).
        "decided_sanctions": [x for x in sanctions if x.replaces_id is None],
        "stepper": workflow.stepper(case, public=True),
        "deadline": respondent_deadline(case, today),
        "next": what_happens_next(case, today),
        "outcome": outcome_of(case),
        "appeal_decides_by": _open_ballot_closes(case, "appeal"),
        # Listed from the letters addressed to the respondent; the download checks the
        # per-letter permission again.
        "letter_list": [x for x in case.letters.all() if x.addressee == "respondent"],
        "today": today,
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
    sanctions = list(case.sanctions.all())
    appeal = getattr(case, "appeal", None)
    return {
        "case": case,
        "ballots": visible,
        # A consent offer is never shown to the deciders (docs/decisions/0020).
        "letter_list": [x for x in case.letters.all() if x.kind not in WITHHELD_FROM_DECIDERS],
        "my_ballot": mine,
        "my_vote": vote,
        # How many of the seated voters have voted (never how), beside the vote form.
        "progress": ballot_progress(mine) if mine else None,
        "stepper": workflow.stepper(case),
        # For the appeals panel: the board's decision under appeal, as decided.
        "under_appeal": {
            "appeal": appeal,
            "sanctions": [x for x in sanctions if x.replaces_id is None],
            "board_ballot": next(
                (b for b in case.ballots.all() if b.kind == "board" and b.closed_at), None
            ),
            "letters": [
                x
                for x in case.letters.all()
                if x.kind == "decision" and x.addressee == "respondent"
            ],
        }
        if appeal is not None
        else None,
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
        # An interim suspension ballot is counted its own way (cases/includes/interim.html).
        if b.kind != "interim"
    ]


MY_OPEN_BALLOTS_LIMIT = 200
MY_OPEN_BALLOTS_SHOWN = 25
MY_CLOSED_BALLOTS_PAGE = 50
# What a row of "My ballots" shows, read as plain values: the page shows up to 76 rows,
# and four model instances a row cost five times what the values do.
MY_BALLOTS_COLUMNS = (
    "pk",
    "closed_at",
    "voted",
    "ballot__kind",
    "ballot__closes_on",
    "ballot__case__number",
    "ballot__case__respondent__name",
)


@dataclass(frozen=True)
class BallotRow:
    """One of the member's seats as "My ballots" lists it."""

    seat_id: int
    number: str  # the case's
    url: str  # the case's page
    respondent: str
    kind: str
    kind_label: str
    closes_on: datetime.date
    closed_at: datetime.datetime | None
    voted: bool


def my_ballots(*, user, after: str = "", before: str = "", all_open: bool = False) -> dict:
    """ "My ballots": the seats this board or panel member holds, open ones first
    (the MY_OPEN_BALLOTS_SHOWN soonest closing, or with `all_open` at most
    MY_OPEN_BALLOTS_LIMIT), then the closed ones newest first, a keyset page at a time
    (association.paging: after or before a cursor); not on a case they are a party to
    (as a representative of the respondent or of the member complainant's organization)
    or recused from, where they are no decider (cases.access.relation_to).

    Queried from the member's own seats, by the seat's copy of its ballot's closed_at
    and the index (voter, closed_at desc, id desc): the open seats are one range of it,
    a page of closed ones another, read in order and stopped after one row more than
    the page. Nothing is counted over their closed seats, and the call to action counts
    at most MY_OPEN_BALLOTS_LIMIT, so a member who sat on 50,000 ballots waits no
    longer than one who sat on ten."""
    organizations = Representative.objects.filter(user_id=user.pk).values("organization_id")
    # The ballots of the cases they are no decider on, each a small list the database
    # reads once, and tested on the seat's own ballot_id: a condition on the seat alone
    # lets PostgreSQL read a page in the index's order and stop (a condition on the
    # joined ballot made it sort all of the member's seats).
    not_deciding = [
        Case.objects.filter(respondent_id__in=organizations),
        Case.objects.filter(complainant__member_organization_id__in=organizations),
        Case.objects.filter(pk__in=Recusal.objects.filter(member=user).values("case_id")),
    ]
    decider = BallotSeat.objects.filter(voter=user, recused_at__isnull=True)
    for cases in not_deciding:
        decider = decider.exclude(
            ballot_id__in=Ballot.objects.filter(case_id__in=cases.values("pk")).values("pk")
        )
    voted = Exists(Vote.objects.filter(ballot_id=OuterRef("ballot_id"), voter_id=user.pk))

    def shown_rows(chosen):
        # Their vote joined on the (ballot, voter) key row by row: as an EXISTS in the
        # columns, PostgreSQL hashed every vote the member ever cast for a page of 51.
        mine = FilteredRelation("ballot__votes", condition=Q(ballot__votes__voter_id=user.pk))
        return chosen.annotate(my_vote=mine, voted=Q(my_vote__id__isnull=False)).values_list(
            *MY_BALLOTS_COLUMNS, named=True
        )

    open_seats = decider.filter(closed_at__isnull=True)
    awaiting = open_seats.filter(~voted)
    count, more = bounded_count(awaiting, limit=MY_OPEN_BALLOTS_LIMIT)
    shown = MY_OPEN_BALLOTS_LIMIT if all_open else MY_OPEN_BALLOTS_SHOWN
    soonest = ("closes_on", "pk")  # the seat's copy: a range of seat_voter_open

    def soonest_of(chosen, limit: int) -> list:
        # The soonest closing chosen by their keys alone (a lean sort over the member's
        # open seats), then only those rows read in full.
        keys = chosen.order_by(*soonest).values("pk")[:limit]
        return list(shown_rows(BallotSeat.objects.filter(pk__in=keys)).order_by(*soonest))

    open_ = soonest_of(open_seats, shown + 1)
    first = soonest_of(awaiting, 1)
    page = keyset_page(
        shown_rows(decider.filter(closed_at__isnull=False)),
        order=("-closed_at", "-pk"),
        kinds=(datetime.datetime, int),
        size=MY_CLOSED_BALLOTS_PAGE,
        after=after,
        before=before,
        count=False,
    )
    # Each kind's label translated once, not once a row (get_kind_display hashes every
    # choice's lazy label, each a lookup through the catalogues), and each case's
    # address from one reverse(), its number put in (a reverse a row would walk the
    # resolver 76 times; Case.get_absolute_url stays the rule).
    labels = {kind: str(label) for kind, label in BallotKind.choices}
    slot = "0000-0000"
    head, tail = reverse("cases:case_detail", args=[slot]).split(slot)

    def row(values) -> BallotRow:
        number = values.ballot__case__number
        return BallotRow(
            seat_id=values.pk,
            number=number,
            url=f"{head}{number}{tail}",
            respondent=values.ballot__case__respondent__name,
            kind=values.ballot__kind,
            kind_label=labels.get(values.ballot__kind, values.ballot__kind),
            closes_on=values.ballot__closes_on,
            closed_at=values.closed_at,
            voted=bool(values.voted),
        )

    page.object_list = [row(v) for v in page.object_list]
    return {
        "open": [row(v) for v in open_[:shown]],
        "open_more": len(open_) > shown,
        # The call to action: how many open ballots await this member's vote (at most
        # MY_OPEN_BALLOTS_LIMIT counted), and the one that closes soonest.
        "to_vote_count": count,
        "to_vote_count_is_bounded": more,
        "first_to_vote": row(first[0]) if first else None,
        "closed": page.object_list,
        "page": page,
    }


# The register's and the portal's lists of one organization, compiled once per process
# (association.prepared).
_SANCTIONS_OF = PreparedQuery(
    Sanction,
    lambda organization_id: (
        # The member's own column: a range of sanction_respondent_newest.
        Sanction.objects.filter(respondent_id=organization_id)
        .select_related("case")
        .order_by("-decided_at", "-pk")[:PORTAL_LIST_LIMIT]
    ),
)


def _owed_by(organization_id: int) -> QuerySet[Compliance]:
    return (
        Compliance.objects.filter(
            sanction__case__respondent_id=organization_id,
            complied_on__isnull=True,
            sanction__rescinded_at__isnull=True,
        )
        .select_related("sanction", "sanction__case")
        .order_by("due_on", "pk")
    )


_OWED_BY = PreparedQuery(Compliance, _owed_by)


def sanctions_of(organization) -> list[Sanction]:
    """The organization's sanctions, the newest PORTAL_LIST_LIMIT."""
    return _SANCTIONS_OF(organization.pk)


def owed_by(organization) -> list:
    """What the organization still has to comply with (fines, education, conditions),
    soonest due first, each with its sanction and case: for the portal and its page."""
    return _OWED_BY(organization.pk)


def compliance_for_page(case) -> list[tuple]:
    """The case's compliance sanctions, each with its proofs, for the panel: two
    queries in every state, whether or not the case has any (the page's count is
    fixed by the code, not the case); none on a case from case_for_page, which read them."""
    if hasattr(case, "_page_compliance"):
        return case._page_compliance
    rows = list(
        Compliance.objects.filter(sanction__case=case)
        .select_related("sanction", "recorded_by")
        .order_by("sanction_id")
    )
    proofs: dict[int, list] = {}
    for proof in ComplianceProof.objects.filter(compliance__sanction__case=case).order_by(
        "uploaded_at", "pk"
    ):
        proofs.setdefault(proof.compliance_id, []).append(proof)
    return [(row, proofs.get(row.pk, [])) for row in rows]


def proof_for_download(*, number: str, proof_id: int, user):
    """404 unless this user is staff on the case or the respondent's representative."""
    from cases.access import RESPONDENT_VIEW, STAFF_VIEW, relation_to

    proof = (
        ComplianceProof.objects.select_related("compliance__sanction__case")
        .filter(compliance__sanction__case__number=number, pk=proof_id)
        .first()
    )
    if proof is None or relation_to(user, proof.compliance.sanction.case) not in (
        STAFF_VIEW,
        RESPONDENT_VIEW,
    ):
        raise Http404("No such file.")
    return proof


def letter_for_download(*, number: str, letter_id: int, user) -> Letter:
    letter = Letter.objects.select_related("case").filter(case__number=number, pk=letter_id).first()
    if letter is None or not can_download_letter(user, letter):
        raise Http404("No such letter.")
    if letter.purged_at is not None:
        raise Http404("This letter was removed at the end of its retention period.")
    return letter


# The portal's and the organization page's lists: the newest this many (the case
# pages hold the rest), so a member with a long history waits no longer.
PORTAL_LIST_LIMIT = 100


# The membership page lists the newest few of the organization's sanctions and letters;
# "All our sanctions" and "All our letters" page through the rest.
PORTAL_SHOWN = 10


def portal_sanctions_all(organization) -> QuerySet[Sanction]:
    return (
        Sanction.objects.filter(respondent=organization)
        .select_related("case")
        .order_by("-decided_at", "-pk")
    )


def portal_letters_all(*, organization, user) -> QuerySet[Letter]:
    return (
        Letter.objects.filter(
            case__respondent=organization,
            letteruserobjectpermission__user=user,
            letteruserobjectpermission__permission__codename="view_letter_pdf",
        )
        .select_related("case")
        .order_by("-issued_at", "-pk")
    )


def portal_list_page(rows: QuerySet, *, order_by: str, size: int, after: str, before: str):
    """A page of "Our sanctions" or "Our letters" (`rows` from portal_sanctions_all or
    portal_letters_all), newest by `order_by` first, by keyset (association.paging)."""
    return keyset_page(
        rows,
        order=(f"-{order_by}", "-pk"),
        kinds=(datetime.datetime, int),
        size=size,
        after=after,
        before=before,
    )


def links_of(case: Case) -> list[tuple[CaseLink, Case]]:
    """(link, the other case) for each link of this case, oldest first."""
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "links_from" in cache and "links_to" in cache:  # read by case_for_page
        links = sorted(
            [*case.links_from.all(), *case.links_to.all()], key=lambda x: (x.linked_at, x.pk)
        )
        return [(link, link.other(case)) for link in links]
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
    """The case the complainant's page shows, with what it lists, in two queries (404 if
    none; the view then asks `relation_to` whether this complainant may see it)."""
    try:
        case = Case.objects.select_related(
            "respondent", "complainant", "procedure", "case_officer", "complainant_appeal"
        ).get(number=number)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None
    of_case = {"case_id": case.pk}
    rows = load_together(
        {
            "letters": Letter.objects.filter(addressee="complainant", **of_case),
            "complainant_messages": ComplainantMessage.objects.filter(**of_case),
            "complainant_submissions": ComplainantSubmission.objects.filter(**of_case),
            "complainant_codes": ComplainantAccess.objects.filter(**of_case),
            "responses": Response.objects.filter(**of_case),
            "evidence": Evidence.objects.filter(**of_case),
            "allegations": Allegation.objects.filter(**of_case),
            "amendments": Amendment.objects.filter(**of_case),
            "ballots": Ballot.objects.filter(**of_case),
        }
    )
    for name, found in rows.items():
        attach(case, name, found)
    return case


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
        stage = _("Decided")  # the procedure does not tell the complainant the outcome
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
        "appealable": _("the dismissal")
        if case.state == CaseState.DISMISSED
        else (_("the finding of no violation") if told else _("the decision")),
        "appealable_by_vote": case.state == CaseState.NO_VIOLATION,
        "complainant_appeal": appeal,
        "today": timezone.localdate(),
    }


def complainant_staff_panel(case: Case) -> dict:
    """The staff side of the complainant's page: the thread, the submissions and
    the access code's history (never the code)."""
    if "complainant_messages" in getattr(case, "_prefetched_objects_cache", {}):
        # Read by case_for_page, with the users these rows name.
        return {
            "thread": list(case.complainant_messages.all()),
            "submissions": list(case.complainant_submissions.all()),
            "codes": list(case.complainant_codes.all()),
            "complainant_appeal": getattr(case, "complainant_appeal", None),
        }
    return {
        "thread": list(case.complainant_messages.select_related("author")),
        "submissions": list(case.complainant_submissions.select_related("decided_by", "evidence")),
        "codes": list(case.complainant_codes.select_related("issued_by", "revoked_by")),
        "complainant_appeal": ComplainantAppeal.objects.filter(case=case).first(),
    }


# ---------------------------------------------------------------------------
# Publication (docs/decisions/0023)
# ---------------------------------------------------------------------------


def published_decisions(on: datetime.date | None = None):
    """The public decisions page: each entry as fixed when it was published, newest
    first; nothing withheld, taken down or past its period."""
    return Publication.public(on or timezone.localdate()).order_by("-published_on", "-pk")


PUBLIC_DECISIONS_ORDER = ("-published_on", "-pk")  # the publication_public_page index


def published_decisions_page(
    *, size: int, after: str = "", before: str = "", go: str = "", on: datetime.date | None = None
) -> KeysetPage:
    """The public decisions page, newest first, by keyset (association.paging): after or
    before a cursor, or from `go`, a date ("2026-03-01": the decisions published on that
    day or before). No count: the page says none, and it would read every entry."""
    start_at, problem = None, ""
    go = go.strip()
    if go:
        try:
            day = datetime.date.fromisoformat(go)
        except ValueError:
            problem = _("“%(date)s” is not a date: write it as YYYY-MM-DD.") % {"date": go}
        else:
            start_at = through(day)  # every decision published that day
    page = keyset_page(
        published_decisions(on),
        order=PUBLIC_DECISIONS_ORDER,
        kinds=(datetime.date, int),
        size=size,
        after=after,
        before=before,
        start_at=start_at,
        count=False,
    )
    page.problem = problem or page.problem
    return page


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
            text = _("removed on %(day)s") % {"day": date_format(removed, "DATE_FORMAT")}
        elif days is None:
            text = _("kept: the procedure sets no period")
        elif due is None:
            text = _("kept until %(days)s days after the case closes") % {"days": days}
        elif hold is not None:
            text = _("due on %(day)s at the earliest; the legal hold stops the clock") % {
                "day": date_format(due, "DATE_FORMAT")
            }
        else:
            text = _("to be removed on %(day)s") % {"day": date_format(due, "DATE_FORMAT")}
        rows.append((label, text))
    return rows


# What each role must do next: the respondent's deadline and outcome, the voter's
# ballot. One wording for each deadline, on every page that shows it.
# ---------------------------------------------------------------------------

RESPONSE_DUE = gettext_lazy("Your response is due by")
COMMENT_DUE = gettext_lazy("Your comment on the review is due by")
PARTICIPANTS_DUE = gettext_lazy("Name who comes to the hearing by")
HEARING_ON = gettext_lazy("The hearing is on")
APPEAL_DUE = gettext_lazy("Any appeal must be filed by")


@dataclass(frozen=True)
class Deadline:
    """A date the respondent must act by, in the words every page uses for it."""

    kind: str  # "response" or "appeal"
    label: str
    day: datetime.date
    action: str  # the call to action that meets it


def respondent_deadline(case: Case, today: datetime.date | None = None) -> Deadline | None:
    """The deadline that applies to the respondent now: the response while the window
    is open, then the comment on the review where the procedure asks for one, the
    hearing (naming who comes, then the day itself), the appeal window after a
    sanction; none otherwise. Reads the case row, and the disclosures and hearings only
    where the procedure has them."""
    today = today or timezone.localdate()
    if case.state == CaseState.UNDER_REVIEW and case.response_due_on:
        comment = _comment_due(case, today)
        if comment is not None:
            return Deadline("comment", COMMENT_DUE, comment, _("Comment on the review"))
        if case.response_due_on >= today:
            return Deadline("response", RESPONSE_DUE, case.response_due_on, _("Send your response"))
    elif case.state == CaseState.HEARING:
        hearing = workflow.current_hearing(case)
        if hearing is not None:
            named = hearing.participants_due_on
            if named and named >= today:
                return Deadline(
                    "participants", PARTICIPANTS_DUE, named, _("Name who comes to the hearing")
                )
            day = hearing.local_start.date()
            if day >= today:
                return Deadline("hearing", HEARING_ON, day, _("See the hearing's details"))
    elif case.state == CaseState.SANCTIONED and case.appeal_deadline:
        if case.appeal_deadline >= today:
            return Deadline("appeal", APPEAL_DUE, case.appeal_deadline, _("Read the decision"))
    return None


def _deadline_parts(ids) -> dict[str, QuerySet]:
    """What respondent_deadline reads beyond a case row and its procedure, for the cases
    `ids` (ids, or a query of them): the review's disclosures and comments of a case
    under review whose procedure asks for a comment, the hearings of one at its
    hearing. The same conditions, in Python, choose the cases they are attached to
    (_attach_deadline_rows)."""
    commenting = Q(
        case__in=ids,
        case__state=CaseState.UNDER_REVIEW,
        case__procedure__respondent_comments_on_review=True,
    )
    return {
        "review_disclosures": ReviewDisclosure.objects.filter(commenting),
        "review_comments": ReviewComment.objects.filter(commenting),
        "hearings": Hearing.objects.filter(case__in=ids, case__state=CaseState.HEARING),
    }


def _attach_deadline_rows(cases: list[Case], found: dict[str, list]) -> None:
    """Attach the rows of _deadline_parts (taken out of `found`) to the cases that read
    them. The others (on a long list, most: decided or closed) get nothing attached:
    attaching a relation to each case cost more than reading it."""

    def commenting(c: Case) -> bool:
        return c.state == CaseState.UNDER_REVIEW and c.procedure.respondent_comments_on_review

    def at_hearing(c: Case) -> bool:
        return c.state == CaseState.HEARING

    for name, wanted in (
        ("review_disclosures", commenting),
        ("review_comments", commenting),
        ("hearings", at_hearing),
    ):
        attach_grouped([c for c in cases if wanted(c)], name, found.pop(name))


# Compiled once per process for this many cases (a page of "Our cases"), the unused
# places given an id no case has (docs/decisions/0041: compiling cost more than running).
_DEADLINE_ROWS_AT_ONCE = 50
_DEADLINE_ROWS = PreparedTogether(lambda *ids: _deadline_parts(ids), arity=_DEADLINE_ROWS_AT_ONCE)


def with_deadline_rows(cases: list[Case]) -> None:
    """What the cases' deadlines read, attached (_attach_deadline_rows), in one query per
    50 cases whatever they hold: a page's count of queries does not follow its cases'
    states."""
    found: dict[str, list] = {name: [] for name in _deadline_parts(())}
    ids = [c.pk for c in cases]
    for at in range(0, len(ids), _DEADLINE_ROWS_AT_ONCE):
        chunk = ids[at : at + _DEADLINE_ROWS_AT_ONCE]
        unused = [0] * (_DEADLINE_ROWS_AT_ONCE - len(chunk))  # no case has id 0
        for name, rows in _DEADLINE_ROWS(*chunk, *unused).items():
            found[name] += rows
    _attach_deadline_rows(cases, found)


def _comment_due(case: Case, today: datetime.date) -> datetime.date | None:
    """The comment window on a disclosed review, while it is open and unanswered."""
    if not case.procedure.respondent_comments_on_review:
        return None
    disclosure = workflow.latest_disclosure(case)
    if (
        disclosure is None
        or disclosure.comment_due_on < today
        or workflow.comments_on(case, disclosure)
    ):
        return None
    return disclosure.comment_due_on


def _open_ballot_closes(case: Case, kind: str) -> datetime.date | None:
    open_ = [b for b in case.ballots.all() if b.kind == kind and b.closed_at is None]
    return open_[0].closes_on if open_ else None


def what_happens_next(case: Case, today: datetime.date | None = None) -> dict:
    """For the respondent's page: what happens next, in plain words, and its date."""
    today = today or timezone.localdate()
    state = case.state
    if state == CaseState.UNDER_REVIEW:
        comment = _comment_due(case, today)
        if comment is not None:
            return {
                "text": _(
                    "The findings and the review report are disclosed to you: you may "
                    "comment on them before the deadline. Your comment goes to the board with "
                    "the file."
                ),
                "day": comment,
            }
        if case.response_window_open:
            return {
                "text": _(
                    "Send your written response, with any documents, before the "
                    "deadline. After it the ethics staff record their findings and a review "
                    "report; only then may the case go to the board."
                ),
                "day": case.response_due_on,
            }
        return {
            "text": _(
                "The response window has closed. The ethics staff are recording their "
                "findings and a review report; you will be told if the case goes to the board."
            ),
            "day": None,
        }
    if state == CaseState.HEARING:
        hearing = workflow.current_hearing(case)
        return {
            "text": _(
                "The board hears the parties before it votes. You may attend with "
                "counsel and name witnesses; the notice of hearing gives the place and time. "
                "After the hearing the board votes and you receive its decision in writing."
            ),
            "day": hearing.local_start.date() if hearing else None,
            "day_label": HEARING_ON,
        }
    if state == CaseState.BOARD_VOTE:
        return {
            "text": _(
                "The board is voting on the case. You will receive the decision in "
                "writing when the ballot closes."
            ),
            "day": _open_ballot_closes(case, "board"),
            "day_label": _("The ballot closes on"),
        }
    if state == CaseState.SANCTIONED:
        if case.appeal_deadline and case.appeal_deadline >= today:
            return {
                "text": _(
                    "You may appeal the decision to the appeals panel. If no appeal is "
                    "filed by the deadline, the decision becomes final."
                ),
                "day": case.appeal_deadline,
            }
        return {
            "text": _("The appeal window has closed; the decision is becoming final."),
            "day": None,
        }
    if state == CaseState.UNDER_APPEAL:
        return {
            "text": _(
                "The appeals panel is considering your appeal. You will receive its "
                "decision in writing."
            ),
            "day": _open_ballot_closes(case, "appeal"),
            "day_label": _("The panel decides by"),
        }
    return {"text": _("The case is closed. Nothing more is needed from you."), "day": None}


@dataclass(frozen=True)
class Outcome:
    """How a case ended (or stands after the board's decision), for the respondent."""

    kind: str  # dismissed, withdrawn, no_violation, sanctioned, final, upheld, modified, overturned
    short: str  # one line, for lists


OUTCOME_SHORT = {
    "dismissed": gettext_lazy("Dismissed"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "no_violation": gettext_lazy("Decided: no violation found"),
    "sanctioned": gettext_lazy("Decided: sanction imposed"),
    "under_appeal": gettext_lazy("Decided: sanction imposed; under appeal"),
    "final": gettext_lazy("Closed: the board's decision is final"),
    "upheld": gettext_lazy("Closed: the decision was upheld on appeal"),
    "modified": gettext_lazy("Closed: on appeal, a lesser sanction replaced the decision"),
    "overturned": gettext_lazy("Closed: the decision was overturned on appeal; no sanction stands"),
}


def outcome_of(case: Case) -> Outcome | None:
    """The case's outcome for the respondent's page and the portal, or None while it is
    undecided. Reads the case row and its appeal (select_related)."""
    state = case.state
    if state in (CaseState.DISMISSED, CaseState.WITHDRAWN, CaseState.NO_VIOLATION):
        kind = state
    elif state == CaseState.SANCTIONED:
        kind = "sanctioned"
    elif state == CaseState.UNDER_APPEAL:
        kind = "under_appeal"
    elif state == CaseState.CLOSED:
        appeal = getattr(case, "appeal", None)
        kind = appeal.outcome if appeal is not None and appeal.outcome else "final"
    else:
        return None
    return Outcome(kind, OUTCOME_SHORT[kind])


def portal_rows(cases) -> list[dict]:
    """ "Our cases" and the membership page: each case with its stage in the
    respondent's words, its outcome and the deadline that applies now."""
    today = timezone.localdate()
    return [
        {
            "case": case,
            # An open case by its public label; a case that ended, by how it ended.
            "stage": outcome_of(case).short
            if STATES[case.state].final
            else case.public_state_label,
            "deadline": respondent_deadline(case, today),
        }
        for case in cases
    ]


# The membership page shows this many open cases ("Our cases" pages through all of
# them): what it builds and digests per row was most of its time for a member with 45.
PORTAL_OPEN_SHOWN = 10

# Which open cases the page shows when there are more: those whose stage asks something
# of the member first (a hearing; then a response, a comment or an appeal window), newest
# first within each; respondent_deadline then orders the ones shown by their deadline.
# The SQL cannot name the deadline itself (it lives in the hearings and disclosures too).
_NEEDS_THE_MEMBER_FIRST = DbCase(
    When(state=CaseState.HEARING, then=Value(0)),
    When(state__in=(CaseState.UNDER_REVIEW, CaseState.SANCTIONED), then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


_PORTAL_CASE_COLUMNS = (
    "number",
    "state",
    "filed_at",
    "response_due_on",
    "appeal_deadline",
    "procedure__respondent_comments_on_review",
)


def _open_cases_of(organization_id: int, user_id: int) -> QuerySet[Case]:
    return (
        with_user_permission(
            Case.objects.filter(respondent_id=organization_id), user_id, "view_case"
        )
        # Literal states: the open cases' partial index (case_open_respondent) bounds it.
        .filter(state__in_literal=OPEN_STATES)
        .order_by(_NEEDS_THE_MEMBER_FIRST, "-filed_at", "-pk")
    )


def _case_by_number(path: str) -> list[str]:
    """What to defer of the case a list row joins (at `path`) when it shows the case by
    its number alone: every other column (half the cost of reading the rows)."""
    return [
        f"{path}__{f.name}" for f in Case._meta.concrete_fields if f.name not in ("id", "number")
    ]


def _portal_parts(organization_id: int, user_id: int) -> dict[str, QuerySet]:
    """Everything the membership page lists of the cases app, by part: its open cases
    with what their deadlines read (_deadline_parts), the newest sanctions and letters
    (one more than shown, to tell whether there are more), what is owed, the letters in
    preparation."""
    open_cases = _open_cases_of(organization_id, user_id)
    # One more than shown, to tell whether there are more.
    open_ids = open_cases.values("pk")[: PORTAL_OPEN_SHOWN + 1]
    return {
        # What the rows show and their deadlines read (portal_rows): the rest of each
        # case is left unread (every column is parsed here and digested for the
        # fragment's key). An open case has no outcome, so its appeal is not read.
        "open_cases": open_cases.select_related("procedure").only(*_PORTAL_CASE_COLUMNS)[
            : PORTAL_OPEN_SHOWN + 1
        ],
        **_deadline_parts(open_ids),
        "sanctions": portal_sanctions_all(organization_id).defer(*_case_by_number("case"))[
            : PORTAL_SHOWN + 1
        ],
        "letters": portal_letters_all(organization=organization_id, user=user_id).defer(
            *_case_by_number("case")
        )[: PORTAL_SHOWN + 1],
        "owed": _owed_by(organization_id).defer(*_case_by_number("sanction__case")),
        "letters_pending": pending_for_organization_rows(organization_id).defer(
            *_case_by_number("case")
        ),
    }


# All in one query (a UNION ALL of the parts, association.prefetch), compiled once per
# process: for the membership page, compiling these queries cost several times running
# them, and on PostgreSQL each query is a round trip (docs/decisions/0033, 0041).
_PORTAL_LISTS = PreparedTogether(_portal_parts, arity=2)


def portal_lists(*, organization, user) -> dict:
    """What the membership page shows of the organization's cases, for this
    representative: PORTAL_OPEN_SHOWN open cases (_NEEDS_THE_MEMBER_FIRST), soonest
    deadline first (the call to action is the first), and whether there are more; the
    newest PORTAL_SHOWN sanctions and letters (the letters this user may open) and
    whether there are more; what is owed; the letters in preparation."""
    found = _PORTAL_LISTS(organization.pk, user.pk)
    cases = found.pop("open_cases")
    _attach_deadline_rows(cases, found)
    far = datetime.date.max
    sanctions, letters = found["sanctions"], found["letters"]
    return {
        "open_cases": sorted(
            portal_rows(cases[:PORTAL_OPEN_SHOWN]),
            key=lambda r: r["deadline"].day if r["deadline"] else far,
        ),
        "open_cases_more": len(cases) > PORTAL_OPEN_SHOWN,
        "open_shown": PORTAL_OPEN_SHOWN,
        "sanctions": sanctions[:PORTAL_SHOWN],
        "sanctions_more": len(sanctions) > PORTAL_SHOWN,
        "letters": letters[:PORTAL_SHOWN],
        "letters_more": len(letters) > PORTAL_SHOWN,
        "portal_shown": PORTAL_SHOWN,
        "owed": found["owed"],
        "letters_pending": found["letters_pending"],
    }


def ballot_progress(status: dict) -> dict:
    """How many of the seated voters have voted, for the voter's page (never how)."""
    voted = len(status["voted"])
    return {"voted": voted, "seated": voted + len(status["not_voted"])}


# Issue 10: the comment on the review, and the hearing
# ---------------------------------------------------------------------------


def prefetch_hearing(case: Case) -> None:
    """What the hearing's and the comment's rules and panels read, fetched once, and
    only for a procedure that has either (the rules ask nothing of the others)."""
    if not workflow.open_paths(case.procedure) & {"hearing", "review_comment"}:
        return
    prefetch_related_objects(
        [case],
        "review_disclosures",
        Prefetch("review_comments", queryset=ReviewComment.objects.select_related("submitted_by")),
        "hearing_requests",
        Prefetch(
            "hearings", queryset=Hearing.objects.select_related("minutes").prefetch_related("panel")
        ),
        "hearing_participants",
    )


def _attendee(p) -> str:
    # The name ticked is stored in the hearing's record as it reads: English, always.
    with translation.override("en"):
        return f"{p.name} ({p.get_role_display().lower()}, {p.get_party_display().lower()})"


def hearing_page(case: Case, relation: str) -> dict:
    """What a page shows of the comment on the review and the hearing, by the user's
    relation to the case: the respondent sees the review only as disclosed to it, and
    its own people; staff and the deciders see everything."""
    everything = relation in ("staff", "decider")
    hearing = workflow.current_hearing(case)
    recused = {r.member_id for r in case.recusals.all()}
    panel = [u for u in hearing.panel.all() if u.pk not in recused] if hearing else []
    participants = [
        p for p in case.hearing_participants.all() if everything or p.party == "respondent"
    ]
    disclosure = workflow.latest_disclosure(case)
    revised = disclosure is not None and workflow.review_changed_since(case, disclosure)
    return {
        "paths": workflow.open_paths(case.procedure),
        "procedure": case.procedure,
        "hearing": hearing,
        "any_hearing": bool(case.hearings.all()),
        "held": [h for h in case.hearings.all() if h.recorded_at is not None],
        "postponed": [h for h in case.hearings.all() if h.postponed_at is not None],
        "panel": panel,
        "participants": participants,
        "requests": list(case.hearing_requests.all()),
        "disclosure": disclosure,
        "review_revised": revised,
        # The respondent reads the review only as it was disclosed to it.
        "review_visible": everything or (disclosure is not None and not revised),
        "findings": [a for a in case.allegations.all() if hasattr(a, "finding")],
        "comments": list(case.review_comments.all()),
        "attendance_names": [u.get_full_name() or u.username for u in panel]
        + [_attendee(p) for p in participants],
    }
