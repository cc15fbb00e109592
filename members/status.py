"""Membership status in plain words, for the portal and the public pages."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import MembershipStatus, Organization

# The public pages' three answers: codes the templates compare, and their words.
PUBLIC_GOOD_STANDING = "in good standing"
PUBLIC_SUSPENDED = "suspended"
PUBLIC_NOT_A_MEMBER = "not a member"
PUBLIC_STANDING_LABELS = {
    PUBLIC_GOOD_STANDING: gettext_lazy("in good standing"),
    PUBLIC_SUSPENDED: gettext_lazy("suspended"),
    PUBLIC_NOT_A_MEMBER: gettext_lazy("not a member"),
}

# Each transition a person can choose, with the label shown on the form.
MEMBERSHIP_TRANSITIONS = {
    "admit": gettext_lazy("Admit as a member"),
    "suspend": gettext_lazy("Suspend"),
    "reinstate": gettext_lazy("Reinstate after suspension"),
    "lapse": gettext_lazy("Mark as lapsed (dues unpaid)"),
    "restore": gettext_lazy("Restore (dues paid)"),
    "terminate": gettext_lazy("Terminate (expel)"),
    "resign": gettext_lazy("Record resignation"),
    "readmit": gettext_lazy("Readmit"),
}
# Changes only the cases workflow makes (never offered on the status form).
WORKFLOW_TRANSITIONS = {
    "reinstate_on_appeal": gettext_lazy("Restore after a successful appeal"),
    "suspend_lapsed": gettext_lazy("Suspend a lapsed member by a case decision"),
    "expel_after_resignation": gettext_lazy(
        "Terminate (expel) a member that resigned during the case"
    ),
    "lapse_after_sanction": gettext_lazy("Return to lapsed (dues unpaid) after a sanction"),
    "restore_resignation_on_appeal": gettext_lazy(
        "Restore the resignation after a successful appeal"
    ),
}
# The transitions that take the `until` date (suspension end, or readmission bar).
TRANSITIONS_WITH_UNTIL = ("suspend", "suspend_lapsed", "terminate", "expel_after_resignation")


def _d(value) -> str:
    return date_format(value, "DATE_FORMAT")


def plain_status(org: Organization) -> str:
    """What the status means, in a sentence a representative understands."""
    s = org.status
    if s == MembershipStatus.ACTIVE:
        return _("Your membership is active and in good standing.")
    if s == MembershipStatus.SUSPENDED:
        if org.suspended_until:
            return _(
                "Suspended until %(day)s. While suspended you may not present yourselves as "
                "members; membership resumes on its own on that date."
            ) % {"day": _d(org.suspended_until)}
        return _("Suspended. While suspended you may not present yourselves as members.")
    if s == MembershipStatus.LAPSED:
        return _("Lapsed: dues are unpaid. Paying the outstanding dues restores the membership.")
    if s == MembershipStatus.TERMINATED:
        if org.readmission_bar_until:
            return _("Membership was terminated. You may apply for readmission from %(day)s.") % {
                "day": _d(org.readmission_bar_until)
            }
        return _("Membership was terminated. You may apply for readmission.")
    if s == MembershipStatus.RESIGNED:
        return _("You resigned from the association.")
    return _("Your application for membership is being considered.")


def public_standing(org: Organization) -> str:
    """The three answers the public verification page gives."""
    if org.status == MembershipStatus.ACTIVE:
        return PUBLIC_GOOD_STANDING
    if org.status == MembershipStatus.SUSPENDED:
        return PUBLIC_SUSPENDED
    return PUBLIC_NOT_A_MEMBER
