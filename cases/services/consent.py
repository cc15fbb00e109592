"""Resolution by consent (docs/decisions/0020): a sanction offered to the respondent,
with its terms and a reply-by date. Accepting it is the workflow step
`accept_consent` (cases.services.transitions), whose effects are here: the sanction is
imposed through the same machinery as a vote's (cases.services.sanctions), so
membership changes exactly as a decision would change it. A refusal, or no answer by
the date, leaves the case on its path; the offer and whatever the respondent wrote in
answering it stay out of the deciders' view (their page, their downloads, the
decision letter)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events, workflow
from cases.access import authorize, case_permissions
from cases.models import (
    Ballot,
    BallotKind,
    Case,
    ConsentOffer,
    ConsentStatus,
    LetterKind,
    SanctionKind,
)
from cases.rendering import respondent_recipient
from cases.services.ballots import MAX_SUSPENSION_MONTHS, close_ballots
from cases.services.grants import respondent_users, revoke
from cases.services.letters import issue, issue_outcome_notice
from cases.services.record import lock_case, record_event
from cases.services.sanctions import impose
from cases.workflow import CaseState


def _open_offer(case: Case) -> ConsentOffer:
    return ConsentOffer.objects.select_for_update().get(case=case, status=ConsentStatus.OPEN)


@transaction.atomic
def consent_offer(
    *,
    case: Case,
    by,
    sanction: str,
    suspension_months: int | None,
    terms: str,
    reply_by: datetime.date,
) -> ConsentOffer:
    """Offer the respondent a sanction by consent: ethics staff during the review, or a
    seated board member during the vote, as the procedure says. The consent-offer
    letter goes to the respondent."""
    case = lock_case(case)
    name = "offer_consent_as_board" if case.state == CaseState.BOARD_VOTE else "offer_consent"
    authorize(by, case, name)
    if sanction not in SanctionKind.values:
        raise ValidationError(_("Choose the sanction offered."))
    if sanction == SanctionKind.SUSPENSION:
        if not suspension_months or not 1 <= suspension_months <= MAX_SUSPENSION_MONTHS:
            raise ValidationError(
                _("Offer a suspension of 1 to %(max)s months.") % {"max": MAX_SUSPENSION_MONTHS}
            )
    else:
        suspension_months = None
    terms = (terms or "").strip()
    if not terms:
        raise ValidationError(_("State the terms of the offer: what the respondent agrees to."))
    if reply_by is None or reply_by <= workflow.today():
        raise ValidationError(_("The reply-by date must be after today."))
    offer = ConsentOffer.objects.create(
        case=case,
        sanction_kind=sanction,
        suspension_months=suspension_months,
        terms=terms,
        reply_by=reply_by,
        offered_by=by,
    )
    event = record_event(
        case,
        actor=by,
        **events.consent_offered(
            offer=offer.pk,
            sanction=sanction,
            suspension_months=suspension_months,
            terms=terms,
            reply_by=reply_by,
            offered_as="board" if name == "offer_consent_as_board" else "staff",
        ),
    )
    issue(case, LetterKind.CONSENT_OFFER, respondent_recipient(case), event=event, by=by)
    return offer


@transaction.atomic
def consent_refuse(*, case: Case, by, said: str = "") -> ConsentOffer:
    """The respondent refuses: the case goes on along its path. What they wrote is
    kept with the offer, for staff and the respondent only."""
    case = lock_case(case)
    authorize(by, case, "refuse_consent")
    return _settle(case, by, ConsentStatus.REFUSED, (said or "").strip())


@transaction.atomic
def consent_lapse(*, case: Case, by=None) -> ConsentOffer:
    """No answer by the reply-by date (the deadline job): the offer is closed."""
    case = lock_case(case)
    authorize(by, case, "lapse_consent")
    return _settle(case, by, ConsentStatus.LAPSED, "")


def _settle(case: Case, by, status: str, said: str) -> ConsentOffer:
    offer = _open_offer(case)
    ConsentOffer.objects.filter(pk=offer.pk).update(
        status=status,
        answered_by=by if status != ConsentStatus.LAPSED else None,
        answered_at=timezone.now(),
        answer=said,
    )
    record_event(
        case, actor=by, **events.consent_answered(offer=offer.pk, answer=status, said=said)
    )
    offer.refresh_from_db()
    return offer


def accept_consent_effects(case: Case, by, reason: str, event) -> dict:
    """The `accept_consent` step's effects, under its lock: the offer is accepted (who,
    when), an open board ballot ends without a count, the sanction is imposed as a
    vote would impose it, and the letters go out."""
    offer = _open_offer(case)
    now = timezone.now()
    board = Ballot.objects.filter(case=case, kind=BallotKind.BOARD, closed_at__isnull=True)
    superseded = list(board.values_list("pk", flat=True))
    close_ballots(board, tally={"resolved_by_consent": True}, outcome_rule="")
    sanction = impose(case, None, offer.sanction_kind, offer.suspension_months, by=by)
    ConsentOffer.objects.filter(pk=offer.pk).update(
        status=ConsentStatus.ACCEPTED, answered_by=by, answered_at=now, sanction=sanction
    )
    record_event(
        case,
        actor=by,
        **events.consent_answered(
            offer=offer.pk, answer=ConsentStatus.ACCEPTED, sanction_id=sanction.pk
        ),
    )
    if case.state == CaseState.CLOSED:
        # No appeal: the respondent has nothing left to answer.
        for user in respondent_users(case):
            if "respond_to_case" in case_permissions(user, case):
                revoke(case, user, ["respond_to_case"], actor=by, why="Resolved by consent.")
    issue(case, LetterKind.CONSENT_ACCEPTED, respondent_recipient(case), event=event, by=by)
    issue_outcome_notice(case, event=event, by=by)
    return {
        "offer": offer.pk,
        "sanction_id": sanction.pk,
        "ballots_ended": superseded,
        "appeal_deadline": case.appeal_deadline.isoformat() if case.appeal_deadline else None,
    }
