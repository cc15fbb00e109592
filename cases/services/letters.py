"""Issuing letters: render (cases.rendering), hash and store once, grant who may
download, record, and deliver by email after the transaction commits. A correction
is a new version that supersedes the old one; both remain."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction

from cases import rendering
from cases.access import authorize, require_reason
from cases.models import Addressee, Case, CaseEvent, Delivery, Letter, LetterKind
from cases.services.grants import grant_letter
from cases.services.record import lock_case, record_event

log = logging.getLogger("probity.letters")


def issue(
    case: Case,
    kind: str,
    recipient: rendering.Recipient,
    *,
    event: CaseEvent,
    by,
    supersedes: Letter | None = None,
    reason: str = "",
) -> Letter:
    """Render, hash and store one letter; the caller holds the case lock."""
    html = rendering.render_html(case, kind, recipient, supersedes=supersedes, reason=reason)
    pdf = rendering.render_pdf(html, rendering.letterhead())
    digest = hashlib.sha256(pdf).hexdigest()
    version = (supersedes.version + 1) if supersedes else 1
    letter = Letter(
        case=case,
        kind=kind,
        addressee=recipient.addressee,
        recipient_name=recipient.name,
        recipient_emails=recipient.emails,
        version=version,
        supersedes=supersedes,
        correction_reason=reason,
        event=event,
        sha256=digest,
        size=len(pdf),
        issued_by=by,
    )
    letter.file.save(f"{kind}-v{version}-{digest[:12]}.pdf", ContentFile(pdf), save=False)
    letter.save()
    grant_letter(letter)
    record_event(
        case,
        actor=by,
        kind="letter_issued",
        payload={
            "letter": letter.pk,
            "kind": kind,
            "addressee": recipient.addressee,
            "version": version,
            "sha256": digest,
            "supersedes": supersedes.pk if supersedes else None,
        },
    )
    transaction.on_commit(lambda: deliver(letter.pk, by=None))
    return letter


def issue_outcome_notice(case: Case, *, event: CaseEvent, by) -> Letter:
    """The complainant's letter after the board's decision or the appeal's: the outcome
    where the procedure allows it, otherwise only that the complaint was decided."""
    return issue(
        case, LetterKind.OUTCOME_NOTICE, rendering.complainant_recipient(case), event=event, by=by
    )


def deliver(letter_id: int, *, by, only_failed: bool = False) -> list[Delivery]:
    """Email the letter, PDF attached, to each recipient address; record every attempt.
    A failure is recorded and shown to staff, never raised into the workflow."""
    letter = Letter.objects.select_related("case").get(pk=letter_id)
    emails = letter.recipient_emails
    if only_failed:
        last = {}
        for d in letter.deliveries.order_by("attempted_at", "pk"):
            last[d.recipient] = d.succeeded
        emails = [e for e in emails if not last.get(e, False)]
    attempts = []
    for address in emails:
        message = EmailMessage(
            subject=f"{letter.get_kind_display()}: case {letter.case.number}",
            body=(
                f"Please find attached the {letter.get_kind_display().lower()} in case "
                f"{letter.case.number}.\n\nSHA-256 of the attached PDF: {letter.sha256}\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        with letter.file.open("rb") as f:
            message.attach(letter.download_name, f.read(), "application/pdf")
        try:
            message.send()
        except Exception as exc:  # any transport error: record it, retry later
            log.warning("Delivery of letter %s to %s failed: %s", letter.pk, address, exc)
            attempts.append(
                Delivery.objects.create(
                    letter=letter,
                    recipient=address,
                    succeeded=False,
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                    attempted_by=by,
                )
            )
        else:
            attempts.append(
                Delivery.objects.create(
                    letter=letter, recipient=address, succeeded=True, attempted_by=by
                )
            )
    return attempts


@transaction.atomic
def correct(*, letter: Letter, by, reason: str) -> Letter:
    """Issue a corrected version that supersedes this letter; both remain on record."""
    case = lock_case(letter.case)
    authorize(by, case, "correct_letter")
    reason = require_reason(reason, "Correcting a letter")
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if Letter.objects.filter(supersedes=letter).exists():
        raise ValidationError("This letter was already superseded: correct its latest version.")
    recipient = (
        rendering.respondent_recipient(case)
        if letter.addressee == Addressee.RESPONDENT
        else rendering.complainant_recipient(case)
    )
    event = record_event(
        case, actor=by, kind="letter_correction", payload={"letter": letter.pk, "reason": reason}
    )
    return issue(case, letter.kind, recipient, event=event, by=by, supersedes=letter, reason=reason)


def redeliver(*, letter: Letter, by) -> list[Delivery]:
    """Staff retry the deliveries of a letter that failed; sent ones are not repeated."""
    authorize(by, letter.case, "retry_delivery")
    return deliver(letter.pk, by=by, only_failed=True)
