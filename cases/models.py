"""Ethics cases: the code of ethics, the procedure, complaints and the case record.

The case's state machine is declared here with django-fsm-2; its rules (guards)
and who may take each step live in `cases.workflow`, and the only code that
calls a transition is `cases.services.case_transition`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases import workflow
from cases.thresholds import describe_threshold, parse_threshold, stricter
from cases.workflow import CaseState
from members.models import AppendOnlyModel, AppendOnlyQuerySet, Organization


@models.CharField.register_lookup
class InLiteral(models.lookups.In):
    """`state__in_literal=OPEN_STATES`: IN with its values written into the SQL. SQLite
    uses a partial index only when the query repeats the index's condition, and a bound
    parameter never does. For machine codes from the code only (checked), never input."""

    lookup_name = "in_literal"

    def process_rhs(self, compiler, connection):
        codes = list(self.rhs)
        if not codes or not all(isinstance(c, str) and _CODE.fullmatch(c) for c in codes):
            raise ValueError(f"in_literal takes machine codes only, not {codes!r}")
        return "(" + ", ".join(f"'{c}'" for c in codes) + ")", ()


_CODE = re.compile(r"[a-z_]+")


class PrivateStorage(FileSystemStorage):
    """Files of a case live outside the web root and are served only by permission-checked
    views. The folder is read from settings each time, so a changed setting applies."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_STORAGE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    """Where case files live: the storage named "private" in settings.STORAGES if there
    is one (an object store shared by several app servers), else the private folder."""
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateStorage()


# ---------------------------------------------------------------------------
# Code of ethics
# ---------------------------------------------------------------------------


class CodeOfEthics(models.Model):
    version = models.CharField(max_length=20, unique=True, verbose_name=gettext_lazy("version"))
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    adopted_on = models.DateField(verbose_name=gettext_lazy("adopted on"))
    preamble = models.TextField(blank=True, verbose_name=gettext_lazy("preamble"))

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = gettext_lazy("code of ethics")
        verbose_name_plural = gettext_lazy("codes of ethics")

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Principle(models.Model):
    code = models.ForeignKey(
        CodeOfEthics,
        on_delete=models.PROTECT,
        related_name="principles",
        verbose_name=gettext_lazy("code"),
    )
    number = models.CharField(max_length=10, verbose_name=gettext_lazy("number"))
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    text = models.TextField(verbose_name=gettext_lazy("text"))
    # Conduct that ended before this date cannot breach this principle.
    effective_on = models.DateField(verbose_name=gettext_lazy("effective on"))

    class Meta:
        verbose_name = gettext_lazy("principle")
        verbose_name_plural = gettext_lazy("principles")
        ordering = ["code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="principle_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    # What a notice of complaint quotes and the non-retroactivity guard reads: once a
    # case cites the principle, changing these would rewrite what the respondent was told.
    FROZEN_ONCE_CITED = ("code_id", "number", "title", "text", "effective_on")

    def clean(self) -> None:
        if self.pk is None:
            return
        stored = Principle.objects.filter(pk=self.pk).first()
        if stored is None or not stored.allegations.exists():
            return
        changed = [f for f in self.FROZEN_ONCE_CITED if getattr(stored, f) != getattr(self, f)]
        if changed:
            cases = sorted({a.case.number for a in stored.allegations.select_related("case")})
            shown = ", ".join(cases[:5])
            if len(cases) > 5:
                shown = _("%(cases)s and others") % {"cases": shown}
            message = _(
                "Principle %(number)s is cited in case %(cases)s and cannot be changed: "
                "adopt a new version of the code of ethics instead."
            )
            raise ValidationError(message % {"number": stored.number, "cases": shown})

    def save(self, *args, **kwargs) -> None:
        self.clean()
        super().save(*args, **kwargs)


# ---------------------------------------------------------------------------
# Procedure
# ---------------------------------------------------------------------------


class VoteDenominator(models.TextChoices):
    VOTES_CAST = "votes_cast", gettext_lazy("votes cast (abstentions are not votes cast)")
    ELIGIBLE = "eligible", gettext_lazy("eligible voters (recused members excluded)")


class IdentityDisclosure(models.TextChoices):
    WITH_CONSENT = "with_consent", gettext_lazy("Only with the complainant's consent")
    ALWAYS = "always", gettext_lazy("Always")
    NEVER = "never", gettext_lazy("Never")


class SanctionTiming(models.TextChoices):
    ON_DECISION = "on_decision", gettext_lazy("On the decision")
    AFTER_APPEAL_WINDOW = (
        "after_appeal_window",
        gettext_lazy("After the appeal window (or the appeal)"),
    )


class PublicationLevel(models.TextChoices):
    NOTHING = "nothing", gettext_lazy("Nothing")
    SANCTION = "sanction", gettext_lazy("The sanction and the principles breached")
    NAME = "name", gettext_lazy("Also the respondent's name and a summary")


class NonComplianceConsequence(models.TextChoices):
    NONE = "none", gettext_lazy("None: the default is flagged and recorded")
    SUSPEND = "suspend", gettext_lazy("Suspend membership until compliance")


class HearingRule(models.TextChoices):
    OFF = "off", gettext_lazy("No hearing: decided on the papers")
    ON_REQUEST = "on_request", gettext_lazy("A hearing when a party asks for one")
    ALWAYS = "always", gettext_lazy("A hearing in every case referred")


class ConsentOfferedBy(models.TextChoices):
    STAFF = "staff", gettext_lazy("Ethics staff, during the review")
    BOARD = "board", gettext_lazy("The board, during its vote")


class Procedure(models.Model):
    """The association's complaint-handling rules. A case keeps the version in force
    when it was filed: a version in use by a case cannot be edited, only superseded."""

    version = models.PositiveIntegerField(unique=True, verbose_name=gettext_lazy("version"))
    in_force_from = models.DateField(verbose_name=gettext_lazy("in force from"))
    filing_deadline_days = models.PositiveIntegerField(
        default=180,
        help_text=gettext_lazy("Days from when the conduct could be known."),
        verbose_name=gettext_lazy("filing deadline days"),
    )
    response_window_days = models.PositiveIntegerField(
        default=30, verbose_name=gettext_lazy("response window days")
    )
    ballot_window_days = models.PositiveIntegerField(
        default=14, verbose_name=gettext_lazy("ballot window days")
    )
    appeal_window_days = models.PositiveIntegerField(
        default=30, verbose_name=gettext_lazy("appeal window days")
    )
    quorum_rule = models.CharField(
        max_length=10,
        default=">1/2",
        help_text=gettext_lazy("Share of eligible voters who must vote, e.g. >1/2."),
        verbose_name=gettext_lazy("quorum rule"),
    )
    vote_denominator = models.CharField(
        max_length=12,
        choices=VoteDenominator.choices,
        default=VoteDenominator.VOTES_CAST,
        verbose_name=gettext_lazy("vote denominator"),
    )
    violation_rule = models.CharField(
        max_length=10, default=">1/2", verbose_name=gettext_lazy("violation rule")
    )
    sanction_rule = models.CharField(
        max_length=10,
        default=">1/2",
        help_text=gettext_lazy("For warning, censure and suspension."),
        verbose_name=gettext_lazy("sanction rule"),
    )
    expulsion_rule = models.CharField(
        max_length=10, default=">=2/3", verbose_name=gettext_lazy("expulsion rule")
    )
    complainant_identity = models.CharField(
        max_length=16,
        choices=IdentityDisclosure.choices,
        default=IdentityDisclosure.WITH_CONSENT,
        help_text=gettext_lazy("Whether the respondent is told who complained."),
        verbose_name=gettext_lazy("complainant identity"),
    )
    sanction_takes_effect = models.CharField(
        max_length=24,
        choices=SanctionTiming.choices,
        default=SanctionTiming.ON_DECISION,
        verbose_name=gettext_lazy("sanction takes effect"),
    )
    readmission_bar_days = models.PositiveIntegerField(
        default=365, verbose_name=gettext_lazy("readmission bar days")
    )
    deciders_see_prior_record = models.BooleanField(
        gettext_lazy("show the deciders the respondent's prior record"),
        default=True,
        help_text=gettext_lazy(
            "The board's and the panel's case page lists the respondent's earlier "
            "sanctions and findings, with their dates, and the decision letter says they were "
            "considered."
        ),
    )
    votes_visible_to_voters = models.BooleanField(
        gettext_lazy("voters see how the others voted while the ballot is open"),
        default=False,
        help_text=gettext_lazy(
            "Unticked (the default), an open ballot shows the other voters who has "
            "voted, never how; staff see the tally. Ticked, for associations that vote openly."
        ),
    )
    dissent_names_shown = models.BooleanField(
        gettext_lazy("name the authors of dissents"),
        default=False,
        help_text=gettext_lazy(
            "A dissent in the decision letter names its author. Unticked, dissents are "
            "shown without names."
        ),
    )
    complainant_told_outcome = models.BooleanField(
        gettext_lazy("tell the complainant the outcome"),
        default=True,
        help_text=gettext_lazy(
            "The complainant's letter after the board's decision and after an appeal "
            "states the outcome and any sanction. Unticked, it says only that the complaint "
            "has been decided. Votes and voters are never named either way."
        ),
    )
    # The complainant's own access and appeal (issue 10; docs/decisions/0021).
    complainant_appeal = models.BooleanField(
        gettext_lazy("the complainant may appeal a dismissal or a finding of no violation"),
        default=False,
        help_text=gettext_lazy(
            "Within the window below, the complainant files written grounds and the "
            "appeals panel decides: the dismissal upheld, or the case sent back to review or to "
            "a new vote."
        ),
    )
    complainant_appeal_window_days = models.PositiveIntegerField(
        gettext_lazy("complainant's appeal window (days)"), default=30
    )
    complainant_sees_response = models.BooleanField(
        gettext_lazy("the complainant sees the respondent's response"),
        default=False,
        help_text=gettext_lazy(
            "The complainant's page shows the respondent's written response (never "
            "its attachments unless disclosed, never votes)."
        ),
    )
    # Issue 10: the hearing and the respondent's comment on the review.
    hearing = models.CharField(
        gettext_lazy("hearing before the vote"),
        max_length=12,
        choices=HearingRule.choices,
        default=HearingRule.OFF,
        help_text=gettext_lazy("Whether the board hears the parties before it votes."),
    )
    hearing_notice_days = models.PositiveIntegerField(
        gettext_lazy("notice of hearing (days)"),
        default=21,
        help_text=gettext_lazy(
            "The hearing cannot be set sooner than this many days after its notice."
        ),
    )
    respondent_comments_on_review = models.BooleanField(
        gettext_lazy("the respondent may comment on the review report"),
        default=False,
        help_text=gettext_lazy(
            "Before referral the findings and the review report are disclosed to the "
            "respondent, whose comment goes to the deciders."
        ),
    )
    review_comment_days = models.PositiveIntegerField(
        gettext_lazy("comment on the review (days)"), default=14
    )
    # Records (issue 12): the dashboard flags a case that stays longer than this in
    # one stage, and the digest lists it.
    review_time_standard_days = models.PositiveIntegerField(
        gettext_lazy("time standard (days in one stage)"),
        default=60,
        help_text=gettext_lazy(
            "A case that has stayed longer than this in one stage (e.g. under review) "
            "is listed as idle on the dashboard and in the case officer's weekly digest."
        ),
    )
    # Publication and retention (issue 12, docs/decisions/0023).
    publication = models.CharField(
        gettext_lazy("what is published about a final decision"),
        max_length=10,
        choices=PublicationLevel.choices,
        default=PublicationLevel.NOTHING,
        help_text=gettext_lazy(
            "Published once the decision is final (after the appeal window or the "
            "appeal decision), on the public decisions page; with the name, also on the "
            "member's verification page."
        ),
    )
    publication_period_days = models.PositiveIntegerField(
        gettext_lazy("days a decision stays published"), default=365
    )
    retain_complainant_days = models.PositiveIntegerField(
        gettext_lazy("days the complainant's identity and contact details are kept after closing"),
        null=True,
        blank=True,
        default=2190,
        help_text=gettext_lazy("Empty: kept forever."),
    )
    retain_evidence_days = models.PositiveIntegerField(
        gettext_lazy("days evidence files are kept after closing"),
        null=True,
        blank=True,
        default=2190,
    )
    retain_attachments_days = models.PositiveIntegerField(
        gettext_lazy("days the response's attachments are kept after closing"),
        null=True,
        blank=True,
        default=2190,
    )
    retain_messages_days = models.PositiveIntegerField(
        gettext_lazy("days messages are kept after closing"), null=True, blank=True, default=2190
    )
    # Sanctions a member can comply with (fine, education, conditions): what happens
    # when one is not complied with by its date, and how early the member is reminded.
    non_compliance_consequence = models.CharField(
        max_length=12,
        choices=NonComplianceConsequence.choices,
        default=NonComplianceConsequence.SUSPEND,
        help_text=gettext_lazy(
            "Applied once, by the deadline job, the day after a fine, education or "
            "condition is overdue; compliance restores the membership."
        ),
        verbose_name=gettext_lazy("non compliance consequence"),
    )
    compliance_reminder_days = models.PositiveIntegerField(
        default=14,
        help_text=gettext_lazy("Days before a compliance due date the member is reminded (once)."),
        verbose_name=gettext_lazy("compliance reminder days"),
    )
    # Resolution by consent and interim suspension (issue 10; docs/decisions/0020).
    consent_resolution = models.BooleanField(
        gettext_lazy("resolution by consent"),
        default=False,
        help_text=gettext_lazy(
            "A sanction may be offered to the respondent, which ends the case "
            "without a vote if accepted."
        ),
    )
    consent_offered_by = models.CharField(
        gettext_lazy("consent offers are made by"),
        max_length=8,
        choices=ConsentOfferedBy.choices,
        default=ConsentOfferedBy.STAFF,
    )
    consent_appealable = models.BooleanField(
        gettext_lazy("a sanction accepted by consent may be appealed"),
        default=False,
    )
    interim_suspension = models.BooleanField(
        gettext_lazy("interim suspension"),
        default=False,
        help_text=gettext_lazy(
            "The board may suspend the membership while the case runs, by a separate ballot."
        ),
    )
    interim_suspension_rule = models.CharField(
        gettext_lazy("interim suspension threshold"),
        max_length=10,
        default=">=2/3",
        help_text=gettext_lazy(
            "Share of the procedure's denominator that must vote for an interim "
            "suspension (or its lifting), e.g. >=2/3."
        ),
    )
    consolidation = models.BooleanField(
        gettext_lazy("linked cases may be consolidated"),
        default=True,
        help_text=gettext_lazy(
            "Linked cases may be consolidated for one ballot: each vote counts in "
            "each case, and each case keeps its own record and letters."
        ),
    )
    notes = models.TextField(blank=True, verbose_name=gettext_lazy("notes"))

    class Meta:
        verbose_name = gettext_lazy("procedure")
        verbose_name_plural = gettext_lazy("procedures")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Procedure version {self.version} (in force from {self.in_force_from:%d %b %Y})"

    def problems(self) -> list[str]:
        """Every way this procedure is unusable, in words an administrator acts on."""
        found = []
        for field in (
            "quorum_rule",
            "violation_rule",
            "sanction_rule",
            "expulsion_rule",
            "interim_suspension_rule",
        ):
            label = self._meta.get_field(field).verbose_name
            try:
                op, value = parse_threshold(getattr(self, field))
            except ValueError as exc:
                found.append(_("%(label)s: %(problem)s.") % {"label": label, "problem": exc})
                continue
            if value <= 0 or (value == 0 and op == ">="):
                message = _(
                    "%(label)s must be above zero (a quorum or threshold of zero decides nothing)."
                )
                found.append(message % {"label": label})
            if value > 1 or (value == 1 and op == ">"):
                found.append(_("%(label)s cannot exceed 100%%.") % {"label": label})
        try:
            if stricter(self.sanction_rule, self.violation_rule):
                found.append(
                    _(
                        "The sanction threshold cannot be stricter than the violation threshold: "
                        "a violation could be found with no sanction able to pass."
                    )
                )
        except ValueError:
            pass  # already reported above
        for field in (
            "response_window_days",
            "appeal_window_days",
            "ballot_window_days",
            "filing_deadline_days",
            "complainant_appeal_window_days",
            "hearing_notice_days",
            "review_comment_days",
            "review_time_standard_days",
        ):
            if getattr(self, field) is None or getattr(self, field) <= 0:
                label = self._meta.get_field(field).verbose_name
                found.append(_("%(label)s must be at least one day.") % {"label": label})
        if self.publication != PublicationLevel.NOTHING and not self.publication_period_days:
            found.append(_("A decision that is published must stay published at least one day."))
        return found

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)

    def save(self, *args, **kwargs) -> None:
        if self.pk and Case.objects.filter(procedure_id=self.pk).exists():
            message = _(
                "Procedure version %(version)s is used by running cases and cannot be "
                "changed; save it as a new version instead."
            )
            raise ValidationError(message % {"version": self.version})
        self.full_clean()
        super().save(*args, **kwargs)

    @classmethod
    def in_force(cls, on: datetime.date | None = None) -> Procedure:
        on = on or timezone.localdate()
        procedure = (
            cls.objects.filter(in_force_from__lte=on).order_by("-in_force_from", "-version").first()
        )
        if procedure is None:
            raise ValidationError(
                _("No procedure is in force: an administrator must adopt one in the admin.")
            )
        return procedure

    def describe_rules(self) -> dict[str, str]:
        """In the active language (cases.tally stores its own in English)."""
        denominator = self.get_vote_denominator_display()
        share = _("%(share)s of %(denominator)s")
        return {
            "quorum": _("%(share)s of eligible voters must vote")
            % {"share": describe_threshold(self.quorum_rule)},
            "violation": share
            % {"share": describe_threshold(self.violation_rule), "denominator": denominator},
            "sanction": share
            % {"share": describe_threshold(self.sanction_rule), "denominator": denominator},
            "expulsion": share
            % {"share": describe_threshold(self.expulsion_rule), "denominator": denominator},
        }


# ---------------------------------------------------------------------------
# Complaint and case
# ---------------------------------------------------------------------------


class ComplainantKind(models.TextChoices):
    MEMBER_REPRESENTATIVE = "member_representative", gettext_lazy("A member's representative")
    PERSON = "person", gettext_lazy("A person outside the association")
    ORGANIZATION = (
        "organization",
        gettext_lazy("An organization outside the association (e.g. a news outlet)"),
    )


def letter_languages():
    """The languages letters may be written in: the site's (settings.LANGUAGES)."""
    return list(settings.LANGUAGES)


class Complainant(models.Model):
    kind = models.CharField(
        max_length=24, choices=ComplainantKind.choices, verbose_name=gettext_lazy("kind")
    )
    name = models.CharField(
        max_length=200,
        help_text=gettext_lazy("The person who complains."),
        verbose_name=gettext_lazy("name"),
    )
    organization_name = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("organization name")
    )
    member_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("member organization"),
    )
    email = models.EmailField(blank=True, verbose_name=gettext_lazy("email"))
    phone = models.CharField(max_length=40, blank=True, verbose_name=gettext_lazy("phone"))
    postal_address = models.TextField(blank=True, verbose_name=gettext_lazy("postal address"))
    consents_to_disclosure = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "The complainant agrees that the respondent may learn who they are."
        ),
        verbose_name=gettext_lazy("consents to disclosure"),
    )
    # The language letters and emails are written in; blank: the association's own
    # (settings.LANGUAGE_CODE).
    language = models.CharField(
        max_length=12, blank=True, choices=letter_languages, verbose_name=gettext_lazy("language")
    )

    class Meta:
        verbose_name = gettext_lazy("complainant")
        verbose_name_plural = gettext_lazy("complainants")

    def __str__(self) -> str:
        if self.organization_name:
            return f"{self.name} ({self.organization_name})"
        if self.member_organization_id:
            return f"{self.name} ({self.member_organization})"
        return self.name


class CaseNumberSequence(models.Model):
    """The last case number issued in a year; locked while a number is taken."""

    year = models.PositiveIntegerField(primary_key=True, verbose_name=gettext_lazy("year"))
    last = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("last"))

    class Meta:
        verbose_name = gettext_lazy("case number sequence")
        verbose_name_plural = gettext_lazy("case number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# -- The state machine. Its transitions are generated from cases.workflow.STEPS
# -- (sources, targets, rules as conditions, who may as permission), so the table and
# -- the FSM cannot differ; cases.checks verifies it at start-up all the same.
# -- cases.services.transitions.case_transition is the only caller.


def _on_open_review(case: Case) -> None:
    case.notice_issued_at = timezone.now()
    case.response_due_on = timezone.localdate() + datetime.timedelta(
        days=case.procedure.response_window_days
    )


def _on_reopen(case: Case) -> None:
    case.closing_reason = ""


def _on_close_ballot(case: Case, violation_found: bool) -> str:
    case.decided_at = timezone.now()
    if not violation_found:
        return CaseState.NO_VIOLATION
    case.appeal_deadline = workflow.today() + datetime.timedelta(
        days=case.procedure.appeal_window_days
    )
    return CaseState.SANCTIONED


def _on_decide_complainant_appeal(case: Case, target: str) -> str:
    case.closing_reason = ""
    return target


def _on_accept_consent(case: Case) -> str:
    """Accepted by consent: decided now; open to appeal only where the procedure says."""
    case.decided_at = timezone.now()
    if not case.procedure.consent_appealable:
        return CaseState.CLOSED
    case.appeal_deadline = workflow.today() + datetime.timedelta(
        days=case.procedure.appeal_window_days
    )
    return CaseState.SANCTIONED


# What a step changes on the case row itself; a step with several targets returns
# the one it takes. Everything else a step does is in its service effect.
STEP_FIELD_CHANGES = {
    "open_review": _on_open_review,
    "reopen": _on_reopen,
    "close_ballot": _on_close_ballot,
    "decide_complainant_appeal": _on_decide_complainant_appeal,
    "accept_consent": _on_accept_consent,
}


def _fsm_transition(step: workflow.Step):
    change = STEP_FIELD_CHANGES.get(step.name)

    def permission(case, user) -> bool:
        # With the user's relation to the case where cases.access has found it (it
        # always has, by the time a service asks): a Who that only a relation grants
        # (the complainant) refuses without it.
        return workflow.who_may(user, case, step.name, workflow.known_relation(user, case))

    permission.__name__ = f"may_{step.name}"

    @transition(
        field="state",
        source=list(step.sources),
        target=RETURN_VALUE(*step.targets) if len(step.targets) > 1 else step.targets[0],
        conditions=[workflow.rules_hold(step.name)],
        permission=permission,
    )
    def method(self, **arguments):
        return change(self, **arguments) if change else None

    method.__name__ = method.__qualname__ = step.name
    return method


# One method per step, named after it; django-fsm-2 collects them from Case's bases
# when the model class is prepared.
CaseTransitions = type(
    "CaseTransitions",
    (),
    {name: _fsm_transition(step) for name, step in workflow.STEPS.items()},
)


class ReceivedVia(models.TextChoices):
    FORM = "form", gettext_lazy("The complaint form")
    EMAIL = "email", gettext_lazy("Email")
    POST = "post", gettext_lazy("Post")
    IN_PERSON = "in_person", gettext_lazy("In person")
    PHONE = "phone", gettext_lazy("Telephone")


class Case(CaseTransitions, FSMModelMixin, models.Model):
    number = models.CharField(max_length=12, unique=True, verbose_name=gettext_lazy("number"))
    state = FSMField(
        max_length=20,
        choices=CaseState.choices,
        default=CaseState.FILED,
        protected=True,
        db_index=True,
        verbose_name=gettext_lazy("state"),
    )
    respondent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=gettext_lazy("respondent"),
    )
    complainant = models.ForeignKey(
        Complainant,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=gettext_lazy("complainant"),
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=gettext_lazy("procedure"),
    )
    case_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_as_officer",
        verbose_name=gettext_lazy("case officer"),
    )
    summary = models.CharField(
        max_length=300,
        help_text=gettext_lazy("One line: what the complaint is about."),
        verbose_name=gettext_lazy("summary"),
    )
    filed_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=gettext_lazy("filed at")
    )  # entered by staff
    # When and how the association received the complaint: deadlines count from here
    # (a complaint received on paper may be entered later).
    received_on = models.DateField(
        default=timezone.localdate, verbose_name=gettext_lazy("received on")
    )
    received_via = models.CharField(
        max_length=12,
        choices=ReceivedVia.choices,
        default=ReceivedVia.FORM,
        verbose_name=gettext_lazy("received via"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("received by"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("filed by"),
    )
    conduct_known_on = models.DateField(
        help_text=gettext_lazy("When the complainant could first have known of the conduct."),
        verbose_name=gettext_lazy("conduct known on"),
    )
    late_acceptance_reason = models.TextField(
        blank=True,
        help_text=gettext_lazy("Why a complaint filed after the deadline is accepted."),
        verbose_name=gettext_lazy("late acceptance reason"),
    )
    notice_issued_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("notice issued at")
    )
    response_due_on = models.DateField(
        null=True, blank=True, db_index=True, verbose_name=gettext_lazy("response due on")
    )
    review_report = models.TextField(blank=True, verbose_name=gettext_lazy("review report"))
    review_rests_on_single_source = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "The review report states that the case rests on one party's report alone."
        ),
        verbose_name=gettext_lazy("review rests on single source"),
    )
    review_report_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("review report at")
    )
    # The review report's structured factors for the sanction: lists of short texts.
    review_aggravating = models.JSONField(
        default=list, blank=True, verbose_name=gettext_lazy("review aggravating")
    )
    review_mitigating = models.JSONField(
        default=list, blank=True, verbose_name=gettext_lazy("review mitigating")
    )
    closing_reason = models.TextField(blank=True, verbose_name=gettext_lazy("closing reason"))
    state_changed_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("state changed at")
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    appeal_deadline = models.DateField(
        null=True, blank=True, db_index=True, verbose_name=gettext_lazy("appeal deadline")
    )
    # A response received and an allegation still without a finding: the dashboard's
    # "awaiting findings" queue reads it from a partial index (case_awaiting_findings).
    # Kept by cases.services.awaiting whenever a response, an allegation or a finding is
    # saved or deleted; asked of the responses and findings at a million cases, the
    # queue took 155 ms (PostgreSQL misjudged the join: docs/decisions/0042).
    awaiting_findings = models.BooleanField(
        default=False, editable=False, verbose_name=gettext_lazy("awaiting findings")
    )
    # The last event of the case record and how many there are: removing events from
    # the end of the chain cannot go unnoticed.
    record_length = models.PositiveIntegerField(
        default=0, verbose_name=gettext_lazy("record length")
    )
    record_head = models.CharField(
        max_length=64, blank=True, verbose_name=gettext_lazy("record head")
    )

    class Meta:
        verbose_name = gettext_lazy("case")
        verbose_name_plural = gettext_lazy("cases")
        ordering = ["-filed_at", "-id"]
        permissions = [
            ("manage_case", "Manage the case as ethics staff"),
            ("respond_to_case", "Respond to the case for the respondent"),
            ("vote_on_case", "Vote on the case's ballot"),
        ]
        indexes = [
            models.Index(fields=["state", "-filed_at"]),
            models.Index(fields=["respondent", "-filed_at"]),
            # The dashboard's deadline lists: one state, ordered by its date, then id (the
            # lists order by both: without it, every case of a day range is read and sorted).
            models.Index(fields=["state", "response_due_on", "id"], name="case_state_response_due"),
            models.Index(
                fields=["state", "appeal_deadline", "id"], name="case_state_appeal_deadline"
            ),
            # The annual report's years and the dashboard's idle cases and decisions.
            models.Index(fields=["received_on"], name="case_received_on"),
            models.Index(fields=["decided_at"], name="case_decided_at"),
            models.Index(fields=["state", "state_changed_at"], name="case_state_changed"),
            # The dashboard's decisions per month, read from the index alone.
            models.Index(fields=["decided_at", "state"], name="case_decided_state"),
            # The dashboard's counts over the open cases (ages, overdue, idle, mine):
            # only open cases are in it, so it stays small however many have closed,
            # and it holds every column those counts read; the idle cases (per
            # procedure, since when) are read from it too.
            models.Index(
                fields=[
                    "procedure",
                    "state_changed_at",
                    "state",
                    "received_on",
                    "response_due_on",
                    "appeal_deadline",
                    "case_officer",
                ],
                condition=Q(state__in=workflow.OPEN_STATES),
                name="case_open_dashboard",
            ),
            # The dashboard's figures over the open cases (ages, overdue, idle, mine) from
            # this index alone: it leads with the state, as the query's IN does, so
            # SQLite's planner takes it (covering) over the state indexes of all cases.
            models.Index(
                fields=[
                    "state",
                    "received_on",
                    "response_due_on",
                    "appeal_deadline",
                    "procedure",
                    "state_changed_at",
                    "case_officer",
                ],
                condition=Q(state__in=workflow.OPEN_STATES),
                name="case_open_figures",
            ),
            # The dashboard's "my cases": one officer's open cases, longest in their
            # stage first, without reading the cases they closed.
            models.Index(
                fields=["case_officer", "state_changed_at"],
                condition=Q(state__in=workflow.OPEN_STATES),
                name="case_open_officer",
            ),
            # Complaints waiting to be opened, oldest received first.
            models.Index(fields=["state", "received_on", "id"], name="case_state_received"),
            # The "awaiting findings" queue in order, its first rows without a sort.
            models.Index(
                fields=["response_due_on", "id"],
                condition=Q(state=workflow.CaseState.UNDER_REVIEW, awaiting_findings=True),
                name="case_awaiting_findings",
            ),
            # The portal's open cases of one respondent, newest first, whatever the
            # number it has closed.
            models.Index(
                fields=["respondent", "-filed_at"],
                condition=Q(state__in=workflow.OPEN_STATES),
                name="case_open_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.number])

    @property
    def state_label(self) -> str:
        return workflow.STATES[self.state].label

    @property
    def public_state_label(self) -> str:
        return workflow.STATES[self.state].public_label

    @property
    def response_window_open(self) -> bool:
        return self.response_due_on is not None and workflow.today() <= self.response_due_on

    @cached_property
    def complainant_identity_disclosed(self) -> bool:
        rule = self.procedure.complainant_identity
        if rule == IdentityDisclosure.ALWAYS:
            return True
        if rule == IdentityDisclosure.NEVER:
            return False
        return self.complainant.consents_to_disclosure

    def held_permissions(self, user) -> frozenset[str]:
        """The codenames this user holds on this case, directly or through a group.
        One query per (user, case), remembered on the instance; `forget_permissions`
        clears it after a grant or revocation. Nothing for an inactive user."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return frozenset()
        cache = self.__dict__.setdefault("_permission_cache", {})
        if user.pk not in cache:
            # Two indexed lookups on this case, UNIONed: an OR across both reverse joins
            # would pair every grant with every other and grow with the whole table.
            direct = CaseUserObjectPermission.objects.filter(content_object=self, user=user)
            through_groups = CaseGroupObjectPermission.objects.filter(
                content_object=self, group__user=user
            )
            cache[user.pk] = frozenset(
                direct.values_list("permission__codename", flat=True).union(
                    through_groups.values_list("permission__codename", flat=True)
                )
            )
        return cache[user.pk]

    def forget_permissions(self) -> None:
        self.__dict__.pop("_permission_cache", None)


class CaseCount(models.Model):
    """One figure of the case summary (cases.services.summary): how many cases count in
    (kind, state, month). Kept by the services that create and move cases, in the
    same transaction; recounted by `manage.py case_summary --repair`."""

    kind = models.CharField(
        max_length=16, verbose_name=gettext_lazy("kind")
    )  # summary.IN_STATE, DECIDED or ENDED
    state = models.CharField(max_length=32, verbose_name=gettext_lazy("state"))
    month = models.DateField(
        null=True, blank=True, verbose_name=gettext_lazy("month")
    )  # its first day; none for IN_STATE
    n = models.IntegerField(default=0, verbose_name=gettext_lazy("n"))

    class Meta:
        verbose_name = gettext_lazy("case count")
        verbose_name_plural = gettext_lazy("case counts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "state"],
                condition=Q(month__isnull=True),
                name="case_count_unique_without_month",
            ),
            models.UniqueConstraint(
                fields=["kind", "state", "month"],
                condition=Q(month__isnull=False),
                name="case_count_unique_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.state} {self.month or ''}: {self.n}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Per-case permissions of one user, with a real foreign key to the case."""

    content_object = models.ForeignKey(
        Case, on_delete=models.CASCADE, verbose_name=gettext_lazy("content object")
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = gettext_lazy("case user object permission")
        verbose_name_plural = gettext_lazy("case user object permissions")
        indexes = [models.Index(fields=["user", "permission"])]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        Case, on_delete=models.CASCADE, verbose_name=gettext_lazy("content object")
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = gettext_lazy("case group object permission")
        verbose_name_plural = gettext_lazy("case group object permissions")


class CaseViewer(models.Model):
    """A user who holds view_case on a case themselves, with the case's filing moment:
    the case list of anyone but staff is read from the (user, -filed_at) index newest
    first, where reading the cases newest first and asking the permission table of each
    passed over every case the user may not see (a board member at 100,000 cases: 2,000
    cases for the first page, most of the table for its count). Kept by the grant
    service with view_case (cases.services.grants); the permission stays the authority
    on each case's page. docs/decisions/0030."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=gettext_lazy("user"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="viewers", verbose_name=gettext_lazy("case")
    )
    filed_at = models.DateTimeField(
        verbose_name=gettext_lazy("filed at")
    )  # the case's, which never changes once entered
    # The case's respondent, fixed at filing too: "Our cases" is a range of
    # (user, respondent, -filed_at) where, joined to the cases for it, PostgreSQL
    # expected a handful of rows, hashed the member's every case and sorted them.
    respondent = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=gettext_lazy("respondent"),
    )

    class Meta:
        verbose_name = gettext_lazy("case viewer")
        verbose_name_plural = gettext_lazy("case viewers")
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="case_viewer_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-filed_at", "-case"], name="case_viewer_list"),
            models.Index(
                fields=["user", "respondent", "-filed_at", "-case"], name="case_viewer_ours"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} sees case {self.case_id}"

    def save(self, *args, **kwargs) -> None:
        if self.respondent_id is None:
            self.respondent_id = self.case.respondent_id
        super().save(*args, **kwargs)


class Amendment(models.Model):
    """A change to the complaint after filing: new allegations or evidence."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="amendments", verbose_name=gettext_lazy("case")
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("made by"),
    )
    made_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("made at"))
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    # Set when the respondent had already been notified: a new notice is due.
    needs_notice = models.BooleanField(default=False, verbose_name=gettext_lazy("needs notice"))
    noticed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("noticed at")
    )

    class Meta:
        verbose_name = gettext_lazy("amendment")
        verbose_name_plural = gettext_lazy("amendments")
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of {self.made_at:%d %b %Y} to case {self.case_id}"


class Allegation(models.Model):
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="allegations",
        verbose_name=gettext_lazy("case"),
    )
    principle = models.ForeignKey(
        Principle,
        on_delete=models.PROTECT,
        related_name="allegations",
        verbose_name=gettext_lazy("principle"),
    )
    conduct = models.TextField(
        help_text=gettext_lazy("What the respondent is alleged to have done."),
        verbose_name=gettext_lazy("conduct"),
    )
    conduct_from = models.DateField(verbose_name=gettext_lazy("conduct from"))
    conduct_to = models.DateField(verbose_name=gettext_lazy("conduct to"))
    amendment = models.ForeignKey(
        Amendment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allegations",
        verbose_name=gettext_lazy("amendment"),
    )
    added_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("added at"))

    class Meta:
        verbose_name = gettext_lazy("allegation")
        verbose_name_plural = gettext_lazy("allegations")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conduct_to__gte=models.F("conduct_from")),
                name="allegation_period_in_order",
            )
        ]
        # The case list's principle filter: does this case have an allegation under
        # this principle?
        indexes = [models.Index(fields=["principle", "case"], name="allegation_principle_case")]

    @property
    def considered_from(self) -> datetime.date:
        """Conduct before the principle took effect cannot be considered under it: the
        period considered starts at the later of the two."""
        return max(self.conduct_from, self.principle.effective_on)

    @property
    def partly_before_principle(self) -> bool:
        return self.conduct_from < self.principle.effective_on <= self.conduct_to

    def __str__(self) -> str:
        return f"Allegation under {self.principle}"


class EvidenceSource(models.TextChoices):
    COMPLAINANT = "complainant", gettext_lazy("Complainant")
    RESPONDENT = "respondent", gettext_lazy("Respondent")
    STAFF = "staff", gettext_lazy("Staff fact-finding")
    PUBLIC_RECORD = "public_record", gettext_lazy("Public record")


class EvidenceKind(models.TextChoices):
    FILE = "file", gettext_lazy("File")
    WEB_CAPTURE = "web_capture", gettext_lazy("Captured web page")


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"cases/{instance.case.number}/evidence/{instance.sha256[:16]}-{filename}"


class Response(models.Model):
    """The respondent's written answer (several may be sent within the window)."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="responses", verbose_name=gettext_lazy("case")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("submitted by"),
    )
    submitted_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("submitted at")
    )
    text = models.TextField(verbose_name=gettext_lazy("text"))

    class Meta:
        verbose_name = gettext_lazy("response")
        verbose_name_plural = gettext_lazy("responses")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Response of {self.submitted_at:%d %b %Y} in case {self.case_id}"


class Evidence(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="evidence", verbose_name=gettext_lazy("case")
    )
    kind = models.CharField(
        max_length=12,
        choices=EvidenceKind.choices,
        default=EvidenceKind.FILE,
        verbose_name=gettext_lazy("kind"),
    )
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    description = models.TextField(blank=True, verbose_name=gettext_lazy("description"))
    file = models.FileField(
        storage=private_storage,
        upload_to=evidence_path,
        max_length=300,
        verbose_name=gettext_lazy("file"),
    )
    original_filename = models.CharField(
        max_length=255, verbose_name=gettext_lazy("original filename")
    )
    sha256 = models.CharField(max_length=64, verbose_name=gettext_lazy("sha256"))
    size = models.PositiveBigIntegerField(verbose_name=gettext_lazy("size"))
    content_type = models.CharField(max_length=100, verbose_name=gettext_lazy("content type"))
    source = models.CharField(
        max_length=16, choices=EvidenceSource.choices, verbose_name=gettext_lazy("source")
    )  # who supplied it
    # Who made it (an outlet, a registry, a person), as distinct from who supplied it:
    # the single-source rule counts independent producers. Blank: the supplier.
    producer = models.CharField(max_length=200, blank=True, verbose_name=gettext_lazy("producer"))
    disclosed_to_respondent = models.BooleanField(
        default=False, verbose_name=gettext_lazy("disclosed to respondent")
    )
    url = models.URLField(
        blank=True,
        max_length=2000,
        help_text=gettext_lazy("For a captured web page."),
        verbose_name=gettext_lazy("url"),
    )
    captured_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("captured at")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("added by"),
    )
    added_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("added at"))
    amendment = models.ForeignKey(
        Amendment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=gettext_lazy("amendment"),
    )
    response = models.ForeignKey(
        Response,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=gettext_lazy("response"),
    )
    # When the retention period ended and the file and its description were removed
    # (cases.services.retention); the record keeps its SHA-256.
    purged_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("purged at"))

    class Meta:
        verbose_name = gettext_lazy("evidence")
        ordering = ["added_at", "id"]
        verbose_name_plural = gettext_lazy("evidence")

    @property
    def independence_key(self) -> str:
        """Who this item's account comes from: its producer, or else its supplier."""
        return " ".join(self.producer.split()).casefold() or f"supplied by {self.source}"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:evidence_download", args=[self.case.number, self.pk])


class FindingConclusion(models.TextChoices):
    SUBSTANTIATED = "substantiated", gettext_lazy("Substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", gettext_lazy("Not substantiated")
    INCONCLUSIVE = "inconclusive", gettext_lazy("Inconclusive")


class Finding(models.Model):
    """The reviewers' conclusion of fact for one allegation."""

    allegation = models.OneToOneField(
        Allegation,
        on_delete=models.PROTECT,
        related_name="finding",
        verbose_name=gettext_lazy("allegation"),
    )
    conclusion = models.CharField(
        max_length=20, choices=FindingConclusion.choices, verbose_name=gettext_lazy("conclusion")
    )
    reasoning = models.TextField(verbose_name=gettext_lazy("reasoning"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("recorded by"),
    )
    recorded_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("recorded at")
    )

    class Meta:
        verbose_name = gettext_lazy("finding")
        verbose_name_plural = gettext_lazy("findings")

    def __str__(self) -> str:
        return f"{self.get_conclusion_display()}: allegation {self.allegation_id}"


# ---------------------------------------------------------------------------
# The case record: append-only, hash-chained
# ---------------------------------------------------------------------------


class CaseEvent(AppendOnlyModel):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=gettext_lazy("case")
    )
    sequence = models.PositiveIntegerField(verbose_name=gettext_lazy("sequence"))
    at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("at"))
    # Null for the system (the deadline job).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("actor"),
    )
    kind = models.CharField(max_length=40, verbose_name=gettext_lazy("kind"))
    from_state = models.CharField(
        max_length=20, blank=True, verbose_name=gettext_lazy("from state")
    )
    to_state = models.CharField(max_length=20, blank=True, verbose_name=gettext_lazy("to state"))
    payload = models.JSONField(default=dict, verbose_name=gettext_lazy("payload"))
    previous_hash = models.CharField(max_length=64, verbose_name=gettext_lazy("previous hash"))
    hash = models.CharField(max_length=64, verbose_name=gettext_lazy("hash"))

    class Meta:
        verbose_name = gettext_lazy("case event")
        verbose_name_plural = gettext_lazy("case events")
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="one_event_per_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.kind}"

    def canonical_content(self) -> bytes:
        """What the hash covers, as canonical JSON (sorted keys, no whitespace)."""
        content = {
            "case": self.case_id,
            "sequence": self.sequence,
            "at": self.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor": self.actor_id,
            "kind": self.kind,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "payload": self.payload,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_content()).hexdigest()

    @property
    def readable_payload(self) -> dict:
        """The payload with each personal field's value in place of its salted hash
        (version 2 events, docs/decisions/0023), or PURGED once the value was removed.
        Reads `personal_fields.all()`, so a page that prefetches them asks nothing more."""
        if self.payload.get("v") != 2:
            return self.payload
        held = {f.name: f for f in self.personal_fields.all()}
        out = dict(self.payload)
        for name, value in self.payload.items():
            if is_commitment(value):
                field = held.get(name)
                out[name] = field.value if field is not None and field.held else PURGED
        return out

    @property
    def actor_label(self) -> str:
        if self.actor_id is None:
            return "System"
        return self.actor.get_full_name() or self.actor.username


PURGED = "[removed under the retention policy]"


def is_commitment(value) -> bool:
    return isinstance(value, dict) and set(value) == {"salted_sha256"}


def commitment_of(value, salt: str) -> str:
    """What a version 2 event's payload holds for a personal field: the SHA-256 of
    canonical JSON of the salt and the value. Without the salt it cannot be guessed
    from a short value (a name, an e-mail address); with both destroyed it proves
    nothing about the value, yet the event's hash still verifies."""
    content = json.dumps(
        {"salt": salt, "value": value}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(content.encode()).hexdigest()


class RetentionKind(models.TextChoices):
    COMPLAINANT = "complainant", gettext_lazy("The complainant's identity and contact details")
    EVIDENCE = "evidence", gettext_lazy("Evidence files")
    ATTACHMENTS = "attachments", gettext_lazy("Response attachments")
    MESSAGES = "messages", gettext_lazy("Messages")


class PersonalField(models.Model):
    """The value of one personal field of a case event, with its salt: the event's
    payload holds only their commitment (commitment_of). Not part of the append-only
    record, so the retention job can destroy value and salt together; the event's
    hash, and so the chain, is untouched (docs/decisions/0023)."""

    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        related_name="personal_fields",
        verbose_name=gettext_lazy("event"),
    )
    name = models.CharField(max_length=40, verbose_name=gettext_lazy("name"))
    kind = models.CharField(
        max_length=12, choices=RetentionKind.choices, verbose_name=gettext_lazy("kind")
    )
    value = models.JSONField(null=True, verbose_name=gettext_lazy("value"))
    salt = models.CharField(max_length=32, blank=True, verbose_name=gettext_lazy("salt"))
    purged_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("purged at"))

    class Meta:
        verbose_name = gettext_lazy("personal field")
        verbose_name_plural = gettext_lazy("personal fields")
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="one_personal_field_per_name")
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.name}"

    @property
    def held(self) -> bool:
        return self.purged_at is None


class RecordCheckpoint(AppendOnlyModel):
    """A signed statement of a case record's head: "case N's record had `sequence`
    events ending in `head`", signed with the association's Ed25519 record key, which
    is kept outside the database (docs/decisions/0011). Written at every step and by
    the deadline job; append-only like the events (and, on PostgreSQL, a trigger
    refuses UPDATE and DELETE). Someone who can write to the database can recompute
    the hash chain, but not these signatures: cases.services.record.verify_case_record
    checks the chain against them."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="checkpoints",
        verbose_name=gettext_lazy("case"),
    )
    sequence = models.PositiveIntegerField(verbose_name=gettext_lazy("sequence"))
    head = models.CharField(max_length=64, verbose_name=gettext_lazy("head"))
    signed_at = models.DateTimeField(verbose_name=gettext_lazy("signed at"))
    # The first 16 hex digits of the SHA-256 of the raw public key.
    key_id = models.CharField(max_length=16, verbose_name=gettext_lazy("key id"))
    signature = models.CharField(
        max_length=128, verbose_name=gettext_lazy("signature")
    )  # hex, 64 bytes

    class Meta:
        verbose_name = gettext_lazy("record checkpoint")
        verbose_name_plural = gettext_lazy("record checkpoints")
        ordering = ["case", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sequence", "key_id"], name="one_checkpoint_per_head_and_key"
            )
        ]
        indexes = [models.Index(fields=["case", "-sequence"])]

    def __str__(self) -> str:
        return f"{self.case_id}@{self.sequence} {self.head[:12]}… ({self.key_id})"

    def signed_content(self, case_number: str) -> bytes:
        """What the signature covers, as canonical JSON: the case (its id and number,
        so a signature cannot be moved to another case), the sequence, the head and
        the time of signing."""
        content = {
            "v": 1,
            "case": self.case_id,
            "number": case_number,
            "sequence": self.sequence,
            "head": self.head,
            "signed_at": self.signed_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------
# Ballots, conflicts of interest, sanctions and appeals
# ---------------------------------------------------------------------------


class BallotKind(models.TextChoices):
    BOARD = "board", gettext_lazy("Board ballot")
    APPEAL = "appeal", gettext_lazy("Appeals panel ballot")
    COMPLAINANT_APPEAL = (
        "c_appeal",
        gettext_lazy("Appeals panel ballot on the complainant's appeal"),
    )
    INTERIM = "interim", gettext_lazy("Interim suspension ballot")


class Ballot(models.Model):
    """One vote of the board (or the appeals panel) on a case. The tally and the rule
    that produced the outcome are stored when it closes; names never are."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="ballots", verbose_name=gettext_lazy("case")
    )
    kind = models.CharField(
        max_length=8, choices=BallotKind.choices, verbose_name=gettext_lazy("kind")
    )
    opened_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("opened at"))
    closes_on = models.DateField(verbose_name=gettext_lazy("closes on"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("closed at"))
    tally = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("tally"))
    outcome_rule = models.TextField(blank=True, verbose_name=gettext_lazy("outcome rule"))
    violation_found = models.BooleanField(null=True, verbose_name=gettext_lazy("violation found"))
    sanction_kind = models.CharField(
        max_length=12, blank=True, verbose_name=gettext_lazy("sanction kind")
    )
    suspension_months = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("suspension months")
    )
    # The compliance sanctions the count imposed, with their terms (cases.tally).
    compliance = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("compliance"))

    class Meta:
        verbose_name = gettext_lazy("ballot")
        verbose_name_plural = gettext_lazy("ballots")
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(closed_at__isnull=True),
                name="one_open_ballot_per_kind",
            )
        ]
        indexes = [
            # The dashboard's ballots closing soon and overdue ones, by closing date then id,
            # from the open ballots only.
            models.Index(
                fields=["closes_on", "id"],
                condition=Q(closed_at__isnull=True),
                name="ballot_open_closes_on",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class BallotSeat(models.Model):
    """A voter eligible when the ballot opened. Recusal takes the seat out of the count."""

    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, related_name="seats", verbose_name=gettext_lazy("ballot")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ballot_seats",
        verbose_name=gettext_lazy("voter"),
    )
    recused_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("recused at")
    )
    # The ballot's closed_at, copied when it closes (cases.services.ballots.close_ballots,
    # in the same transaction): "My ballots" pages a member's seats by it from their own
    # rows (the index below), not by reading every ballot they ever sat on.
    closed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=gettext_lazy("closed at")
    )
    # The ballot's closes_on, copied when the seat is made and when the ballot is
    # extended (cases.services.ballots.ballot_extend): "My ballots" lists a member's open
    # seats soonest closing first from their own rows (seat_voter_open), where joining
    # each to its ballot sorted all of them (2,607 open seats at a million cases: 12 ms).
    closes_on = models.DateField(editable=False, verbose_name=gettext_lazy("closes on"))

    class Meta:
        verbose_name = gettext_lazy("ballot seat")
        verbose_name_plural = gettext_lazy("ballot seats")
        ordering = ["voter__last_name", "voter__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "voter"], name="one_seat_per_voter")
        ]
        indexes = [
            models.Index(fields=["voter", "-closed_at", "-id"], name="seat_voter_closed"),
            models.Index(
                fields=["voter", "closes_on", "id"],
                condition=Q(closed_at__isnull=True),
                name="seat_voter_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter} on ballot {self.ballot_id}"

    def save(self, *args, **kwargs) -> None:
        if self.closes_on is None:
            self.closes_on = self.ballot.closes_on
        super().save(*args, **kwargs)


class SanctionKind(models.TextChoices):
    """In order of severity: each supports every lesser one."""

    WARNING = "warning", gettext_lazy("Written warning")
    CENSURE = "censure", gettext_lazy("Censure")
    SUSPENSION = "suspension", gettext_lazy("Suspension")
    EXPULSION = "expulsion", gettext_lazy("Expulsion")
    # Sanctions a member complies with (docs/decisions/0018): outside the ladder,
    # each voted for on its own and combined with the ladder's sanction.
    FINE = "fine", gettext_lazy("Fine")
    EDUCATION = "education", gettext_lazy("Required education")
    CONDITIONS = "conditions", gettext_lazy("Conditions (probation)")


SANCTION_SEVERITY = [
    SanctionKind.WARNING,
    SanctionKind.CENSURE,
    SanctionKind.SUSPENSION,
    SanctionKind.EXPULSION,
]

COMPLIANCE_KINDS = [SanctionKind.FINE, SanctionKind.EDUCATION, SanctionKind.CONDITIONS]


class VoteChoice(models.TextChoices):
    VIOLATION = "violation", gettext_lazy("Violation found")
    NO_VIOLATION = "no_violation", gettext_lazy("No violation found")
    ABSTAIN = "abstain", gettext_lazy("Abstain")
    # On an appeal ballot:
    UPHOLD = "uphold", gettext_lazy("Uphold the decision")
    MODIFY = "modify", gettext_lazy("Modify: a lesser sanction")
    OVERTURN = "overturn", gettext_lazy("Overturn the decision")
    # On the complainant's appeal ("uphold" keeps the dismissal or the finding):
    SEND_TO_REVIEW = "to_review", gettext_lazy("Send the case back to review")
    SEND_TO_VOTE = "to_vote", gettext_lazy("Send the case to a new board vote")
    # On an interim suspension ballot (to impose, or to lift):
    FOR = "for", gettext_lazy("In favour")
    AGAINST = "against", gettext_lazy("Against")


# The choices on each kind of ballot, in the order the ballot lists them: the form,
# the service's check and the page all read these.
BALLOT_CHOICES = {
    BallotKind.BOARD: (VoteChoice.VIOLATION, VoteChoice.NO_VIOLATION, VoteChoice.ABSTAIN),
    BallotKind.APPEAL: (
        VoteChoice.UPHOLD,
        VoteChoice.MODIFY,
        VoteChoice.OVERTURN,
        VoteChoice.ABSTAIN,
    ),
    BallotKind.COMPLAINANT_APPEAL: (
        VoteChoice.UPHOLD,
        VoteChoice.SEND_TO_REVIEW,
        VoteChoice.SEND_TO_VOTE,
        VoteChoice.ABSTAIN,
    ),
    BallotKind.INTERIM: (VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN),
}


# The ballot a vote goes to, by the case's state (the board's otherwise).
BALLOT_KIND_IN = {
    CaseState.UNDER_APPEAL: BallotKind.APPEAL,
    CaseState.COMPLAINANT_APPEAL: BallotKind.COMPLAINANT_APPEAL,
}


class Vote(models.Model):
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, related_name="votes", verbose_name=gettext_lazy("ballot")
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=gettext_lazy("voter"),
    )
    choice = models.CharField(
        max_length=12, choices=VoteChoice.choices, verbose_name=gettext_lazy("choice")
    )
    sanction = models.CharField(
        max_length=12,
        choices=SanctionKind.choices,
        blank=True,
        verbose_name=gettext_lazy("sanction"),
    )
    suspension_months = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("suspension months")
    )
    # The compliance sanctions this voter supports besides `sanction`, with the terms
    # proposed: {"fine": {"amount": "500.00", "due_days": 30}, ...} (cases.tally).
    compliance = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("compliance"))
    reason = models.TextField(blank=True, verbose_name=gettext_lazy("reason"))
    # A voter in the minority may put a dissent on the record; the decision shows it
    # (named only where the procedure says so).
    dissent = models.TextField(blank=True, verbose_name=gettext_lazy("dissent"))
    cast_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("cast at"))

    class Meta:
        verbose_name = gettext_lazy("vote")
        verbose_name_plural = gettext_lazy("votes")
        ordering = ["cast_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "voter"], name="one_vote_per_voter_per_ballot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.get_choice_display()}"

    @property
    def compliance_display(self) -> str:
        """The compliance sanctions this vote supports besides its sanction, in words."""
        labels = dict(SanctionKind.choices)
        return ", ".join(labels[k].lower() for k in self.compliance or {} if k in labels)


class LinkKind(models.TextChoices):
    SAME_CONDUCT = "same_conduct", gettext_lazy("About the same conduct")
    COUNTER_COMPLAINT = "counter_complaint", gettext_lazy("A counter-complaint")
    RELATED = "related", gettext_lazy("Otherwise related")


class CaseLink(models.Model):
    """Two cases staff linked (several complaints about the same conduct, or a
    counter-complaint). Each case keeps its own record and letters; the link is an
    event in both records. Symmetric: `from_case` is the one it was made from."""

    from_case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="links_from",
        verbose_name=gettext_lazy("from case"),
    )
    to_case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="links_to",
        verbose_name=gettext_lazy("to case"),
    )
    kind = models.CharField(
        max_length=20, choices=LinkKind.choices, verbose_name=gettext_lazy("kind")
    )
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("linked by"),
    )
    linked_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("linked at"))
    # Consolidated for one ballot: a vote on either case counts in both.
    consolidated_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("consolidated at")
    )
    consolidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("consolidated by"),
    )

    class Meta:
        verbose_name = gettext_lazy("case link")
        verbose_name_plural = gettext_lazy("case links")
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="case_link_once"),
            models.CheckConstraint(
                condition=~models.Q(from_case=models.F("to_case")), name="case_link_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_case} ↔ {self.to_case}"

    def other(self, case: Case) -> Case:
        return self.to_case if self.from_case_id == case.pk else self.from_case


class Recusal(models.Model):
    """A decision-maker's conflict of interest on a case, declared by them or recorded
    by staff when a party raised it. They lose access and are not counted."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="recusals", verbose_name=gettext_lazy("case")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recusals",
        verbose_name=gettext_lazy("member"),
    )
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    declared_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("declared at")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("recorded by"),
    )

    class Meta:
        verbose_name = gettext_lazy("recusal")
        verbose_name_plural = gettext_lazy("recusals")
        ordering = ["declared_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "member"], name="one_recusal_per_member_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} recused from case {self.case_id}"


class Sanction(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="sanctions", verbose_name=gettext_lazy("case")
    )
    # The member sanctioned: the case's respondent, copied when the sanction is made (a
    # case's respondent is fixed at filing). A member's sanctions, newest first, are then
    # a range of one index (sanction_respondent_newest), where through the cases they
    # were a join over every case of the member: 33 ms for one with 2,447 cases.
    respondent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="sanctions",
        editable=False,
        verbose_name=gettext_lazy("respondent"),
    )
    # None for a sanction accepted by consent (its ConsentOffer says so).
    ballot = models.ForeignKey(
        Ballot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions",
        verbose_name=gettext_lazy("ballot"),
    )
    kind = models.CharField(
        max_length=12, choices=SanctionKind.choices, verbose_name=gettext_lazy("kind")
    )
    effective_on = models.DateField(verbose_name=gettext_lazy("effective on"))
    ends_on = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Suspension only."),
        verbose_name=gettext_lazy("ends on"),
    )
    readmission_bar_until = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Expulsion only."),
        verbose_name=gettext_lazy("readmission bar until"),
    )
    terms = models.TextField(blank=True, verbose_name=gettext_lazy("terms"))
    decided_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("decided at"))
    # When its effect on membership status was applied (and, for a suspension, ended).
    applied_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("applied at")
    )
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ended at"))
    rescinded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("rescinded at")
    )
    rescinded_reason = models.TextField(blank=True, verbose_name=gettext_lazy("rescinded reason"))
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=gettext_lazy("replaces"),
    )
    # The terms of a compliance sanction: a fine's amount and currency; what the
    # education is or what the conditions are; a probation's months and who checks.
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=gettext_lazy("amount")
    )
    currency = models.CharField(max_length=3, blank=True, verbose_name=gettext_lazy("currency"))
    requirement = models.TextField(blank=True, verbose_name=gettext_lazy("requirement"))
    period_months = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("period months")
    )
    checked_by = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("checked by")
    )

    class Meta:
        verbose_name = gettext_lazy("sanction")
        verbose_name_plural = gettext_lazy("sanctions")
        ordering = ["decided_at", "id"]
        indexes = [
            models.Index(
                fields=["respondent", "-decided_at", "-id"], name="sanction_respondent_newest"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (case {self.case_id})"

    def save(self, *args, **kwargs) -> None:
        if self.respondent_id is None:
            self.respondent_id = self.case.respondent_id
        super().save(*args, **kwargs)

    @property
    def needs_compliance(self) -> bool:
        return self.kind in COMPLIANCE_KINDS

    @property
    def amount_display(self) -> str:
        return f"{self.currency} {self.amount:,.2f}" if self.amount is not None else ""

    @property
    def kind_label(self) -> str:
        """get_kind_display, for lists: Django's builds a dict of every choice, each label
        translated, on every call (~0.5 ms a row of the portal's sanctions)."""
        try:
            return str(SanctionKind(self.kind).label)
        except ValueError:  # not one of the choices: shown as stored, as Django would
            return self.kind

    @property
    def in_force(self) -> bool:
        return self.rescinded_at is None and self.ended_at is None

    @property
    def changes_membership(self) -> bool:
        return self.kind in (SanctionKind.SUSPENSION, SanctionKind.EXPULSION)


class Compliance(models.Model):
    """Where a compliance sanction stands: due when, reminded, overdue, complied with
    (paid or completed) and what the procedure's consequence did. One per sanction;
    the deadline job and the compliance services set each date once."""

    sanction = models.OneToOneField(
        Sanction,
        on_delete=models.PROTECT,
        related_name="compliance",
        verbose_name=gettext_lazy("sanction"),
    )
    due_on = models.DateField(db_index=True, verbose_name=gettext_lazy("due on"))
    complied_on = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Paid on, or completed on."),
        verbose_name=gettext_lazy("complied on"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("recorded by"),
    )
    note = models.TextField(blank=True, verbose_name=gettext_lazy("note"))
    reminded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("reminded at")
    )
    overdue_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("overdue at")
    )
    consequence_applied_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("consequence applied at")
    )
    restored_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("restored at")
    )

    class Meta:
        verbose_name = gettext_lazy("compliance")
        verbose_name_plural = gettext_lazy("compliances")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Compliance with {self.sanction}"

    @property
    def outstanding(self) -> bool:
        return self.complied_on is None and self.sanction.rescinded_at is None

    @property
    def in_default(self) -> bool:
        return self.outstanding and self.overdue_at is not None


def compliance_proof_path(instance, filename: str) -> str:
    number = instance.compliance.sanction.case.number
    return f"cases/{number}/compliance/{instance.sha256[:16]}-{filename}"


class ComplianceProof(models.Model):
    """A receipt or certificate the respondent's representative uploaded, stored like
    evidence (private storage, SHA-256); staff accept it, which records compliance."""

    compliance = models.ForeignKey(
        Compliance,
        on_delete=models.PROTECT,
        related_name="proofs",
        verbose_name=gettext_lazy("compliance"),
    )
    file = models.FileField(
        storage=private_storage,
        upload_to=compliance_proof_path,
        max_length=300,
        verbose_name=gettext_lazy("file"),
    )
    original_filename = models.CharField(
        max_length=255, verbose_name=gettext_lazy("original filename")
    )
    sha256 = models.CharField(max_length=64, verbose_name=gettext_lazy("sha256"))
    size = models.PositiveBigIntegerField(verbose_name=gettext_lazy("size"))
    content_type = models.CharField(max_length=100, verbose_name=gettext_lazy("content type"))
    description = models.TextField(blank=True, verbose_name=gettext_lazy("description"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("uploaded by"),
    )
    uploaded_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("uploaded at")
    )
    accepted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("accepted at")
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("accepted by"),
    )

    class Meta:
        verbose_name = gettext_lazy("compliance proof")
        verbose_name_plural = gettext_lazy("compliance proofs")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Proof {self.original_filename} for {self.compliance}"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", gettext_lazy("Upheld")
    MODIFIED = "modified", gettext_lazy("Modified: a lesser sanction")
    OVERTURNED = "overturned", gettext_lazy("Overturned")


class Appeal(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="appeal", verbose_name=gettext_lazy("case")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("filed by"),
    )
    filed_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("filed at"))
    grounds = models.TextField(verbose_name=gettext_lazy("grounds"))
    outcome = models.CharField(
        max_length=12,
        choices=AppealOutcome.choices,
        blank=True,
        verbose_name=gettext_lazy("outcome"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    decision_reasons = models.TextField(blank=True, verbose_name=gettext_lazy("decision reasons"))

    class Meta:
        verbose_name = gettext_lazy("appeal")
        verbose_name_plural = gettext_lazy("appeals")

    def __str__(self) -> str:
        return f"Appeal in case {self.case_id}"


class Reminder(models.Model):
    """A reminder the deadline job sent; the unique key makes each one go out once."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="reminders", verbose_name=gettext_lazy("case")
    )
    kind = models.CharField(max_length=30, verbose_name=gettext_lazy("kind"))
    key = models.CharField(max_length=60, verbose_name=gettext_lazy("key"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("sent at"))

    class Meta:
        verbose_name = gettext_lazy("reminder")
        verbose_name_plural = gettext_lazy("reminders")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "key"], name="one_reminder_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for case {self.case_id}"


# ---------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------


def letterhead_logo_path(instance, filename: str) -> str:
    return f"letterhead/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Letterhead(models.Model):
    """The association's letterhead. The newest row is the one letters use."""

    association_name = models.CharField(
        max_length=200, verbose_name=gettext_lazy("association name")
    )
    address = models.TextField(
        help_text=gettext_lazy("Postal address, one line per line."),
        verbose_name=gettext_lazy("address"),
    )
    email = models.EmailField(blank=True, verbose_name=gettext_lazy("email"))
    website = models.URLField(blank=True, verbose_name=gettext_lazy("website"))
    logo = models.ImageField(
        storage=private_storage,
        upload_to=letterhead_logo_path,
        blank=True,
        help_text=gettext_lazy("PNG or JPEG; stored on this server and embedded in every letter."),
        verbose_name=gettext_lazy("logo"),
    )
    signatory_name = models.CharField(max_length=200, verbose_name=gettext_lazy("signatory name"))
    signatory_title = models.CharField(max_length=200, verbose_name=gettext_lazy("signatory title"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("updated at"))

    class Meta:
        verbose_name = gettext_lazy("letterhead")
        verbose_name_plural = gettext_lazy("letterheads")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Letterhead of {self.association_name}"


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", gettext_lazy("Acknowledgement of complaint")
    NOTICE_OF_COMPLAINT = "notice_of_complaint", gettext_lazy("Notice of complaint")
    DISMISSAL = "dismissal", gettext_lazy("Dismissal notice")
    WITHDRAWAL = "withdrawal", gettext_lazy("Withdrawal notice")
    DECISION = "decision", gettext_lazy("Decision letter")
    NO_VIOLATION = "no_violation", gettext_lazy("Decision letter: no violation")
    APPEAL_DECISION = "appeal_decision", gettext_lazy("Appeal decision letter")
    OUTCOME_NOTICE = "outcome_notice", gettext_lazy("Outcome notice to the complainant")
    COMPLAINANT_APPEAL_DECISION = (
        "c_appeal_decision",
        gettext_lazy("Decision on the complainant's appeal"),
    )
    NON_COMPLIANCE = "non_compliance", gettext_lazy("Notice of non-compliance")
    NOTICE_OF_HEARING = "notice_of_hearing", gettext_lazy("Notice of hearing")
    CONSENT_OFFER = "consent_offer", gettext_lazy("Offer of resolution by consent")
    CONSENT_ACCEPTED = "consent_accepted", gettext_lazy("Resolution by consent: accepted")
    INTERIM_IMPOSED = "interim_imposed", gettext_lazy("Interim suspension imposed")
    INTERIM_LIFTED = "interim_lifted", gettext_lazy("Interim suspension lifted")


# Letters the board and the panel never see: a consent offer, which if refused must
# not weigh on the decision (docs/decisions/0020).
WITHHELD_FROM_DECIDERS = (LetterKind.CONSENT_OFFER,)


class Addressee(models.TextChoices):
    RESPONDENT = "respondent", gettext_lazy("The respondent")
    COMPLAINANT = "complainant", gettext_lazy("The complainant")


def letter_path(instance, filename: str) -> str:
    return f"cases/{instance.case.number}/letters/{filename}"


class Letter(models.Model):
    """An issued letter: stored once with its SHA-256, never regenerated in place.
    A correction is a new version that supersedes this one; both remain."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="letters", verbose_name=gettext_lazy("case")
    )
    kind = models.CharField(
        max_length=24, choices=LetterKind.choices, verbose_name=gettext_lazy("kind")
    )
    addressee = models.CharField(
        max_length=12, choices=Addressee.choices, verbose_name=gettext_lazy("addressee")
    )
    recipient_name = models.CharField(max_length=300, verbose_name=gettext_lazy("recipient name"))
    recipient_emails = models.JSONField(default=list, verbose_name=gettext_lazy("recipient emails"))
    version = models.PositiveIntegerField(default=1, verbose_name=gettext_lazy("version"))
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=gettext_lazy("supersedes"),
    )
    correction_reason = models.TextField(blank=True, verbose_name=gettext_lazy("correction reason"))
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=gettext_lazy("event"),
    )
    file = models.FileField(
        storage=private_storage,
        upload_to=letter_path,
        max_length=300,
        verbose_name=gettext_lazy("file"),
    )
    sha256 = models.CharField(max_length=64, verbose_name=gettext_lazy("sha256"))
    size = models.PositiveIntegerField(verbose_name=gettext_lazy("size"))
    # Who signed the PDF (cases.signing: the certificate's subject); "" when unsigned.
    signed_by = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("signed by"))
    issued_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("issued by"),
    )
    # The one change an issued letter may undergo: at the end of the retention period
    # a letter that names the complainant loses its file and recipient
    # (cases.services.retention); the record keeps its SHA-256.
    purged_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("purged at"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("letter")
        verbose_name_plural = gettext_lazy("letters")
        ordering = ["issued_at", "id"]
        permissions = [("view_letter_pdf", "Download the letter")]

    def __str__(self) -> str:
        version = f" (version {self.version})" if self.version > 1 else ""
        return f"{self.get_kind_display()}, case {self.case.number}{version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValidationError(
                _("An issued letter cannot be changed: issue a corrected version.")
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:letter_download", args=[self.case.number, self.pk])

    @property
    def download_name(self) -> str:
        version = f"-v{self.version}" if self.version > 1 else ""
        return f"{self.case.number}-{self.kind.replace('_', '-')}{version}.pdf"


# ---------------------------------------------------------------------------
# Resolution by consent and interim suspension (docs/decisions/0020)
# ---------------------------------------------------------------------------


class ConsentStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open for an answer")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    REFUSED = "refused", gettext_lazy("Refused")
    LAPSED = "lapsed", gettext_lazy("Not answered by the date")


class ConsentOffer(models.Model):
    """A sanction offered to the respondent that, if accepted, ends the case without a
    vote. A refused or lapsed offer, and whatever the respondent wrote in answering it,
    is kept from the deciders: only staff and the respondent see it."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="consent_offers",
        verbose_name=gettext_lazy("case"),
    )
    sanction_kind = models.CharField(
        max_length=12, choices=SanctionKind.choices, verbose_name=gettext_lazy("sanction kind")
    )
    suspension_months = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("suspension months")
    )
    terms = models.TextField(
        help_text=gettext_lazy("What the respondent agrees to, in full."),
        verbose_name=gettext_lazy("terms"),
    )
    reply_by = models.DateField(verbose_name=gettext_lazy("reply by"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("offered by"),
    )
    offered_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("offered at"))
    status = models.CharField(
        max_length=10,
        choices=ConsentStatus.choices,
        default=ConsentStatus.OPEN,
        verbose_name=gettext_lazy("status"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("answered by"),
    )
    answered_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("answered at")
    )
    answer = models.TextField(
        blank=True, verbose_name=gettext_lazy("answer")
    )  # what the respondent said: withheld from deciders
    sanction = models.OneToOneField(
        Sanction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consent_offer",
        verbose_name=gettext_lazy("sanction"),
    )

    class Meta:
        verbose_name = gettext_lazy("consent offer")
        verbose_name_plural = gettext_lazy("consent offers")
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="open"), name="one_open_consent_offer"
            )
        ]

    def __str__(self) -> str:
        return f"Consent offer in case {self.case_id}: {self.get_status_display()}"

    @property
    def sanction_label(self) -> str:
        label = SanctionKind(self.sanction_kind).label
        if self.sanction_kind == SanctionKind.SUSPENSION and self.suspension_months:
            return f"{label} for {self.suspension_months} months"
        return label


class InterimStatus(models.TextChoices):
    PROPOSED = "proposed", gettext_lazy("Proposed: the board is voting")
    REJECTED = "rejected", gettext_lazy("Not imposed")
    IN_FORCE = "in_force", gettext_lazy("In force")
    LIFTED = "lifted", gettext_lazy("Lifted")
    ENDED = "ended", gettext_lazy("Ended with the case")


class InterimSuspension(models.Model):
    """A suspension of membership while the case runs, decided by its own board ballot
    (the procedure's interim threshold), lifted by another on the respondent's request,
    and ended by the final decision."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="interim_suspensions",
        verbose_name=gettext_lazy("case"),
    )
    reasons = models.TextField(verbose_name=gettext_lazy("reasons"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("proposed by"),
    )
    proposed_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("proposed at")
    )
    ballot = models.OneToOneField(
        Ballot,
        on_delete=models.PROTECT,
        related_name="interim_imposing",
        verbose_name=gettext_lazy("ballot"),
    )
    status = models.CharField(
        max_length=10,
        choices=InterimStatus.choices,
        default=InterimStatus.PROPOSED,
        verbose_name=gettext_lazy("status"),
    )
    imposed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("imposed at")
    )
    # The status the member had before, restored when the suspension ends.
    status_before = models.CharField(
        max_length=12, blank=True, verbose_name=gettext_lazy("status before")
    )
    lift_grounds = models.TextField(blank=True, verbose_name=gettext_lazy("lift grounds"))
    lift_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("lift requested by"),
    )
    lift_requested_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("lift requested at")
    )
    lift_ballot = models.OneToOneField(
        Ballot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interim_lifting",
        verbose_name=gettext_lazy("lift ballot"),
    )
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ended at"))
    end_reason = models.TextField(blank=True, verbose_name=gettext_lazy("end reason"))

    class Meta:
        verbose_name = gettext_lazy("interim suspension")
        verbose_name_plural = gettext_lazy("interim suspensions")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["proposed", "in_force"]),
                name="one_live_interim_suspension",
            )
        ]

    def __str__(self) -> str:
        return f"Interim suspension in case {self.case_id}: {self.get_status_display()}"


class LetterUserObjectPermission(UserObjectPermissionBase):
    """Per-letter permissions (the respondent's representatives get the letters
    addressed to the respondent)."""

    content_object = models.ForeignKey(
        Letter, on_delete=models.CASCADE, verbose_name=gettext_lazy("content object")
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = gettext_lazy("letter user object permission")
        verbose_name_plural = gettext_lazy("letter user object permissions")


class LetterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        Letter, on_delete=models.CASCADE, verbose_name=gettext_lazy("content object")
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = gettext_lazy("letter group object permission")
        verbose_name_plural = gettext_lazy("letter group object permissions")


class Delivery(models.Model):
    """One attempt to email a letter to one address."""

    letter = models.ForeignKey(
        Letter,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=gettext_lazy("letter"),
    )
    recipient = models.EmailField(verbose_name=gettext_lazy("recipient"))
    attempted_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("attempted at")
    )
    succeeded = models.BooleanField(verbose_name=gettext_lazy("succeeded"))
    error = models.TextField(blank=True, verbose_name=gettext_lazy("error"))
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("attempted by"),
    )

    class Meta:
        verbose_name = gettext_lazy("delivery")
        ordering = ["attempted_at", "id"]
        verbose_name_plural = gettext_lazy("deliveries")

    def __str__(self) -> str:
        return f"{self.letter} to {self.recipient}: {'sent' if self.succeeded else 'failed'}"


class DispatchStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued for sending")
    SENDING = "sending", gettext_lazy("Being sent")
    RETRYING = "retrying", gettext_lazy("Waiting to retry")
    SENT = "sent", gettext_lazy("Sent")
    FAILED = "failed", gettext_lazy("Failed")
    NOT_EMAILED = "not_emailed", gettext_lazy("No email address")


class LeasedWork(models.Model):
    """A piece of the queue's work on one row (a letter's preparation, its delivery):
    how often it was tried, who holds it, until when, and the last error. A worker that
    claims the row holds it until `lease_until`; one killed mid-work leaves an expired
    lease, and the worker's sweep hands the row to another. The rules of claiming and
    retrying are here, once, for both (cases.services.letters)."""

    attempts = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("attempts"))
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("next attempt at")
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("lease until")
    )
    claimed_by = models.CharField(
        max_length=64, blank=True, verbose_name=gettext_lazy("claimed by")
    )
    last_error = models.TextField(blank=True, verbose_name=gettext_lazy("last error"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("updated at"))

    class Meta:
        abstract = True

    def busy_or_early(self, now, *, busy: str, retrying: str, defers: bool) -> str | None:
        """Why a task that finds the row now must leave it: "held" (a live worker has
        it), "early" (a duplicate of a retry queued for later, where the backend
        defers), or None: it may claim it."""
        if self.status == busy and self.lease_until and self.lease_until > now:
            return "held"
        if self.status == retrying and self.next_attempt_at and self.next_attempt_at > now:
            return "early" if defers else None
        return None

    def claim(self, now, *, busy: str, lease_seconds: int, worker: str) -> None:
        """Take the row for one attempt (the caller holds its row lock and saves it)."""
        self.status = busy
        self.attempts += 1
        self.next_attempt_at = None
        self.lease_until = now + datetime.timedelta(seconds=lease_seconds)
        self.claimed_by = worker[:64]

    def retry_or_fail(
        self, error: str, delays: list[int], *, retrying: str, failed: str, give_up=False
    ) -> int | None:
        """After a failed attempt: retry after the next of `delays` (returned, in
        seconds), or stop (`failed`) when they are used up or `give_up`."""
        self.lease_until = None
        self.last_error = error[:2000]
        retries_done = self.attempts - 1
        if give_up or retries_done >= len(delays):
            self.status, self.next_attempt_at = failed, None
            return None
        retry_in = delays[retries_done]
        self.status = retrying
        self.next_attempt_at = timezone.now() + datetime.timedelta(seconds=retry_in)
        return retry_in


class Dispatch(LeasedWork):
    """Where the emailing of one letter stands: the task queue's view of it
    (docs/decisions/0015). The letter itself is issued, hashed and recorded in the step;
    this row says whether the worker has sent it, is retrying, or gave up. The attempts
    themselves are the letter's Delivery rows."""

    letter = models.OneToOneField(
        Letter,
        on_delete=models.PROTECT,
        related_name="dispatch",
        verbose_name=gettext_lazy("letter"),
    )
    status = models.CharField(
        max_length=12,
        choices=DispatchStatus.choices,
        default=DispatchStatus.QUEUED,
        verbose_name=gettext_lazy("status"),
    )

    class Meta:
        verbose_name = gettext_lazy("dispatch")
        verbose_name_plural = gettext_lazy("dispatches")
        indexes = [models.Index(fields=["status", "lease_until"], name="dispatch_status_lease")]

    def __str__(self) -> str:
        return f"{self.letter}: {self.get_status_display()}"

    @property
    def pending(self) -> bool:
        return self.status in (
            DispatchStatus.QUEUED,
            DispatchStatus.SENDING,
            DispatchStatus.RETRYING,
        )


class LetterOrderStatus(models.TextChoices):
    PREPARING = "preparing", gettext_lazy("Being prepared")
    RETRYING = "retrying", gettext_lazy("Waiting to retry its preparation")
    FAILED = "failed", gettext_lazy("Preparation failed")
    ISSUED = "issued", pgettext_lazy("letter order", "Issued")


class LetterOrder(LeasedWork):
    """A letter the step decided to send, before it exists (docs/decisions/0027): the
    step writes this row and the letter's HTML (what was true at the step, in the
    recipient's language); a task renders the PDF, signs, stores and issues it. The
    order's one-to-one `letter` is the idempotence key: once set, no task issues again."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="letter_orders",
        verbose_name=gettext_lazy("case"),
    )
    kind = models.CharField(
        max_length=24, choices=LetterKind.choices, verbose_name=gettext_lazy("kind")
    )
    addressee = models.CharField(
        max_length=12, choices=Addressee.choices, verbose_name=gettext_lazy("addressee")
    )
    recipient_name = models.CharField(max_length=300, verbose_name=gettext_lazy("recipient name"))
    recipient_emails = models.JSONField(default=list, verbose_name=gettext_lazy("recipient emails"))
    language = models.CharField(
        max_length=12, choices=letter_languages, verbose_name=gettext_lazy("language")
    )
    event = models.ForeignKey(
        CaseEvent,
        on_delete=models.PROTECT,
        related_name="letter_orders",
        verbose_name=gettext_lazy("event"),
    )
    supersedes = models.ForeignKey(
        Letter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("supersedes"),
    )
    correction_reason = models.TextField(blank=True, verbose_name=gettext_lazy("correction reason"))
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("ordered by"),
    )
    ordered_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("ordered at"))
    html = models.TextField(verbose_name=gettext_lazy("html"))
    status = models.CharField(
        max_length=10,
        choices=LetterOrderStatus.choices,
        default=LetterOrderStatus.PREPARING,
        verbose_name=gettext_lazy("status"),
    )
    letter = models.OneToOneField(
        Letter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order",
        verbose_name=gettext_lazy("letter"),
    )

    class Meta:
        verbose_name = gettext_lazy("letter order")
        verbose_name_plural = gettext_lazy("letter orders")
        ordering = ["ordered_at", "id"]
        indexes = [
            models.Index(fields=["status", "lease_until"], name="letterorder_status_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, case {self.case.number}: {self.get_status_display()}"

    @property
    def version(self) -> int:
        return (self.supersedes.version + 1) if self.supersedes_id else 1


class WorkerHeartbeat(models.Model):
    """One row per task worker process, touched every few seconds while it runs: the
    health endpoint reports the latest (a worker that died stops beating)."""

    worker_id = models.CharField(
        max_length=64, primary_key=True, verbose_name=gettext_lazy("worker id")
    )
    hostname = models.CharField(max_length=255, verbose_name=gettext_lazy("hostname"))
    pid = models.PositiveIntegerField(verbose_name=gettext_lazy("pid"))
    started_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("started at"))
    beat_at = models.DateTimeField(
        default=timezone.now, db_index=True, verbose_name=gettext_lazy("beat at")
    )

    class Meta:
        verbose_name = gettext_lazy("worker heartbeat")
        verbose_name_plural = gettext_lazy("worker heartbeats")

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname} (pid {self.pid})"


# ---------------------------------------------------------------------------
# The complainant's own access, messages, evidence and appeal (docs/decisions/0021)
# ---------------------------------------------------------------------------


class ComplainantAccess(models.Model):
    """A secret access code for the complainant who has no account: with the case
    reference it opens the complainant's page of this one case. Only a salted
    HMAC-SHA256 of the code is kept; the code itself is shown (or emailed) once.
    A case has at most one code in force; re-issuing revokes the previous one."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="complainant_codes",
        verbose_name=gettext_lazy("case"),
    )
    salt = models.CharField(max_length=32, verbose_name=gettext_lazy("salt"))
    digest = models.CharField(max_length=64, verbose_name=gettext_lazy("digest"))
    issued_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("issued by"),
    )
    revoked_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("revoked at")
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("revoked by"),
    )
    revoked_reason = models.TextField(blank=True, verbose_name=gettext_lazy("revoked reason"))
    last_used_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("last used at")
    )

    class Meta:
        verbose_name = gettext_lazy("complainant access")
        verbose_name_plural = gettext_lazy("complainant accesses")
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(revoked_at__isnull=True),
                name="one_complainant_code_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"Complainant's access code {self.pk} for case {self.case_id}"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None


class ComplainantMessage(models.Model):
    """One message of the thread between the complainant and the ethics staff."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="complainant_messages",
        verbose_name=gettext_lazy("case"),
    )
    from_complainant = models.BooleanField(verbose_name=gettext_lazy("from complainant"))
    # The staff member who wrote, or the member complainant's representative; blank
    # for a complainant signed in with the access code.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("author"),
    )
    body = models.TextField(verbose_name=gettext_lazy("body"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("sent at"))

    class Meta:
        verbose_name = gettext_lazy("complainant message")
        verbose_name_plural = gettext_lazy("complainant messages")
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        side = "complainant" if self.from_complainant else "staff"
        return f"Message from the {side} in case {self.case_id}"


def submission_path(instance, filename: str) -> str:
    return f"cases/{instance.case.number}/complainant/{instance.sha256[:16]}-{filename}"


class SubmissionDecision(models.TextChoices):
    PENDING = "", gettext_lazy("Waiting for the ethics staff")
    ACCEPTED = "accepted", gettext_lazy("Accepted into the case")
    DECLINED = "declined", gettext_lazy("Not accepted")


class ComplainantSubmission(models.Model):
    """Additional evidence the complainant sent: kept apart from the case's evidence
    until staff accept it (it then becomes an Evidence row) or decline it."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="complainant_submissions",
        verbose_name=gettext_lazy("case"),
    )
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    description = models.TextField(blank=True, verbose_name=gettext_lazy("description"))
    file = models.FileField(
        storage=private_storage,
        upload_to=submission_path,
        max_length=300,
        verbose_name=gettext_lazy("file"),
    )
    original_filename = models.CharField(
        max_length=255, verbose_name=gettext_lazy("original filename")
    )
    sha256 = models.CharField(max_length=64, verbose_name=gettext_lazy("sha256"))
    size = models.PositiveBigIntegerField(verbose_name=gettext_lazy("size"))
    content_type = models.CharField(max_length=100, verbose_name=gettext_lazy("content type"))
    submitted_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("submitted at")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("submitted by"),
    )
    decision = models.CharField(
        max_length=10,
        choices=SubmissionDecision.choices,
        blank=True,
        default="",
        verbose_name=gettext_lazy("decision"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("decided by"),
    )
    decision_reason = models.TextField(blank=True, verbose_name=gettext_lazy("decision reason"))
    evidence = models.OneToOneField(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submission",
        verbose_name=gettext_lazy("evidence"),
    )

    class Meta:
        verbose_name = gettext_lazy("complainant submission")
        verbose_name_plural = gettext_lazy("complainant submissions")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return self.title


class ComplainantAppealOutcome(models.TextChoices):
    UPHELD = "upheld", gettext_lazy("The decision is upheld")
    TO_REVIEW = "to_review", gettext_lazy("Sent back to review")
    TO_VOTE = "to_vote", gettext_lazy("Sent to a new board vote")


class ComplainantAppeal(models.Model):
    """The complainant's appeal of a dismissal or of a finding of no violation: one
    per case, decided by the appeals panel."""

    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        related_name="complainant_appeal",
        verbose_name=gettext_lazy("case"),
    )
    appealed_state = models.CharField(
        max_length=20, choices=CaseState.choices, verbose_name=gettext_lazy("appealed state")
    )
    filed_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("filed at"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("filed by"),
    )
    grounds = models.TextField(verbose_name=gettext_lazy("grounds"))
    outcome = models.CharField(
        max_length=12,
        choices=ComplainantAppealOutcome.choices,
        blank=True,
        verbose_name=gettext_lazy("outcome"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    decision_reasons = models.TextField(blank=True, verbose_name=gettext_lazy("decision reasons"))

    class Meta:
        verbose_name = gettext_lazy("complainant appeal")
        verbose_name_plural = gettext_lazy("complainant appeals")

    def __str__(self) -> str:
        return f"Complainant's appeal in case {self.case_id}"


# ---------------------------------------------------------------------------
# Publication, retention and legal holds (docs/decisions/0023)
# ---------------------------------------------------------------------------


class Publication(models.Model):
    """What the public decisions page says about one final decision, fixed when it was
    published (the procedure's level at that time), and when it comes down. A row
    withheld by staff before publication is never published."""

    case = models.OneToOneField(
        Case,
        on_delete=models.PROTECT,
        related_name="publication",
        verbose_name=gettext_lazy("case"),
    )
    level = models.CharField(
        max_length=10, choices=PublicationLevel.choices, verbose_name=gettext_lazy("level")
    )
    sanction = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("sanction"))
    principles = models.JSONField(default=list, verbose_name=gettext_lazy("principles"))
    decided_on = models.DateField(null=True, blank=True, verbose_name=gettext_lazy("decided on"))
    # Only at the level "name": the respondent and the case's one-line summary.
    respondent_name = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("respondent name")
    )
    respondent_slug = models.SlugField(
        max_length=200, blank=True, verbose_name=gettext_lazy("respondent slug")
    )
    summary = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("summary"))
    published_on = models.DateField(
        null=True, blank=True, verbose_name=gettext_lazy("published on")
    )
    ends_on = models.DateField(
        null=True, blank=True, db_index=True, verbose_name=gettext_lazy("ends on")
    )
    taken_down_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("taken down at")
    )
    withheld_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("withheld at")
    )
    withheld_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("withheld by"),
    )
    withheld_reason = models.TextField(blank=True, verbose_name=gettext_lazy("withheld reason"))

    class Meta:
        verbose_name = gettext_lazy("publication")
        verbose_name_plural = gettext_lazy("publications")
        ordering = ["-published_on", "-id"]
        indexes = [
            # The public decisions page (cases.selectors.published_decisions_page): its
            # order, on the entries that can be public; ends_on in the index, so an entry
            # past its period is passed over without reading its row.
            models.Index(
                fields=["-published_on", "-id", "ends_on"],
                name="publication_public_page",
                condition=Q(
                    published_on__isnull=False,
                    taken_down_at__isnull=True,
                    withheld_at__isnull=True,
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Publication of case {self.case_id}"

    @classmethod
    def public(cls, on: datetime.date):
        """The entries on the public pages on this date: published, not taken down or
        withheld, and within their period (whether or not the job has run yet)."""
        return cls.objects.filter(
            published_on__isnull=False,
            published_on__lte=on,
            ends_on__gte=on,
            taken_down_at__isnull=True,
            withheld_at__isnull=True,
        )


class LegalHold(models.Model):
    """A legal hold stops the retention clock of a case while it is in place; the time
    held is added to every retention period (cases.services.retention)."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=gettext_lazy("case"),
    )
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("placed by"),
    )
    placed_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("placed at"))
    released_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("released at")
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("released by"),
    )
    release_reason = models.TextField(blank=True, verbose_name=gettext_lazy("release reason"))

    class Meta:
        verbose_name = gettext_lazy("legal hold")
        verbose_name_plural = gettext_lazy("legal holds")
        ordering = ["placed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(released_at__isnull=True),
                name="one_legal_hold_in_place_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Legal hold on case {self.case_id}"


class RetentionPurge(models.Model):
    """That one kind of a case's personal data was removed: the unique (case, kind,
    due date) makes the deadline job do it once per closing of the case."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="purges", verbose_name=gettext_lazy("case")
    )
    kind = models.CharField(
        max_length=12, choices=RetentionKind.choices, verbose_name=gettext_lazy("kind")
    )
    purged_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("purged at"))
    due_on = models.DateField(verbose_name=gettext_lazy("due on"))

    class Meta:
        verbose_name = gettext_lazy("retention purge")
        verbose_name_plural = gettext_lazy("retention purges")
        ordering = ["purged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_on"], name="one_purge_per_kind_and_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id} purged"


# Issue 10: the respondent's comment on the review, and the hearing
# ---------------------------------------------------------------------------


class ReviewDisclosure(models.Model):
    """The findings and the review report, as they stood, disclosed to the respondent
    for comment before referral (undisclosed evidence stays undisclosed). A revision
    after it needs a new disclosure."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="review_disclosures",
        verbose_name=gettext_lazy("case"),
    )
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("disclosed by"),
    )
    disclosed_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("disclosed at")
    )
    comment_due_on = models.DateField(verbose_name=gettext_lazy("comment due on"))

    class Meta:
        verbose_name = gettext_lazy("review disclosure")
        verbose_name_plural = gettext_lazy("review disclosures")
        ordering = ["disclosed_at", "pk"]

    def __str__(self) -> str:
        return f"Review of {self.case} disclosed {self.disclosed_at:%d %b %Y}"


class ReviewComment(models.Model):
    """The respondent's comment on a disclosed review: it goes to the deciders."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="review_comments",
        verbose_name=gettext_lazy("case"),
    )
    disclosure = models.ForeignKey(
        ReviewDisclosure,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=gettext_lazy("disclosure"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("submitted by"),
    )
    submitted_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("submitted at")
    )
    text = models.TextField(verbose_name=gettext_lazy("text"))

    class Meta:
        verbose_name = gettext_lazy("review comment")
        verbose_name_plural = gettext_lazy("review comments")
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on the review of {self.case}"


class HearingParty(models.TextChoices):
    RESPONDENT = "respondent", gettext_lazy("The respondent")
    COMPLAINANT = "complainant", gettext_lazy("The complainant")


class HearingRequest(models.Model):
    """A party's request for a hearing, where the procedure holds one on request."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="hearing_requests",
        verbose_name=gettext_lazy("case"),
    )
    party = models.CharField(
        max_length=12, choices=HearingParty.choices, verbose_name=gettext_lazy("party")
    )
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("recorded by"),
    )
    requested_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("requested at")
    )

    class Meta:
        verbose_name = gettext_lazy("hearing request")
        verbose_name_plural = gettext_lazy("hearing requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="one_hearing_request_per_party")
        ]

    def __str__(self) -> str:
        return f"Hearing requested by {self.get_party_display().lower()} on {self.case}"


class Hearing(models.Model):
    """One date set for the hearing. A postponement keeps this row (with its reason)
    and sets a new one, noticed again; the current hearing is the last one not
    postponed."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="hearings", verbose_name=gettext_lazy("case")
    )
    starts_at = models.DateTimeField(verbose_name=gettext_lazy("starts at"))
    time_zone = models.CharField(
        max_length=64,
        help_text=gettext_lazy("An IANA name: Europe/London."),
        verbose_name=gettext_lazy("time zone"),
    )
    place = models.TextField(blank=True, verbose_name=gettext_lazy("place"))
    video_link = models.URLField(
        blank=True, max_length=500, verbose_name=gettext_lazy("video link")
    )
    participants_due_on = models.DateField(
        help_text=gettext_lazy(
            "The parties name their attendees, counsel and witnesses by this date."
        ),
        verbose_name=gettext_lazy("participants due on"),
    )
    # The deciders when it was set: the board, minus recusals and parties' representatives.
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="hearing_panels", verbose_name=gettext_lazy("panel")
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("scheduled by"),
    )
    scheduled_at = models.DateTimeField(
        default=timezone.now, verbose_name=gettext_lazy("scheduled at")
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=gettext_lazy("replaces"),
    )
    postponed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("postponed at")
    )
    postponement_reason = models.TextField(
        blank=True, verbose_name=gettext_lazy("postponement reason")
    )
    # The record, kept once it has been held.
    recorded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("recorded at")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("recorded by"),
    )
    attended = models.JSONField(
        default=list, blank=True, verbose_name=gettext_lazy("attended")
    )  # the names of who attended
    record_notes = models.TextField(blank=True, verbose_name=gettext_lazy("record notes"))
    minutes = models.ForeignKey(
        Evidence,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("minutes"),
    )

    class Meta:
        verbose_name = gettext_lazy("hearing")
        verbose_name_plural = gettext_lazy("hearings")
        ordering = ["scheduled_at", "pk"]

    def __str__(self) -> str:
        return f"Hearing of {self.case} on {self.local_start:%d %b %Y %H:%M}"

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at, ZoneInfo(self.time_zone))


class ParticipantRole(models.TextChoices):
    ATTENDEE = "attendee", gettext_lazy("Attendee")
    COUNSEL = "counsel", gettext_lazy("Counsel")
    WITNESS = "witness", gettext_lazy("Witness")


class HearingParticipant(models.Model):
    """Someone a party brings to the hearing: who, in what capacity, for which party."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="hearing_participants",
        verbose_name=gettext_lazy("case"),
    )
    party = models.CharField(
        max_length=12, choices=HearingParty.choices, verbose_name=gettext_lazy("party")
    )
    role = models.CharField(
        max_length=10, choices=ParticipantRole.choices, verbose_name=gettext_lazy("role")
    )
    name = models.CharField(max_length=200, verbose_name=gettext_lazy("name"))
    detail = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy("Their position, firm, or what a witness speaks to."),
        verbose_name=gettext_lazy("detail"),
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("named by"),
    )
    named_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("named at"))

    class Meta:
        verbose_name = gettext_lazy("hearing participant")
        verbose_name_plural = gettext_lazy("hearing participants")
        ordering = ["party", "role", "pk"]

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.get_role_display().lower()}, {self.get_party_display().lower()})"
        )
