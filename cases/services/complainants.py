"""The complainant's side of a case (docs/decisions/0021): the message thread with
the ethics staff, additional evidence the complainant sends (kept apart until staff
accept it into the case or decline it), and the complainant's appeal of a dismissal
or of a finding of no violation, decided by the appeals panel.

The complainant acts either as a `cases.access.CodeHolder` (the access code; no
Django user, so events carry no actor and say "by": "complainant") or as a
representative of the member complainant's organization (their own account)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases import events, notifications
from cases.access import CodeHolder, acting_user, authorize, case_permissions, require_reason
from cases.models import (
    Ballot,
    BallotKind,
    Case,
    CaseEvent,
    ComplainantAppeal,
    ComplainantMessage,
    ComplainantSubmission,
    EvidenceSource,
    LetterKind,
    SubmissionDecision,
)
from cases.outcomes import ballot_outcome, open_ballot
from cases.rendering import complainant_recipient, respondent_recipient
from cases.services.ballots import close_ballots, open_appeal_ballot, open_board_ballot
from cases.services.evidence import EvidenceInput, store_evidence
from cases.services.grants import grant, respondent_users
from cases.services.letters import issue
from cases.services.record import lock_case, record_event
from cases.tally import TO_REVIEW, TO_VOTE, UPHELD
from cases.uploads import inspect_upload
from cases.workflow import CaseState

MAX_MESSAGE_CHARACTERS = 10_000


def _who(by) -> str:
    return "complainant" if isinstance(by, CodeHolder) else by.get_username()


# -- Messages -----------------------------------------------------------------


def _message(case: Case, by, body: str, *, from_complainant: bool) -> ComplainantMessage:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write the message first: it is empty."))
    if len(body) > MAX_MESSAGE_CHARACTERS:
        raise ValidationError(
            _(
                "The message is %(length)s characters long; the limit is %(limit)s. "
                "Send it in parts, or as a file."
            )
            % {
                "length": formats.number_format(len(body), force_grouping=True),
                "limit": formats.number_format(MAX_MESSAGE_CHARACTERS, force_grouping=True),
            }
        )
    message = ComplainantMessage.objects.create(
        case=case, from_complainant=from_complainant, author=acting_user(by), body=body
    )
    record_event(
        case,
        actor=acting_user(by),
        **events.complainant_message(
            message=message.pk,
            from_complainant=from_complainant,
            by=_who(by),
            characters=len(body),
        ),
    )
    return message


@transaction.atomic
def complainant_message_send(*, case: Case, by, body: str) -> ComplainantMessage:
    """The complainant writes to the ethics staff; the case officer is told by email."""
    case = lock_case(case)
    authorize(by, case, "message_staff")
    message = _message(case, by, body, from_complainant=True)
    notifications.after_commit(notifications.complainant_wrote, case.pk)
    return message


@transaction.atomic
def staff_message_send(*, case: Case, by, body: str) -> ComplainantMessage:
    """Staff write to the complainant, who is told by email to read it on their page."""
    case = lock_case(case)
    authorize(by, case, "message_complainant")
    message = _message(case, by, body, from_complainant=False)
    notifications.after_commit(notifications.staff_wrote_to_complainant, case.pk)
    return message


# -- Additional evidence ------------------------------------------------------


@transaction.atomic
def complainant_evidence_submit(
    *, case: Case, by, file, title: str, description: str = ""
) -> ComplainantSubmission:
    """Checked as any upload (size, real type), hashed and stored privately; it is not
    evidence of the case until staff accept it."""
    case = lock_case(case)
    authorize(by, case, "submit_complainant_evidence")
    if file is None:
        raise ValidationError(_("Choose a file to send."))
    info = inspect_upload(file)
    submission = ComplainantSubmission(
        case=case,
        title=((title or "").strip() or file.name)[:200],
        description=(description or "").strip(),
        original_filename=file.name[:255],
        sha256=info.sha256,
        size=info.size,
        content_type=info.content_type,
        submitted_by=acting_user(by),
    )
    submission.file.save(file.name, file, save=False)
    submission.save()
    record_event(
        case,
        actor=acting_user(by),
        **events.complainant_evidence_submitted(
            submission=submission.pk,
            title=submission.title,
            sha256=info.sha256,
            size=info.size,
            content_type=info.content_type,
            by=_who(by),
        ),
    )
    notifications.after_commit(notifications.complainant_sent_evidence, case.pk)
    return submission


def _pending(case: Case, submission_id: int) -> ComplainantSubmission:
    submission = ComplainantSubmission.objects.filter(pk=submission_id, case=case).first()
    if submission is None:
        raise ValidationError(_("No such submission from the complainant in this case."))
    if submission.decision:
        raise ValidationError(
            _("“%(title)s” was already %(decision)s.")
            % {"title": submission.title, "decision": submission.get_decision_display().lower()}
        )
    return submission


@dataclass(frozen=True)
class Acceptance:
    disclosed_to_respondent: bool = False
    producer: str = ""


@transaction.atomic
def complainant_evidence_accept(
    *, case: Case, by, submission_id: int, terms: Acceptance = Acceptance()
):
    """The submission becomes evidence of the case (source: the complainant), with its
    own record entry, and the submission says so."""
    case = lock_case(case)
    authorize(by, case, "accept_complainant_evidence")
    submission = _pending(case, submission_id)
    with submission.file.open("rb") as handle:
        upload = File(handle, name=submission.original_filename)
        evidence = store_evidence(
            case,
            EvidenceInput(
                file=upload,
                title=submission.title,
                source=EvidenceSource.COMPLAINANT,
                disclosed_to_respondent=terms.disclosed_to_respondent,
                description=submission.description,
                producer=terms.producer,
            ),
            actor=by,
        )
    ComplainantSubmission.objects.filter(pk=submission.pk).update(
        decision=SubmissionDecision.ACCEPTED,
        decided_at=timezone.now(),
        decided_by=by,
        evidence=evidence,
    )
    record_event(
        case,
        actor=by,
        **events.complainant_evidence_decided(
            submission=submission.pk, accepted=True, evidence=evidence.pk
        ),
    )
    return evidence


@transaction.atomic
def complainant_evidence_decline(*, case: Case, by, submission_id: int, reason: str) -> None:
    case = lock_case(case)
    authorize(by, case, "decline_complainant_evidence")
    reason = require_reason(reason, _("Declining the complainant's evidence"))
    submission = _pending(case, submission_id)
    ComplainantSubmission.objects.filter(pk=submission.pk).update(
        decision=SubmissionDecision.DECLINED,
        decided_at=timezone.now(),
        decided_by=by,
        decision_reason=reason,
    )
    record_event(
        case,
        actor=by,
        **events.complainant_evidence_decided(
            submission=submission.pk, accepted=False, reason=reason
        ),
    )


# -- The complainant's appeal (parts of workflow steps, under the step's lock) ----


def file_complainant_appeal_effects(case: Case, by, reason: str, event: CaseEvent) -> dict:
    """The appeal is filed: the appeals panel's ballot opens, under the same
    exclusions as a respondent's appeal (the decision's voters, the case officers,
    the parties' representatives)."""
    appeal = ComplainantAppeal.objects.create(
        case=case,
        appealed_state=event.from_state,
        filed_by=acting_user(by),
        grounds=reason,
    )
    opened = open_appeal_ballot(case, by=acting_user(by), kind=BallotKind.COMPLAINANT_APPEAL)
    notifications.after_commit(notifications.complainant_appealed, case.pk)
    return events.file_complainant_appeal_effects(
        appeal=appeal.pk,
        appealed_state=event.from_state,
        by=_who(by),
        ballot=opened["ballot"],
        closes_on=Ballot.objects.get(pk=opened["ballot"]).closes_on,
        excluded=opened["excluded"],
    )


@transaction.atomic
def complainant_appeal_ballot_close(*, case: Case, by) -> Ballot:
    """Count the panel's ballot on the complainant's appeal (the table says when)."""
    case = lock_case(case)
    authorize(by, case, "close_complainant_appeal_ballot")
    ballot = open_ballot(case, BallotKind.COMPLAINANT_APPEAL)
    outcome = ballot_outcome(ballot, case.procedure)
    close_ballots(
        Ballot.objects.filter(pk=ballot.pk),
        tally={**outcome.counts, "quorum_met": outcome.quorum_met},
        outcome_rule=outcome.rule,
        violation_found=outcome.violation_found,
    )
    record_event(
        case,
        actor=by,
        **events.complainant_appeal_ballot_closed(
            ballot=ballot.pk, tally=outcome.counts, outcome=outcome.counts["outcome"]
        ),
    )
    ballot.refresh_from_db()
    return ballot


def _closed_panel_ballot(case: Case) -> Ballot:
    return (
        Ballot.objects.filter(
            case=case, kind=BallotKind.COMPLAINANT_APPEAL, closed_at__isnull=False
        )
        .order_by("-closed_at", "-pk")
        .first()
    )


def decide_complainant_appeal_prepare(case: Case, by, reason: str) -> dict:
    """Where the panel's outcome takes the case: closed (upheld), back to review (to
    intake if the respondent was never notified), or to a new board vote."""
    outcome = _closed_panel_ballot(case).tally.get("outcome", UPHELD)
    if outcome == TO_VOTE:
        target = CaseState.BOARD_VOTE
    elif outcome == TO_REVIEW:
        target = CaseState.UNDER_REVIEW if case.notice_issued_at else CaseState.FILED
    else:
        target = CaseState.CLOSED
    return {"target": target}


def decide_complainant_appeal_effects(case: Case, by, reason: str, event: CaseEvent) -> dict:
    ballot = _closed_panel_ballot(case)
    outcome = ballot.tally.get("outcome", UPHELD)
    ComplainantAppeal.objects.filter(case=case).update(
        outcome=outcome, decided_at=timezone.now(), decision_reasons=reason
    )
    new_ballot = None
    if case.state == CaseState.BOARD_VOTE:
        new_ballot = open_board_ballot(case, by=by)["ballot"]
    elif case.state == CaseState.UNDER_REVIEW:
        # A dismissal took the respondent's right to respond; the review is open again.
        for user in respondent_users(case):
            if "respond_to_case" not in case_permissions(user, case):
                grant(
                    case,
                    user,
                    ["view_case", "respond_to_case"],
                    actor=by,
                    why="The complainant's appeal sent the case back to review.",
                )
    case.refresh_from_db()
    if case.notice_issued_at is not None:  # a respondent never notified is not written to
        issue(
            case,
            LetterKind.COMPLAINANT_APPEAL_DECISION,
            respondent_recipient(case),
            event=event,
            by=by,
        )
    issue(
        case,
        LetterKind.COMPLAINANT_APPEAL_DECISION,
        complainant_recipient(case),
        event=event,
        by=by,
    )
    return events.decide_complainant_appeal_effects(
        outcome=outcome, to_state=case.state, ballot=new_ballot
    )
