"""The records pages: the annual report (page, CSV, PDF), the statistics by year
(CSV) and the precedents by principle. Aggregates only, for the association's staff,
board and panel; no party is named, except to staff on a principle's precedent list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from association.exports import csv_response
from cases import reports
from cases.models import Allegation
from members.roles import roles_of


def _require_records_reader(user) -> None:
    if not roles_of(user).sees_register:
        raise PermissionDenied(_("Only the association's staff, board and panel see its records."))


def _year(request) -> tuple[reports.ReportYear, list[reports.ReportYear], str]:
    """The year asked for (?year=2026), or the last complete one; a year outside the
    records is refused with a message naming the years there are."""
    years = reports.report_years()
    asked = request.GET.get("year", "").strip()
    if not asked:
        return (years[-2] if len(years) > 1 else years[-1]), years, ""
    for year in years:
        if asked in (str(year.year), year.label):
            return year, years, ""
    shown = asked[:20]
    return (
        years[-1],
        years,
        (
            _("There is no report for “%(asked)s”: the records cover %(first)s to %(last)s.")
            % {"asked": shown, "first": years[0].label, "last": years[-1].label}
        ),
    )


@login_required
def annual_report(request):
    _require_records_reader(request.user)
    year, years, problem = _year(request)
    return render(
        request,
        "cases/annual_report.html",
        {
            "report": reports.annual_report(year),
            "years": years,
            "problem": problem,
        },
        status=400 if problem else 200,
    )


def _file_year(request) -> reports.ReportYear:
    year, _years, problem = _year(request)
    if problem:
        raise Http404(problem)
    return year


@login_required
def annual_report_csv(request):
    _require_records_reader(request.user)
    year = _file_year(request)
    report = reports.annual_report(year, with_charts=False)
    return csv_response(
        f"annual-report-{year.label}.csv", ["section", "item", "value"], report.rows()
    )


@login_required
def annual_report_pdf(request):
    _require_records_reader(request.user)
    year = _file_year(request)
    pdf = reports.annual_report_pdf(reports.annual_report(year))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year.label}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def statistics_csv(request):
    _require_records_reader(request.user)
    return csv_response("statistics.csv", reports.STATISTICS_HEADER, reports.statistics_rows())


@login_required
def precedents(request):
    """The principles cited in cases the board decided, each with its precedent page."""
    _require_records_reader(request.user)
    cited = (
        Allegation.objects.filter(case__decided_at__isnull=False)
        .values_list("principle__number")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    counts = dict(cited.values_list("principle__number", "n"))
    principles = reports.principles_by_number()
    rows = [(number, title, counts.get(number, 0)) for number, title in principles]
    return render(request, "cases/precedents.html", {"rows": rows})


@login_required
def principle_precedents(request, number):
    _require_records_reader(request.user)
    page = reports.principle_precedents(number, list_cases=roles_of(request.user).ethics_staff)
    if not page:
        raise Http404("No principle has that number.")
    return render(request, "cases/principle_precedents.html", page)
