"""Issuing letters: render (cases.rendering), hash and store once, grant who may
download, record, and hand the emailing to the task queue after the transaction
commits (docs/decisions/0015). A correction is a new version that supersedes the old
one; both remain.

The letter is issued in the step, under the case lock: its file, its SHA-256 and its
`letter_issued` event are written once, in the step's transaction, so the record stays
verifiable and a retry can never issue it twice. Only the delivery is a task: it sends
to the addresses not yet served, retries a temporary failure (SMTP 4xx, a server that is
down) with the delays of PROBITY_DELIVERY_RETRY_DELAYS, and stops at once on a
permanent one (SMTP 5xx), leaving the failure and the manual retry to staff."""

from __future__ import annotations

import datetime
import hashlib
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django_tasks import task

from cases import rendering, signing
from cases.access import authorize, require_reason
from cases.models import (
    Addressee,
    Case,
    CaseEvent,
    Delivery,
    Dispatch,
    DispatchStatus,
    Letter,
    LetterKind,
)
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
    pdf, signed_by = signing.sign(rendering.render_pdf(html, rendering.letterhead()))
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
        signed_by=signed_by,
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
            **({"signed_by": signed_by} if signed_by else {}),
        },
    )
    if recipient.emails:
        Dispatch.objects.create(letter=letter, status=DispatchStatus.QUEUED)
        transaction.on_commit(lambda: enqueue_delivery(letter.pk))
    else:
        Dispatch.objects.create(letter=letter, status=DispatchStatus.NOT_EMAILED)
    return letter


def issue_outcome_notice(case: Case, *, event: CaseEvent, by) -> Letter:
    """The complainant's letter after the board's decision or the appeal's: the outcome
    where the procedure allows it, otherwise only that the complaint was decided."""
    return issue(
        case, LetterKind.OUTCOME_NOTICE, rendering.complainant_recipient(case), event=event, by=by
    )


def letter_summary(letter: Letter) -> str:
    """What the letter is and the deadline it sets, in one line, for the email."""
    case = letter.case
    label = letter.get_kind_display()
    due = None
    if letter.kind == LetterKind.NOTICE_OF_COMPLAINT and case.response_due_on:
        due = f"respond by {formats.date_format(case.response_due_on, 'j F Y')}"
    elif (
        letter.kind in (LetterKind.DECISION, LetterKind.NO_VIOLATION)
        and letter.addressee == Addressee.RESPONDENT
        and case.appeal_deadline
    ):
        due = f"any appeal by {formats.date_format(case.appeal_deadline, 'j F Y')}"
    return f"{label} in case {case.number}: {due}" if due else f"{label} in case {case.number}"


def _message(letter: Letter, address: str) -> EmailMessage:
    summary = letter_summary(letter)
    deadline = (
        "The deadline above is the one the letter sets; the letter itself is authoritative."
        if ":" in summary
        else "This letter sets you no deadline."
    )
    message = EmailMessage(
        subject=f"{letter.get_kind_display()}: case {letter.case.number}",
        body=(
            f"{summary}.\n\n"
            f"{deadline}\n\n"
            f"The {letter.get_kind_display().lower()} for {letter.recipient_name} is attached "
            f"as a PDF ({letter.download_name}).\n\n"
            f"SHA-256 of the attached PDF: {letter.sha256}\n"
            f"{settings.PROBITY_ASSOCIATION_NAME}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    with letter.file.open("rb") as f:
        message.attach(letter.download_name, f.read(), "application/pdf")
    return message


def is_permanent(exc: BaseException) -> bool:
    """An SMTP 5xx answer is final: retrying would only repeat it. Anything else (4xx,
    a refused connection, a timeout) may pass, so it is retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def deliver(letter_id: int, *, by, only_failed: bool = False) -> list[Delivery]:
    """Email the letter, PDF attached, to each recipient address; record every attempt.
    A failure is recorded and shown to staff, never raised into the workflow; each
    failed attempt carries `.permanent` (an SMTP 5xx) for the retry policy."""
    letter = Letter.objects.select_related("case").get(pk=letter_id)
    emails = letter.recipient_emails
    if only_failed:
        served = set(letter.deliveries.filter(succeeded=True).values_list("recipient", flat=True))
        emails = [e for e in emails if e not in served]
    attempts = []
    for address in emails:
        message = _message(letter, address)
        try:
            message.send()
        except Exception as exc:  # any transport error: record it, retry later
            log.warning("Delivery of letter %s to %s failed: %s", letter.pk, address, exc)
            attempt = Delivery.objects.create(
                letter=letter,
                recipient=address,
                succeeded=False,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                attempted_by=by,
            )
            attempt.permanent = is_permanent(exc)
        else:
            attempt = Delivery.objects.create(
                letter=letter, recipient=address, succeeded=True, attempted_by=by
            )
            attempt.permanent = False
        attempts.append(attempt)
    return attempts


# The queue (django-tasks; docs/decisions/0015) ----------------------------------------


def retry_delays() -> list[int]:
    """Seconds to wait before each automatic retry; their number is the retry count."""
    return [int(d) for d in settings.PROBITY_DELIVERY_RETRY_DELAYS]


def enqueue_delivery(letter_id: int, *, delay: int = 0) -> None:
    """Put the letter's delivery on the queue, after `delay` seconds where the backend
    can defer (the database backend); the immediate backend of the tests runs it now."""
    job = deliver_letter
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    job.enqueue(letter_id)


@task()
def deliver_letter(letter_id: int) -> str:
    """The queue's task: one delivery attempt of one letter."""
    return attempt_delivery(letter_id)


def attempt_delivery(letter_id: int, *, worker: str = "") -> str:
    """Claim the letter's dispatch, send to the addresses not yet served, then record
    sent, a retry after the next delay, or failed. Idempotent: a duplicate task, or one
    that comes after the letter was sent, does nothing; a worker killed mid-send leaves
    an expired lease that `sweep_stalled` hands back to the queue, and the next attempt
    sends only to the addresses with no successful delivery."""
    now = timezone.now()
    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().get(letter_id=letter_id)
        if dispatch.status in (
            DispatchStatus.SENT,
            DispatchStatus.FAILED,
            DispatchStatus.NOT_EMAILED,
        ):
            return dispatch.status
        if dispatch.status == DispatchStatus.SENDING and (
            dispatch.lease_until and dispatch.lease_until > now
        ):
            return "held"  # another worker is sending it
        if (
            dispatch.status == DispatchStatus.RETRYING
            and dispatch.next_attempt_at
            and dispatch.next_attempt_at > now
            and settings.PROBITY_DELIVERY_RETRY_DELAYS
            and deliver_letter.get_backend().supports_defer
        ):
            return "early"  # a duplicate: the retry is queued for later
        dispatch.status = DispatchStatus.SENDING
        dispatch.attempts += 1
        dispatch.lease_until = now + datetime.timedelta(
            seconds=settings.PROBITY_DELIVERY_LEASE_SECONDS
        )
        dispatch.claimed_by = worker[:64]
        dispatch.save()

    attempts = deliver(letter_id, by=None, only_failed=True)
    failed = [a for a in attempts if not a.succeeded]
    delays = retry_delays()
    retry_in = None
    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().get(letter_id=letter_id)
        dispatch.lease_until = None
        dispatch.next_attempt_at = None
        if not failed:
            dispatch.status, dispatch.last_error = DispatchStatus.SENT, ""
        else:
            dispatch.last_error = failed[0].error
            retries_done = dispatch.attempts - 1
            if any(a.permanent for a in failed) or retries_done >= len(delays):
                dispatch.status = DispatchStatus.FAILED
            else:
                retry_in = delays[retries_done]
                dispatch.status = DispatchStatus.RETRYING
                dispatch.next_attempt_at = timezone.now() + datetime.timedelta(seconds=retry_in)
        dispatch.save()
    if retry_in is not None:
        log.info("Letter %s: delivery retry %s in %ss", letter_id, dispatch.attempts, retry_in)
        enqueue_delivery(letter_id, delay=retry_in)
    return dispatch.status


def sweep_stalled() -> int:
    """Hand back to the queue the deliveries whose worker died: a dispatch still
    `sending` after its lease, or `queued`/`retrying` and overdue with no task left
    (a lost enqueue). Safe to run from every worker: the attempt itself is idempotent."""
    now = timezone.now()
    grace = now - datetime.timedelta(seconds=settings.PROBITY_DELIVERY_LEASE_SECONDS)
    stalled = list(
        Dispatch.objects.filter(status=DispatchStatus.SENDING, lease_until__lt=now).values_list(
            "letter_id", flat=True
        )
    ) + list(
        Dispatch.objects.filter(
            status__in=(DispatchStatus.QUEUED, DispatchStatus.RETRYING), updated_at__lt=grace
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now))
        .values_list("letter_id", flat=True)
    )
    for letter_id in stalled:
        log.warning("Letter %s: its delivery stalled; queued again", letter_id)
        Dispatch.objects.filter(letter_id=letter_id).update(updated_at=now)
        enqueue_delivery(letter_id)
    return len(stalled)


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
    """Staff retry the deliveries of a letter that failed; sent ones are not repeated.
    The retry runs now, in the request (one letter, a person waiting for the answer);
    a letter the queue is still working on is left to it."""
    authorize(by, letter.case, "retry_delivery")
    with transaction.atomic():
        dispatch, _ = Dispatch.objects.select_for_update().get_or_create(
            letter=letter, defaults={"status": DispatchStatus.FAILED}
        )
        busy = dispatch.status == DispatchStatus.QUEUED or (
            dispatch.status == DispatchStatus.SENDING
            and dispatch.lease_until
            and dispatch.lease_until > timezone.now()
        )
        if busy:
            return []  # the worker is on it; the page shows it as being sent
        dispatch.status = DispatchStatus.SENDING
        dispatch.lease_until = timezone.now() + datetime.timedelta(
            seconds=settings.PROBITY_DELIVERY_LEASE_SECONDS
        )
        dispatch.save()
    attempts = deliver(letter.pk, by=by, only_failed=True)
    failed = [a for a in attempts if not a.succeeded]
    Dispatch.objects.filter(pk=dispatch.pk).update(
        status=DispatchStatus.FAILED if failed else DispatchStatus.SENT,
        attempts=dispatch.attempts + (1 if attempts else 0),
        last_error=failed[0].error if failed else "",
        lease_until=None,
        updated_at=timezone.now(),
    )
    return attempts
