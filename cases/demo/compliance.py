"""Demo cases with sanctions a member complies with (docs/decisions/0018): a censure
with a fine and a course, still owed; and a warning with a fine left unpaid, decided
45 days ago, whose default the deadline job has flagged (the member is suspended
until it pays). Built through the services, as the board and staff would."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from cases import services, workflow
from cases.demo.decisions import BOARD, _referred, _u
from cases.models import Case, Compliance
from cases.services.compliance import flag_overdue
from cases.services.record import lock_case

FINE_AND_COURSE = {
    "fine": {"amount": "2500", "due_days": 60},
    "education": {
        "what": "The association's half-day course on substantiating product claims",
        "due_days": 90,
    },
}
UNPAID_FINE = {"fine": {"amount": "750", "due_days": 30}}


def _votes(case: Case, sanction: str, compliance: dict, voters: list[str]) -> None:
    for username in voters:
        services.vote_cast(
            case=case,
            voter=_u(username),
            choice="violation",
            sanction=sanction,
            compliance=compliance,
        )


def seed_compliance(once, file, step, review) -> None:
    s = "Catalogue claimed energy savings it could not substantiate"
    if once(s):
        case = _referred(file, step, review, s, "dunmore-drives", "2")
        _votes(case, "censure", FINE_AND_COURSE, BOARD)
        step(case, "close_ballot", by=case.case_officer.username)

    s = "Used the association's logo after being told to stop"
    if once(s):
        case = _referred(file, step, review, s, "harrow-pneumatics", "6", officer="bruno.staff")
        _votes(case, "warning", UNPAID_FINE, BOARD)
        today = timezone.localdate()
        with workflow.as_of(today - datetime.timedelta(days=45)):
            case = step(case, "close_ballot", by="bruno.staff")
        case = step(case, "finalize", by="bruno.staff")  # the appeal window has passed
        with transaction.atomic():
            lock_case(case)
            compliance = Compliance.objects.select_related(
                "sanction__case__respondent", "sanction__case__procedure"
            ).get(sanction__case=case)
            flag_overdue(compliance, today=today)
