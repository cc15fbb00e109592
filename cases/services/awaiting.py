"""The case's "awaiting findings" flag (issue 15): a response received and an
allegation still without a finding. The dashboard's queue of that name (and the case
officer's weekly digest) reads the flag from a partial index, in order, and stops at
its limit; asking the responses and findings instead made PostgreSQL misjudge the join
(one row expected, thousands found) and sort every case under review: 155 ms at a
million cases (docs/decisions/0042).

The rule is one expression, `awaiting_findings()`. It is refreshed, in the same
transaction, whenever a response, an allegation or a finding is saved or deleted,
however that happens (the services, the admin, a test's factory), by the receivers
below; `awaiting_findings_rebuild()` sets it for every case at once (the migration's
backfill and seed_scale, which writes its rows in bulk, without signals).
"""

from __future__ import annotations

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cases.models import Allegation, Case, Finding, Response


def awaiting_findings(response_model=Response, allegation_model=Allegation) -> ExpressionWrapper:
    """True for a case with a response and an allegation without a finding. (The
    models: migration 0039 passes its historical ones.)"""
    return ExpressionWrapper(
        Q(
            Exists(response_model.objects.filter(case=OuterRef("pk"))),
            Exists(allegation_model.objects.filter(case=OuterRef("pk"), finding__isnull=True)),
        ),
        output_field=BooleanField(),
    )


def awaiting_findings_refresh(case_id: int) -> None:
    """Recompute the flag of one case (one UPDATE, by its primary key)."""
    Case.objects.filter(pk=case_id).update(awaiting_findings=awaiting_findings())


def awaiting_findings_rebuild(
    *, case_model=Case, response_model=Response, allegation_model=Allegation
) -> int:
    """Set the flag of every case from its responses and findings, touching only the
    cases whose flag is wrong; returns how many changed."""
    rule = awaiting_findings(response_model, allegation_model)
    cases = case_model.objects
    raised = cases.filter(rule, awaiting_findings=False).update(awaiting_findings=True)
    lowered = cases.filter(~Q(rule), awaiting_findings=True).update(awaiting_findings=False)
    return raised + lowered


@receiver(post_save, sender=Response, dispatch_uid="probity_awaiting_response_saved")
@receiver(post_delete, sender=Response, dispatch_uid="probity_awaiting_response_deleted")
@receiver(post_save, sender=Allegation, dispatch_uid="probity_awaiting_allegation_saved")
@receiver(post_delete, sender=Allegation, dispatch_uid="probity_awaiting_allegation_deleted")
def _case_changed(sender, instance, **kwargs) -> None:
    awaiting_findings_refresh(instance.case_id)


@receiver(post_save, sender=Finding, dispatch_uid="probity_awaiting_finding_saved")
@receiver(post_delete, sender=Finding, dispatch_uid="probity_awaiting_finding_deleted")
def _finding_changed(sender, instance, **kwargs) -> None:
    # The allegation is still there when its finding goes (a delete removes the
    # finding first); once the allegation goes, its own receiver refreshes the case.
    if Finding.allegation.is_cached(instance):
        case_id = instance.allegation.case_id
    else:
        case_id = (
            Allegation.objects.filter(pk=instance.allegation_id)
            .values_list("case_id", flat=True)
            .first()
        )
    if case_id is not None:
        awaiting_findings_refresh(case_id)
