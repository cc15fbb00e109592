"""The floors the app's pages are compared with (issue 15)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from cases.models import Case


def hello(request):
    """Django's hello-world, through the app's middleware."""
    return HttpResponse("Hello, world")


@login_required
def reference_case_list(request):
    """What Django itself costs for the staff case list: session auth, the same 50 rows
    and columns, newest first, in a bare template (no filters, no visibility rule)."""
    cases = Case.objects.select_related("respondent", "case_officer").order_by("-filed_at", "-pk")[
        :50
    ]
    return render(request, "benchsite/cases.html", {"cases": cases})
