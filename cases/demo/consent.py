"""Demo cases for resolution by consent and interim suspension (docs/decisions/0020):
an open consent offer waiting for the respondent's answer, and an interim suspension
in force. Filed under a procedure version that turns both paths on, adopted from
today (the earlier demo cases keep the version they were filed under). Built through
the services, as staff, the board and the respondent would."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases import services
from cases.models import Procedure

CONSENT = "Claimed a safety rating its robot arms never obtained"
INTERIM = "Kept selling recalled pressure valves after the recall notice"
# The whole board votes, so the ballot can be closed now: five in favour, one against,
# one abstention (five of six cast, over the two thirds the interim rule needs).
INTERIM_VOTES = [
    ("board.adams", "for"),
    ("board.baker", "for"),
    ("board.cole", "for"),
    ("board.diaz", "for"),
    ("board.evans", "for"),
    ("board.fisher", "against"),
    ("board.gupta", "abstain"),
]


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _procedure_with_consent_and_interim() -> Procedure:
    procedure = Procedure.objects.filter(consent_resolution=True, interim_suspension=True).first()
    if procedure is None:
        latest = Procedure.objects.order_by("-version").first()
        procedure = Procedure.objects.create(
            version=latest.version + 1,
            in_force_from=timezone.localdate(),
            consent_resolution=True,
            interim_suspension=True,
            notes="Adds resolution by consent (offered by staff) and interim suspension.",
        )
    return procedure


def seed_consent_and_interim(once, file, step, review) -> None:
    if not (once(CONSENT) or once(INTERIM)):
        return
    _procedure_with_consent_and_interim()
    today = timezone.localdate()
    if once(CONSENT):
        case = file(CONSENT, "nettlebed-motion", "2", officer="bruno.staff")
        case = step(case, "open_review", by="bruno.staff")
        services.consent_offer(
            case=case,
            by=_u("bruno.staff"),
            sanction="censure",
            suspension_months=None,
            terms=(
                "Nettlebed Motion withdraws the brochure within 14 days, writes to the "
                "customers who received it, and accepts a censure on its record."
            ),
            reply_by=today + datetime.timedelta(days=21),
        )
    if once(INTERIM):
        case = file(INTERIM, "juniper-conveyors", "3")
        case = step(case, "open_review")
        services.interim_propose(
            case=case,
            by=_u("alice.staff"),
            reasons=(
                "Valves under a manufacturer's recall are still being sold to members' "
                "customers; continued membership lends them the association's name."
            ),
        )
        for username, choice in INTERIM_VOTES:
            services.interim_vote_cast(case=case, voter=_u(username), choice=choice)
        services.interim_ballot_close(case=case, by=_u("alice.staff"))
