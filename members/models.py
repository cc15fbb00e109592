"""The member register: organizations, their representatives, dues and status history.

Membership status is a state machine (django-fsm-2). Its transitions are declared
here; they are only ever called by `members.services.membership_change`, which
checks the reason, locks the row and writes the StatusChange row.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition


class MembershipStatus(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed (dues unpaid)")
    TERMINATED = "terminated", _("Terminated (expelled)")
    RESIGNED = "resigned", _("Resigned")


class MembershipClass(models.Model):
    """A category of membership (manufacturer, integrator, ...), editable in the admin."""

    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("slug"))
    description = models.TextField(blank=True, verbose_name=_("description"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("membership class")
        verbose_name_plural = _("membership classes")

    def __str__(self) -> str:
        return self.name


def _readmission_bar_passed(org: Organization) -> bool:
    return org.readmission_bar_until is None or org.readmission_bar_until <= timezone.localdate()


def correspondence_languages():
    """The languages the association may write in: the site's (settings.LANGUAGES)."""
    return list(settings.LANGUAGES)


class Organization(FSMModelMixin, models.Model):
    name = models.CharField(max_length=200, db_index=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=200, unique=True, verbose_name=_("slug"))
    website = models.URLField(blank=True, verbose_name=_("website"))
    membership_class = models.ForeignKey(
        MembershipClass,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("membership class"),
    )
    joined_on = models.DateField(null=True, blank=True, verbose_name=_("joined on"))
    status = FSMField(
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLICANT,
        protected=True,
        db_index=True,
        verbose_name=_("status"),
    )
    status_since = models.DateField(default=timezone.localdate, verbose_name=_("status since"))
    # Set while suspended (the planned end) and after termination (the first day
    # the organization may apply for readmission).
    suspended_until = models.DateField(null=True, blank=True, verbose_name=_("suspended until"))
    readmission_bar_until = models.DateField(
        null=True, blank=True, verbose_name=_("readmission bar until")
    )
    # Since when a fine, education or condition decided in a case is overdue (the
    # cases app sets and clears it through members.services.compliance_default_set).
    in_default_since = models.DateField(
        null=True, blank=True, db_index=True, verbose_name=_("in default since")
    )
    # The language the association writes to it in (letters, their emails); blank:
    # the association's own (settings.LANGUAGE_CODE).
    language = models.CharField(
        _("correspondence language"), max_length=12, blank=True, choices=correspondence_languages
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"])]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def in_good_standing(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    # -- Membership transitions. Called only through members.services. --

    @transition(field=status, source=MembershipStatus.APPLICANT, target=MembershipStatus.ACTIVE)
    def admit(self) -> None:
        if self.joined_on is None:
            self.joined_on = timezone.localdate()

    @transition(field=status, source=MembershipStatus.ACTIVE, target=MembershipStatus.SUSPENDED)
    def suspend(self, until: datetime.date | None = None) -> None:
        self.suspended_until = until

    @transition(field=status, source=MembershipStatus.SUSPENDED, target=MembershipStatus.ACTIVE)
    def reinstate(self) -> None:
        self.suspended_until = None

    @transition(field=status, source=MembershipStatus.ACTIVE, target=MembershipStatus.LAPSED)
    def lapse(self) -> None:
        pass

    @transition(field=status, source=MembershipStatus.LAPSED, target=MembershipStatus.ACTIVE)
    def restore(self) -> None:
        pass

    @transition(
        field=status,
        source=[MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED, MembershipStatus.LAPSED],
        target=MembershipStatus.TERMINATED,
    )
    def terminate(self, until: datetime.date | None = None) -> None:
        self.suspended_until = None
        self.readmission_bar_until = until

    @transition(field=status, source=MembershipStatus.ACTIVE, target=MembershipStatus.RESIGNED)
    def resign(self) -> None:
        pass

    # -- Transitions only a case decision takes (members.status.WORKFLOW_TRANSITIONS):
    # a sanction is not dodged by lapsing or resigning (docs/decisions/0005). --

    @transition(field=status, source=MembershipStatus.LAPSED, target=MembershipStatus.SUSPENDED)
    def suspend_lapsed(self, until: datetime.date | None = None) -> None:
        """A suspension decided against a lapsed member is served all the same."""
        self.suspended_until = until

    @transition(field=status, source=MembershipStatus.RESIGNED, target=MembershipStatus.TERMINATED)
    def expel_after_resignation(self, until: datetime.date | None = None) -> None:
        """Resigning during a case does not escape its expulsion or the readmission bar."""
        self.readmission_bar_until = until

    @transition(
        field=status,
        source=[MembershipStatus.SUSPENDED, MembershipStatus.TERMINATED],
        target=MembershipStatus.LAPSED,
    )
    def lapse_after_sanction(self) -> None:
        """A suspension ended (or a sanction was lifted on appeal) while dues are overdue."""
        self.suspended_until = None
        self.readmission_bar_until = None

    @transition(field=status, source=MembershipStatus.TERMINATED, target=MembershipStatus.RESIGNED)
    def restore_resignation_on_appeal(self) -> None:
        """An expulsion of a member that had resigned was overturned: it stays resigned."""
        self.readmission_bar_until = None

    @transition(
        field=status,
        source=[MembershipStatus.SUSPENDED, MembershipStatus.TERMINATED],
        target=MembershipStatus.ACTIVE,
    )
    def reinstate_on_appeal(self) -> None:
        """An appeal overturned (or lightened) the sanction: the decision never stood."""
        self.suspended_until = None
        self.readmission_bar_until = None

    @transition(
        field=status,
        source=MembershipStatus.TERMINATED,
        target=MembershipStatus.ACTIVE,
        conditions=[_readmission_bar_passed],
    )
    def readmit(self) -> None:
        self.readmission_bar_until = None


class Representative(models.Model):
    """A user who acts for one organization."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="representative",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("organization"),
    )
    is_primary = models.BooleanField(default=False, verbose_name=_("is primary"))
    job_title = models.CharField(max_length=120, blank=True, verbose_name=_("job title"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=_("phone"))

    class Meta:
        ordering = ["-is_primary", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_primary=True),
                name="one_primary_representative_per_organization",
            )
        ]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.organization})"


class DuesInvoice(models.Model):
    """One invoice per organization per membership year."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="dues", verbose_name=_("organization")
    )
    year = models.PositiveIntegerField(verbose_name=_("year"))
    amount = models.DecimalField(max_digits=10, decimal_places=2, verbose_name=_("amount"))
    issued_on = models.DateField(verbose_name=_("issued on"))
    due_on = models.DateField(verbose_name=_("due on"))
    paid_on = models.DateField(null=True, blank=True, verbose_name=_("paid on"))

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="one_dues_invoice_per_year"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("issued_on")), name="dues_due_after_issue"
            ),
        ]
        verbose_name = _("dues invoice")
        verbose_name_plural = _("dues invoices")

    def __str__(self) -> str:
        return f"{self.organization} dues {self.year}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def is_overdue(self) -> bool:
        return self.paid_on is None and self.due_on < timezone.localdate()


class StatusChange(models.Model):
    """One row of an organization's membership history."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="status_history",
        verbose_name=_("organization"),
    )
    from_status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, verbose_name=_("from status")
    )
    to_status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, verbose_name=_("to status")
    )
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))
    # Null when the system made the change (the deadline job).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    reason = models.TextField(verbose_name=_("reason"))
    # The case whose decision caused this change, if any.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("case"),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["organization", "-changed_at"])]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.organization}: {self.from_status} → {self.to_status}"


def append_only_refusal(model, *, updated: bool) -> str:
    """ "Case events are append-only: they cannot be updated.", in the reader's language."""
    rows = str(model._meta.verbose_name_plural).capitalize()
    if updated:
        return _gettext("%(rows)s are append-only: they cannot be updated.") % {"rows": rows}
    return _gettext("%(rows)s are append-only: they cannot be deleted.") % {"rows": rows}


class AppendOnlyQuerySet(models.QuerySet):
    """For record rows (status history of representatives, case events, issued letters):
    added, never changed. Deleting their organization or case is refused elsewhere
    (PROTECT) or removes them with it (CASCADE)."""

    def update(self, **kwargs):
        raise ValidationError(append_only_refusal(self.model, updated=True))

    def delete(self):
        raise ValidationError(append_only_refusal(self.model, updated=False))


class AppendOnlyModel(models.Model):
    """A row that is written once: saving it again or deleting it is refused, one row
    at a time as in bulk (AppendOnlyQuerySet)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or not self._state.adding:
            raise ValidationError(append_only_refusal(type(self), updated=True))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(append_only_refusal(type(self), updated=False))


class RepresentativeChange(AppendOnlyModel):
    """One row of an organization's record of representatives: who was added, removed
    or made the primary contact, by whom, when and why. Append-only: rows are written
    by members.services (and by the signal that notices a removal made elsewhere)."""

    class Action(models.TextChoices):
        ADDED = "added", _("Added")
        REMOVED = "removed", _("Removed")
        MADE_PRIMARY = "made_primary", _("Made primary contact")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="representative_changes",
        verbose_name=_("organization"),
    )
    # Null only when the row records the deletion of the user account itself (a
    # user with history cannot be deleted); `name` keeps who it was either way.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    name = models.CharField(max_length=300, verbose_name=_("name"))
    action = models.CharField(max_length=20, choices=Action.choices, verbose_name=_("action"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    # Null when the change was not made through the organization page (a data change,
    # a deleted user account).
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(blank=True, verbose_name=_("reason"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"])]
        verbose_name = _("representative change")
        verbose_name_plural = _("representative changes")

    def __str__(self) -> str:
        return f"{self.organization}: {self.name} {self.get_action_display().lower()}"


# ---------------------------------------------------------------------------
# Accounts (members/accounts.py; docs/decisions/0009, 0010)
# ---------------------------------------------------------------------------


class SecondFactorReset(AppendOnlyModel):
    """A member of ethics staff removed another user's second factor (a lost phone),
    with the reason they gave. The user must set up a new one at their next sign-in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="second_factor_resets",
        verbose_name=_("user"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))
    reason = models.TextField(verbose_name=_("reason"))
    devices_removed = models.PositiveIntegerField(default=0, verbose_name=_("devices removed"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")

    def __str__(self) -> str:
        return f"Second factor of {self.user} reset by {self.by}"


class UserSession(models.Model):
    """A signed-in session, recorded at sign-in, so its user can see and end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="probity_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(max_length=40, unique=True, verbose_name=_("session key"))
    signed_in_at = models.DateTimeField(default=timezone.now, verbose_name=_("signed in at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.CharField(max_length=300, blank=True, verbose_name=_("user agent"))

    class Meta:
        ordering = ["-signed_in_at", "-id"]
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class FormThrottleHit(models.Model):
    """One accepted post of a throttled form (password reset, set password), by key
    ("reset-ip:203.0.113.9"); counted over the lockout window, old rows pruned."""

    key = models.CharField(max_length=200, verbose_name=_("key"))
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        verbose_name = _("form throttle hit")
        verbose_name_plural = _("form throttle hits")
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return self.key


class Preference(models.Model):
    """A person's own settings. `language` is one of settings.LANGUAGES, or blank for
    the browser's choice (Accept-Language). Read once at sign-in and kept in the session
    (members.accounts.LANGUAGE_SESSION_KEY), so pages ask no query for it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        # Not `choices`: the association's settings.LANGUAGES may grow without a
        # migration; members.forms.LanguageForm offers and checks them.
        help_text=_("Blank: the language your browser asks for."),
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser'}"
