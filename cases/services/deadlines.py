"""The deadline job: what happens because a date arrived. Run it from cron or a
systemd timer every few minutes (`manage.py run_deadlines`).

Each action runs in its own transaction with the case row locked and re-checks its
condition under the lock, so two jobs running at once act once: the second finds
the case already moved on (or the reminder already recorded) and does nothing.
Every action is a case event attributed to the system (no actor). Last, each case
whose record grew since its last checkpoint gets one signed, once a day.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cases import notifications, workflow
from cases.models import (
    Ballot,
    BallotKind,
    Case,
    Compliance,
    ConsentOffer,
    ConsentStatus,
    NonComplianceConsequence,
    RecordCheckpoint,
    Reminder,
    Sanction,
    SanctionKind,
)
from cases.outcomes import ballots_with_votes
from cases.services.ballots import appeal_ballot_close
from cases.services.checkpoints import sign_checkpoint, signing_key
from cases.services.complainants import complainant_appeal_ballot_close
from cases.services.compliance import flag_overdue, holding_suspension
from cases.services.consent import consent_lapse
from cases.services.interim import interim_ballot_close
from cases.services.publication import (
    cases_to_publish,
    publications_to_take_down,
    publish,
    take_down,
)
from cases.services.record import lock_case, record_event
from cases.services.retention import purge, purges_due
from cases.services.sanctions import sanction_apply, transition_after_sanction
from cases.services.transitions import case_transition
from cases.workflow import CaseState, TransitionRefused
from members.models import MembershipStatus
from members.services import membership_change

log = logging.getLogger("probity.deadlines")


def run(today: datetime.date | None = None) -> Counter:
    """Act on every date that has arrived. `today` lets an operator (or a test) run
    the job as of another date; the workflow's rules are then judged on that date too."""
    today = today or timezone.localdate()
    with workflow.as_of(today):
        return _run(today)


def _run(today: datetime.date) -> Counter:
    done: Counter = Counter()

    def each(label: str, ids, action) -> None:
        # One item that fails (a letter that will not render, a mail server that is
        # down) must not stop the job for every case after it on every run: log it,
        # count it, go on. The command exits non-zero when anything failed.
        for pk in ids:
            try:
                done[label] += action(pk)
            except Exception:
                log.exception("run_deadlines: %s failed for %s", label, pk)
                done["failed"] += 1

    each(
        "ballots closed",
        Case.objects.filter(
            state=CaseState.BOARD_VOTE,
            ballots__kind=BallotKind.BOARD,
            ballots__closed_at__isnull=True,
            ballots__closes_on__lt=today,
        ).values_list("pk", flat=True),
        lambda pk: _try_step(pk, "close_ballot"),
    )
    each(
        "appeal ballots closed",
        Ballot.objects.filter(
            kind=BallotKind.APPEAL,
            closed_at__isnull=True,
            closes_on__lt=today,
            case__state=CaseState.UNDER_APPEAL,
        ).values_list("case_id", flat=True),
        _try_close_appeal_ballot,
    )
    each(
        "complainant appeal ballots closed",
        Ballot.objects.filter(
            kind=BallotKind.COMPLAINANT_APPEAL,
            closed_at__isnull=True,
            closes_on__lt=today,
            case__state=CaseState.COMPLAINANT_APPEAL,
        ).values_list("case_id", flat=True),
        _try_close_complainant_appeal_ballot,
    )
    each(
        "consent offers lapsed",
        ConsentOffer.objects.filter(status=ConsentStatus.OPEN, reply_by__lt=today).values_list(
            "case_id", flat=True
        ),
        _lapse_consent,
    )
    each(
        "interim ballots closed",
        Ballot.objects.filter(
            kind=BallotKind.INTERIM,
            closed_at__isnull=True,
            closes_on__lt=today,
            case__state__in=workflow.INTERIM_STATES,
        ).values_list("case_id", flat=True),
        _close_interim_ballot,
    )
    each(
        "cases finalized",
        Case.objects.filter(state=CaseState.SANCTIONED, appeal_deadline__lt=today).values_list(
            "pk", flat=True
        ),
        lambda pk: _try_step(pk, "finalize"),
    )
    each(
        "sanctions applied",
        Sanction.objects.filter(
            applied_at__isnull=True, rescinded_at__isnull=True, effective_on__lte=today
        )
        .exclude(case__state=CaseState.UNDER_APPEAL)
        .values_list("pk", flat=True),
        _apply_sanction,
    )
    each(
        "suspensions ended",
        Sanction.objects.filter(
            kind=SanctionKind.SUSPENSION,
            applied_at__isnull=False,
            ended_at__isnull=True,
            rescinded_at__isnull=True,
            ends_on__lte=today,
        ).values_list("pk", flat=True),
        _end_suspension,
    )
    each(
        "compliance overdue",
        Compliance.objects.filter(
            due_on__lt=today,
            overdue_at__isnull=True,
            complied_on__isnull=True,
            sanction__rescinded_at__isnull=True,
            sanction__applied_at__isnull=False,
        )
        .exclude(sanction__case__state=CaseState.UNDER_APPEAL)
        .values_list("pk", flat=True),
        lambda pk: _flag_overdue(pk, today),
    )
    each("reminders sent", [today], _reminders)
    each(
        "decisions published",
        cases_to_publish(),
        lambda pk: publish(pk, today),
    )
    each(
        "publications taken down",
        publications_to_take_down(today),
        lambda pk: take_down(pk, today),
    )
    each(
        "personal data purged",
        purges_due(today),
        lambda due: purge(*due, today),
    )
    # Last, so it signs what the job itself just recorded.
    each("checkpoints signed", _unsigned_cases(today), _sign_checkpoint)
    return done


def _unsigned_cases(today: datetime.date):
    """The daily checkpoint: cases whose record grew since their last checkpoint and
    that have none signed today (steps sign their own; this anchors what happened
    between steps: votes, responses, findings, access). None without a record key."""
    if signing_key() is None:
        return []
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    latest = RecordCheckpoint.objects.filter(case_id=OuterRef("pk")).order_by("-sequence", "-pk")
    return (
        Case.objects.annotate(
            signed_up_to=Coalesce(Subquery(latest.values("sequence")[:1]), 0),
            signed_today=Exists(
                RecordCheckpoint.objects.filter(case_id=OuterRef("pk"), signed_at__gte=start_of_day)
            ),
        )
        .filter(record_length__gt=F("signed_up_to"), signed_today=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def _sign_checkpoint(case_id: int) -> int:
    case = lock_case(Case(pk=case_id))
    return 1 if sign_checkpoint(case) is not None else 0


def _try_step(case_id: int, name: str) -> int:
    case = Case.objects.get(pk=case_id)
    try:
        case_transition(case=case, name=name, by=None, expected_state=case.state)
    except TransitionRefused as exc:  # includes CaseMovedOn: another run got there first
        log.info("Case %s: %s not taken: %s", case.number, name, "; ".join(exc.messages))
        return 0
    return 1


def _try_close_appeal_ballot(case_id: int) -> int:
    try:
        appeal_ballot_close(case=Case.objects.get(pk=case_id), by=None)
    except ValidationError as exc:
        log.info("Case %s: appeal ballot stays open: %s", case_id, "; ".join(exc.messages))
        return 0
    return 1


def _try_close_complainant_appeal_ballot(case_id: int) -> int:
    try:
        complainant_appeal_ballot_close(case=Case.objects.get(pk=case_id), by=None)
    except ValidationError as exc:
        log.info(
            "Case %s: complainant appeal ballot stays open: %s", case_id, "; ".join(exc.messages)
        )
        return 0
    return 1


def _lapse_consent(case_id: int) -> int:
    try:
        consent_lapse(case=Case.objects.get(pk=case_id), by=None)
    except ValidationError as exc:  # answered meanwhile, or another run got there first
        log.info("Case %s: consent offer not lapsed: %s", case_id, "; ".join(exc.messages))
        return 0
    return 1


def _close_interim_ballot(case_id: int) -> int:
    try:
        interim_ballot_close(case=Case.objects.get(pk=case_id), by=None)
    except ValidationError as exc:
        log.info("Case %s: interim ballot stays open: %s", case_id, "; ".join(exc.messages))
        return 0
    return 1


@transaction.atomic
def _apply_sanction(sanction_id: int) -> int:
    sanction = Sanction.objects.select_related("case").get(pk=sanction_id)
    lock_case(sanction.case)
    sanction.refresh_from_db()
    if (
        sanction.applied_at is not None
        or sanction.rescinded_at is not None
        or sanction.case.state == CaseState.UNDER_APPEAL
    ):
        return 0
    sanction_apply(sanction, by=None)
    return 1


@transaction.atomic
def _end_suspension(sanction_id: int) -> int:
    sanction = Sanction.objects.select_related("case", "case__respondent").get(pk=sanction_id)
    case = lock_case(sanction.case)
    sanction.refresh_from_db()
    if sanction.ended_at is not None or sanction.rescinded_at is not None:
        return 0
    org = case.respondent
    org.refresh_from_db()
    # A member suspended until it complies stays suspended (docs/decisions/0018).
    if org.status == MembershipStatus.SUSPENDED and not holding_suspension(org).exists():
        transition = transition_after_sanction(org, case, on_appeal=False)
        unpaid = transition == "lapse_after_sanction"
        ended = f"Suspension under case {case.number} ended on {sanction.ends_on:%d %B %Y}"
        membership_change(
            organization=org,
            transition=transition,
            by=None,
            reason=f"{ended}; dues are overdue." if unpaid else f"{ended}.",
            case=case,
        )
    Sanction.objects.filter(pk=sanction.pk).update(ended_at=timezone.now())
    record_event(
        case,
        actor=None,
        kind="suspension_ended",
        payload={
            "sanction": sanction.pk,
            "ended_on": sanction.ends_on.isoformat(),
            "status": org.status,
        },
    )
    return 1


@transaction.atomic
def _flag_overdue(compliance_id: int, today: datetime.date) -> int:
    compliance = Compliance.objects.select_related("sanction__case").get(pk=compliance_id)
    lock_case(compliance.sanction.case)
    compliance = Compliance.objects.select_related(
        "sanction__case__respondent", "sanction__case__procedure"
    ).get(pk=compliance_id)
    if compliance.sanction.case.state == CaseState.UNDER_APPEAL:
        return 0
    return 1 if flag_overdue(compliance, today=today) else 0


def _compliance_reminders(today: datetime.date) -> int:
    """Once, `compliance_reminder_days` before the date: what is owed and by when."""
    sent = 0
    for compliance in Compliance.objects.filter(
        due_on__gte=today,
        reminded_at__isnull=True,
        complied_on__isnull=True,
        sanction__rescinded_at__isnull=True,
    ).select_related("sanction__case__respondent", "sanction__case__procedure"):
        case = compliance.sanction.case
        days = case.procedure.compliance_reminder_days
        if compliance.due_on - datetime.timedelta(days=days) > today:
            continue
        sanction = compliance.sanction
        with translation.override(settings.LANGUAGE_CODE):  # emails: the association's language
            consequence = (
                " " + _("If it is not met by then, the membership is suspended until it is.")
                if case.procedure.non_compliance_consequence == NonComplianceConsequence.SUSPEND
                else ""
            )
            subject = _("Due by %(day)s: %(sanction)s") % {
                "day": _day(compliance.due_on),
                "sanction": sanction.get_kind_display().lower(),
            }
            body = (
                _("Case %(number)s: %(terms)s") % {"number": case.number, "terms": sanction.terms}
                + consequence
                + "\n"
                + _('Sign in to Probity, "Our membership", to see what is owed and to send proof.')
                + "\n"
            )
        reminded = _remind(
            case,
            "compliance_due",
            f"{sanction.pk}:{compliance.due_on.isoformat()}",
            subject,
            body,
            notifications.respondent_emails(case),
        )
        Compliance.objects.filter(pk=compliance.pk, reminded_at__isnull=True).update(
            reminded_at=timezone.now()
        )
        sent += reminded
    return sent


def _remind(case: Case, kind: str, key: str, subject: str, body: str, emails: list[str]) -> int:
    """Send one reminder once: the unique (case, kind, key) row is the proof it went."""
    with transaction.atomic():
        case = lock_case(case)
        try:
            with transaction.atomic():
                Reminder.objects.create(case=case, kind=kind, key=key)
        except IntegrityError:
            return 0
        record_event(
            case,
            actor=None,
            kind="reminder_sent",
            payload={"reminder": kind, "key": key, "to": len(emails)},
        )
        transaction.on_commit(
            lambda: notifications._safely(
                lambda cid: notifications.reminder(cid, subject, body, emails), case.pk
            )
        )
    return 1


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _reminders(today: datetime.date) -> int:
    # The reminders' emails: in the association's language.
    with translation.override(settings.LANGUAGE_CODE):
        return _reminders_sent(today)


def _reminders_sent(today: datetime.date) -> int:
    sent = 0
    week = today + datetime.timedelta(days=7)
    for case in (
        Case.objects.filter(
            state=CaseState.UNDER_REVIEW,
            response_due_on__gte=today,
            response_due_on__lte=week,
            responses__isnull=True,
        )
        .select_related("respondent")
        .distinct()
    ):
        emails = notifications.respondent_emails(case)
        sent += _remind(
            case,
            "response_due",
            case.response_due_on.isoformat(),
            _("Response due soon"),
            _("Your response is due by %(day)s.") % {"day": _day(case.response_due_on)} + "\n",
            emails,
        )
    for ballot in (
        ballots_with_votes()
        .filter(
            closed_at__isnull=True,
            closes_on__gte=today,
            closes_on__lte=today + datetime.timedelta(days=2),
        )
        .select_related("case")
    ):
        voted = {v.voter_id for v in ballot.votes.all()}
        emails = [
            s.voter.email
            for s in ballot.seats.all()
            if s.recused_at is None and s.voter_id not in voted and s.voter.email
        ]
        sent += _remind(
            ballot.case,
            "ballot_closing",
            f"{ballot.pk}:{ballot.closes_on.isoformat()}",
            _("Ballot closing soon"),
            _("The ballot closes on %(day)s; you have not voted.") % {"day": _day(ballot.closes_on)}
            + "\n",
            emails,
        )
    for case in Case.objects.filter(
        state=CaseState.SANCTIONED, appeal_deadline__gte=today, appeal_deadline__lte=week
    ).select_related("respondent"):
        emails = notifications.respondent_emails(case)
        sent += _remind(
            case,
            "appeal_window_closing",
            case.appeal_deadline.isoformat(),
            _("Appeal window closing"),
            _("You may appeal until %(day)s.") % {"day": _day(case.appeal_deadline)} + "\n",
            emails,
        )
    return sent + _compliance_reminders(today)
