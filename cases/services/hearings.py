"""Issue 10: the respondent's comment on the review, and the hearing before the vote.

- The review (findings and report, never undisclosed evidence) is disclosed to the
  respondent with a comment window; the comment goes to the deciders with the file.
- A hearing: a party asks for one (where the procedure holds one on request), staff
  set it (a date at least the procedure's notice ahead, a place or a video link, the
  board minus recusals as its panel) and the parties get a notice of hearing; the
  parties name attendees, counsel and witnesses by a date; a postponement gives a
  reason and a new notice; staff keep the record (who attended, the minutes, stored
  with their SHA-256 like evidence).

Each service locks the case, asks cases.access first and writes the case record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases import events, notifications, workflow
from cases.access import authorize, require_reason
from cases.models import (
    Case,
    EvidenceSource,
    Hearing,
    HearingParticipant,
    HearingParty,
    HearingRequest,
    LetterKind,
    ParticipantRole,
    ReviewComment,
    ReviewDisclosure,
)
from cases.rendering import complainant_recipient, respondent_recipient
from cases.services.evidence import EvidenceInput, store_evidence
from cases.services.letters import issue
from cases.services.record import lock_case, record_event
from members.models import Representative
from members.roles import BOARD

# ---------------------------------------------------------------------------
# The respondent's comment on the review
# ---------------------------------------------------------------------------


@transaction.atomic
def review_disclose(*, case: Case, by) -> ReviewDisclosure:
    """Disclose the findings and the review report as they stand; the comment window
    runs from today for the procedure's number of days."""
    case = lock_case(case)
    authorize(by, case, "disclose_review")
    due = workflow.today() + datetime.timedelta(days=case.procedure.review_comment_days)
    disclosure = ReviewDisclosure.objects.create(case=case, disclosed_by=by, comment_due_on=due)
    record_event(
        case,
        actor=by,
        **events.review_disclosed(
            disclosure=disclosure.pk,
            comment_due_on=due,
            findings=sorted(
                case.allegations.filter(finding__isnull=False).values_list("pk", flat=True)
            ),
        ),
    )
    notifications.after_commit(notifications.review_disclosed, case.pk)
    return disclosure


@transaction.atomic
def review_comment_submit(*, case: Case, by, text: str) -> ReviewComment:
    """The respondent's one comment on the disclosed review, within its window."""
    case = lock_case(case)
    authorize(by, case, "comment_on_review")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write your comment before sending it."))
    disclosure = workflow.latest_disclosure(case)
    comment = ReviewComment.objects.create(
        case=case, disclosure=disclosure, submitted_by=by, text=text
    )
    record_event(
        case,
        actor=by,
        **events.review_comment_submitted(comment=comment.pk, disclosure=disclosure.pk, text=text),
    )
    notifications.after_commit(notifications.review_comment_received, case.pk)
    return comment


# ---------------------------------------------------------------------------
# Asking for a hearing
# ---------------------------------------------------------------------------

# Who asks for whom: the respondent on its page; staff record the complainant's.
REQUEST_ACTIONS = {
    HearingParty.RESPONDENT: "request_hearing",
    HearingParty.COMPLAINANT: "record_hearing_request",
}


@transaction.atomic
def hearing_request(*, case: Case, by, party: str, reason: str) -> HearingRequest:
    if party not in REQUEST_ACTIONS:
        raise ValidationError(_("“%(party)s” is not a party to the case.") % {"party": party})
    case = lock_case(case)
    item = authorize(by, case, REQUEST_ACTIONS[party])
    reason = require_reason(reason, item.reason_label)
    request = HearingRequest.objects.create(case=case, party=party, reason=reason, recorded_by=by)
    record_event(
        case, actor=by, **events.hearing_requested(request=request.pk, party=party, reason=reason)
    )
    return request


# ---------------------------------------------------------------------------
# Setting and postponing the hearing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HearingInput:
    day: datetime.date
    time: datetime.time
    time_zone: str
    place: str = ""
    video_link: str = ""
    participants_due_on: datetime.date | None = None

    def starts_at(self) -> datetime.datetime:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                _("“%(zone)s” is not a time zone; use a name such as Europe/London.")
                % {"zone": self.time_zone}
            ) from exc
        return datetime.datetime.combine(self.day, self.time, tzinfo=zone)


def _d(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _validate(case: Case, h: HearingInput) -> datetime.datetime:
    """Every problem with the date, the place and the deadline, at once."""
    problems = []
    try:
        starts_at = h.starts_at()
    except ValidationError as exc:
        problems.extend(exc.messages)
        starts_at = None
    earliest = workflow.earliest_hearing_day(case)
    if h.day < earliest:
        problems.append(
            _(
                "The hearing cannot be set sooner than the procedure's notice of "
                "%(days)s days: the earliest date is %(day)s."
            )
            % {"days": case.procedure.hearing_notice_days, "day": _d(earliest)}
        )
    if not h.place.strip() and not h.video_link.strip():
        problems.append(_("Give the place of the hearing or its video link."))
    due = h.participants_due_on
    if due is None:
        problems.append(
            _("Give the date by which the parties name attendees, counsel and witnesses.")
        )
    elif due < workflow.today():
        problems.append(
            _("The date for naming attendees, counsel and witnesses has already passed.")
        )
    elif due >= h.day:
        problems.append(
            _("Attendees, counsel and witnesses must be named before the hearing's date.")
        )
    if problems:
        raise ValidationError(problems)
    return starts_at


def hearing_panel(case: Case) -> list:
    """The deciders who will hear the case: the board's active members, minus those
    recused and those who represent a party."""
    recused = set(case.recusals.values_list("member_id", flat=True))
    parties = [case.respondent_id]
    if case.complainant.member_organization_id is not None:
        parties.append(case.complainant.member_organization_id)
    representing = set(
        Representative.objects.filter(organization_id__in=parties).values_list("user_id", flat=True)
    )
    board = User.objects.filter(groups__name=BOARD, is_active=True).order_by(
        "last_name", "first_name", "pk"
    )
    return [u for u in board if u.pk not in recused and u.pk not in representing]


def _set(case: Case, h: HearingInput, *, by, replaces: Hearing | None = None, reason: str = ""):
    starts_at = _validate(case, h)
    hearing = Hearing.objects.create(
        case=case,
        starts_at=starts_at,
        time_zone=h.time_zone,
        place=h.place.strip(),
        video_link=h.video_link.strip(),
        participants_due_on=h.participants_due_on,
        scheduled_by=by,
        replaces=replaces,
    )
    panel = hearing_panel(case)
    hearing.panel.set(panel)
    event = record_event(
        case,
        actor=by,
        **events.hearing_scheduled(
            hearing=hearing.pk,
            starts_at=starts_at,
            time_zone=h.time_zone,
            place=hearing.place,
            video_link=hearing.video_link,
            participants_due_on=h.participants_due_on,
            panel=[u.username for u in panel],
            replaces=replaces.pk if replaces else None,
            reason=reason,
        ),
    )
    # The notice of hearing (or the new notice after a postponement) to both parties.
    issue(case, LetterKind.NOTICE_OF_HEARING, respondent_recipient(case), event=event, by=by)
    issue(case, LetterKind.NOTICE_OF_HEARING, complainant_recipient(case), event=event, by=by)
    return hearing


@transaction.atomic
def hearing_schedule(*, case: Case, by, hearing: HearingInput) -> Hearing:
    case = lock_case(case)
    authorize(by, case, "schedule_hearing")
    return _set(case, hearing, by=by)


@transaction.atomic
def hearing_postpone(*, case: Case, by, reason: str, hearing: HearingInput) -> Hearing:
    """The hearing set now is postponed, with the reason; the new date is noticed again."""
    case = lock_case(case)
    item = authorize(by, case, "postpone_hearing")
    reason = require_reason(reason, item.reason_label)
    current = workflow.current_hearing(case)
    Hearing.objects.filter(pk=current.pk).update(
        postponed_at=timezone.now(), postponement_reason=reason
    )
    return _set(case, hearing, by=by, replaces=current, reason=reason)


# ---------------------------------------------------------------------------
# Who comes: attendees, counsel, witnesses
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    role: str
    name: str
    detail: str = ""


def _add_participants(case: Case, *, by, party: str, participants) -> list[HearingParticipant]:
    rows = [p for p in participants if p.name.strip()]
    if not rows:
        raise ValidationError(_("Name at least one person: an attendee, counsel or a witness."))
    for p in rows:
        if p.role not in ParticipantRole.values:
            raise ValidationError(_("“%(role)s” is not a role at a hearing.") % {"role": p.role})
    created = [
        HearingParticipant.objects.create(
            case=case,
            party=party,
            role=p.role,
            name=p.name.strip()[:200],
            detail=p.detail.strip()[:300],
            named_by=by,
        )
        for p in rows
    ]
    record_event(
        case,
        actor=by,
        **events.hearing_participants_named(
            party=party,
            participants=[{"id": x.pk, "role": x.role, "name": x.name} for x in created],
        ),
    )
    return created


@transaction.atomic
def hearing_participants_name(*, case: Case, by, participants) -> list[HearingParticipant]:
    """The respondent names its own people, by the date the notice gives."""
    case = lock_case(case)
    authorize(by, case, "name_hearing_participants")
    return _add_participants(case, by=by, party=HearingParty.RESPONDENT, participants=participants)


@transaction.atomic
def hearing_participants_record(
    *, case: Case, by, party: str, participants
) -> list[HearingParticipant]:
    """Staff record the names a party gave them (the complainant's, or the
    respondent's sent by post)."""
    case = lock_case(case)
    authorize(by, case, "record_hearing_participants")
    if party not in HearingParty.values:
        raise ValidationError(_("“%(party)s” is not a party to the case.") % {"party": party})
    return _add_participants(case, by=by, party=party, participants=participants)


# ---------------------------------------------------------------------------
# The hearing's record
# ---------------------------------------------------------------------------


@transaction.atomic
def hearing_record(
    *, case: Case, by, attended: list[str], minutes, notes: str = "", disclosed: bool = True
) -> Hearing:
    """Who attended and the minutes or the recording, stored and hashed like evidence
    (disclosed to the respondent unless staff say otherwise)."""
    case = lock_case(case)
    authorize(by, case, "record_hearing")
    attended = [a.strip()[:200] for a in attended if a and a.strip()]
    problems = []
    if not attended:
        problems.append(_("Record who attended the hearing."))
    if minutes is None:
        problems.append(_("Attach the minutes or the recording of the hearing."))
    if problems:
        raise ValidationError(problems)
    hearing = workflow.current_hearing(case)
    held_on = hearing.local_start.date()
    with translation.override("en"):  # the evidence's title is stored: English
        title = f"Record of the hearing of {_d(held_on)}"
    evidence = store_evidence(
        case,
        EvidenceInput(
            file=minutes,
            title=title,
            source=EvidenceSource.STAFF,
            disclosed_to_respondent=disclosed,
            producer="The hearing's record",
            description=(notes or "").strip(),
        ),
        actor=by,
    )
    Hearing.objects.filter(pk=hearing.pk).update(
        recorded_at=timezone.now(),
        recorded_by=by,
        attended=attended,
        record_notes=(notes or "").strip(),
        minutes=evidence,
    )
    record_event(
        case,
        actor=by,
        **events.hearing_recorded(
            hearing=hearing.pk, attended=attended, minutes=evidence.pk, sha256=evidence.sha256
        ),
    )
    hearing.refresh_from_db()
    return hearing
