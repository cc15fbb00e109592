"""Services that change the member register. Views and the cases workflow call these;
nothing else changes an organization's status or records a payment."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from members.models import DuesInvoice, MembershipStatus, Organization, StatusChange
from members.roles import is_ethics_staff
from members.selectors import has_overdue_dues
from members.status import MEMBERSHIP_TRANSITIONS, TRANSITIONS_WITH_UNTIL, WORKFLOW_TRANSITIONS


class MembershipChangeRefused(ValidationError):
    """The change is not allowed from the organization's current status, or lacks a reason."""


def _refusal(org: Organization, name: str) -> str:
    label = {**MEMBERSHIP_TRANSITIONS, **WORKFLOW_TRANSITIONS}[name].lower()
    current = org.get_status_display().lower()
    if name == "readmit" and org.status == MembershipStatus.TERMINATED:
        return (
            f"{org.name} cannot be readmitted before the readmission-bar date "
            f"({org.readmission_bar_until:%d %B %Y})."
        )
    return f"Cannot {label}: {org.name} is {current}."


def _contradicted_sanction(org: Organization, name: str) -> str:
    """Why a manual change would undo a case sanction still in force ("" if it would not).

    A suspension from a case holds the member suspended until it ends on its own or an
    appeal lifts it; an expulsion holds it terminated until its readmission-bar date,
    from which readmission (the `readmit` change) is the proper route. Staff may still
    terminate a suspended member: that undoes nothing.
    """
    # cases builds on members; the sanctions are read lazily to keep that one-way.
    from cases.models import Sanction, SanctionKind

    target = getattr(org, name)._django_fsm.get_transition(org.status).target
    label = MEMBERSHIP_TRANSITIONS[name].lower()
    in_force = Sanction.objects.filter(
        case__respondent=org, applied_at__isnull=False, rescinded_at__isnull=True
    ).select_related("case")
    if org.status == MembershipStatus.SUSPENDED and target != MembershipStatus.TERMINATED:
        suspension = (
            in_force.filter(kind=SanctionKind.SUSPENSION, ended_at__isnull=True)
            .order_by("-ends_on", "-pk")
            .first()
        )
        if suspension is not None:
            return (
                f"Cannot {label}: {org.name} is suspended until "
                f"{suspension.ends_on:%d %B %Y} by the suspension decided in case "
                f"{suspension.case.number}, which is still in force. It ends on its own on "
                "that date; only an appeal decided in that case can lift it sooner."
            )
    if org.status == MembershipStatus.TERMINATED and target != MembershipStatus.TERMINATED:
        expulsion = (
            in_force.filter(
                kind=SanctionKind.EXPULSION, readmission_bar_until__gt=timezone.localdate()
            )
            .order_by("-readmission_bar_until", "-pk")
            .first()
        )
        if expulsion is not None:
            return (
                f"Cannot {label}: {org.name} was expelled by the decision in case "
                f"{expulsion.case.number}, and that expulsion is in force until its "
                f"readmission-bar date, {expulsion.readmission_bar_until:%d %B %Y}. "
                "It may be readmitted from that date."
            )
    return ""


@transaction.atomic
def membership_change(
    *,
    organization: Organization,
    transition: str,
    by,
    reason: str,
    until: datetime.date | None = None,
    case=None,
) -> StatusChange:
    """Apply one membership transition and record it in the status history.

    `by` is the staff user acting, or None when the system acts (the deadline job,
    a sanction taking effect). `until` is the suspension end or the readmission bar.
    """
    if by is not None and not is_ethics_staff(by):
        raise PermissionDenied("Only ethics staff change membership status.")
    if transition not in MEMBERSHIP_TRANSITIONS and (
        case is None or transition not in WORKFLOW_TRANSITIONS
    ):
        raise MembershipChangeRefused(f"Unknown membership change “{transition}”.")
    reason = (reason or "").strip()
    if not reason:
        raise MembershipChangeRefused("A reason is required for every change of membership status.")

    org = Organization.objects.select_for_update().get(pk=organization.pk)
    method = getattr(org, transition)
    # A change by hand must not undo a case's sanction; the case's own changes pass it.
    if case is None and can_proceed(method, check_conditions=False):
        contradicted = _contradicted_sanction(org, transition)
        if contradicted:
            raise MembershipChangeRefused(contradicted)
    if not can_proceed(method):
        raise MembershipChangeRefused(_refusal(org, transition))
    if (
        until is not None
        and until <= timezone.localdate()
        and transition in ("suspend", "suspend_lapsed")
    ):
        raise MembershipChangeRefused("A suspension must end after today.")

    from_status = org.status
    if transition in TRANSITIONS_WITH_UNTIL:
        method(until=until)
    else:
        method()
    org.status_since = timezone.localdate()
    org.save()
    change = StatusChange.objects.create(
        organization=org,
        from_status=from_status,
        to_status=org.status,
        changed_by=by,
        reason=reason,
        case=case,
    )
    # Keep the caller's instance truthful about what was saved.
    organization.refresh_from_db()
    return change


@transaction.atomic
def dues_record_payment(*, invoice: DuesInvoice, paid_on: datetime.date, by) -> DuesInvoice:
    """Mark an invoice paid; a lapsed member with nothing else outstanding is restored."""
    if not is_ethics_staff(by):
        raise PermissionDenied("Only ethics staff record payments.")
    invoice = (
        DuesInvoice.objects.select_for_update().select_related("organization").get(pk=invoice.pk)
    )
    if invoice.paid_on is not None:
        raise ValidationError(
            f"The {invoice.year} dues were already recorded as paid on {invoice.paid_on:%d %B %Y}."
        )
    if paid_on > timezone.localdate():
        raise ValidationError("The payment date cannot be in the future.")
    if paid_on < invoice.issued_on:
        raise ValidationError("The payment date cannot be before the invoice was issued.")
    invoice.paid_on = paid_on
    invoice.save(update_fields=["paid_on"])

    org = invoice.organization
    if org.status == MembershipStatus.LAPSED and not has_overdue_dues(org):
        membership_change(
            organization=org,
            transition="restore",
            by=by,
            reason=f"Dues for {invoice.year} paid on {paid_on:%d %B %Y}.",
        )
    return invoice
