"""Scene builders: a case at review with its findings, a case before the board, a
sanctioned case, an appeal, and the casts of people around them.

Every scene is built the way the app builds it (cases.demo._review and
cases.demo_decisions): filed, review opened, a response (or the response window pushed
into the past), staff fact-finding, a finding per allegation, the review report, and
referral. Board members must exist before the referral: the ballot seats the board as it
is at that moment. `complete_review` is the one recipe for "the review is done".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User

from cases import services
from cases.models import (
    Ballot,
    BallotKind,
    Case,
    EvidenceSource,
    FindingConclusion,
    Sanction,
    VoteChoice,
)
from cases.services import ballots
from cases.workflow import CaseState
from members.models import Organization
from tests.factories.cases import (
    allegation,
    complainant_input,
    ensure_principle,
    evidence_input,
    file_case,
    force_state,
    fresh,
    member_complainant,
    open_review,
    pass_response_window,
    pdf,
    respond,
    step,
    the_advert,
    transition,
)
from tests.factories.members import OrganizationFactory, RepresentativeFactory, representative_of
from tests.factories.people import UserFactory, board_members, board_user, panel_members, staff_user

RESPONSE_TEXT = "We dispute the allegation."
FINDING_REASONING = "The advert and the certification register disagree."
REPORT_TEXT = "The allegation is substantiated by the certification register."


# ---------------------------------------------------------------------------
# The review
# ---------------------------------------------------------------------------


def add_fact_finding(case: Case, by, **kwargs):
    """Staff add an exhibit of their own (a second source): the certification register."""
    kwargs.setdefault("source", EvidenceSource.STAFF)
    kwargs.setdefault("title", "Certification register extract")
    return services.evidence_add(
        case=fresh(case),
        by=by,
        evidence=evidence_input(
            pdf("certification-register.pdf", b"Certification register extract."), **kwargs
        ),
    )


def record_findings(case: Case, by, conclusion: str = FindingConclusion.SUBSTANTIATED) -> None:
    """A finding of `conclusion` on every allegation."""
    for a in fresh(case).allegations.all():
        services.finding_record(
            allegation=a, by=by, conclusion=conclusion, reasoning=FINDING_REASONING
        )


def complete_review(
    case: Case,
    staff: User,
    *,
    rep: User | None = None,
    reply_attachments=(),
    conclusion: str = FindingConclusion.SUBSTANTIATED,
) -> Case:
    """Meet every referral rule for a case under review: a response from `rep` (with
    `reply_attachments`), or without `rep` the response window pushed into the past;
    staff fact-finding; a finding of `conclusion` per allegation; the review report."""
    if rep is not None:
        respond(case, rep, RESPONSE_TEXT, attachments=reply_attachments)
    else:
        pass_response_window(case)
    add_fact_finding(case, staff)
    record_findings(case, staff, conclusion)
    services.review_report_save(
        case=fresh(case), by=staff, text=REPORT_TEXT, rests_on_single_source=False
    )
    return fresh(case)


def ready_for_referral(case: Case, by, *, respond_as=None) -> Case:
    """Open the review of a filed case and complete it (see complete_review)."""
    return complete_review(open_review(case, by), by, rep=respond_as)


def case_at_review(by=None, *, respond_as=None, **file_kwargs) -> Case:
    """A case at review, with findings: filed, review opened and completed (every
    referral rule met), not yet referred."""
    by = by or staff_user("case.staff")
    return ready_for_referral(file_case(by=by, **file_kwargs), by, respond_as=respond_as)


def refer(case: Case, staff: User) -> Case:
    return step(case, "refer_to_board", staff)


def case_in_state(state: str, by, **file_kwargs) -> Case:
    """A case in `state`: reached through the services where a test can, else forced."""
    case = file_case(by=by, **file_kwargs)
    if state == CaseState.FILED:
        return fresh(case)
    if state == CaseState.DISMISSED:
        return transition(case, "dismiss", by, reason="The conduct is outside the code.")
    if state == CaseState.WITHDRAWN:
        return transition(case, "withdraw", by, reason="The complainant withdrew the complaint.")
    if state == CaseState.BOARD_VOTE:
        return transition(ready_for_referral(case, by), "refer_to_board", by)
    case = open_review(case, by)
    if state == CaseState.UNDER_REVIEW:
        return fresh(case)
    return force_state(case, state)


# ---------------------------------------------------------------------------
# Before the board: voting, closing, appealing
# ---------------------------------------------------------------------------


@dataclass
class BoardCase:
    case: Case
    staff: User
    rep: User
    board: list[User]
    organization: object
    panel: list[User] = field(default_factory=list)

    def refresh(self) -> Case:
        self.case = fresh(self.case)
        return self.case


def setup_board_case(
    staff: User,
    *,
    board: int | list[User] = 5,
    rep: User | None = None,
    organization=None,
    officer: User | None = None,
    before_referral=None,
    complainant_org=None,
) -> BoardCase:
    """A case in `board_vote` with `board` board members seated (create them first), the
    respondent's representative having responded. `before_referral(case)` runs while the
    case is under review (e.g. a recusal). `complainant_org`: a member complains."""
    members = board if isinstance(board, list) else board_members(board)
    if organization is None:
        organization = rep.representative.organization if rep else OrganizationFactory()
    if rep is None:
        rep = RepresentativeFactory(organization=organization).user
    case = file_case(
        by=staff,
        respondent=organization,
        case_officer=officer or staff,
        complainant=member_complainant(complainant_org) if complainant_org else None,
        evidence=[the_advert()],
    )
    case = ready_for_referral(case, staff, respond_as=rep)
    if before_referral is not None:
        before_referral(case)
    case = refer(case, staff)
    return BoardCase(case=case, staff=staff, rep=rep, board=members, organization=organization)


def vote(case: Case, voter: User, choice: str, sanction: str = "", months: int | None = None,
         reason: str = ""):
    return ballots.vote_cast(
        case=fresh(case), voter=voter, choice=choice, sanction=sanction,
        suspension_months=months, reason=reason,
    )


def votes_for(case: Case, voters, sanction: str, months: int | None = None) -> None:
    """Each of `voters` finds a violation and asks for `sanction`."""
    for voter in voters:
        vote(case, voter, VoteChoice.VIOLATION, sanction, months)


def vote_all(case: Case, voters, choice: str, sanction: str = "", months=None) -> None:
    for voter in voters:
        vote(case, voter, choice, sanction, months)


def board_ballot(case: Case) -> Ballot:
    return Ballot.objects.filter(case_id=case.pk, kind=BallotKind.BOARD).latest("opened_at", "pk")


def appeal_ballot(case: Case) -> Ballot:
    return Ballot.objects.filter(case_id=case.pk, kind=BallotKind.APPEAL).latest("opened_at", "pk")


def seated_voters(case: Case, kind: str = BallotKind.BOARD) -> list[User]:
    """Everyone seated on the case's ballot: every board member when it opened."""
    ballot = board_ballot(case) if kind == BallotKind.BOARD else appeal_ballot(case)
    return list(User.objects.filter(ballot_seats__ballot=ballot).order_by("pk"))


def close_ballot(case: Case, by) -> Case:
    return step(case, "close_ballot", by)


def sanctioned_case(staff: User, sanction: str, *, months: int | None = None,
                    board: int | list[User] = 3,
                    **kwargs) -> BoardCase:
    """Every board member seated votes for `sanction`; the ballot is closed by staff."""
    bc = setup_board_case(staff, board=board, **kwargs)
    votes_for(bc.case, seated_voters(bc.case), sanction, months)
    close_ballot(bc.case, staff)
    bc.refresh()
    return bc


def file_appeal(case: Case, rep: User, grounds: str = "The board misread the evidence.") -> Case:
    return services.case_transition(
        case=fresh(case), name="file_appeal", by=rep, reason=grounds, expected_state="sanctioned"
    )


def run_appeal(bc: BoardCase, choice: str, *, panel: int = 3) -> Ballot:
    """The respondent appeals; a fresh panel all vote `choice`; staff close its ballot."""
    bc.panel = panel_members(panel, prefix=f"panel.{bc.case.pk}.")
    file_appeal(bc.case, bc.rep)
    for member in bc.panel:
        vote(bc.case, member, choice)
    ballots.appeal_ballot_close(case=fresh(bc.case), by=bc.staff)
    return appeal_ballot(bc.case)


def decide_appeal(case: Case, staff: User, reasons: str = "The panel's ballot decided it.") -> Case:
    return services.case_transition(
        case=fresh(case), name="decide_appeal", by=staff, reason=reasons,
        expected_state="under_appeal",
    )


def current_sanctions(case: Case) -> list[Sanction]:
    return list(Sanction.objects.filter(case_id=case.pk).order_by("pk"))


# ---------------------------------------------------------------------------
# The cast of the case pages: a respondent, another member, a board
# ---------------------------------------------------------------------------

DISCLOSED_TITLE = "Advert screenshot shown to the respondent"
UNDISCLOSED_TITLE = "Confidential informant memo kept back"


@dataclass
class Cast:
    staff: User
    organization: Organization
    rep: User
    other_organization: Organization
    other_rep: User
    board: list[User] = field(default_factory=list)
    superuser: User | None = None


def cast(board: int = 3) -> Cast:
    """Staff, the respondent and its representative, another member and theirs, a
    board (seated at any referral made later) and a superuser with no role."""
    staff = staff_user("alice.staff", first_name="Alice", last_name="Staffer")
    organization = OrganizationFactory(name="Acme Robotics", slug="acme-robotics")
    rep = representative_of(organization, "acme.rep")
    other = OrganizationFactory(name="Globex Automation", slug="globex-automation")
    other_rep = representative_of(other, "globex.rep")
    members = [
        board_user(f"board.{name.lower()}", first_name=first, last_name=name)
        for first, name in [
            ("Zebulon", "Quartermaine"),
            ("Ottoline", "Fairweather"),
            ("Bartholomew", "Ashcombe"),
            ("Henrietta", "Pemberton"),
            ("Leopold", "Vandermeer"),
        ][:board]
    ]
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    return Cast(staff, organization, rep, other, other_rep, members, root)


def case_with_exhibits(
    staff: User,
    respondent: Organization,
    *,
    allegations: int = 1,
    evidence: int = 1,
    undisclosed: int = 1,
    consents: bool = False,
    summary: str = "Misleading safety claims in advertising",
) -> Case:
    """A complaint filed with `allegations` allegations, `evidence` disclosed exhibits and
    `undisclosed` withheld ones (the first of each with the recognisable titles
    DISCLOSED_TITLE and UNDISCLOSED_TITLE)."""
    p = ensure_principle()
    exhibits = [
        evidence_input(
            pdf(f"disclosed-{i}.pdf", f"Disclosed exhibit {i}".encode()),
            title=DISCLOSED_TITLE if i == 0 else f"Disclosed exhibit {i}",
        )
        for i in range(evidence)
    ] + [
        evidence_input(
            pdf(f"withheld-{i}.pdf", f"Withheld exhibit {i}".encode()),
            title=UNDISCLOSED_TITLE if i == 0 else f"Withheld exhibit {i}",
            disclosed=False,
        )
        for i in range(undisclosed)
    ]
    return file_case(
        by=staff,
        respondent=respondent,
        complainant=complainant_input(consents_to_disclosure=consents),
        summary=summary,
        allegations=[
            allegation(p, conduct=f"Advertised robot model {i} as certified safe when it was not.")
            for i in range(allegations)
        ],
        evidence=exhibits,
    )


def our_reply() -> object:
    """The respondent's attachment to its response in the page scenes."""
    return pdf("our-reply.pdf", b"Our correspondence.")
