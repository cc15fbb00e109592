"""The new-complaint form's helpers: the respondent's suggestions from the register.

One server-side search answers two ways: JSON for the form's own script
(static/probity/complaint-form.js fills the field's <datalist> as staff type), and an
ordinary page for a browser without JavaScript, whose links open the form with the
respondent filled in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from cases import access
from members.models import Organization

SUGGESTIONS = 10
PAGE_MATCHES = 30


def _matches(query: str):
    return (
        Organization.objects.filter(name__icontains=query) | Organization.objects.filter(slug=query)
    ).order_by("name", "pk")


@login_required
def respondent_search(request):
    access.require_staff(request.user)
    query = request.GET.get("q", "").strip()
    if request.GET.get("format") == "json":
        found = list(_matches(query)[:SUGGESTIONS]) if len(query) >= 2 else []
        return JsonResponse(
            {
                "results": [
                    {"name": o.name, "slug": o.slug, "status": o.get_status_display()}
                    for o in found
                ]
            }
        )
    found = list(_matches(query)[: PAGE_MATCHES + 1]) if query else []
    return render(
        request,
        "cases/respondent_search.html",
        {"query": query, "results": found[:PAGE_MATCHES], "cut": len(found) > PAGE_MATCHES},
    )
