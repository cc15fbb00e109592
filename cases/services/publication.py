"""Publication of final decisions (docs/decisions/0023). The case's procedure says
what is published (nothing; the sanction and the principles breached; or also the
respondent's name and the case's summary) and for how long. The deadline job
publishes a decision once it is final (the case closed after the appeal window or the
appeal decision, with a sanction still in force) and takes it down when its period
ends; staff may withhold it, with a reason, before or after. Each is a case event.

What an entry says is fixed in its row when it is published, so the public pages
read that row alone and show no more than the procedure allowed then."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import events
from cases.access import authorize, require_reason
from cases.models import Case, Publication, PublicationLevel, Sanction
from cases.rendering import breached_principles
from cases.services.record import lock_case, record_event
from cases.workflow import CaseState


def cases_to_publish():
    """Closed cases whose procedure publishes something and that have no entry yet
    (a withheld case has one: it is never published)."""
    return (
        Case.objects.filter(state=CaseState.CLOSED, publication__isnull=True)
        .exclude(procedure__publication=PublicationLevel.NOTHING)
        .filter(sanctions__rescinded_at__isnull=True)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def publications_to_take_down(today: datetime.date):
    return Publication.objects.filter(
        published_on__isnull=False,
        taken_down_at__isnull=True,
        withheld_at__isnull=True,
        ends_on__lt=today,
    ).values_list("pk", flat=True)


def _sanction_in_force(case: Case) -> Sanction | None:
    return (
        Sanction.objects.filter(case=case, rescinded_at__isnull=True)
        .order_by("-decided_at", "-pk")
        .first()
    )


@transaction.atomic
def publish(case_id: int, today: datetime.date) -> int:
    """Publish one final decision as its procedure says; 0 if there is nothing to
    publish (any more). Re-checked under the case lock, so two jobs publish once."""
    case = lock_case(Case(pk=case_id))
    level = case.procedure.publication
    sanction = _sanction_in_force(case)
    if (
        case.state != CaseState.CLOSED
        or level == PublicationLevel.NOTHING
        or sanction is None
        or Publication.objects.filter(case=case).exists()
    ):
        return 0
    allegations = case.allegations.select_related("principle", "finding").order_by("pk")
    principles = [str(entry["principle"]) for entry in breached_principles(allegations)]
    ends_on = today + datetime.timedelta(days=case.procedure.publication_period_days)
    named = level == PublicationLevel.NAME
    with translation.override("en"):  # stored and in the record: English
        sanction_label = str(sanction.get_kind_display())
    try:
        with transaction.atomic():
            Publication.objects.create(
                case=case,
                level=level,
                sanction=sanction_label,
                principles=principles,
                decided_on=timezone.localtime(sanction.decided_at).date(),
                respondent_name=case.respondent.name if named else "",
                respondent_slug=case.respondent.slug if named else "",
                summary=case.summary if named else "",
                published_on=today,
                ends_on=ends_on,
            )
    except IntegrityError:
        return 0
    record_event(
        case,
        actor=None,
        **events.decision_published(
            level=level,
            sanction=sanction_label,
            principles=principles,
            ends_on=ends_on,
        ),
    )
    return 1


@transaction.atomic
def take_down(publication_id: int, today: datetime.date) -> int:
    publication = Publication.objects.select_related("case").get(pk=publication_id)
    case = lock_case(publication.case)
    publication.refresh_from_db()
    if (
        publication.taken_down_at is not None
        or publication.withheld_at is not None
        or publication.ends_on >= today
    ):
        return 0
    Publication.objects.filter(pk=publication.pk).update(taken_down_at=timezone.now())
    record_event(
        case,
        actor=None,
        **events.publication_taken_down(
            why=f"its publication period ended on {publication.ends_on:%d %B %Y}."
        ),
    )
    return 1


@transaction.atomic
def publication_withhold(*, case: Case, by, reason: str) -> Publication:
    """Staff withhold a decision from publication: before it is published (it never
    will be) or after (it comes down at once)."""
    case = lock_case(case)
    authorize(by, case, "withhold_publication")
    reason = require_reason(reason, _("Withholding a publication"))
    publication, _created = Publication.objects.get_or_create(
        case=case, defaults={"level": case.procedure.publication}
    )
    was_published = publication.published_on is not None and publication.taken_down_at is None
    Publication.objects.filter(pk=publication.pk).update(
        withheld_at=timezone.now(), withheld_by=by, withheld_reason=reason
    )
    record_event(
        case,
        actor=by,
        **events.publication_withheld(reason=reason, was_published=was_published),
    )
    publication.refresh_from_db()
    return publication
