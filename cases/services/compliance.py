"""Sanctions a member complies with: a fine, required education, conditions
(docs/decisions/0018). Imposing them beside the ladder's sanction when a ballot
closes; the representative's proof and the staff's record of compliance; the
deadline job's overdue flag and the procedure's consequence of non-compliance
(suspension until compliance), applied once and undone by compliance.

The `*_record`, `*_upload` and `*_accept` services take the case lock and ask the
table first; the others are parts of steps or of the deadline job, whose caller
holds the lock."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases import events, workflow
from cases.access import authorize
from cases.models import (
    COMPLIANCE_KINDS,
    Ballot,
    Case,
    Compliance,
    ComplianceProof,
    LetterKind,
    NonComplianceConsequence,
    Sanction,
    SanctionKind,
)
from cases.rendering import respondent_recipient
from cases.services.letters import issue
from cases.services.record import lock_case, record_event
from cases.services.sanctions import (
    _add_months,
    decision_effective_on,
    sanction_apply,
    transition_after_sanction,
)
from cases.uploads import inspect_upload
from members.models import MembershipStatus
from members.roles import roles_of
from members.services import compliance_default_set, membership_change

# When a voter names no date: the days to pay a fine or complete the education, and
# the months conditions last; who checks conditions when nobody was named.
DEFAULT_DUE_DAYS = {SanctionKind.FINE: 30, SanctionKind.EDUCATION: 90}
DEFAULT_CONDITIONS_MONTHS = 12
DEFAULT_CHECKED_BY = "The ethics staff"


def _d(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def due_on(kind: str, effective: datetime.date, terms: dict) -> datetime.date:
    if kind == SanctionKind.CONDITIONS:
        return _add_months(effective, int(terms.get("months") or DEFAULT_CONDITIONS_MONTHS))
    return effective + datetime.timedelta(days=int(terms.get("due_days") or DEFAULT_DUE_DAYS[kind]))


def describe_terms(sanction: Sanction, due: datetime.date) -> str:
    """The sentence the page and the letters state the sanction with."""
    if sanction.kind == SanctionKind.FINE:
        return f"A fine of {sanction.amount_display}, to be paid by {_d(due)}."
    if sanction.kind == SanctionKind.EDUCATION:
        return (
            f"Required education: {sanction.requirement}. To be completed by {_d(due)}, "
            "with evidence of completion sent to the ethics staff."
        )
    return (
        f"Conditions for {sanction.period_months} months, until {_d(due)}: "
        f"{sanction.requirement}. Compliance is checked by {sanction.checked_by}."
    )


def impose_compliance(case: Case, ballot: Ballot, kind: str, terms: dict, *, by) -> Sanction:
    """One compliance sanction the count imposed, with its compliance record; the caller
    holds the case lock."""
    effective = decision_effective_on(case)
    fields: dict = {}
    if kind == SanctionKind.FINE:
        fields = {
            "amount": Decimal(str(terms["amount"])),
            "currency": terms.get("currency") or settings.PROBITY_CURRENCY,
        }
    elif kind == SanctionKind.EDUCATION:
        fields = {"requirement": terms.get("what", "")}
    else:
        fields = {
            "requirement": terms.get("terms", ""),
            "period_months": int(terms.get("months") or DEFAULT_CONDITIONS_MONTHS),
            "checked_by": terms.get("checked_by") or DEFAULT_CHECKED_BY,
        }
    due = due_on(kind, effective, terms)
    sanction = Sanction(case=case, ballot=ballot, kind=kind, effective_on=effective, **fields)
    sanction.terms = describe_terms(sanction, due)
    sanction.save()
    Compliance.objects.create(sanction=sanction, due_on=due)
    record_event(
        case,
        actor=by,
        **events.compliance_sanction_imposed(
            sanction=sanction.pk,
            kind=kind,
            effective_on=effective,
            due_on=due,
            terms=terms,
        ),
    )
    if effective <= workflow.today():
        sanction_apply(sanction, by=by)
    return sanction


def reschedule_compliance(case: Case, effective: datetime.date) -> None:
    """An upheld appeal starts the waiting compliance sanctions today: each keeps the
    time it was given to comply."""
    for sanction in case.sanctions.filter(
        kind__in=COMPLIANCE_KINDS,
        rescinded_at__isnull=True,
        applied_at__isnull=True,
    ).select_related("compliance"):
        compliance = sanction.compliance
        due = effective + (compliance.due_on - sanction.effective_on)
        Sanction.objects.filter(pk=sanction.pk).update(
            effective_on=effective, terms=describe_terms(sanction, due)
        )
        Compliance.objects.filter(pk=compliance.pk).update(due_on=due)
        sanction.refresh_from_db()
        sanction_apply(sanction, by=None)


def _compliance_of(case: Case, sanction_id) -> Compliance:
    compliance = (
        Compliance.objects.select_related("sanction")
        .filter(sanction_id=sanction_id, sanction__case=case)
        .first()
    )
    if compliance is None:
        raise ValidationError(_("This case has no such fine, education or condition."))
    if compliance.sanction.rescinded_at is not None:
        raise ValidationError(
            _("The %(sanction)s was rescinded: there is nothing to comply with.")
            % {"sanction": compliance.sanction.get_kind_display().lower()}
        )
    if compliance.complied_on is not None:
        raise ValidationError(
            _("Compliance with the %(sanction)s was already recorded (%(day)s).")
            % {
                "sanction": compliance.sanction.get_kind_display().lower(),
                "day": _d(compliance.complied_on),
            }
        )
    return compliance


@transaction.atomic
def compliance_proof_upload(*, case: Case, sanction_id, file, description: str, by):
    """The respondent's representative sends a receipt or certificate; staff accept it."""
    case = lock_case(case)
    authorize(by, case, "upload_compliance_proof")
    compliance = _compliance_of(case, sanction_id)
    if file is None:
        raise ValidationError(_("Choose the file that shows the payment or the completion."))
    info = inspect_upload(file)
    proof = ComplianceProof(
        compliance=compliance,
        original_filename=file.name[:255],
        sha256=info.sha256,
        size=info.size,
        content_type=info.content_type,
        description=(description or "").strip(),
        uploaded_by=by,
    )
    proof.file.save(file.name, file, save=False)
    proof.save()
    record_event(
        case,
        actor=by,
        **events.compliance_proof_uploaded(
            sanction=compliance.sanction_id,
            proof=proof.pk,
            filename=proof.original_filename,
            sha256=info.sha256,
            size=info.size,
            content_type=info.content_type,
        ),
    )
    return proof


@transaction.atomic
def compliance_record(
    *, case: Case, sanction_id, complied_on: datetime.date, note: str = "", by
) -> Compliance:
    """Staff record that the fine was paid, the education completed or the conditions
    kept, on `complied_on`; a suspension for not complying ends (docs/decisions/0018)."""
    case = lock_case(case)
    authorize(by, case, "record_compliance")
    compliance = _compliance_of(case, sanction_id)
    return _complied(case, compliance, complied_on, note, by=by)


@transaction.atomic
def compliance_proof_accept(
    *, case: Case, proof_id, complied_on: datetime.date, note: str = "", by
) -> Compliance:
    """Staff accept the representative's proof: compliance is recorded as of `complied_on`."""
    case = lock_case(case)
    authorize(by, case, "accept_compliance_proof")
    proof = ComplianceProof.objects.filter(
        pk=proof_id, compliance__sanction__case=case, accepted_at__isnull=True
    ).first()
    if proof is None:
        raise ValidationError(_("No proof waiting to be accepted has that number in this case."))
    compliance = _compliance_of(case, proof.compliance.sanction_id)
    ComplianceProof.objects.filter(pk=proof.pk).update(accepted_at=timezone.now(), accepted_by=by)
    return _complied(case, compliance, complied_on, note, by=by, proof=proof.pk)


def _complied(case, compliance: Compliance, complied_on, note: str, *, by, proof=None):
    if complied_on is None:
        raise ValidationError(_("Give the date the payment was made or the requirement met."))
    if complied_on > workflow.today():
        raise ValidationError(
            _("%(day)s is in the future: give the date it happened.") % {"day": _d(complied_on)}
        )
    decided_on = timezone.localtime(compliance.sanction.decided_at).date()
    if complied_on < decided_on:
        raise ValidationError(
            _("%(day)s is before the decision of %(decided)s.")
            % {"day": _d(complied_on), "decided": _d(decided_on)}
        )
    Compliance.objects.filter(pk=compliance.pk).update(
        complied_on=complied_on, recorded_by=by, note=(note or "").strip()
    )
    compliance.refresh_from_db()
    sanction = compliance.sanction
    record_event(
        case,
        actor=by,
        **events.compliance_recorded(
            sanction=sanction.pk,
            kind=sanction.kind,
            complied_on=complied_on,
            note=compliance.note,
            proof=proof,
        ),
    )
    restore_after_compliance(case, by=by)
    return compliance


def holding_suspension(org, *, except_pk=None):
    """The compliance records whose consequence holds the member suspended now."""
    held = Compliance.objects.filter(
        sanction__case__respondent=org,
        consequence_applied_at__isnull=False,
        restored_at__isnull=True,
        complied_on__isnull=True,
        sanction__rescinded_at__isnull=True,
    )
    return held.exclude(pk=except_pk) if except_pk else held


def _in_default_since(org) -> datetime.date | None:
    first = (
        Compliance.objects.filter(
            sanction__case__respondent=org,
            overdue_at__isnull=False,
            complied_on__isnull=True,
            sanction__rescinded_at__isnull=True,
        )
        .order_by("overdue_at")
        .values_list("overdue_at", flat=True)
        .first()
    )
    return timezone.localtime(first).date() if first else None


def restore_after_compliance(case: Case, *, by) -> None:
    """What compliance (or a rescinded sanction) gives back: the register's default flag
    goes when nothing is overdue any more, and a suspension for not complying ends when
    no other unmet requirement holds it and no case suspension is in force. Where to
    goes by the rule of a suspension's end: lapsed if dues are overdue, else active."""
    org = case.respondent
    org.refresh_from_db()
    compliance_default_set(organization=org, since=_in_default_since(org))
    waiting = Compliance.objects.filter(
        sanction__case__respondent=org,
        consequence_applied_at__isnull=False,
        restored_at__isnull=True,
    ).select_related("sanction", "sanction__case")
    if not waiting.exists() or holding_suspension(org).exists():
        return
    suspended_by_case = Sanction.objects.filter(
        case__respondent=org,
        kind=SanctionKind.SUSPENSION,
        applied_at__isnull=False,
        ended_at__isnull=True,
        rescinded_at__isnull=True,
    ).exists()
    if org.status == MembershipStatus.SUSPENDED and not suspended_by_case:
        staff = by if by is not None and roles_of(by).ethics_staff else None
        membership_change(
            organization=org,
            transition=transition_after_sanction(org, case, on_appeal=False),
            by=staff,
            reason=f"Complied with the requirements decided in case {case.number}.",
            case=case,
        )
        org.refresh_from_db()
    # One event, in this case's record (the lock held is this case's): it names every
    # requirement whose consequence the restoration ends, of whichever case.
    ended = list(waiting.values_list("sanction_id", flat=True))
    waiting.update(restored_at=timezone.now())
    record_event(case, actor=by, **events.compliance_restored(sanctions=ended, status=org.status))


def flag_overdue(compliance: Compliance, *, today: datetime.date) -> bool:
    """The deadline job's act on one requirement past its date, once: flag it, mark the
    member in default, apply the procedure's consequence and send the notice of
    non-compliance. The caller holds the case lock and re-read the row."""
    sanction = compliance.sanction
    case = sanction.case
    if (
        compliance.overdue_at is not None
        or compliance.complied_on is not None
        or sanction.rescinded_at is not None
        or compliance.due_on >= today
    ):
        return False
    now = timezone.now()
    Compliance.objects.filter(pk=compliance.pk).update(overdue_at=now)
    event = record_event(
        case,
        actor=None,
        **events.compliance_overdue(
            sanction=sanction.pk, kind=sanction.kind, due_on=compliance.due_on
        ),
    )
    org = case.respondent
    org.refresh_from_db()
    if org.in_default_since is None:
        compliance_default_set(organization=org, since=today)
    consequence = case.procedure.non_compliance_consequence
    if consequence == NonComplianceConsequence.SUSPEND:
        _suspend_until_compliance(case, compliance, org, now)
    issue(case, LetterKind.NON_COMPLIANCE, respondent_recipient(case), event=event, by=None)
    return True


def _suspend_until_compliance(case: Case, compliance: Compliance, org, now) -> None:
    """The "suspend" consequence: an active or lapsed member is suspended with no end
    date; one already suspended (by a case's suspension) stays so until it complies as
    well. A member no longer in the association (terminated, resigned) cannot be
    suspended: the record says so and nothing holds it."""
    sanction = compliance.sanction
    if org.status not in (
        MembershipStatus.ACTIVE,
        MembershipStatus.LAPSED,
        MembershipStatus.SUSPENDED,
    ):
        with translation.override("en"):  # in the record: English, whoever runs the job
            why = (
                f"{org.name} is {org.get_status_display().lower()}: it cannot be "
                "suspended until compliance."
            )
        record_event(
            case,
            actor=None,
            kind="sanction_not_applicable",
            payload={"sanction": sanction.pk, "why": why},
        )
        return
    if org.status != MembershipStatus.SUSPENDED:
        with translation.override("en"):  # a stored reason: English
            reason = (
                f"{sanction.get_kind_display()} decided in case {case.number} not complied "
                f"with by {_d(compliance.due_on)}: suspended until compliance."
            )
        membership_change(
            organization=org,
            transition="suspend_lapsed" if org.status == MembershipStatus.LAPSED else "suspend",
            by=None,
            reason=reason,
            until=None,
            case=case,
        )
        org.refresh_from_db()
    Compliance.objects.filter(pk=compliance.pk).update(consequence_applied_at=now)
    record_event(
        case,
        actor=None,
        **events.non_compliance_consequence_applied(
            sanction=sanction.pk,
            consequence=NonComplianceConsequence.SUSPEND.value,
            status=org.status,
        ),
    )
