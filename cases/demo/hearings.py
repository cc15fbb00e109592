"""Demo data for issue 10: procedure version 2 adds a hearing on a party's request,
and one case has its hearing set (the respondent asked for it and has named its
counsel and a witness). Built through the services, once."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases import services
from cases.models import HearingParty, HearingRule, ParticipantRole, Procedure

HEARING_CASE = "Commissioned a pneumatic press with its interlock bypassed"


def seed_hearing_procedure() -> Procedure:
    """Version 2: as version 1, with a hearing whenever a party asks for one (a
    procedure with no request decides on the papers, as before)."""
    existing = Procedure.objects.exclude(hearing=HearingRule.OFF).order_by("version").first()
    if existing is not None:
        return existing
    latest = Procedure.objects.order_by("-version").first()
    return Procedure.objects.create(
        version=(latest.version + 1) if latest else 1,
        in_force_from=timezone.localdate(),
        hearing=HearingRule.ON_REQUEST,
        hearing_notice_days=21,
        notes="Adds a hearing before the board's vote when a party asks for one.",
    )


def seed_hearing_case(once, file, step, review) -> None:
    if not once(HEARING_CASE):
        return
    seed_hearing_procedure()
    staff = User.objects.get(username="alice.staff")
    case = file(HEARING_CASE, "oakhaven-process", "3")
    case = step(case, "open_review")
    case = review(case)
    rep = case.respondent.representatives.first().user
    services.hearing_request(
        case=case,
        by=rep,
        party=HearingParty.RESPONDENT,
        reason="Our site engineer can show the board the interlock log; we ask to be heard.",
    )
    case = step(case, "refer_to_hearing")
    day = timezone.localdate() + datetime.timedelta(days=28)
    services.hearing_schedule(
        case=case,
        by=staff,
        hearing=services.HearingInput(
            day=day,
            time=datetime.time(10, 30),
            time_zone="Europe/London",
            place="14 Foundry Lane, Northbridge: the board room",
            video_link="https://meet.northbridge-automation.example/hearing",
            participants_due_on=day - datetime.timedelta(days=7),
        ),
    )
    services.hearing_participants_name(
        case=case,
        by=rep,
        participants=[
            services.ParticipantInput(ParticipantRole.COUNSEL, "Miriam Osei", "Osei & Hart LLP"),
            services.ParticipantInput(
                ParticipantRole.WITNESS, "Declan Frost", "Site engineer; kept the interlock log"
            ),
        ],
    )
