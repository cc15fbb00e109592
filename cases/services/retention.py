"""Retention of a closed case's personal data, and legal holds (docs/decisions/0023).

The procedure keeps each kind of personal data (the complainant's identity and contact
details, evidence files, response attachments, messages) for a number of days after
the case closed (reached a final state); empty keeps it forever. When a period ends
the deadline job removes that kind, once, and records what it removed. A legal hold
stops the clock: no purge while it is in place, and the days held are added to every
period.

The case record still verifies afterwards: events commit to a salted hash of each
personal field, whose value and salt (PersonalField) are destroyed here; a removed
file keeps its SHA-256 in the event that added it, and the purge event names it.

Messages (the complainant's messages, built separately) are covered in two ways: any
personal field an event recorded as kind "messages" is destroyed here, and a module
that keeps message rows registers a function in MESSAGE_PURGERS that blanks the case's
messages and returns how many rows it changed."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events
from cases.access import authorize, require_reason
from cases.models import (
    PURGED,
    Addressee,
    Case,
    Complainant,
    Delivery,
    Dispatch,
    Evidence,
    LegalHold,
    Letter,
    LetterKind,
    LetterOrder,
    PersonalField,
    Procedure,
    RetentionKind,
    RetentionPurge,
)
from cases.services.record import lock_case, record_event
from cases.workflow import STATES

log = logging.getLogger("probity.retention")

# The procedure field that keeps each kind, in the order the job purges them.
PERIODS = {
    RetentionKind.COMPLAINANT: "retain_complainant_days",
    RetentionKind.EVIDENCE: "retain_evidence_days",
    RetentionKind.ATTACHMENTS: "retain_attachments_days",
    RetentionKind.MESSAGES: "retain_messages_days",
}

# Functions (case) -> rows changed, run in the purge of messages, under the case lock.
MESSAGE_PURGERS: list[Callable[[Case], int]] = []

FINAL_STATES = [state for state, info in STATES.items() if info.final]


def closed_on(case: Case) -> datetime.date | None:
    if case.state not in FINAL_STATES:
        return None
    return timezone.localtime(case.state_changed_at).date()


def days_held(case: Case, since: datetime.date, today: datetime.date) -> int:
    """Days since `since` during which a legal hold was in place (a hold still in
    place counts up to today)."""
    total = 0
    for hold in case.legal_holds.all():
        start = max(timezone.localtime(hold.placed_at).date(), since)
        end = timezone.localtime(hold.released_at).date() if hold.released_at else today
        total += max((end - start).days, 0)
    return total


def due_on(case: Case, kind: str, today: datetime.date) -> datetime.date | None:
    """When this kind of the case's personal data is due to be removed: None while the
    case is open or where the procedure keeps it forever."""
    closed = closed_on(case)
    days = getattr(case.procedure, PERIODS[kind])
    if closed is None or days is None:
        return None
    return closed + datetime.timedelta(days=days + days_held(case, closed, today))


def on_hold(case: Case) -> LegalHold | None:
    return next((h for h in case.legal_holds.all() if h.released_at is None), None)


def purges_due(today: datetime.date) -> list[tuple[int, str]]:
    """(case id, kind) for each purge that may be due: closed long enough ago under its
    procedure's period. `purge` re-checks holds (which only lengthen the period)."""
    found = []
    for kind, field in PERIODS.items():
        for procedure in Procedure.objects.filter(**{f"{field}__isnull": False}):
            cutoff = today - datetime.timedelta(days=getattr(procedure, field))
            found += [
                (pk, kind)
                for pk in Case.objects.filter(
                    procedure=procedure,
                    state__in=FINAL_STATES,
                    state_changed_at__lt=timezone.make_aware(
                        datetime.datetime.combine(
                            cutoff + datetime.timedelta(days=1), datetime.time.min
                        )
                    ),
                )
                .annotate(closed_date=TruncDate("state_changed_at"))
                .exclude(_purged_since_closing(kind))
                .values_list("pk", flat=True)
            ]
    return sorted(found)


def _purged_since_closing(kind: str) -> Exists:
    """(For a query annotated with the case's `closed_date`.) This kind was purged for
    the case's latest closing: a purge falls due after the closing it follows. A
    dismissed case may be reopened and closed again; what it gathered since is purged
    in turn."""
    return Exists(
        RetentionPurge.objects.filter(
            case=OuterRef("pk"), kind=kind, due_on__gte=OuterRef("closed_date")
        )
    )


@transaction.atomic
def purge(case_id: int, kind: str, today: datetime.date) -> int:
    """Remove one kind of a closed case's personal data if its period has ended and no
    legal hold is in place; record it. 1 if it did, 0 otherwise."""
    case = lock_case(Case(pk=case_id))
    due = due_on(case, kind, today)
    if due is None or due > today:
        return 0
    hold = on_hold(case)
    if hold is not None:
        log.info("Case %s: %s kept under a legal hold: %s", case.number, kind, hold.reason)
        return 0
    if RetentionPurge.objects.filter(case=case, kind=kind, due_on__gte=closed_on(case)).exists():
        return 0
    try:
        with transaction.atomic():
            RetentionPurge.objects.create(case=case, kind=kind, due_on=due)
    except IntegrityError:
        return 0  # another run purged it first (one purge per kind and due date)
    now = timezone.now()
    fields = PersonalField.objects.filter(event__case=case, kind=kind, purged_at__isnull=True)
    removed = {"fields": fields.update(value=None, salt="", purged_at=now)}
    if kind == RetentionKind.COMPLAINANT:
        removed.update(_purge_complainant(case, now))
    elif kind in (RetentionKind.EVIDENCE, RetentionKind.ATTACHMENTS):
        removed["evidence"] = _purge_evidence(case, now, attachments=kind == "attachments")
    else:
        removed["rows"] = sum(purger(case) for purger in MESSAGE_PURGERS)
    record_event(case, actor=None, **events.personal_data_purged(kind=kind, due_on=due, **removed))
    return 1


def _delete_file(field_file) -> None:
    if field_file.name:
        field_file.storage.delete(field_file.name)


def _purge_evidence(case: Case, now, *, attachments: bool) -> list[int]:
    rows = Evidence.objects.filter(
        case=case, purged_at__isnull=True, response__isnull=not attachments
    )
    purged = []
    for evidence in rows:
        _delete_file(evidence.file)
        purged.append(evidence.pk)
    Evidence.objects.filter(pk__in=purged).update(
        title=PURGED,
        description="",
        original_filename="removed",
        producer="",
        url="",
        file="",
        purged_at=now,
    )
    return purged


def _purge_complainant(case: Case, now) -> dict:
    """The complainant's row, the letters addressed to them (and, where their identity
    was disclosed, the notices that named them), and those letters' delivery rows."""
    disclosed = case.complainant_identity_disclosed
    letters = Letter.objects.filter(case=case, purged_at__isnull=True).filter(
        Q(addressee=Addressee.COMPLAINANT)
        | (Q(kind=LetterKind.NOTICE_OF_COMPLAINT) if disclosed else Q(pk__in=[]))
    )
    ids = []
    for letter in letters:
        _delete_file(letter.file)
        ids.append(letter.pk)
    # Letters are append-only (AppendOnlyQuerySet); this is the one change allowed to
    # an issued letter, through the plain manager: its file and recipient go.
    Letter._base_manager.filter(pk__in=ids).update(
        recipient_name=PURGED, recipient_emails=[], file="", purged_at=now
    )
    rows = Delivery.objects.filter(letter_id__in=ids).update(recipient="", error="")
    rows += Dispatch.objects.filter(letter_id__in=ids).update(last_error="")
    # Their orders (docs/decisions/0027) keep the recipient and the letter's HTML.
    rows += LetterOrder.objects.filter(
        Q(letter_id__in=ids)
        | Q(case=case, addressee=Addressee.COMPLAINANT)
        | (Q(case=case, kind=LetterKind.NOTICE_OF_COMPLAINT) if disclosed else Q(pk__in=[]))
    ).update(recipient_name=PURGED, recipient_emails=[], html="", last_error="")
    complainant = case.complainant
    others = complainant.cases.exclude(pk=case.pk).exclude(purges__kind=RetentionKind.COMPLAINANT)
    if not others.exists():  # one complainant may have complained in several cases
        rows += Complainant.objects.filter(pk=complainant.pk).update(
            name=PURGED, organization_name="", email="", phone="", postal_address=""
        )
    return {"letters": ids, "rows": rows}


@transaction.atomic
def legal_hold_place(*, case: Case, by, reason: str) -> LegalHold:
    case = lock_case(case)
    authorize(by, case, "place_legal_hold")
    reason = require_reason(reason, _("A legal hold"))
    hold = LegalHold.objects.create(case=case, reason=reason, placed_by=by)
    record_event(case, actor=by, **events.legal_hold_placed(hold=hold.pk, reason=reason))
    return hold


@transaction.atomic
def legal_hold_release(*, case: Case, by, reason: str) -> LegalHold:
    case = lock_case(case)
    authorize(by, case, "release_legal_hold")
    reason = require_reason(reason, _("Releasing a legal hold"))
    hold = LegalHold.objects.get(case=case, released_at__isnull=True)
    LegalHold.objects.filter(pk=hold.pk).update(
        released_at=timezone.now(), released_by=by, release_reason=reason
    )
    record_event(case, actor=by, **events.legal_hold_released(hold=hold.pk, reason=reason))
    hold.refresh_from_db()
    return hold
