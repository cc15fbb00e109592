"""Membership status in plain words, for the portal and the public pages."""

from __future__ import annotations

from django.utils.formats import date_format

from members.models import MembershipStatus, Organization

PUBLIC_GOOD_STANDING = "in good standing"
PUBLIC_SUSPENDED = "suspended"
PUBLIC_NOT_A_MEMBER = "not a member"

# Each transition a person can choose, with the label shown on the form.
MEMBERSHIP_TRANSITIONS = {
    "admit": "Admit as a member",
    "suspend": "Suspend",
    "reinstate": "Reinstate after suspension",
    "lapse": "Mark as lapsed (dues unpaid)",
    "restore": "Restore (dues paid)",
    "terminate": "Terminate (expel)",
    "resign": "Record resignation",
    "readmit": "Readmit",
}
# Changes only the cases workflow makes (never offered on the status form).
WORKFLOW_TRANSITIONS = {
    "reinstate_on_appeal": "Restore after a successful appeal",
    "suspend_lapsed": "Suspend a lapsed member by a case decision",
    "expel_after_resignation": "Terminate (expel) a member that resigned during the case",
    "lapse_after_sanction": "Return to lapsed (dues unpaid) after a sanction",
    "restore_resignation_on_appeal": "Restore the resignation after a successful appeal",
}
# The transitions that take the `until` date (suspension end, or readmission bar).
TRANSITIONS_WITH_UNTIL = ("suspend", "suspend_lapsed", "terminate", "expel_after_resignation")


def _d(value) -> str:
    return date_format(value, "j F Y")


def plain_status(org: Organization) -> str:
    """What the status means, in a sentence a representative understands."""
    s = org.status
    if s == MembershipStatus.ACTIVE:
        return "Your membership is active and in good standing."
    if s == MembershipStatus.SUSPENDED:
        if org.suspended_until:
            return (
                f"Suspended until {_d(org.suspended_until)}. While suspended you may not "
                "present yourselves as members; membership resumes on its own on that date."
            )
        return "Suspended. While suspended you may not present yourselves as members."
    if s == MembershipStatus.LAPSED:
        return "Lapsed: dues are unpaid. Paying the outstanding dues restores the membership."
    if s == MembershipStatus.TERMINATED:
        if org.readmission_bar_until:
            return (
                "Membership was terminated. You may apply for readmission from "
                f"{_d(org.readmission_bar_until)}."
            )
        return "Membership was terminated. You may apply for readmission."
    if s == MembershipStatus.RESIGNED:
        return "You resigned from the association."
    return "Your application for membership is being considered."


def public_standing(org: Organization) -> str:
    """The three answers the public verification page gives."""
    if org.status == MembershipStatus.ACTIVE:
        return PUBLIC_GOOD_STANDING
    if org.status == MembershipStatus.SUSPENDED:
        return PUBLIC_SUSPENDED
    return PUBLIC_NOT_A_MEMBER
