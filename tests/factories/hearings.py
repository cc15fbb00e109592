"""Scenes of issue 10's hearing and comment on the review, built through the services
on the letters world (tests.factories.letters.World)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases import services
from cases.models import Case, Hearing, HearingParty, Procedure, ReviewDisclosure
from tests.factories.cases import adopt_procedure, fresh, open_review, step
from tests.factories.dates import days, today
from tests.factories.letters import World, review, world_case
from tests.factories.scenes import vote_all

MINUTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\nMinutes.\n"


def hearing_procedure(hearing: str = "always", **overrides) -> Procedure:
    """A procedure version in force, with hearings `hearing` ("always", "on_request")."""
    overrides.setdefault("response_window_days", 21)
    return adopt_procedure(hearing=hearing, **overrides)


def reviewed_case(w: World) -> Case:
    """Under review, every referral rule met (the respondent responded)."""
    return review(w, open_review(world_case(w), w.staff))


def case_at_hearing(w: World) -> Case:
    """Referred to a hearing (the procedure in force must hold one)."""
    return step(reviewed_case(w), "refer_to_hearing", w.staff)


def hearing_input(case: Case, *, ahead: int | None = None, **kwargs) -> services.HearingInput:
    """`ahead` days from today (the procedure's notice by default), at 10:00 London."""
    ahead = case.procedure.hearing_notice_days if ahead is None else ahead
    values = {
        "day": today() + days(ahead),
        "time": datetime.time(10, 0),
        "time_zone": "Europe/London",
        "place": "14 Foundry Lane, Northbridge: the board room",
        "video_link": "",
        "participants_due_on": today() + days(max(ahead - 7, 0)),
    }
    values.update(kwargs)
    return services.HearingInput(**values)


def set_hearing(case: Case, staff, **kwargs) -> Hearing:
    return services.hearing_schedule(
        case=fresh(case), by=staff, hearing=hearing_input(case, **kwargs)
    )


def hearing_day_comes(case: Case) -> Hearing:
    """Time moves on: the hearing set (with its full notice) was yesterday."""
    hearing = Hearing.objects.filter(case_id=case.pk, postponed_at__isnull=True).latest("pk")
    notice = case.procedure.hearing_notice_days
    Hearing.objects.filter(pk=hearing.pk).update(
        starts_at=timezone.now() - days(1), scheduled_at=timezone.now() - days(notice + 2)
    )
    return Hearing.objects.get(pk=hearing.pk)


def minutes_file(name: str = "minutes.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, MINUTES, content_type="application/pdf")


def hold_hearing(case: Case, staff, attended=("Rowena Quist", "Helena Marsh")) -> Hearing:
    hearing_day_comes(case)
    return services.hearing_record(
        case=fresh(case), by=staff, attended=list(attended), minutes=minutes_file()
    )


def heard_and_referred(w: World) -> Case:
    """Heard, recorded, and referred to the board's vote."""
    case = case_at_hearing(w)
    set_hearing(case, w.staff)
    hold_hearing(case, w.staff)
    return step(case, "refer_after_hearing", w.staff)


def heard_and_decided(w: World, choice: str, sanction: str = "", months=None) -> Case:
    case = heard_and_referred(w)
    vote_all(case, w.board, choice, sanction, months)
    return step(case, "close_ballot", w.staff)


def request_hearing(case: Case, by, party: str = HearingParty.RESPONDENT):
    return services.hearing_request(
        case=fresh(case), by=by, party=party, reason="We wish to be heard in person."
    )


def disclose(case: Case, staff) -> ReviewDisclosure:
    return services.review_disclose(case=fresh(case), by=staff)


def comment_window_passes(case: Case) -> None:
    ReviewDisclosure.objects.filter(case_id=case.pk).update(comment_due_on=today() - days(1))
