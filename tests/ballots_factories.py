"""Helpers and fixtures for the ballot, sanction and appeal tests (tests/test_ballots_*.py).

Cases reach `board_vote` the way the app takes them there (cases.demo._review): filed,
review opened, a response (or the response window pushed into the past), staff
fact-finding, a finding per allegation, the review report, and referral. Board members
must exist before the referral: the ballot seats the board as it is at that moment.

Time passing is simulated by moving stored dates into the past with queryset updates
(the workflow rules read today's date), never by touching the rules.

Test modules load the fixtures with ``from tests.ballots_factories import *`` and
import the helpers they call by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from cases import services
from cases.models import (
    Ballot,
    BallotKind,
    Case,
    CaseEvent,
    CodeOfEthics,
    ComplainantKind,
    EvidenceSource,
    FindingConclusion,
    Principle,
    Procedure,
    Sanction,
    VoteChoice,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput, ballots
from members.roles import APPEALS_PANEL, BOARD
from tests.factories import OrganizationFactory, RepresentativeFactory, UserFactory

# `from tests.ballots_factories import *` brings the fixtures; import helpers by name.
__all__ = ["private_storage_root"]


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def shown(value: datetime.date) -> str:
    """A date as the rules write it ("3 March 2026")."""
    return date_format(value, "j F Y")


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def events(case: Case):
    return CaseEvent.objects.filter(case_id=case.pk).order_by("sequence")


def event_kinds(case: Case) -> list[str]:
    return list(events(case).values_list("kind", flat=True))


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_storage_root(settings, tmp_path):
    """Evidence files are written under the test's temporary directory; passwords are
    hashed cheaply (each board member is a user with a password)."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


# ---------------------------------------------------------------------------
# People and the procedure
# ---------------------------------------------------------------------------


def _members(prefix: str, n: int, group: str) -> list[User]:
    return [UserFactory(username=f"{prefix}{i + 1}", roles=[group]) for i in range(n)]


def board_members(n: int, prefix: str = "board.") -> list[User]:
    return _members(prefix, n, BOARD)


def panel_members(n: int, prefix: str = "panel.") -> list[User]:
    return _members(prefix, n, APPEALS_PANEL)


def add_to_group(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    user.__dict__.pop("_probity_roles", None)
    return user


_procedure_versions = iter(range(100, 10_000))


def make_procedure(**overrides) -> Procedure:
    """A procedure in force from five years ago; later calls win (Procedure.in_force
    takes the latest). Defaults are the association's."""
    values = {
        "version": next(_procedure_versions),
        "in_force_from": today() - days(5 * 365),
    }
    values.update(overrides)
    return Procedure.objects.create(**values)


def _principle() -> Principle:
    found = Principle.objects.order_by("pk").first()
    if found:
        return found
    code, _ = CodeOfEthics.objects.get_or_create(
        version="2016.1",
        defaults={"title": "Code of Ethics", "adopted_on": today() - days(10 * 365)},
    )
    return Principle.objects.create(
        code=code,
        number="3",
        title="Truthful advertising",
        text="Members do not mislead customers about the safety of their products.",
        effective_on=code.adopted_on,
    )


def _pdf(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + body + b"\n%%EOF\n",
        content_type="application/pdf",
    )


# ---------------------------------------------------------------------------
# A case, taken to the board
# ---------------------------------------------------------------------------


def file_case(
    *, staff: User, respondent, officer: User | None = None, complainant_org=None
) -> Case:
    """Filed by a trade journalist, or, given `complainant_org`, by a member's
    representative on behalf of that member organization."""
    if not Procedure.objects.exists():
        make_procedure()
    if complainant_org is not None:
        complainant = ComplainantInput(
            kind=ComplainantKind.MEMBER_REPRESENTATIVE,
            name="Sam Okafor",
            member_organization=complainant_org,
            email="sam@competitor.example",
        )
    else:
        complainant = ComplainantInput(
            kind=ComplainantKind.ORGANIZATION,
            name="Dana Whitfield",
            organization_name="Industrial Robotics Weekly",
            email="dana@robotics-weekly.example",
        )
    return services.complaint_file(
        by=staff,
        respondent=respondent,
        complainant=complainant,
        summary="Misleading safety claims in advertising",
        conduct_known_on=today() - days(60),
        case_officer=officer or staff,
        allegations=[
            AllegationInput(
                principle=_principle(),
                conduct="Advertised a collaborative robot as certified safe when it was not.",
                conduct_from=today() - days(120),
                conduct_to=today() - days(90),
            )
        ],
        evidence=[
            EvidenceInput(
                file=_pdf("advert.pdf", b"The advert."),
                title="The advert",
                source=EvidenceSource.COMPLAINANT,
                disclosed_to_respondent=True,
            )
        ],
    )


def prepare_for_referral(case: Case, staff: User, *, respond_as: User | None = None) -> Case:
    """Open the review and meet every referral rule (cases.demo._review)."""
    case = services.case_transition(case=fresh(case), name="open_review", by=staff)
    if respond_as is not None:
        services.response_submit(
            case=fresh(case), by=respond_as, text="We dispute the allegation."
        )
    else:
        Case.objects.filter(pk=case.pk).update(response_due_on=today() - days(1))
    services.evidence_add(
        case=fresh(case),
        by=staff,
        evidence=EvidenceInput(
            file=_pdf("register.pdf", b"Certification register extract."),
            title="Certification register",
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=True,
        ),
    )
    for allegation in fresh(case).allegations.all():
        services.finding_record(
            allegation=allegation,
            by=staff,
            conclusion=FindingConclusion.SUBSTANTIATED,
            reasoning="The advert and the register disagree.",
        )
    services.review_report_save(
        case=fresh(case), by=staff, text="The allegation is substantiated.",
        rests_on_single_source=False,
    )
    return fresh(case)


def refer(case: Case, staff: User) -> Case:
    return services.case_transition(
        case=fresh(case), name="refer_to_board", by=staff, expected_state="under_review"
    )


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
    """A case in `board_vote` with `board` board members seated (create them first).
    `before_referral(case)` runs while the case is under review (e.g. a recusal)."""
    members = board if isinstance(board, list) else board_members(board)
    if organization is None:
        organization = rep.representative.organization if rep else OrganizationFactory()
    if rep is None:
        rep = RepresentativeFactory(organization=organization).user
    case = file_case(
        staff=staff, respondent=organization, officer=officer, complainant_org=complainant_org
    )
    case = prepare_for_referral(case, staff, respond_as=rep)
    if before_referral is not None:
        before_referral(case)
    case = refer(case, staff)
    return BoardCase(case=case, staff=staff, rep=rep, board=members, organization=organization)


# ---------------------------------------------------------------------------
# Voting, closing, appealing
# ---------------------------------------------------------------------------


def vote(case: Case, voter: User, choice: str, sanction: str = "", months: int | None = None,
         reason: str = ""):
    return ballots.vote_cast(
        case=fresh(case), voter=voter, choice=choice, sanction=sanction,
        suspension_months=months, reason=reason,
    )


def votes_for(case: Case, voters, sanction: str, months: int | None = None) -> None:
    for voter in voters:
        vote(case, voter, VoteChoice.VIOLATION, sanction, months)


def board_ballot(case: Case) -> Ballot:
    return Ballot.objects.filter(case_id=case.pk, kind=BallotKind.BOARD).latest("opened_at", "pk")


def appeal_ballot(case: Case) -> Ballot:
    return Ballot.objects.filter(case_id=case.pk, kind=BallotKind.APPEAL).latest("opened_at", "pk")


def seated_voters(case: Case, kind: str = BallotKind.BOARD) -> list[User]:
    """Everyone seated on the case's ballot: every board member when it opened."""
    ballot = board_ballot(case) if kind == BallotKind.BOARD else appeal_ballot(case)
    return list(User.objects.filter(ballot_seats__ballot=ballot).order_by("pk"))


def close(case: Case, by) -> Case:
    return services.case_transition(
        case=fresh(case), name="close_ballot", by=by, expected_state="board_vote"
    )


def sanctioned_case(staff: User, sanction: str, *, months: int | None = None,
                    board: int | list[User] = 3,
                    **kwargs) -> BoardCase:
    """Every board member seated votes for `sanction`; the ballot is closed by staff."""
    bc = setup_board_case(staff, board=board, **kwargs)
    votes_for(bc.case, seated_voters(bc.case), sanction, months)
    close(bc.case, staff)
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
