"""Staff's retry of a letter whose preparation failed (docs/decisions/0027). The
letter itself is prepared by the task queue; this page only puts it back on it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import access, selectors
from cases.models import LetterOrder, LetterOrderStatus
from cases.services import letters


@login_required
@require_POST
def letter_order_retry(request, number, order_id):
    case = selectors.case_for_page(number=number, user=request.user)
    access.require_staff(request.user, case)
    order = get_object_or_404(LetterOrder, pk=order_id, case=case)
    try:
        order = letters.retry_preparation(order=order, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if order.status == LetterOrderStatus.ISSUED:
            messages.success(request, _("The letter was prepared and issued."))
        elif order.status == LetterOrderStatus.PREPARING:
            messages.success(request, _("The letter is being prepared again."))
        else:
            messages.error(
                request,
                _("Preparing the letter failed again: %(error)s") % {"error": order.last_error},
            )
    return redirect(f"{case.get_absolute_url()}#letters-h")
