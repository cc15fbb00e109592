"""Linked cases: several complaints about the same conduct, or a counter-complaint.
A link is made by staff with a reason and is an event in both cases' records; each
case keeps its own record, letters and path."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import events
from cases.access import authorize, require_reason
from cases.models import Case, CaseLink, LinkKind
from cases.services.record import lock_case, record_event


@transaction.atomic
def case_link(*, case: Case, other_number: str, kind: str, reason: str, by) -> CaseLink:
    other = Case.objects.filter(number=(other_number or "").strip()).first()
    if other is None:
        raise ValidationError(
            _("There is no case %(number)s.")
            % {"number": (other_number or "").strip() or _("(none given)")}
        )
    if other.pk == case.pk:
        raise ValidationError(_("A case cannot be linked to itself."))
    # Both rows locked, in the order every service locks cases, so two links made at
    # once cannot deadlock; the user must be staff on both.
    first, second = sorted([case, other], key=lambda c: c.pk)
    first, second = lock_case(first), lock_case(second)
    case, other = (first, second) if first.pk == case.pk else (second, first)
    authorize(by, case, "link_case")
    authorize(by, other, "link_case")
    reason = require_reason(reason, _("Linking cases"))
    if kind not in LinkKind.values:
        raise ValidationError(_("Say how the cases are related."))
    if CaseLink.objects.filter(
        Q(from_case=case, to_case=other) | Q(from_case=other, to_case=case)
    ).exists():
        raise ValidationError(
            _("Case %(case)s is already linked to case %(other)s.")
            % {"case": case.number, "other": other.number}
        )
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


@transaction.atomic
def case_consolidate(*, case: Case, other_number: str, reason: str, by) -> CaseLink:
    """Consolidate two linked cases for one ballot, where both procedures allow it:
    from then on a board member's vote on either case is cast in each (see
    cases.services.ballots.vote_cast). Each case keeps its own record, letters and
    path; the consolidation is an event in both records."""
    other = Case.objects.filter(number=(other_number or "").strip()).first()
    if other is None:
        raise ValidationError(
            _("There is no case %(number)s.")
            % {"number": (other_number or "").strip() or _("(none given)")}
        )
    first, second = sorted([case, other], key=lambda c: c.pk)
    first, second = lock_case(first), lock_case(second)
    case, other = (first, second) if first.pk == case.pk else (second, first)
    if other.pk == case.pk:
        raise ValidationError(_("A case cannot be consolidated with itself."))
    authorize(by, case, "consolidate_case")
    authorize(by, other, "consolidate_case")
    reason = require_reason(reason, _("Consolidating cases"))
    link = CaseLink.objects.filter(
        Q(from_case=case, to_case=other) | Q(from_case=other, to_case=case)
    ).first()
    if link is None:
        raise ValidationError(
            _("Case %(case)s is not linked to case %(other)s: link them first.")
            % {"case": case.number, "other": other.number}
        )
    if link.consolidated_at is not None:
        raise ValidationError(
            _("Case %(case)s is already consolidated with %(other)s.")
            % {"case": case.number, "other": other.number}
        )
    CaseLink.objects.filter(pk=link.pk).update(consolidated_at=timezone.now(), consolidated_by=by)
    for this, that in ((case, other), (other, case)):
        record_event(
            this,
            actor=by,
            **events.case_consolidated(link=link.pk, other=that.number, reason=reason),
        )
    link.refresh_from_db()
    return link
