"""Member register pages: thin views over members.selectors and members.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from members import selectors, services
from members.forms import PaymentForm, RegisterFilterForm, StatusChangeForm
from members.models import DuesInvoice, Organization
from members.roles import roles_of
from members.status import plain_status, public_standing

REGISTER_PAGE_SIZE = 50
PORTAL_RECENT_CASES = 50


def home(request):
    roles = roles_of(request.user)
    if not request.user.is_authenticated:
        return redirect("public_directory")
    if roles.ethics_staff:
        return redirect("cases:dashboard")
    if roles.board or roles.appeals_panel:
        return redirect("cases:my_ballots")
    if roles.representative:
        return redirect("portal")
    return render(request, "members/no_role.html")


def _organization_visible_or_404(request, slug: str) -> Organization:
    """Staff, board and panel see any organization; anybody else gets 404."""
    if not roles_of(request.user).sees_register:
        raise Http404("No such organization.")
    try:
        return selectors.organization_for_page(slug)
    except Organization.DoesNotExist as exc:
        raise Http404("No such organization.") from exc


def _require_ethics_staff(request) -> None:
    if not roles_of(request.user).ethics_staff:
        raise PermissionDenied("Only ethics staff may do this.")


@login_required
def register(request):
    roles = roles_of(request.user)
    if not roles.sees_register:
        if roles.representative:
            return redirect("portal")
        raise PermissionDenied("The member register is for the association's staff and board.")
    form = RegisterFilterForm(request.GET or None)
    # An invalid filter (say ?status=bogus) is dropped on its own; the others still apply.
    filters = {}
    if form.is_bound:
        form.is_valid()  # cleaned_data then holds every filter that is valid
        filters = form.cleaned_data
    organizations = selectors.register_search(
        query=filters.get("q", ""),
        status=filters.get("status", ""),
        membership_class=filters.get("membership_class", ""),
    )
    page = Paginator(organizations, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "members/register.html",
        {"form": form, "page": page, "query_string": query_string.urlencode()},
    )


@login_required
def organization_detail(request, slug):
    roles = roles_of(request.user)
    if roles.representative and not roles.sees_register:
        own = Organization.objects.filter(pk=roles.organization_id, slug=slug).exists()
        if own:
            return redirect("portal")
    organization = _organization_visible_or_404(request, slug)
    return render(
        request,
        "members/organization_detail.html",
        _organization_context(request, organization),
    )


def _organization_context(request, organization, status_form=None, payment_form=None):
    from cases.selectors import organization_case_summary, sanctions_of

    return {
        "organization": organization,
        "plain_status": plain_status(organization),
        "status_form": status_form or StatusChangeForm(organization=organization),
        "payment_form": payment_form or PaymentForm(),
        "cases": organization_case_summary(organization=organization, user=request.user),
        "sanctions": sanctions_of(organization),
    }


@login_required
@require_POST
def organization_change_status(request, slug):
    organization = _organization_visible_or_404(request, slug)
    _require_ethics_staff(request)
    form = StatusChangeForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            services.membership_change(
                organization=organization,
                transition=form.cleaned_data["transition"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{organization.name} is now {organization.get_status_display().lower()}.",
            )
            return redirect("organization_detail", slug=organization.slug)
    return render(
        request,
        "members/organization_detail.html",
        _organization_context(request, organization, status_form=form),
        status=400,
    )


@login_required
@require_POST
def dues_record_payment(request, slug, invoice_id):
    organization = _organization_visible_or_404(request, slug)
    _require_ethics_staff(request)
    invoice = get_object_or_404(DuesInvoice, pk=invoice_id, organization=organization)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.dues_record_payment(
                invoice=invoice, paid_on=form.cleaned_data["paid_on"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Payment of the {invoice.year} dues recorded.")
            return redirect("organization_detail", slug=organization.slug)
    organization = selectors.organization_for_page(slug)
    context = _organization_context(request, organization, payment_form=form)
    context["payment_invoice_id"] = invoice.pk
    return render(request, "members/organization_detail.html", context, status=400)


@login_required
def portal(request):
    """ "Our membership": the representative's own organization, and nothing else."""
    roles = roles_of(request.user)
    if not roles.representative:
        raise Http404("You are not a representative of a member organization.")
    organization = selectors.organization_for_page(
        Organization.objects.values_list("slug", flat=True).get(pk=roles.organization_id)
    )
    from cases.selectors import portal_case_summary, portal_letters, sanctions_of

    return render(
        request,
        "members/portal.html",
        {
            "organization": organization,
            "plain_status": plain_status(organization),
            # The most recent; "Our cases" pages through all of them.
            "cases": portal_case_summary(organization=organization, user=request.user)[
                :PORTAL_RECENT_CASES
            ],
            "sanctions": sanctions_of(organization),
            "letters": portal_letters(organization=organization, user=request.user),
        },
    )


def public_directory(request):
    page = Paginator(selectors.members_in_good_standing(), 100).get_page(request.GET.get("page"))
    return render(request, "public/directory.html", {"page": page})


def public_verify(request, slug):
    organization = get_object_or_404(Organization, slug=slug)
    return render(
        request,
        "public/verify.html",
        {"organization": organization, "standing": public_standing(organization)},
    )


def public_verify_search(request):
    query = request.GET.get("q", "").strip()
    results = []
    if query:
        results = list(
            Organization.objects.filter(name__icontains=query).order_by("name", "pk")[:20]
        )
    return render(
        request,
        "public/verify_search.html",
        {"query": query, "results": [(o, public_standing(o)) for o in results]},
    )
