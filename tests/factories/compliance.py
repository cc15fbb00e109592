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
    staff, compliance: dict, *, sanction: str = SanctionKind.CENSURE, board: int = 3, **kwargs
) -> BoardCase:
    """Every seated board member finds a violation, supports `sanction` and the
    compliance sanctions of `compliance`; staff close the ballot."""
    bc = setup_board_case(staff, board=board, **kwargs)
    for voter in seated_voters(bc.case):
        vote_with(bc.case, voter, sanction, compliance)
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
