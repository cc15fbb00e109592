"""Services that change the member register. Views and the cases workflow call these;
nothing else changes an organization's status or records a payment."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from members.accounts import language_of
from members.hooks import membership_change_requested, representative_removed
from members.models import (
    DuesInvoice,
    MembershipStatus,
    Organization,
    Representative,
    RepresentativeChange,
    StatusChange,
)
from members.roles import ROLE_GROUPS, is_ethics_staff
from members.selectors import has_overdue_dues
from members.status import MEMBERSHIP_TRANSITIONS, TRANSITIONS_WITH_UNTIL, WORKFLOW_TRANSITIONS

log = logging.getLogger("probity.members")


class MembershipChangeRefused(ValidationError):
    """The change is not allowed from the organization's current status, or lacks a reason."""


def _refusal(org: Organization, name: str) -> str:
    label = str({**MEMBERSHIP_TRANSITIONS, **WORKFLOW_TRANSITIONS}[name]).lower()
    current = str(org.get_status_display()).lower()
    if name == "readmit" and org.status == MembershipStatus.TERMINATED:
        return _(
            "%(organization)s cannot be readmitted before the readmission-bar date (%(day)s)."
        ) % {
            "organization": org.name,
            "day": date_format(org.readmission_bar_until, "DATE_FORMAT"),
        }
    return _("Cannot %(change)s: %(organization)s is %(status)s.") % {
        "change": label,
        "organization": org.name,
        "status": current,
    }


def _contradicted(org: Organization, name: str) -> str:
    """Why another app refuses this change by hand ("" if none does): the cases app
    refuses one that would undo a sanction in force (members.hooks)."""
    target = getattr(org, name)._django_fsm.get_transition(org.status).target
    for _receiver, refusal in membership_change_requested.send(
        sender=Organization,
        organization=org,
        transition=name,
        target=target,
        label=str(MEMBERSHIP_TRANSITIONS[name]).lower(),
    ):
        if refusal:
            return refusal
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
        raise PermissionDenied(_("Only ethics staff change membership status."))
    if transition not in MEMBERSHIP_TRANSITIONS and (
        case is None or transition not in WORKFLOW_TRANSITIONS
    ):
        raise MembershipChangeRefused(
            _("Unknown membership change “%(change)s”.") % {"change": transition}
        )
    reason = (reason or "").strip()
    if not reason:
        raise MembershipChangeRefused(
            _("A reason is required for every change of membership status.")
        )

    org = Organization.objects.select_for_update().get(pk=organization.pk)
    method = getattr(org, transition)
    # A change by hand must not undo a case's sanction; the case's own changes pass it.
    if case is None and can_proceed(method, check_conditions=False):
        contradicted = _contradicted(org, transition)
        if contradicted:
            raise MembershipChangeRefused(contradicted)
    if not can_proceed(method):
        raise MembershipChangeRefused(_refusal(org, transition))
    if (
        until is not None
        and until <= timezone.localdate()
        and transition in ("suspend", "suspend_lapsed")
    ):
        raise MembershipChangeRefused(_("A suspension must end after today."))

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


def compliance_default_set(*, organization: Organization, since: datetime.date | None) -> None:
    """Mark the organization in default since `since` (a fine, education or condition
    decided in a case is overdue), or clear it with None. The cases app decides; the
    register shows it (the badge, the filter)."""
    Organization.objects.filter(pk=organization.pk).update(in_default_since=since)
    organization.in_default_since = since


@transaction.atomic
def dues_record_payment(*, invoice: DuesInvoice, paid_on: datetime.date, by) -> DuesInvoice:
    """Mark an invoice paid; a lapsed member with nothing else outstanding is restored."""
    if not is_ethics_staff(by):
        raise PermissionDenied(_("Only ethics staff record payments."))
    invoice = (
        DuesInvoice.objects.select_for_update().select_related("organization").get(pk=invoice.pk)
    )
    if invoice.paid_on is not None:
        raise ValidationError(
            _("The %(year)s dues were already recorded as paid on %(day)s.")
            % {"year": invoice.year, "day": date_format(invoice.paid_on, "DATE_FORMAT")}
        )
    if paid_on > timezone.localdate():
        raise ValidationError(_("The payment date cannot be in the future."))
    if paid_on < invoice.issued_on:
        raise ValidationError(_("The payment date cannot be before the invoice was issued."))
    invoice.paid_on = paid_on
    invoice.save(update_fields=["paid_on"])

    org = invoice.organization
    if org.status == MembershipStatus.LAPSED and not has_overdue_dues(org):
        membership_change(
            organization=org,
            transition="restore",
            by=by,
            # Stored in the status history: English, whatever the reader's language.
            reason=f"Dues for {invoice.year} paid on {paid_on:%d %B %Y}.",
        )
    return invoice


# ---------------------------------------------------------------------------
# Representatives
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RepresentativeInput:
    first_name: str
    last_name: str
    email: str
    job_title: str = ""
    phone: str = ""
    is_primary: bool = False


def _require_staff(by, refusal: str) -> None:
    if by is None or not is_ethics_staff(by):
        raise PermissionDenied(refusal)


def _display_name(user) -> str:
    return user.get_full_name() or user.username


def _username_base(person: RepresentativeInput) -> str:
    """first.last in ASCII (what the demo and staff use), else the email's local part."""
    parts = [slugify(person.first_name), slugify(person.last_name)]
    base = ".".join(p for p in parts if p)
    if not base:
        base = slugify(person.email.split("@", 1)[0].replace(".", "-"))
    return (base or "representative")[:140]


def _create_user(person: RepresentativeInput):
    """A new account with an unusable password and a username no one holds (compared
    without case, as the login form is forgiving): first.last, first.last2, ..."""
    User = get_user_model()
    base = _username_base(person)
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    n = 1
    while True:
        username = base if n == 1 else f"{base}{n}"
        n += 1
        if username.lower() in taken:
            continue
        user = User(
            username=username,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():  # a savepoint: someone may take the name meanwhile
                user.save()
        except IntegrityError:
            taken.add(username.lower())
            continue
        return user


def _record(organization, user, action: str, *, by, reason: str = "") -> RepresentativeChange:
    return RepresentativeChange.objects.create(
        organization=organization,
        user=user,
        name=_display_name(user),
        action=action,
        by=by,
        reason=reason,
    )


def _clear_primary(organization: Organization) -> None:
    # Before the new primary is saved: the database allows one primary per organization.
    Representative.objects.filter(organization=organization, is_primary=True).update(
        is_primary=False
    )


@transaction.atomic
def representative_add(
    *, organization: Organization, by, person: RepresentativeInput, site_url: str = ""
) -> Representative:
    """Create the user account and link it to the organization; after commit, email them
    a link to set their password. If they are to be primary, the previous primary
    contact stops being primary in the same transaction.

    `site_url` (scheme and host, from the request) makes the emailed link absolute.
    The new representative gets the access to the organization's notified cases through
    the post_save signal in cases.signals, once this commits."""
    _require_staff(by, _("Only ethics staff add representatives."))
    first_name = person.first_name.strip()
    last_name = person.last_name.strip()
    email = person.email.strip()
    errors = {}
    if not first_name:
        errors["first_name"] = _("Enter the representative's first name.")
    if not last_name:
        errors["last_name"] = _("Enter the representative's last name.")
    if not email:
        errors["email"] = _("Enter an email address: the password link is sent there.")
    elif get_user_model().objects.filter(email__iexact=email).exists():
        errors["email"] = _(
            "A user with the email %(email)s already exists; each representative needs "
            "their own account and address."
        ) % {"email": email}
    if errors:
        raise ValidationError(errors)
    person = RepresentativeInput(
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=person.job_title.strip(),
        phone=person.phone.strip(),
        is_primary=person.is_primary,
    )

    # The organization row serializes changes to its representatives (the primary flag).
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    user = _create_user(person)
    if person.is_primary:
        _clear_primary(org)
    representative = Representative(
        user=user,
        organization=org,
        is_primary=person.is_primary,
        job_title=person.job_title,
        phone=person.phone,
    )
    representative._change_recorded = True  # recorded below; the signal need not
    representative.save()
    _record(org, user, RepresentativeChange.Action.ADDED, by=by)
    if person.is_primary:
        _record(org, user, RepresentativeChange.Action.MADE_PRIMARY, by=by)
    transaction.on_commit(lambda: _send_password_link(user.pk, org.name, site_url))
    return representative


def _send_password_link(
    user_id: int, organization_name: str, site_url: str, *, again: bool = False
) -> bool:
    """The email with a one-time link to set a password (Django's password reset
    token: it stops working once the password is set, or after PASSWORD_RESET_TIMEOUT).
    A mail failure never undoes the addition: it is logged and False is returned.
    Written in the person's language (members.accounts.language_of)."""
    try:
        user = get_user_model().objects.get(pk=user_id)
        with translation.override(language_of(user)):
            subject, body = _password_link_mail(user, organization_name, site_url, again=again)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        log.exception("Could not send the password link to user %s", user_id)
        return False
    return True


def _password_link_mail(user, organization_name: str, site_url: str, *, again: bool):
    """The subject and body of the email with the link to set a password."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    names = {"organization": organization_name}
    why = (
        _(
            "The association's ethics staff sent you a new link to sign in as a "
            "representative of %(organization)s."
        )
        % names
        if again
        else _("The association's ethics staff added you as a representative of %(organization)s.")
        % names
    )
    subject = _("Your Probity account for %(organization)s") % names
    body = (
        _("Hello %(name)s,") % {"name": user.get_full_name()}
        + "\n\n"
        + why
        + " "
        + _("Your username is %(username)s.") % {"username": user.username}
        + "\n\n"
        + ngettext(
            "Choose your password here (the link works once, for %(days)d day):",
            "Choose your password here (the link works once, for %(days)d days):",
            days,
        )
        % {"days": days}
        + f"\n{site_url.rstrip('/')}{path}\n"
    )
    return subject, body


def representative_send_link(*, representative: Representative, by, site_url: str = "") -> None:
    """Email a fresh link to set a password: for a representative whose first link
    expired or was lost. (Django's "forgot password" form ignores accounts that never
    had a password, so staff send it.)"""
    _require_staff(by, _("Only ethics staff send sign-in links."))
    user = representative.user
    if not user.is_active:
        raise ValidationError(
            _("The account of %(name)s is inactive.") % {"name": _display_name(user)}
        )
    if not user.email:
        raise ValidationError(
            _("%(name)s has no email address on file.") % {"name": _display_name(user)}
        )
    if not _send_password_link(user.pk, representative.organization.name, site_url, again=True):
        raise ValidationError(
            _(
                "The email to %(email)s could not be sent; try again later or check the "
                "mail settings."
            )
            % {"email": user.email}
        )


@transaction.atomic
def representative_make_primary(*, representative: Representative, by) -> Representative:
    """Make this representative the organization's primary contact (the previous one
    stays a representative)."""
    _require_staff(by, _("Only ethics staff choose the primary contact."))
    org = Organization.objects.select_for_update().get(pk=representative.organization_id)
    try:
        rep = Representative.objects.select_related("user").get(pk=representative.pk)
    except Representative.DoesNotExist as exc:
        raise ValidationError(_("This person is no longer a representative.")) from exc
    if rep.is_primary:
        raise ValidationError(
            _("%(name)s is already the primary contact.") % {"name": _display_name(rep.user)}
        )
    _clear_primary(org)
    rep.is_primary = True
    rep.save(update_fields=["is_primary"])
    _record(org, rep.user, RepresentativeChange.Action.MADE_PRIMARY, by=by)
    return rep


def keeps_account(user) -> bool:
    """Whether the account stays active when the person stops being a representative:
    they hold a role group, or the account is an admin account."""
    return user.is_staff or user.is_superuser or user.groups.filter(name__in=ROLE_GROUPS).exists()


@transaction.atomic
def representative_remove(
    *, representative: Representative, by, reason: str
) -> RepresentativeChange:
    """End the link between a person and the organization, with a reason.

    The Representative row is deleted and the account deactivated (unless it holds
    another role); their access to the organization's cases and letters is revoked
    now, in this transaction (the `representative_removed` signal, members.hooks), and
    again after commit by the post_delete handler in cases.signals (which catches a
    grant made concurrently)."""
    _require_staff(by, _("Only ethics staff remove representatives."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this person is no longer a representative.")})
    try:
        rep = (
            Representative.objects.select_for_update(of=("self",))
            .select_related("user", "organization")
            .get(pk=representative.pk)
        )
    except Representative.DoesNotExist as exc:
        raise ValidationError(_("This person is no longer a representative.")) from exc
    user, org = rep.user, rep.organization
    change = _record(org, user, RepresentativeChange.Action.REMOVED, by=by, reason=reason)
    rep._change_recorded = True  # tells the post_delete handler not to write a second row
    rep.delete()
    if user.is_active and not keeps_account(user):
        user.is_active = False
        user.save(update_fields=["is_active"])
    user.__dict__.pop("_probity_roles", None)
    representative_removed.send(sender=Representative, user=user, organization=org, by=by)
    return change


# The reasons the register writes itself in a representative's record. Stored in
# English (the record does not change with the reader); shown translated
# (templates/includes/representative_changes.html).
REASON_ACCOUNT_DELETED = gettext_noop("The user account was deleted.")
REASON_REMOVED_ELSEWHERE = gettext_noop(
    "Removed outside the organization page (in the admin or by a data change)."
)
REASON_ADDED_ELSEWHERE = gettext_noop(
    "Added outside the organization page (in the admin or by a data change)."
)


def representative_removal_record(*, representative: Representative, by=None, origin=None) -> None:
    """Write the history row for a removal made outside `representative_remove` (the
    admin, a data change, the user account being deleted)."""
    from django.contrib.auth.models import AbstractBaseUser

    user = representative.user
    account_deleted = isinstance(origin, AbstractBaseUser) or (
        hasattr(origin, "model") and issubclass(origin.model, AbstractBaseUser)
    )
    RepresentativeChange.objects.create(
        organization_id=representative.organization_id,
        user=None if account_deleted else user,
        name=_display_name(user),
        action=RepresentativeChange.Action.REMOVED,
        by=by,
        reason=(REASON_ACCOUNT_DELETED if account_deleted else REASON_REMOVED_ELSEWHERE),
    )


def representative_addition_record(*, representative: Representative, by=None) -> None:
    """Write the history row for a representative linked outside `representative_add`."""
    _record(
        representative.organization,
        representative.user,
        RepresentativeChange.Action.ADDED,
        by=by,
        reason=REASON_ADDED_ELSEWHERE,
    )


def correspondence_language_set(*, organization: Organization, language: str, by) -> Organization:
    """Staff set the language letters to the organization are written in ("" for the
    association's own); a language the site does not offer is refused."""
    _require_staff(by, "set an organization's correspondence language")
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(
            gettext("“%(language)s” is not one of the association's languages.")
            % {"language": language[:20]}
        )
    Organization.objects.filter(pk=organization.pk).update(language=language)
    organization.language = language
    return organization
