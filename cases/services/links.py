"""Linked cases: several complaints about the same conduct, or a counter-complaint.
A link is made by staff with a reason and is an event in both cases' records; each
case keeps its own record, letters and path."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from cases import events
from cases.access import authorize, require_reason
from cases.models import Case, CaseLink, LinkKind
from cases.services.record import lock_case, record_event


@transaction.atomic
def case_link(*, case: Case, other_number: str, kind: str, reason: str, by) -> CaseLink:
    other = Case.objects.filter(number=(other_number or "").strip()).first()
    if other is None:
        raise ValidationError(f"There is no case {other_number.strip() or '(none given)'}.")
    if other.pk == case.pk:
        raise ValidationError("A case cannot be linked to itself.")
    # Both rows locked, in the order every service locks cases, so two links made at
    # once cannot deadlock; the user must be staff on both.
    first, second = sorted([case, other], key=lambda c: c.pk)
    first, second = lock_case(first), lock_case(second)
    case, other = (first, second) if first.pk == case.pk else (second, first)
    authorize(by, case, "link_case")
    authorize(by, other, "link_case")
    reason = require_reason(reason, "Linking cases")
    if kind not in LinkKind.values:
        raise ValidationError("Say how the cases are related.")
    if CaseLink.objects.filter(
        Q(from_case=case, to_case=other) | Q(from_case=other, to_case=case)
    ).exists():
        raise ValidationError(f"Case {case.number} is already linked to case {other.number}.")
    link = CaseLink.objects.create(
        from_case=case, to_case=other, kind=kind, reason=reason, linked_by=by
    )
    for this, that in ((case, other), (other, case)):
        record_event(
            this,
            actor=by,
            **events.case_linked(link=link.pk, other=that.number, kind=kind, reason=reason),
        )
    return link
