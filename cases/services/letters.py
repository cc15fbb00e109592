"""Issuing letters (docs/decisions/0015, 0027). The step orders a letter: under the
case lock it renders the letter's HTML (what is true at the step, in the recipient's
language) and writes a LetterOrder, and enqueues `prepare_letter` in the same
transaction (the database backend's task row commits with the step, or not at all).
The task renders the PDF, signs, hashes and stores it, creates the append-only Letter,
records `letter_issued`, grants who may download it and hands the emailing to the
delivery task. The order's one-to-one `letter` makes it idempotent: a duplicate task, a
retry or a sweep after a killed worker never issues a letter twice.

A correction is a new version that supersedes the old one; both remain.

Delivery is a task too: it sends to the addresses not yet served, retries a temporary
failure (SMTP 4xx, a server that is down) with the delays of
PROBITY_DELIVERY_RETRY_DELAYS, and stops at once on a permanent one (SMTP 5xx), leaving
the failure and the manual retry to staff. A failed preparation retries with
PROBITY_LETTER_RETRY_DELAYS, then waits for staff's retry."""

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
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from cases import rendering, signing
from cases.access import authorize, require_reason
from cases.models import (
    WITHHELD_FROM_DECIDERS,
    Addressee,
    Case,
    CaseEvent,
    Delivery,
    Dispatch,
    DispatchStatus,
    Letter,
    LetterKind,
    LetterOrder,
    LetterOrderStatus,
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
) -> LetterOrder:
    """Order one letter in the step; the caller holds the case lock. The HTML is
    rendered now (the letter says what was true at the step); the PDF, the costly
    part, is the task's (`prepare_letter`, enqueued in this transaction)."""
    language = rendering.letter_language(recipient.language)
    # The letters of one step share one event: their case-wide context is read once.
    shared = event.__dict__.setdefault("_letter_context", {})
    with translation.override(language):
        html = rendering.render_html(
            case, kind, recipient, supersedes=supersedes, reason=reason, shared=shared
        )
    order = LetterOrder.objects.create(
        case=case,
        kind=kind,
        addressee=recipient.addressee,
        recipient_name=recipient.name,
        recipient_emails=recipient.emails,
        language=language,
        event=event,
        supersedes=supersedes,
        correction_reason=reason,
        ordered_by=by,
        html=html,
    )
    enqueue_preparation(order.pk)
    return order


def issue_outcome_notice(case: Case, *, event: CaseEvent, by) -> LetterOrder:
    """The complainant's letter after the board's decision or the appeal's: the outcome
    where the procedure allows it, otherwise only that the complaint was decided."""
    return issue(
        case, LetterKind.OUTCOME_NOTICE, rendering.complainant_recipient(case), event=event, by=by
    )


# Preparing an ordered letter (the task) -------------------------------------------------


def letter_retry_delays() -> list[int]:
    """Seconds to wait before each automatic retry of a failed preparation."""
    return [int(d) for d in settings.PROBITY_LETTER_RETRY_DELAYS]


def _enqueue(job, pk: int, delay: int) -> None:
    """Put `job(pk)` on the queue, after `delay` seconds where the backend can defer
    (the database backend); the immediate backend of the tests runs it now."""
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    job.enqueue(pk)


def enqueue_preparation(order_id: int, *, delay: int = 0) -> None:
    """Put the order's preparation on the queue (in the step, for a new order)."""
    _enqueue(prepare_letter, order_id, delay)


@task()
def prepare_letter(order_id: int) -> str:
    """The queue's task: prepare and issue one ordered letter."""
    return attempt_preparation(order_id)


def attempt_preparation(order_id: int, *, worker: str = "") -> str:
    """Claim the order (a lease), render the PDF from the order's HTML, sign and hash it
    outside any lock (the costly part: two workers render side by side, and a step on
    the case is not kept waiting), then issue it in one short transaction under the
    case lock. Returns the order's status, or "held"/"early" for a duplicate task."""
    now = timezone.now()
    with transaction.atomic():
        order = LetterOrder.objects.select_for_update().get(pk=order_id)
        if order.letter_id is not None or order.status in (
            LetterOrderStatus.ISSUED,
            LetterOrderStatus.FAILED,
        ):
            return order.status
        leave = order.busy_or_early(
            now,
            busy=LetterOrderStatus.PREPARING,
            retrying=LetterOrderStatus.RETRYING,
            defers=prepare_letter.get_backend().supports_defer,
        )
        if leave:
            return leave  # another worker is preparing it, or this is a retry's duplicate
        order.claim(
            now,
            busy=LetterOrderStatus.PREPARING,
            lease_seconds=settings.PROBITY_LETTER_LEASE_SECONDS,
            worker=worker,
        )
        order.save()
    letter = None
    try:
        letter = _render_and_store(order)
        return _issue_prepared(order_id, letter)
    except Exception as exc:  # a render, a signature, the storage: recorded, retried
        log.warning("Letter order %s: preparation failed: %s", order_id, exc, exc_info=True)
        if letter is not None and letter.file.name:
            letter.file.storage.delete(letter.file.name)  # never issued: no orphan file
        return _preparation_failed(order_id, exc)


def _render_and_store(order: LetterOrder) -> Letter:
    """The letter's PDF, signed, hashed and stored, as an unsaved Letter."""
    with translation.override(order.language):
        pdf, signed_by = signing.sign(rendering.render_pdf(order.html, rendering.letterhead()))
    digest = hashlib.sha256(pdf).hexdigest()
    supersedes = order.supersedes
    version = (supersedes.version + 1) if supersedes else 1
    letter = Letter(
        case=order.case,
        kind=order.kind,
        addressee=order.addressee,
        recipient_name=order.recipient_name,
        recipient_emails=order.recipient_emails,
        version=version,
        supersedes=supersedes,
        correction_reason=order.correction_reason,
        event=order.event,
        sha256=digest,
        size=len(pdf),
        signed_by=signed_by,
        issued_by=order.ordered_by,
    )
    letter.file.save(f"{order.kind}-v{version}-{digest[:12]}.pdf", ContentFile(pdf), save=False)
    return letter


def _issue_prepared(order_id: int, letter: Letter) -> str:
    """Issue the prepared letter once: the Letter, its permissions, `letter_issued`, its
    dispatch, all in one transaction with the order marked issued."""
    with transaction.atomic():
        case = lock_case(letter.case)
        order = LetterOrder.objects.select_for_update().get(pk=order_id)
        if order.letter_id is not None:  # issued meanwhile by a duplicate that won
            letter.file.storage.delete(letter.file.name)
            return order.status
        letter.issued_at = timezone.now()
        letter.save()
        grant_letter(letter)
        record_event(
            case,
            actor=order.ordered_by,
            kind="letter_issued",
            payload={
                "letter": letter.pk,
                "kind": letter.kind,
                "addressee": letter.addressee,
                "version": letter.version,
                "sha256": letter.sha256,
                "supersedes": letter.supersedes_id,
                **({"signed_by": letter.signed_by} if letter.signed_by else {}),
            },
        )
        if letter.recipient_emails:
            Dispatch.objects.create(letter=letter, status=DispatchStatus.QUEUED)
            letter_id = letter.pk
            transaction.on_commit(lambda: enqueue_delivery(letter_id))
        else:
            Dispatch.objects.create(letter=letter, status=DispatchStatus.NOT_EMAILED)
        order.letter = letter
        order.status = LetterOrderStatus.ISSUED
        order.lease_until = None
        order.last_error = ""
        # The letter is the record now: no second copy of its text (personal data that
        # retention purges from the letter) is kept in the order.
        order.html = ""
        order.save()
    return order.status


def _preparation_failed(order_id: int, exc: BaseException) -> str:
    """Record the failure; retry after the next delay, or stop and wait for staff."""
    with transaction.atomic():
        order = LetterOrder.objects.select_for_update().get(pk=order_id)
        if order.letter_id is not None:
            return order.status
        retry_in = order.retry_or_fail(
            f"{type(exc).__name__}: {exc}",
            letter_retry_delays(),
            retrying=LetterOrderStatus.RETRYING,
            failed=LetterOrderStatus.FAILED,
        )
        order.save()
        if retry_in is not None:  # in the transaction: the retry's task row commits with it
            enqueue_preparation(order_id, delay=retry_in)
    # The immediate backend (tests) has run the retry already: the status as it is now.
    return LetterOrder.objects.values_list("status", flat=True).get(pk=order_id)


def retry_preparation(*, order: LetterOrder, by) -> LetterOrder:
    """Staff retry a letter whose preparation failed: the automatic retries start
    over (the table's `retry_letter`: staff, while a preparation has failed)."""
    authorize(by, order.case, "retry_letter")
    with transaction.atomic():
        order = LetterOrder.objects.select_for_update().get(pk=order.pk)
        if order.status != LetterOrderStatus.FAILED:
            raise ValidationError(_("This letter is not waiting for a retry."))
        order.status = LetterOrderStatus.PREPARING
        order.attempts = 0
        order.next_attempt_at = None
        order.save()
        enqueue_preparation(order.pk)
    order.refresh_from_db()
    return order


def sweep_stalled_orders() -> int:
    """Hand back to the queue the orders whose worker died mid-preparation (still
    `preparing` after their lease). The lease is cleared in the same update, so the
    next sweep does not queue it again while the task waits for a worker."""
    now = timezone.now()
    stalled = list(
        LetterOrder.objects.filter(
            status=LetterOrderStatus.PREPARING, letter__isnull=True, lease_until__lt=now
        ).values_list("pk", flat=True)
    )
    swept = 0
    for order_id in stalled:
        with transaction.atomic():
            taken = LetterOrder.objects.filter(
                pk=order_id, status=LetterOrderStatus.PREPARING, lease_until__lt=now
            ).update(lease_until=None, claimed_by="", updated_at=now)
            if taken:
                log.warning("Letter order %s: its preparation stalled; queued again", order_id)
                enqueue_preparation(order_id)
                swept += 1
    return swept


def pending_orders(case: Case, *, addressee: str | None = None) -> list[LetterOrder]:
    """The case's letters not issued yet, for the pages: "being prepared" (and, for
    staff, "failed"). A party sees only those addressed to it; the deciders
    ("deciders") never the letters withheld from them (a consent offer)."""
    # .all(): the case page may have prefetched the orders (no query of its own then).
    orders = [o for o in case.letter_orders.all() if o.letter_id is None]
    if addressee == "deciders":
        return [o for o in orders if o.kind not in WITHHELD_FROM_DECIDERS]
    if addressee:
        return [o for o in orders if o.addressee == addressee]
    return orders


def pending_for_organization_rows(organization_id: int) -> QuerySet[LetterOrder]:
    """The letters to this respondent still being prepared, oldest order first, each
    with its case, for its portal (which reads them with its other lists in one query:
    cases.selectors.portal_lists). A letter to the respondent is only ever ordered
    after the notice of complaint, when its representatives have access to the case."""
    return (
        LetterOrder.objects.filter(
            case__respondent_id=organization_id,
            addressee=Addressee.RESPONDENT,
            letter__isnull=True,
        )
        .select_related("case")
        .order_by("pk")
    )


def letter_deadline(letter: Letter) -> str:
    """The deadline the letter sets its addressee, in the words the pages use
    (cases.selectors.respondent_deadline), or "" for a letter that sets none; in the
    active language."""
    case = letter.case
    if letter.kind == LetterKind.NOTICE_OF_COMPLAINT and case.response_due_on:
        return _("Your response is due by %(day)s") % {
            "day": formats.date_format(case.response_due_on, "DATE_FORMAT")
        }
    if (
        letter.kind in (LetterKind.DECISION, LetterKind.NO_VIOLATION)
        and letter.addressee == Addressee.RESPONDENT
        and case.appeal_deadline
    ):
        return _("Any appeal must be filed by %(day)s") % {
            "day": formats.date_format(case.appeal_deadline, "DATE_FORMAT")
        }
    if letter.kind == LetterKind.NOTICE_OF_HEARING:
        hearing = case.hearings.filter(postponed_at__isnull=True).order_by("-pk").first()
        if hearing is not None:
            day = formats.date_format(hearing.local_start.date(), "DATE_FORMAT")
            return _("The hearing is on %(day)s") % {"day": day}
    return ""


def language_of(letter: Letter) -> str:
    """The language the letter was written in (its order's); letters issued before
    orders existed were written in the association's own."""
    order = LetterOrder.objects.filter(letter=letter).only("language").first()
    return rendering.letter_language(order.language if order else "")


def _message(letter: Letter, address: str) -> EmailMessage:
    """The letter's email, in the letter's language."""
    with translation.override(language_of(letter)):
        due = letter_deadline(letter)
        deadline = (
            _(
                "%(deadline)s. That is the deadline this letter sets; the letter itself is authoritative."
            )
            % {"deadline": due}
            if due
            else _("This letter sets you no deadline.")
        )
        kind = str(letter.get_kind_display())
        subject = _("%(kind)s: case %(number)s") % {"kind": kind, "number": letter.case.number}
        body = (
            _("%(kind)s in case %(number)s.") % {"kind": kind, "number": letter.case.number}
            + "\n\n"
            + deadline
            + "\n\n"
            + _("The %(kind)s for %(name)s is attached as a PDF (%(file)s).")
            % {"kind": kind.lower(), "name": letter.recipient_name, "file": letter.download_name}
            + "\n\n"
            + _("SHA-256 of the attached PDF: %(sha256)s") % {"sha256": letter.sha256}
            + "\n"
            + f"{settings.PROBITY_ASSOCIATION_NAME}\n"
        )
    message = EmailMessage(
        subject=subject,
        body=body,
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
        codes = [code for code, _message_text in exc.recipients.values()]
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
    """Put the letter's delivery on the queue."""
    _enqueue(deliver_letter, letter_id, delay)


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
        leave = dispatch.busy_or_early(
            now,
            busy=DispatchStatus.SENDING,
            retrying=DispatchStatus.RETRYING,
            defers=bool(retry_delays()) and deliver_letter.get_backend().supports_defer,
        )
        if leave:
            return leave  # another worker is sending it, or this is a retry's duplicate
        dispatch.claim(
            now,
            busy=DispatchStatus.SENDING,
            lease_seconds=settings.PROBITY_DELIVERY_LEASE_SECONDS,
            worker=worker,
        )
        dispatch.save()

    attempts = deliver(letter_id, by=None, only_failed=True)
    failed = [a for a in attempts if not a.succeeded]
    retry_in = None
    with transaction.atomic():
        dispatch = Dispatch.objects.select_for_update().get(letter_id=letter_id)
        if not failed:
            dispatch.lease_until = None
            dispatch.status, dispatch.last_error = DispatchStatus.SENT, ""
        else:
            retry_in = dispatch.retry_or_fail(
                failed[0].error,
                retry_delays(),
                retrying=DispatchStatus.RETRYING,
                failed=DispatchStatus.FAILED,
                give_up=any(a.permanent for a in failed),
            )
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
def correct(*, letter: Letter, by, reason: str) -> LetterOrder:
    """Issue a corrected version that supersedes this letter; both remain on record."""
    case = lock_case(letter.case)
    authorize(by, case, "correct_letter")
    reason = require_reason(reason, _("Correcting a letter"))
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if Letter.objects.filter(supersedes=letter).exists():
        raise ValidationError(_("This letter was already superseded: correct its latest version."))
    if LetterOrder.objects.filter(supersedes=letter).exists():
        raise ValidationError(_("A corrected version of this letter is already being prepared."))
    recipient = (
        rendering.respondent_recipient(case)
        if letter.addressee == Addressee.RESPONDENT
        else rendering.complainant_recipient(case)
    )
    event = record_event(
        case, actor=by, kind="letter_correction", payload={"letter": letter.pk, "reason": reason}
    )
    order = issue(
        case, letter.kind, recipient, event=event, by=by, supersedes=letter, reason=reason
    )
    order.refresh_from_db()  # the immediate backend (tests) has issued it already
    return order


def redeliver(*, letter: Letter, by) -> list[Delivery]:
    """Staff retry the deliveries of a letter that failed; sent ones are not repeated.
    The retry runs now, in the request (one letter, a person waiting for the answer);
    a letter the queue is still working on is left to it."""
    authorize(by, letter.case, "retry_delivery")
    with transaction.atomic():
        dispatch, _created = Dispatch.objects.select_for_update().get_or_create(
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
