"""How cases follows the register without the register knowing about cases:

- A representative's access follows their link to the organization: one added after
  the notice of complaint gets what the other representatives received with it; one
  removed (through the organization page, the admin or any other delete) loses it.
- A change of membership status made by hand may not undo a case's sanction while it
  is in force (docs/decisions/0005).
- The organization page and "Our membership" show the organization's cases,
  sanctions and letters.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from cases.models import InterimStatus, InterimSuspension, Sanction, SanctionKind
from cases.selectors import (
    organization_case_summary,
    owed_by,
    portal_lists,
    published_decisions_of,
    sanctions_of,
)
from cases.services.compliance import holding_suspension
from cases.services.grants import representative_access_revoke, representative_access_sync
from members.hooks import (
    membership_change_requested,
    organization_page,
    portal_page,
    representative_removed,
    verification_page,
)
from members.models import MembershipStatus, Organization, Representative


@receiver(post_save, sender=Representative, dispatch_uid="probity_representative_access")
def representative_added(
    sender, instance: Representative, created: bool, raw: bool = False, **kwargs
):
    if created and not raw:
        transaction.on_commit(
            lambda: representative_access_sync(
                user=instance.user, organization=instance.organization
            )
        )


@receiver(representative_removed, dispatch_uid="probity_representative_removed")
def representative_removed_by_staff(sender, user, organization, by, **kwargs):
    representative_access_revoke(user=user, organization=organization, by=by)


@receiver(post_delete, sender=Representative, dispatch_uid="probity_representative_revoke")
def representative_deleted(sender, instance: Representative, **kwargs):
    # Ids only: the user or the organization may be what is being deleted.
    user_id, organization_id = instance.user_id, instance.organization_id
    transaction.on_commit(lambda: _revoke_after_commit(user_id, organization_id))


def _revoke_after_commit(user_id: int, organization_id: int) -> None:
    user = get_user_model().objects.filter(pk=user_id).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if user is None or organization is None:
        return  # deleted with their permission rows (a case keeps its organization)
    representative_access_revoke(user=user, organization=organization)


@receiver(membership_change_requested, dispatch_uid="probity_sanction_in_force")
def sanction_in_force(sender, organization, transition, target, label, **kwargs) -> str:
    """Why a manual change would undo a case sanction still in force ("" if it would not).

    A suspension from a case holds the member suspended until it ends on its own or an
    appeal lifts it; an expulsion holds it terminated until its readmission-bar date,
    from which readmission (the `readmit` change) is the proper route. Staff may still
    terminate a suspended member: that undoes nothing.
    """
    org = organization
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
        unmet = holding_suspension(org).select_related("sanction__case").first()
        if unmet is not None:
            return (
                f"Cannot {label}: {org.name} is suspended until it complies with the "
                f"{unmet.sanction.get_kind_display().lower()} decided in case "
                f"{unmet.sanction.case.number}, due by {unmet.due_on:%d %B %Y}. Record the "
                "compliance in that case: the suspension then ends."
            )
        interim = (
            InterimSuspension.objects.filter(case__respondent=org, status=InterimStatus.IN_FORCE)
            .select_related("case")
            .first()
        )
        if interim is not None:
            return (
                f"Cannot {label}: {org.name} is suspended while case {interim.case.number} "
                "runs, by the board's interim suspension. It ends with the final decision; "
                "before that only the board can lift it, on the respondent's request."
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


# The pages of the register that show an organization's cases (members.hooks).


@receiver(organization_page, dispatch_uid="probity_organization_page_cases")
def organization_page_cases(sender, organization, user, **kwargs) -> dict:
    return {
        "cases": organization_case_summary(organization=organization, user=user),
        "sanctions": sanctions_of(organization),
        "owed": owed_by(organization),
    }


@receiver(portal_page, dispatch_uid="probity_portal_page_cases")
def portal_page_cases(sender, organization, user, **kwargs) -> dict:
    # In one query: the open cases only, in the respondent's words, soonest deadline
    # first; the newest sanctions and letters (their own pages list them all); what is
    # owed; the letters to it the queue is still preparing (docs/decisions/0027).
    return portal_lists(organization=organization, user=user)


@receiver(verification_page, dispatch_uid="probity_verification_page_decisions")
def verification_page_decisions(sender, organization, user, **kwargs) -> dict:
    return {"published_decisions": published_decisions_of(organization)}
