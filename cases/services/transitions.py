"""The one service that takes every workflow step: `case_transition`. It locks the
case row, asks cases.access who may take the step and whether its rules hold,
applies the FSM transition, records it, and runs the step's effects (access,
letters, ballots, sanctions) under the same lock; the record's head is signed
(cases.services.checkpoints) with the step and after its effects."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from cases import events, workflow
from cases.access import (
    acting_user,
    authorize,
    case_permissions,
    refusal_for_who,
    require_reason,
)
from cases.models import Case, CaseEvent, LetterKind
from cases.outcomes import current_sanction
from cases.rendering import complainant_recipient, respondent_recipient
from cases.services.ballots import (
    close_ballot_effects,
    close_ballot_prepare,
    decide_appeal_effects,
    file_appeal_effects,
    open_board_ballot,
)
from cases.services.checkpoints import sign_checkpoint
from cases.services.complainants import (
    decide_complainant_appeal_effects,
    decide_complainant_appeal_prepare,
    file_complainant_appeal_effects,
)
from cases.services.consent import accept_consent_effects
from cases.services.grants import grant, respondent_users, revoke
from cases.services.interim import end_with_case
from cases.services.letters import issue
from cases.services.record import lock_case, record_event
from cases.services.sanctions import sanction_apply
from cases.services.summary import keys_of, moved
from cases.workflow import CaseState, TransitionRefused


def _after_open_review(case: Case, by, reason: str, event: CaseEvent) -> dict:
    for user in respondent_users(case):
        grant(
            case,
            user,
            ["view_case", "respond_to_case"],
            actor=by,
            why="Representative of the respondent, notified of the complaint.",
        )
    # This notice covers every amendment made so far (say, while the case was dismissed).
    case.amendments.filter(needs_notice=True, noticed_at__isnull=True).update(
        noticed_at=case.notice_issued_at
    )
    issue(case, LetterKind.NOTICE_OF_COMPLAINT, respondent_recipient(case), event=event, by=by)
    return events.open_review_effects(
        notice_issued_at=case.notice_issued_at, response_due_on=case.response_due_on
    )


def _after_closing(case: Case, by, reason: str, event: CaseEvent) -> dict:
    for user in respondent_users(case):
        if "respond_to_case" in case_permissions(user, case):
            revoke(case, user, ["respond_to_case"], actor=by, why="The case is closed.")
    kind = LetterKind.DISMISSAL if case.state == CaseState.DISMISSED else LetterKind.WITHDRAWAL
    if case.notice_issued_at is not None:  # a respondent never notified is not written to
        issue(case, kind, respondent_recipient(case), event=event, by=by)
    issue(case, kind, complainant_recipient(case), event=event, by=by)
    return {}


def _after_refer_to_board(case: Case, by, reason: str, event: CaseEvent) -> dict:
    return open_board_ballot(case, by=by)


def _after_finalize(case: Case, by, reason: str, event: CaseEvent) -> dict:
    sanction = current_sanction(case)
    if sanction and sanction.applied_at is None and sanction.effective_on <= timezone.localdate():
        sanction_apply(sanction, by=by)
    return {}


# What a step needs computed before the transition (its arguments), and what it
# does after: access, ballots, sanctions, notifications. All under the case lock.
PREPARE: dict[str, Callable[[Case, object, str], dict]] = {
    "close_ballot": close_ballot_prepare,
    "decide_complainant_appeal": decide_complainant_appeal_prepare,
}

EFFECTS: dict[str, Callable[[Case, object, str, CaseEvent], dict]] = {
    "open_review": _after_open_review,
    "dismiss": _after_closing,
    "withdraw": _after_closing,
    "refer_to_board": _after_refer_to_board,
    "close_ballot": close_ballot_effects,
    "file_appeal": file_appeal_effects,
    "finalize": _after_finalize,
    "decide_appeal": decide_appeal_effects,
    "file_complainant_appeal": file_complainant_appeal_effects,
    "decide_complainant_appeal": decide_complainant_appeal_effects,
    "refer_after_hearing": _after_refer_to_board,
    "accept_consent": accept_consent_effects,
}


@transaction.atomic
def case_transition(
    *, case: Case, name: str, by, reason: str = "", expected_state: str | None = None
) -> Case:
    """Take one workflow step on one case.

    Locks the case row, checks that the case is still where the user saw it
    (`expected_state`), that the user may take this step on this case, and that
    every rule holds; then applies the transition, writes the case event, grants
    or revokes access and schedules notifications for after the commit.
    A refusal raises and changes nothing.
    """
    step = workflow.STEPS.get(name)
    if step is None:
        raise TransitionRefused(_("“%(name)s” is not a step of the workflow.") % {"name": name})
    case = lock_case(case)
    # Who may, then whether the case is still where the user saw it, then the state
    # and the rules: all from the table.
    authorize(by, case, name, expected_state=expected_state)
    if step.reason_label:
        reason = require_reason(reason, step.label)
    method = getattr(case, name)
    # The FSM's own permission is generated from the same table; asked again so the
    # transition can never run where django-fsm-2 would refuse it.
    if by is not None and not has_transition_perm(method, by):
        raise PermissionDenied(refusal_for_who(by, case, name))

    from_state = case.state
    counted_in = keys_of(case)
    arguments = PREPARE[name](case, by, reason) if name in PREPARE else {}
    method(**arguments)
    case.state_changed_at = timezone.now()
    if step.reason_label and case.state in (CaseState.DISMISSED, CaseState.WITHDRAWN):
        case.closing_reason = reason
    case.save()
    # The dashboard's counts move with the case, in its transaction (summary).
    moved(counted_in, keys_of(case))
    # The complainant with an access code is no Django user: no actor (the step's
    # effects say who).
    actor = acting_user(by)
    event = record_event(
        case,
        actor=actor,
        **events.transition(step=name, from_state=from_state, to_state=case.state, reason=reason),
    )
    # The record is signed at every step (docs/decisions/0011): once with the step
    # itself, so the letters its effects issue carry a checkpoint that includes it,
    # and once after the effects.
    sign_checkpoint(case)
    # A step that ends the case ends an interim suspension first, so a sanction the
    # step imposes takes effect on the status the member would otherwise have.
    end_with_case(case, by, name, event)
    effect = EFFECTS.get(name)
    if effect:
        extra = effect(case, by, reason, event)
        if extra:
            record_event(case, actor=actor, **events.step_effects(name, extra))
        sign_checkpoint(case)
    return case
