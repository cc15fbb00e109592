"""Intake: a complaint docketed as a case, amendments, fact-finding evidence, what is
disclosed to the respondent, late filing and the case officer."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events
from cases.access import authorize, require_reason, require_staff
from cases.models import (
    Allegation,
    Amendment,
    Case,
    CaseNumberSequence,
    Complainant,
    Evidence,
    LetterKind,
    Principle,
    Procedure,
    ReceivedVia,
)
from cases.rendering import complainant_recipient
from cases.services.complainant_access import access_code_issue
from cases.services.evidence import EvidenceInput, store_evidence
from cases.services.grants import grant_staff
from cases.services.letters import issue
from cases.services.record import lock_case, record_event
from cases.services.summary import keys_of, moved
from cases.workflow import CaseState
from members.models import Organization
from members.roles import roles_of


@dataclass(frozen=True)
class AllegationInput:
    principle: Principle
    conduct: str
    conduct_from: datetime.date
    conduct_to: datetime.date


@dataclass(frozen=True)
class ComplainantInput:
    kind: str
    name: str
    organization_name: str = ""
    member_organization: Organization | None = None
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    consents_to_disclosure: bool = False
    language: str = ""  # for letters and emails; "": the association's (LANGUAGE_CODE)


def _next_case_number(on: datetime.date) -> str:
    seq, _created = CaseNumberSequence.objects.select_for_update().get_or_create(year=on.year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{on.year}-{seq.last:04d}"


def _validate_allegation(a: AllegationInput, i: int) -> None:
    if not a.conduct.strip():
        raise ValidationError(_("Allegation %(n)s: describe the conduct.") % {"n": i})
    if a.conduct_to < a.conduct_from:
        raise ValidationError(
            _("Allegation %(n)s: the conduct period ends before it starts.") % {"n": i}
        )
    if a.conduct_from > timezone.localdate():
        raise ValidationError(
            _("Allegation %(n)s: the conduct period cannot start in the future.") % {"n": i}
        )


def _add_allegation(case, a: AllegationInput, *, actor, amendment=None) -> Allegation:
    allegation = Allegation.objects.create(
        case=case,
        principle=a.principle,
        conduct=a.conduct.strip(),
        conduct_from=a.conduct_from,
        conduct_to=a.conduct_to,
        amendment=amendment,
    )
    record_event(
        case,
        actor=actor,
        **events.allegation_added(
            allegation=allegation.pk,
            principle=a.principle.number,
            conduct_from=a.conduct_from,
            conduct_to=a.conduct_to,
            amendment=amendment.pk if amendment else None,
        ),
    )
    return allegation


@transaction.atomic
def complaint_file(
    *,
    by,
    respondent: Organization,
    complainant: ComplainantInput,
    summary: str,
    conduct_known_on: datetime.date,
    case_officer,
    allegations: list[AllegationInput],
    evidence: list[EvidenceInput] = (),
    late_acceptance_reason: str = "",
    received_on: datetime.date | None = None,
    received_via: str = ReceivedVia.FORM,
    received_by=None,
) -> Case:
    """Docket a complaint as a case in state `filed`, under the procedure in force today.
    `received_on` (default today) is when the association received it, which may be
    earlier than now, when it is entered; deadlines count from it."""
    require_staff(by)
    if not roles_of(case_officer).ethics_staff:
        raise ValidationError(_("The case officer must be a member of the ethics staff."))
    if not summary.strip():
        raise ValidationError(_("Give the complaint a one-line summary."))
    if not complainant.name.strip():
        raise ValidationError(_("The complainant's name is required."))
    if not allegations:
        raise ValidationError(_("A complaint needs at least one allegation."))
    if conduct_known_on > timezone.localdate():
        raise ValidationError(_("The date the conduct could be known cannot be in the future."))
    for i, a in enumerate(allegations, 1):
        _validate_allegation(a, i)
    now = timezone.now()
    received_on = received_on or timezone.localdate(now)
    if received_on > timezone.localdate(now):
        raise ValidationError(
            _("The date the complaint was received cannot be after today, the day it is entered.")
        )
    if received_via not in ReceivedVia.values:
        raise ValidationError(
            _("Unknown way of receiving a complaint “%(via)s”.") % {"via": received_via}
        )
    received_by = received_by or by
    if not roles_of(received_by).ethics_staff:
        raise ValidationError(
            _("The complaint must have been received by a member of the ethics staff.")
        )
    procedure = Procedure.in_force(timezone.localdate(now))
    complainant_row = Complainant.objects.create(**complainant.__dict__)
    case = Case.objects.create(
        number=_next_case_number(timezone.localdate(now)),
        respondent=respondent,
        complainant=complainant_row,
        procedure=procedure,
        case_officer=case_officer,
        summary=summary.strip(),
        filed_at=now,
        filed_by=by,
        received_on=received_on,
        received_via=received_via,
        received_by=received_by,
        conduct_known_on=conduct_known_on,
        late_acceptance_reason=late_acceptance_reason.strip(),
        state_changed_at=now,
    )
    case = lock_case(case)
    moved([], keys_of(case))  # counted in the dashboard's summary, with the case
    filed_event = record_event(
        case,
        actor=by,
        **events.filed(
            number=case.number,
            respondent=respondent.slug,
            procedure=procedure.version,
            case_officer=case_officer.username,
            complainant_kind=complainant.kind,
            conduct_known_on=conduct_known_on,
            late_acceptance_reason=case.late_acceptance_reason,
            to_state=CaseState.FILED,
            received_on=received_on,
            received_via=received_via,
        ),
    )
    grant_staff(case, actor=by)
    for a in allegations:
        _add_allegation(case, a, actor=by)
    for e in evidence:
        store_evidence(case, e, actor=by)
    issue(
        case,
        LetterKind.ACKNOWLEDGEMENT,
        complainant_recipient(case),
        event=filed_event,
        by=by,
    )
    # A complainant without an account gets an access code to its page (emailed with
    # the acknowledgement; shown once to staff as `case.new_access_code`).
    if complainant_row.member_organization_id is None:
        case.new_access_code = access_code_issue(case, by=by)
    return case


@transaction.atomic
def complaint_amend(
    *,
    case: Case,
    by,
    reason: str,
    allegations: list[AllegationInput] = (),
    evidence: list[EvidenceInput] = (),
) -> Amendment:
    case = lock_case(case)
    authorize(by, case, "amend")
    reason = require_reason(reason, _("Amendment"))
    if not allegations and not evidence:
        raise ValidationError(_("An amendment adds at least one allegation or piece of evidence."))
    for i, a in enumerate(allegations, 1):
        _validate_allegation(a, i)
    amendment = Amendment.objects.create(
        case=case, made_by=by, reason=reason, needs_notice=case.notice_issued_at is not None
    )
    record_event(
        case,
        actor=by,
        kind="amended",
        payload={
            "amendment": amendment.pk,
            "reason": reason,
            "needs_notice": amendment.needs_notice,
            "allegations": len(allegations),
            "evidence": len(evidence),
        },
    )
    for a in allegations:
        _add_allegation(case, a, actor=by, amendment=amendment)
    for e in evidence:
        store_evidence(case, e, actor=by, amendment=amendment)
    return amendment


@transaction.atomic
def evidence_add(*, case: Case, by, evidence: EvidenceInput) -> Evidence:
    """Add evidence outside an amendment: staff fact-finding or a public record."""
    case = lock_case(case)
    authorize(by, case, "add_evidence")
    return store_evidence(case, evidence, actor=by)


@transaction.atomic
def evidence_set_disclosure(*, evidence: Evidence, by, disclosed: bool) -> Evidence:
    case = lock_case(evidence.case)
    authorize(by, case, "set_disclosure")
    evidence = Evidence.objects.get(pk=evidence.pk)
    if evidence.disclosed_to_respondent != disclosed:
        Evidence.objects.filter(pk=evidence.pk).update(disclosed_to_respondent=disclosed)
        evidence.disclosed_to_respondent = disclosed
        record_event(
            case,
            actor=by,
            kind="evidence_disclosure_changed",
            payload={"evidence": evidence.pk, "disclosed_to_respondent": disclosed},
        )
    return evidence


@transaction.atomic
def late_filing_accept(*, case: Case, by, reason: str) -> Case:
    case = lock_case(case)
    authorize(by, case, "accept_late_filing")
    reason = require_reason(reason, _("Late acceptance"))
    Case.objects.filter(pk=case.pk).update(late_acceptance_reason=reason)
    record_event(case, actor=by, kind="late_filing_accepted", payload={"reason": reason})
    case.refresh_from_db()
    return case


@transaction.atomic
def case_officer_assign(*, case: Case, by, officer) -> Case:
    case = lock_case(case)
    authorize(by, case, "assign_officer")
    if not roles_of(officer).ethics_staff:
        raise ValidationError(_("The case officer must be a member of the ethics staff."))
    Case.objects.filter(pk=case.pk).update(case_officer=officer)
    record_event(
        case,
        actor=by,
        kind="case_officer_assigned",
        payload={"from": case.case_officer.username, "to": officer.username},
    )
    case.refresh_from_db()
    return case
