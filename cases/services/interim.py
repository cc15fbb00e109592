"""Interim suspension (docs/decisions/0020): a suspension of membership while the case
runs, where the procedure allows it. Staff propose it with reasons; the board decides
by a ballot of its own (kind "interim") with the procedure's interim threshold; if it
passes, the membership is suspended through the membership state machine, linked to
the case. The respondent may ask for it to be lifted, decided the same way; the final
decision (any step out of the running states) ends it and restores the status, and a
sanction the decision imposes then takes effect as it would have."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import events, tally, workflow
from cases.access import authorize, require_reason
from cases.models import (
    BALLOT_CHOICES,
    Ballot,
    BallotKind,
    BallotSeat,
    Case,
    InterimStatus,
    InterimSuspension,
    LetterKind,
    Vote,
)
from cases.outcomes import eligible_votes, open_ballot
from cases.rendering import respondent_recipient
from cases.services.ballots import close_ballots, open_interim_ballot
from cases.services.letters import issue
from cases.services.record import lock_case, record_event
from cases.services.sanctions import transition_after_sanction
from members.models import MembershipStatus
from members.roles import roles_of
from members.services import membership_change


def _staff(by):
    """Membership changes are attributed to staff, or to the system."""
    return by if by is not None and roles_of(by).ethics_staff else None


def _live(case: Case) -> InterimSuspension | None:
    return (
        InterimSuspension.objects.select_for_update()
        .filter(case=case, status__in=[InterimStatus.PROPOSED, InterimStatus.IN_FORCE])
        .first()
    )


@transaction.atomic
def interim_propose(*, case: Case, by, reasons: str) -> InterimSuspension:
    case = lock_case(case)
    authorize(by, case, "propose_interim_suspension")
    reasons = require_reason(reasons, _("Proposing an interim suspension"))
    ballot = open_interim_ballot(case, by=by)
    interim = InterimSuspension.objects.create(
        case=case, reasons=reasons, proposed_by=by, ballot=ballot
    )
    record_event(
        case,
        actor=by,
        **events.interim_proposed(interim=interim.pk, ballot=ballot.pk, reasons=reasons),
    )
    return interim


@transaction.atomic
def interim_lifting_request(*, case: Case, by, grounds: str) -> InterimSuspension:
    """The respondent asks for the suspension to be lifted: the board votes again."""
    case = lock_case(case)
    authorize(by, case, "request_interim_lifting")
    grounds = require_reason(grounds, _("Asking for the interim suspension to be lifted"))
    interim = _live(case)
    ballot = open_interim_ballot(case, by=by)
    InterimSuspension.objects.filter(pk=interim.pk).update(
        lift_grounds=grounds,
        lift_requested_by=by,
        lift_requested_at=timezone.now(),
        lift_ballot=ballot,
    )
    record_event(
        case,
        actor=by,
        **events.interim_proposed(
            interim=interim.pk, ballot=ballot.pk, reasons=grounds, lifting=True
        ),
    )
    interim.refresh_from_db()
    return interim


@transaction.atomic
def interim_vote_cast(*, case: Case, voter, choice: str, reason: str = "") -> Vote:
    """Record (or change) a seated board member's vote on the open interim ballot."""
    case = lock_case(case)
    authorize(voter, case, "vote_interim")
    ballot = Ballot.objects.filter(
        case=case, kind=BallotKind.INTERIM, closed_at__isnull=True
    ).first()
    if not BallotSeat.objects.filter(ballot=ballot, voter=voter, recused_at__isnull=True).exists():
        raise PermissionDenied(_("You are not an eligible voter on this ballot."))
    if choice not in BALLOT_CHOICES[BallotKind.INTERIM]:
        raise ValidationError(_("Choose one of the options on the ballot."))
    fields = {"choice": choice, "reason": (reason or "").strip(), "cast_at": timezone.now()}
    previous = Vote.objects.filter(ballot=ballot, voter=voter).first()
    if previous:
        Vote.objects.filter(pk=previous.pk).update(**fields)
        vote = Vote.objects.get(pk=previous.pk)
    else:
        vote = Vote.objects.create(ballot=ballot, voter=voter, **fields)
    record_event(
        case,
        actor=voter,
        **events.vote_cast(
            ballot=ballot.pk,
            voter=voter.username,
            choice=choice,
            sanction="",
            suspension_months=None,
            reason=fields["reason"],
            changed=previous is not None,
        ),
    )
    return vote


def interim_outcome(ballot: Ballot, procedure) -> tally.InterimOutcome:
    votes = [tally.CastVote(v.choice) for v in eligible_votes(ballot)]
    eligible = sum(1 for s in ballot.seats.all() if s.recused_at is None)
    return tally.count_interim(votes, eligible=eligible, procedure=procedure)


@transaction.atomic
def interim_ballot_close(*, case: Case, by) -> InterimSuspension:
    """Count the open interim ballot (staff, or the deadline job) and act on it: impose
    the suspension, or lift it, or record that the board did not."""
    case = lock_case(case)
    authorize(by, case, "close_interim_ballot")
    ballot = open_ballot(case, BallotKind.INTERIM)
    outcome = interim_outcome(ballot, case.procedure)
    close_ballots(
        Ballot.objects.filter(pk=ballot.pk),
        tally={**outcome.counts, "quorum_met": outcome.quorum_met},
        outcome_rule=outcome.rule,
        violation_found=outcome.passed,
    )
    interim = _live(case)
    lifting = interim.lift_ballot_id == ballot.pk
    event = record_event(
        case,
        actor=by,
        **events.interim_ballot_closed(
            ballot=ballot.pk, tally=outcome.counts, passed=outcome.passed, lifting=lifting
        ),
    )
    if lifting and outcome.passed:
        _restore(case, interim, by, InterimStatus.LIFTED, "Lifted by the board on request.", event)
    elif lifting:
        record_event(
            case,
            actor=by,
            **events.interim_changed(
                interim=interim.pk, change="kept", status=case.respondent.status
            ),
        )
    elif outcome.passed:
        _impose(case, interim, by, event)
    else:
        InterimSuspension.objects.filter(pk=interim.pk).update(status=InterimStatus.REJECTED)
        record_event(
            case,
            actor=by,
            **events.interim_changed(
                interim=interim.pk, change="not_imposed", status=case.respondent.status
            ),
        )
    interim.refresh_from_db()
    return interim


def _impose(case: Case, interim: InterimSuspension, by, event) -> None:
    org = case.respondent
    org.refresh_from_db()
    before = org.status
    membership_change(
        organization=org,
        transition="suspend_lapsed" if before == MembershipStatus.LAPSED else "suspend",
        by=_staff(by),
        reason=f"Interim suspension while case {case.number} runs, decided by the board.",
        case=case,
    )
    InterimSuspension.objects.filter(pk=interim.pk).update(
        status=InterimStatus.IN_FORCE, imposed_at=timezone.now(), status_before=before
    )
    record_event(
        case,
        actor=by,
        **events.interim_changed(interim=interim.pk, change="imposed", status=org.status),
    )
    issue(case, LetterKind.INTERIM_IMPOSED, respondent_recipient(case), event=event, by=by)


def _restore(case: Case, interim: InterimSuspension, by, status: str, why: str, event) -> None:
    """End the suspension and give back the status the member would have now: active,
    or lapsed if dues fell overdue meanwhile (as at the end of a suspension)."""
    org = case.respondent
    org.refresh_from_db()
    if org.status == MembershipStatus.SUSPENDED:
        membership_change(
            organization=org,
            transition=transition_after_sanction(org, case, on_appeal=False),
            by=_staff(by),
            reason=f"Interim suspension in case {case.number} ended: {why}",
            case=case,
        )
    InterimSuspension.objects.filter(pk=interim.pk).update(
        status=status, ended_at=timezone.now(), end_reason=why
    )
    record_event(
        case,
        actor=by,
        **events.interim_changed(
            interim=interim.pk,
            change="lifted" if status == InterimStatus.LIFTED else "ended",
            status=org.status,
            why=why,
        ),
    )
    issue(case, LetterKind.INTERIM_LIFTED, respondent_recipient(case), event=event, by=by)


def end_with_case(case: Case, by, step: str, event) -> None:
    """The case has left the states in which it runs (a decision, a dismissal, a
    withdrawal, an accepted consent offer): a proposal still before the board lapses,
    and a suspension in force ends, restoring the status before any sanction applies.
    The caller (case_transition) holds the lock."""
    if case.state in workflow.INTERIM_STATES:
        return
    interim = _live(case)
    if interim is None:
        return
    close_ballots(
        Ballot.objects.filter(case=case, kind=BallotKind.INTERIM), tally={"ended_with_case": True}
    )
    with translation.override("en"):  # the reasons below are stored: English
        label = str(workflow.STEPS[step].label).lower()
    if interim.status == InterimStatus.PROPOSED:
        InterimSuspension.objects.filter(pk=interim.pk).update(
            status=InterimStatus.REJECTED, end_reason=f"The case ended first ({label})."
        )
        record_event(
            case,
            actor=by,
            **events.interim_changed(
                interim=interim.pk,
                change="not_imposed",
                status=case.respondent.status,
                why=f"The case ended first ({label}).",
            ),
        )
        return
    _restore(case, interim, by, InterimStatus.ENDED, f"the case ended ({label}).", event)
