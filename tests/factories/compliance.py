"""Cases decided with a fine, required education or conditions (docs/decisions/0018)."""

from __future__ import annotations

import datetime

from cases.models import Compliance, Sanction, SanctionKind, VoteChoice
from cases.services import ballots
from tests.factories.cases import fresh
from tests.factories.scenes import BoardCase, close_ballot, seated_voters, setup_board_case

FINE = {"fine": {"amount": "500", "due_days": 30}}
COURSE = {"education": {"what": "The association's course on honest advertising", "due_days": 60}}
PROBATION = {
    "conditions": {
        "terms": "Every advert is cleared with the ethics staff before publication",
        "months": 12,
        "checked_by": "The case officer",
    }
}


def vote_with(case, voter, sanction: str, compliance: dict, months=None):
    return ballots.vote_cast(
        case=fresh(case),
        voter=voter,
        choice=VoteChoice.VIOLATION,
        sanction=sanction,
        suspension_months=months,
        compliance=compliance,
    )


def decided_with(
    staff,
    compliance: dict,
    *,
    sanction: str = SanctionKind.CENSURE,
    months: int | None = None,
    board: int = 3,
    **kwargs,
) -> BoardCase:
    """Every seated board member finds a violation, supports `sanction` and the
    compliance sanctions of `compliance`; staff close the ballot."""
    bc = setup_board_case(staff, board=board, **kwargs)
    for voter in seated_voters(bc.case):
        vote_with(bc.case, voter, sanction, compliance, months)
    close_ballot(bc.case, staff)
    bc.refresh()
    return bc


def compliance_of(case, kind: str) -> Compliance:
    return Compliance.objects.select_related("sanction").get(
        sanction__case=case, sanction__kind=kind
    )


def sanctions_of_kind(case, kind: str) -> list[Sanction]:
    return list(Sanction.objects.filter(case=case, kind=kind))


def due(case, kind: str) -> datetime.date:
    return compliance_of(case, kind).due_on


def fined_case(w, compliance: dict | None = None):
    """A case of the letters' world (tests.factories.letters) decided with a censure, a
    fine and a course; the board all vote for them."""
    from tests.factories.cases import step
    from tests.factories.letters import referred_case

    case = referred_case(w)
    for member in w.board:
        vote_with(case, member, SanctionKind.CENSURE, compliance or {**FINE, **COURSE})
    return step(case, "close_ballot", w.staff)


def in_default_case(w):
    """A fined case whose fine fell overdue: the deadline job applied the consequence."""
    from cases.services import deadlines

    case = fined_case(w, FINE)
    deadlines.run(due(case, SanctionKind.FINE) + datetime.timedelta(days=1))
    return fresh(case)
