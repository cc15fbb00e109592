"""Member register pages: thin views over members.selectors and members.services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from association.exports import csv_response
from association.paging import keyset_page
from members import hooks, selectors, services
from members.forms import (
    CorrespondenceLanguageForm,
    PaymentForm,
    RegisterFilterForm,
    RepresentativeAddForm,
    RepresentativeRemoveForm,
    StatusChangeForm,
)
from members.models import DuesInvoice, Organization, Representative
from members.roles import roles_of
from members.status import PUBLIC_STANDING_LABELS, plain_status, public_standing

REGISTER_PAGE_SIZE = 50


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
        raise Http404(_("No such organization."))
    try:
        return selectors.organization_for_page(slug, with_representative_changes=True)
    except Organization.DoesNotExist as exc:
        raise Http404(_("No such organization.")) from exc


def _require_ethics_staff(request) -> None:
    if not roles_of(request.user).ethics_staff:
        raise PermissionDenied(_("Only ethics staff may do this."))


def _register_filtered(request):
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
        in_default=bool(filters.get("in_default")),
    )
    return form, organizations


@login_required
def register_export(request):
    """The register as filtered, as CSV: for those who see the whole register."""
    if not roles_of(request.user).sees_register:
        raise PermissionDenied(
            _("Only the association's staff, board and panel export the register.")
        )
    _form, organizations = _register_filtered(request)
    return csv_response(
        "register.csv",
        ["name", "slug", "status", "status since", "membership class", "joined on", "website"],
        (
            [
                o.name,
                o.slug,
                o.get_status_display(),
                o.status_since,
                o.membership_class.name,
                o.joined_on,
                o.website,
            ]
            for o in organizations.iterator(chunk_size=2000)
        ),
    )


@login_required
def dues_export(request):
    """Every dues invoice, as CSV: ethics staff only."""
    _require_ethics_staff(request)
    return csv_response(
        "dues.csv",
        ["organization", "slug", "year", "amount", "issued on", "due on", "paid on"],
        (
            [
                i.organization.name,
                i.organization.slug,
                i.year,
                i.amount,
                i.issued_on,
                i.due_on,
                i.paid_on,
            ]
            for i in DuesInvoice.objects.select_related("organization")
            .order_by("organization__name", "year")
            .iterator(chunk_size=2000)
        ),
    )


@login_required
def register(request):
    roles = roles_of(request.user)
    if not roles.sees_register:
        if roles.representative:
            return redirect("portal")
        raise PermissionDenied(_("The member register is for the association's staff and board."))
    form, organizations = _register_filtered(request)
    page = _by_name(request, organizations, REGISTER_PAGE_SIZE)
    query_string = request.GET.copy()
    for key in ("after", "before"):
        query_string.pop(key, None)
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


@login_required
def organization_history(request, slug):
    """The organization's whole status history, a page at a time: for those who see the
    register, and for its own representatives (who are not shown who made each change,
    as on their membership page)."""
    roles = roles_of(request.user)
    organization = get_object_or_404(Organization, slug=slug)
    own = roles.representative and roles.organization_id == organization.pk
    if not (roles.sees_register or own):
        raise Http404(_("No such organization."))
    page = selectors.organization_history_page(
        organization, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    return render(
        request,
        "members/organization_history.html",
        {"organization": organization, "page": page, "show_actor": roles.sees_register},
    )


@login_required
def organization_representative_changes(request, slug):
    """Every representative added to or removed from the organization, a page at a time:
    for those who see the register (as on the organization's page)."""
    if not roles_of(request.user).sees_register:
        raise Http404(_("No such organization."))
    organization = get_object_or_404(Organization, slug=slug)
    page = selectors.representative_changes_page(
        organization, after=request.GET.get("after", ""), before=request.GET.get("before", "")
    )
    return render(
        request,
        "members/organization_representative_changes.html",
        {"organization": organization, "page": page},
    )


def _organization_context(
    request,
    organization,
    status_form=None,
    payment_form=None,
    representative_form=None,
    language_form=None,
):
    return {
        "organization": organization,
        "plain_status": plain_status(organization),
        "status_form": status_form or StatusChangeForm(organization=organization),
        "payment_form": payment_form or PaymentForm(),
        "representative_form": representative_form or RepresentativeAddForm(),
        "language_form": language_form
        or CorrespondenceLanguageForm(initial={"language": organization.language}),
        # The organization's cases and sanctions come from the cases app (members.hooks).
        **hooks.page_additions(
            hooks.organization_page, organization=organization, user=request.user
        ),
    }


def _organization_page_refused(
    request, slug: str, *, payment_invoice_id: int | None = None, **forms
) -> HttpResponse:
    """The organization page again (400) with the refused form showing its errors and
    what was typed; the organization is read afresh, as the database has it."""
    organization = selectors.organization_for_page(slug, with_representative_changes=True)
    context = _organization_context(request, organization, **forms)
    context["payment_invoice_id"] = payment_invoice_id
    return render(request, "members/organization_detail.html", context, status=400)


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
                _("%(organization)s is now %(status)s.")
                % {
                    "organization": organization.name,
                    "status": str(organization.get_status_display()).lower(),
                },
            )
            return redirect("organization_detail", slug=organization.slug)
    return _organization_page_refused(request, slug, status_form=form)


@login_required
@require_POST
def organization_language(request, slug):
    organization = _organization_visible_or_404(request, slug)
    _require_ethics_staff(request)
    form = CorrespondenceLanguageForm(request.POST)
    if form.is_valid():
        services.correspondence_language_set(
            organization=organization, language=form.cleaned_data["language"], by=request.user
        )
        messages.success(
            request,
            gettext("Letters to %(name)s will be written in that language.")
            % {"name": organization.name},
        )
        return redirect("organization_detail", slug=organization.slug)
    return _organization_page_refused(request, slug, language_form=form)


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
            messages.success(
                request, _("Payment of the %(year)s dues recorded.") % {"year": invoice.year}
            )
            return redirect("organization_detail", slug=organization.slug)
    return _organization_page_refused(
        request, slug, payment_form=form, payment_invoice_id=invoice.pk
    )


def _staff_organization_or_404(request, slug: str) -> Organization:
    """For the staff-only actions: anyone else is refused (403) whichever organization
    they name, since the register's organizations are public (the verification page)."""
    _require_ethics_staff(request)
    return get_object_or_404(Organization, slug=slug)


def _representative_or_404(organization: Organization, representative_id: int) -> Representative:
    return get_object_or_404(
        Representative.objects.select_related("user"),
        pk=representative_id,
        organization=organization,
    )


@login_required
@require_POST
def representative_add(request, slug):
    organization = _staff_organization_or_404(request, slug)
    form = RepresentativeAddForm(request.POST)
    if form.is_valid():
        try:
            rep = services.representative_add(
                organization=organization,
                by=request.user,
                person=services.RepresentativeInput(**form.cleaned_data),
                site_url=request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is now a representative of %(organization)s (username "
                    "%(username)s); an email with a link to choose a password was sent to "
                    "%(email)s."
                )
                % {
                    "name": rep.user.get_full_name(),
                    "organization": organization.name,
                    "username": rep.user.username,
                    "email": rep.user.email,
                },
            )
            return redirect("organization_detail", slug=organization.slug)
    return _organization_page_refused(request, slug, representative_form=form)


@login_required
def representative_remove(request, slug, representative_id):
    """GET asks for confirmation and a reason; POST removes."""
    organization = _staff_organization_or_404(request, slug)
    rep = _representative_or_404(organization, representative_id)
    form = RepresentativeRemoveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.representative_remove(
                    representative=rep, by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s is no longer a representative of %(organization)s; their "
                        "access to its cases and letters was withdrawn."
                    )
                    % {
                        "name": rep.user.get_full_name() or rep.user.username,
                        "organization": organization.name,
                    },
                )
                return redirect("organization_detail", slug=organization.slug)
        status = 400
    return render(
        request,
        "members/representative_remove.html",
        {
            "organization": organization,
            "representative": rep,
            "form": form,
            "keeps_account": services.keeps_account(rep.user),
        },
        status=status,
    )


@login_required
@require_POST
def representative_send_link(request, slug, representative_id):
    organization = _staff_organization_or_404(request, slug)
    rep = _representative_or_404(organization, representative_id)
    try:
        services.representative_send_link(
            representative=rep, by=request.user, site_url=request.build_absolute_uri("/")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("A new sign-in link was sent to %(email)s.") % {"email": rep.user.email}
        )
    return redirect("organization_detail", slug=organization.slug)


@login_required
@require_POST
def representative_make_primary(request, slug, representative_id):
    organization = _staff_organization_or_404(request, slug)
    rep = _representative_or_404(organization, representative_id)
    try:
        services.representative_make_primary(representative=rep, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now the primary contact of %(organization)s.")
            % {
                "name": rep.user.get_full_name() or rep.user.username,
                "organization": organization.name,
            },
        )
    return redirect("organization_detail", slug=organization.slug)


@login_required
def portal(request):
    """ "Our membership": the representative's own organization, and nothing else."""
    roles = roles_of(request.user)
    if not roles.representative:
        raise Http404(_("You are not a representative of a member organization."))
    organization = selectors.organization_for_page(pk=roles.organization_id)
    return render(
        request,
        "members/portal.html",
        {
            "organization": organization,
            "plain_status": plain_status(organization),
            # Cases, sanctions and letters come from the cases app (members.hooks).
            **hooks.page_additions(hooks.portal_page, organization=organization, user=request.user),
        },
    )


def _by_name(request, organizations, size: int, *, count: bool = True):
    """A page of organizations in name order, by keyset (association.paging)."""
    return keyset_page(
        organizations,
        order=("name", "pk"),
        kinds=(str, int),
        size=size,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        count=count,
    )


def public_directory(request):
    page = _by_name(request, selectors.members_in_good_standing(), 100, count=False)
    return render(request, "public/directory.html", {"page": page})


def public_verify(request, slug):
    organization = get_object_or_404(Organization, slug=slug)
    return render(
        request,
        "public/verify.html",
        {
            "organization": organization,
            "standing": public_standing(organization),
            **hooks.page_additions(hooks.verification_page, organization=organization, user=None),
        },
    )


VERIFY_PAGE_SIZE = 20


def public_verify_search(request):
    """Organizations whose name contains the query, a page at a time (by keyset): the
    page says how many matched, so a cut list never passes for the whole answer."""
    query = request.GET.get("q", "").strip()
    page = None
    if query:
        matches = Organization.objects.filter(name__icontains=query).order_by("name", "pk")
        page = _by_name(request, matches, VERIFY_PAGE_SIZE)
    return render(
        request,
        "public/verify_search.html",
        {
            "query": query,
            "page": page,
            "results": [(o, PUBLIC_STANDING_LABELS[public_standing(o)]) for o in page]
            if page
            else [],
            "query_string": urlencode({"q": query}),
            "page_size": VERIFY_PAGE_SIZE,
        },
    )
