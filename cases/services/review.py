"""The review stage: the amended notice, the respondent's response, the response
window, findings and the review report."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases import events, notifications
from cases.access import authorize, require_reason
from cases.models import Allegation, Amendment, Case, EvidenceSource, Finding, LetterKind, Response
from cases.rendering import respondent_recipient
from cases.services.evidence import EvidenceInput, store_evidence
from cases.services.letters import issue
from cases.services.record import lock_case, record_event


@transaction.atomic
def amended_notice_issue(*, case: Case, by) -> Case:
    """Notify the respondent of amendments made after the first notice; the response
    window runs again from today so the new matter can be answered."""
    case = lock_case(case)
    authorize(by, case, "issue_amended_notice")
    pending = list(case.amendments.filter(needs_notice=True, noticed_at__isnull=True))
    now = timezone.now()
    Amendment.objects.filter(pk__in=[a.pk for a in pending]).update(noticed_at=now)
    new_due = max(
        case.response_due_on,
        timezone.localdate(now) + datetime.timedelta(days=case.procedure.response_window_days),
    )
    Case.objects.filter(pk=case.pk).update(response_due_on=new_due)
    event = record_event(
        case,
        actor=by,
        kind="amended_notice_issued",
        payload={"amendments": [a.pk for a in pending], "response_due_on": new_due.isoformat()},
    )
    case.refresh_from_db()
    issue(case, LetterKind.NOTICE_OF_COMPLAINT, respondent_recipient(case), event=event, by=by)
    return case


@transaction.atomic
def response_submit(*, case: Case, by, text: str, attachments: list = ()) -> Response:
    """The respondent's written answer, with attachments, before the response deadline."""
    case = lock_case(case)
    authorize(by, case, "respond")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write your response before sending it."))
    response = Response.objects.create(case=case, submitted_by=by, text=text)
    record_event(
        case,
        actor=by,
        **events.response_submitted(
            response=response.pk, attachments=len(attachments), characters=len(text)
        ),
    )
    for f in attachments:
        store_evidence(
            case,
            EvidenceInput(
                file=f,
                title=f"Response attachment: {f.name}",
                source=EvidenceSource.RESPONDENT,
                disclosed_to_respondent=True,
            ),
            actor=by,
            response=response,
        )
    notifications.after_commit(notifications.response_received, case.pk)
    return response


@transaction.atomic
def response_window_reopen(*, case: Case, by, reason: str, until: datetime.date) -> Case:
    case = lock_case(case)
    authorize(by, case, "reopen_response_window")
    reason = require_reason(reason, _("Reopening the response window"))
    earliest = max(timezone.localdate(), case.response_due_on or timezone.localdate())
    if until <= earliest:
        raise ValidationError(
            _("The new response deadline must be after today.")
            if earliest == timezone.localdate()
            else _(
                "The new response deadline must be after %(day)s: reopening may "
                "extend the window, never shorten it."
            )
            % {"day": formats.date_format(earliest, "DATE_FORMAT")}
        )
    previous = case.response_due_on
    Case.objects.filter(pk=case.pk).update(response_due_on=until)
    record_event(
        case,
        actor=by,
        kind="response_window_reopened",
        payload={
            "reason": reason,
            "from": previous.isoformat() if previous else None,
            "until": until.isoformat(),
        },
    )
    notifications.after_commit(notifications.response_window_reopened, case.pk)
    case.refresh_from_db()
    return case


@transaction.atomic
def finding_record(*, allegation: Allegation, by, conclusion: str, reasoning: str) -> Finding:
    case = lock_case(allegation.case)
    authorize(by, case, "record_finding")
    reasoning = require_reason(reasoning, _("Finding"))
    finding, created = Finding.objects.update_or_create(
        allegation=allegation,
        defaults={
            "conclusion": conclusion,
            "reasoning": reasoning,
            "recorded_by": by,
            "recorded_at": timezone.now(),
        },
    )
    finding.full_clean()
    record_event(
        case,
        actor=by,
        **events.finding_recorded(
            allegation=allegation.pk,
            conclusion=conclusion,
            reasoning=reasoning,
            revised=not created,
        ),
    )
    return finding


@transaction.atomic
def review_report_save(
    *,
    case: Case,
    by,
    text: str,
    rests_on_single_source: bool,
    aggravating: list[str] = (),
    mitigating: list[str] = (),
) -> Case:
    """The review report, with the aggravating and mitigating factors the deciders
    weigh (each a short text; blank ones are dropped)."""
    case = lock_case(case)
    authorize(by, case, "write_review_report")
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The review report cannot be empty."))
    aggravating = [f.strip() for f in aggravating if f and f.strip()]
    mitigating = [f.strip() for f in mitigating if f and f.strip()]
    Case.objects.filter(pk=case.pk).update(
        review_report=text,
        review_rests_on_single_source=rests_on_single_source,
        review_report_at=timezone.now(),
        review_aggravating=aggravating,
        review_mitigating=mitigating,
    )
    record_event(
        case,
        actor=by,
        **events.review_report_saved(
            text=text,
            rests_on_single_source=rests_on_single_source,
            aggravating=aggravating,
            mitigating=mitigating,
        ),
    )
    case.refresh_from_db()
    return case
