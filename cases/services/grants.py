"""Every object permission on a case or a letter is given and taken here, and each
grant or revocation is a case event. What a permission lets its holder do is the
table's business (cases.workflow, cases.access)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from cases import events, workflow
from cases.access import case_permissions, forget_permissions
from cases.models import (
    Addressee,
    Case,
    CaseUserObjectPermission,
    CaseViewer,
    Letter,
    LetterUserObjectPermission,
)
from cases.services.record import lock_case, record_event
from members.models import Representative
from members.roles import ETHICS_STAFF

STAFF_PERMISSIONS = ("view_case", "manage_case")


def grant(case: Case, user, codenames: Iterable[str], *, actor, why: str) -> None:
    codenames = list(codenames)
    for codename in codenames:
        assign_perm(codename, user, case)
    if "view_case" in codenames:  # the user's case list reads this row
        # Its respondent is copied by CaseViewer.save, as on every other path.
        CaseViewer.objects.get_or_create(user=user, case=case, defaults={"filed_at": case.filed_at})
    forget_permissions(case)
    record_event(
        case,
        actor=actor,
        **events.access_granted(user=user.username, permissions=codenames, why=why),
    )


def revoke(
    case: Case, user, codenames: Iterable[str], *, actor, why: str, letters: Iterable[int] = ()
) -> None:
    """Take permissions on the case (and view_letter_pdf on some of its letters) from
    the user, and record it. The letters are named in the event only when given."""
    codenames = list(codenames)
    for codename in codenames:
        remove_perm(codename, user, case)
    if "view_case" in codenames:
        CaseViewer.objects.filter(user=user, case=case).delete()
    letters = sorted(letters)
    if letters:
        LetterUserObjectPermission.objects.filter(
            user=user,
            content_object__in=letters,
            content_object__case=case,
            permission__codename="view_letter_pdf",
        ).delete()
    forget_permissions(case)
    record_event(
        case,
        actor=actor,
        **events.access_revoked(
            user=user.username, permissions=codenames, why=why, letters=letters
        ),
    )


def grant_staff(case: Case, *, actor) -> None:
    """Ethics staff manage every case: their group gets the staff permissions on it."""
    staff = Group.objects.get(name=ETHICS_STAFF)
    for codename in STAFF_PERMISSIONS:
        assign_perm(codename, staff, case)
    forget_permissions(case)
    record_event(
        case,
        actor=actor,
        **events.access_granted_to_group(
            group=ETHICS_STAFF,
            permissions=list(STAFF_PERMISSIONS),
            why="Ethics staff manage every case.",
        ),
    )


def grant_letter(letter: Letter) -> None:
    """Who may download a letter: ethics staff, and for a letter addressed to the
    respondent, its representatives (recorded with the letter's own event)."""
    assign_perm("view_letter_pdf", Group.objects.get(name=ETHICS_STAFF), letter)
    if letter.addressee == Addressee.RESPONDENT:
        for user in respondent_users(letter.case):
            assign_perm("view_letter_pdf", user, letter)


def respondent_users(case: Case):
    return [rep.user for rep in case.respondent.representatives.select_related("user")]


def respondent_may_act_in() -> tuple[str, ...]:
    """The states in which the table lets the respondent act (respond, appeal)."""
    return tuple(
        state
        for item in [*workflow.STEPS.values(), *workflow.ACTIONS.values()]
        if item.who is workflow.RESPONDENT
        for state in item.states
    )


@transaction.atomic
def representative_access_sync(*, user, organization) -> int:
    """Give a newly added representative the access the other representatives got at
    the notice of complaint: every notified case of their organization and the letters
    addressed to it. Returns how many cases they were given."""
    granted = 0
    for case in Case.objects.filter(
        respondent=organization, notice_issued_at__isnull=False
    ).order_by("pk"):
        case = lock_case(case)
        # Checked under the case lock: a removal that committed since the addition
        # (its revocation has run, or waits for this lock) must not be undone here.
        if not Representative.objects.filter(user=user, organization=organization).exists():
            break
        held = case_permissions(user, case)
        wanted = ["view_case"] + (
            ["respond_to_case"] if case.state in respondent_may_act_in() else []
        )
        missing = [p for p in wanted if p not in held]
        if missing:
            grant(case, user, missing, actor=None, why="New representative of the respondent.")
            granted += 1
        for letter in case.letters.filter(addressee="respondent"):
            assign_perm("view_letter_pdf", user, letter)
    return granted


REPRESENTATIVE_REMOVED = "No longer a representative of the respondent."


@transaction.atomic
def representative_access_revoke(*, user, organization, by=None) -> int:
    """Take from a former representative every permission they hold on the
    organization's cases and on the letters of those cases, one `access_revoked` event
    per case. Returns how many cases it touched.

    Runs in the removal's transaction (members.services.representative_remove, with
    the staff member as actor) and again after any Representative row is deleted (the
    post_delete signal, actor None); the second run finds nothing left unless a grant
    was made while the removal was in flight. Every case of the organization is
    locked in turn, in the order the other case services lock them, so a notice being
    issued at the same time finishes first and its grant is seen and taken back. Does
    nothing if the user is a representative of the organization again.

    Reads the permission tables directly: `case_permissions` reports nothing for a
    deactivated user, who still holds the rows."""
    if Representative.objects.filter(user=user, organization=organization).exists():
        return 0
    touched = 0
    for case_id in (
        Case.objects.filter(respondent=organization).order_by("pk").values_list("pk", flat=True)
    ):
        case = lock_case(Case(pk=case_id))
        codenames = sorted(
            set(
                CaseUserObjectPermission.objects.filter(user=user, content_object=case).values_list(
                    "permission__codename", flat=True
                )
            )
        )
        letters = list(
            LetterUserObjectPermission.objects.filter(
                user=user, content_object__case=case, permission__codename="view_letter_pdf"
            ).values_list("content_object_id", flat=True)
        )
        if codenames or letters:
            revoke(case, user, codenames, actor=by, why=REPRESENTATIVE_REMOVED, letters=letters)
            touched += 1
    return touched
