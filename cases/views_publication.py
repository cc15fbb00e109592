"""Publication and retention pages: the public decisions page, and the staff forms
that withhold a publication and place or release a legal hold (docs/decisions/0023)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.forms_publication import PANEL_FORMS, PublicationReasonForm
from cases.views import _staff_post

DECISIONS_PAGE_SIZE = 50


def decisions(request):
    """The public decisions page: what each procedure allowed, in its period only, newest
    first; "older" and "newer" page by keyset, and a jump goes to a date."""
    go = request.GET.get("go", "")
    page = selectors.published_decisions_page(
        size=DECISIONS_PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        go=go,
    )
    return render(
        request,
        "public/decisions.html",
        {
            "page": page,
            "go": go,
            # Past an end of the list (an old date, a stale link), not an empty list.
            "moved": bool(
                page.problem == "" and (go or request.GET.get("after") or request.GET.get("before"))
            ),
        },
    )


def _reason_post(request, number, form_key, service, done):
    return _staff_post(
        request,
        number,
        PublicationReasonForm,
        form_key,
        lambda case, d: service(case=case, by=request.user, reason=d["reason"]),
        done,
        prefix=PANEL_FORMS[form_key],
    )


@login_required
@require_POST
def publication_withhold(request, number):
    return _reason_post(
        request,
        number,
        "withhold_form",
        services.publication_withhold,
        _("The decision is withheld from publication."),
    )


@login_required
@require_POST
def legal_hold_place(request, number):
    return _reason_post(
        request,
        number,
        "hold_form",
        services.legal_hold_place,
        _("Legal hold placed: no personal data of this case will be removed while it lasts."),
    )


@login_required
@require_POST
def legal_hold_release(request, number):
    return _reason_post(
        request,
        number,
        "release_form",
        services.legal_hold_release,
        _("Legal hold released; the retention periods run again."),
    )
