"""Sanctions: imposed by a decision, given their effect on membership through the
membership state machine (members.services), lifted or replaced on appeal. The
caller holds the case lock."""

from __future__ import annotations

import datetime

from django.utils import timezone, translation

from cases import events, tally, workflow
from cases.models import Ballot, Case, Sanction, SanctionKind, SanctionTiming
from cases.services.record import record_event
from cases.workflow import CaseState
from members.models import MembershipStatus, StatusChange
from members.roles import roles_of
from members.selectors import has_overdue_dues
from members.services import MembershipChangeRefused, membership_change


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def impose(
    case: Case, ballot: Ballot, kind: str, months: int | None, *, by, replaces=None
) -> Sanction:
    procedure = case.procedure
    today = workflow.today()
    effective = today if replaces is not None else decision_effective_on(case)
    sanction = Sanction.objects.create(
        case=case,
        ballot=ballot,
        kind=kind,
        effective_on=effective,
        ends_on=_add_months(effective, months) if kind == SanctionKind.SUSPENSION else None,
        readmission_bar_until=(effective + datetime.timedelta(days=procedure.readmission_bar_days))
        if kind == SanctionKind.EXPULSION
        else None,
        terms=_terms(kind, months),
        replaces=replaces,
    )
    record_event(
        case,
        actor=by,
        **events.sanction_imposed(
            sanction=sanction.pk,
            kind=kind,
            effective_on=effective,
            ends_on=sanction.ends_on,
            readmission_bar_until=sanction.readmission_bar_until,
        ),
    )
    if effective <= today:
        sanction_apply(sanction, by=by)
    return sanction


def decision_effective_on(case: Case) -> datetime.date:
    """When the decision's sanctions take effect: on the decision, or the day after the
    appeal window, as the procedure says (a case closed already: today)."""
    if (
        case.procedure.sanction_takes_effect == SanctionTiming.ON_DECISION
        or case.state == CaseState.CLOSED
    ):
        return workflow.today()
    return case.appeal_deadline + datetime.timedelta(days=1)


def reschedule(sanction: Sanction, effective: datetime.date, procedure) -> None:
    """Start a sanction on another date; a suspension still runs the months voted and
    the readmission bar still lasts the procedure's term."""
    # A sanction accepted by consent has no ballot: its offer says how long.
    months = (
        sanction.ballot.suspension_months
        if sanction.ballot_id
        else sanction.consent_offer.suspension_months
    )
    fields = {"effective_on": effective}
    if sanction.kind == SanctionKind.SUSPENSION:
        fields["ends_on"] = _add_months(effective, months or tally.DEFAULT_SUSPENSION_MONTHS)
    if sanction.kind == SanctionKind.EXPULSION:
        fields["readmission_bar_until"] = effective + datetime.timedelta(
            days=procedure.readmission_bar_days
        )
    Sanction.objects.filter(pk=sanction.pk).update(**fields)
    sanction.refresh_from_db()


def _terms(kind: str, months: int | None) -> str:
    return {
        SanctionKind.WARNING: "A written warning is placed on the member's record.",
        SanctionKind.CENSURE: "The member is censured; the censure stays on its record.",
        SanctionKind.SUSPENSION: f"Membership is suspended for {months} months; it resumes on its own at the end.",
        SanctionKind.EXPULSION: "Membership is terminated. The organization may apply for readmission after the readmission-bar date.",
    }[kind]


def sanction_apply(sanction: Sanction, *, by) -> None:
    """Give the sanction its effect on membership status (caller holds the case lock)."""
    if sanction.applied_at is not None or sanction.rescinded_at is not None:
        return
    case = sanction.case
    org = case.respondent
    org.refresh_from_db()
    # The reason and any refusal go into the record: English, whatever the request's
    # language.
    with translation.override("en"):
        reason = f"{sanction.get_kind_display()} decided in case {case.number}."
        staff = by if by is not None and roles_of(by).ethics_staff else None
        # A lapsed member serves its suspension, and a member that resigned during the case
        # is expelled all the same (docs/decisions/0005); from other statuses (already
        # suspended or terminated, say) the sanction has no effect and the record says why.
        try:
            if sanction.kind == SanctionKind.SUSPENSION:
                membership_change(
                    organization=org,
                    transition="suspend_lapsed"
                    if org.status == MembershipStatus.LAPSED
                    else "suspend",
                    by=staff,
                    reason=reason,
                    until=sanction.ends_on,
                    case=case,
                )
            elif sanction.kind == SanctionKind.EXPULSION:
                membership_change(
                    organization=org,
                    transition="expel_after_resignation"
                    if org.status == MembershipStatus.RESIGNED
                    else "terminate",
                    by=staff,
                    reason=reason,
                    until=sanction.readmission_bar_until,
                    case=case,
                )
        except MembershipChangeRefused as exc:
            record_event(
                case,
                actor=by,
                kind="sanction_not_applicable",
                payload={"sanction": sanction.pk, "why": exc.messages[0]},
            )
    Sanction.objects.filter(pk=sanction.pk).update(applied_at=timezone.now())
    sanction.applied_at = timezone.now()
    record_event(
        case,
        actor=by,
        **events.sanction_applied(sanction=sanction.pk, kind=sanction.kind, status=org.status),
    )


def lift(sanction: Sanction, *, by, reason: str) -> None:
    """Undo a sanction's membership effect (appeal overturned or modified)."""
    case = sanction.case
    Sanction.objects.filter(pk=sanction.pk).update(
        rescinded_at=timezone.now(), rescinded_reason=reason
    )
    record_event(
        case,
        actor=by,
        **events.sanction_rescinded(sanction=sanction.pk, reason=reason),
    )
    org = case.respondent
    org.refresh_from_db()
    if (
        sanction.applied_at
        and sanction.changes_membership
        and org.status in (MembershipStatus.SUSPENDED, MembershipStatus.TERMINATED)
    ):
        staff = by if by is not None and roles_of(by).ethics_staff else None
        membership_change(
            organization=org,
            transition=transition_after_sanction(org, case, on_appeal=True),
            by=staff,
            reason=f"Restored on appeal in case {case.number}: {reason}",
            case=case,
        )


def transition_after_sanction(org, case: Case, *, on_appeal: bool) -> str:
    """Where a member goes when a sanction stops holding it, whether a suspension ended
    or a sanction was lifted on appeal (docs/decisions/0005): a member that had resigned
    (the history row this case wrote says so) is resigned again; one with dues unpaid
    past their date is lapsed, and paying restores it; any other is active."""
    before = (
        StatusChange.objects.filter(organization=org, case=case, to_status=org.status)
        .order_by("-changed_at", "-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    if before == MembershipStatus.RESIGNED and org.status == MembershipStatus.TERMINATED:
        return "restore_resignation_on_appeal"
    if has_overdue_dues(org, on=workflow.today()):
        return "lapse_after_sanction"
    return "reinstate_on_appeal" if on_appeal else "reinstate"
