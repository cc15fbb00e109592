"""The complainant's page (docs/decisions/0021) and its staff side.

The complainant signs in with the case reference and the access code: the session
then holds that one case and that one code (`cases.access.CodeHolder`), and every
request asks `relation_to` again, so a revoked code stops working at once and the
code opens no other case. A member complainant's representatives use their own
accounts and see the same page. Sign-in failures count in django-axes (per case
reference and per address), as the staff sign-in's do."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from association.limits import COMPLAINANT_SESSION_KEY
from cases import access, selectors, services
from cases.forms import TransitionForm
from cases.forms_complainant import (
    AcceptSubmissionForm,
    CodeReasonForm,
    ComplainantEvidenceForm,
    ComplainantSignInForm,
    DeclineSubmissionForm,
    MessageForm,
)
from cases.views import _case_form, _render_case, _require_staff, access_code_shown
from members import accounts

SESSION_KEY = COMPLAINANT_SESSION_KEY


def _axes_credentials(reference: str) -> dict:
    # Counted apart from the usernames of accounts, which cannot contain a colon.
    return {"username": f"complainant:{reference}"}


def sign_in(request):
    form = ComplainantSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip()
        credentials = _axes_credentials(reference)
        if not AxesProxyHandler.is_allowed(request, credentials):
            return accounts.locked_out(request, credentials=credentials)
        found = services.access_code_check(reference, form.cleaned_data["code"])
        if found is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return accounts.locked_out(request, credentials=credentials)
            form.add_error(
                None,
                _(
                    "That case reference and access code do not match. Check both (the code is "
                    "in the email that came with the acknowledgement) and try again."
                ),
            )
        else:
            axes_reset(username=credentials["username"])
            request.session.cycle_key()  # a new session for the complainant's one case
            request.session[SESSION_KEY] = {"case": found.case_id, "access": found.pk}
            return redirect("cases:complainant_page", found.case.number)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/complainant_sign_in.html", {"form": form}, status=status)


@require_POST
def sign_out(request):
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    messages.success(request, _("You have left the complainant's page."))
    return redirect("cases:complainant_sign_in")


def _holder(request) -> access.CodeHolder | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    return access.CodeHolder(case_id=data.get("case"), access_id=data.get("access"))


class _Revoked(Exception):
    pass


def _complainant_case(request, number):
    """The case and who is acting as its complainant: the code holder of this very
    case, or the signed-in user (a member complainant's representative). Anyone
    else: 404, the same as for a case that does not exist."""
    case = selectors.complainant_case(number=number)
    holder = _holder(request)
    principal = holder if holder is not None and holder.case_id == case.pk else request.user
    if access.relation_to(principal, case) != access.COMPLAINANT_VIEW:
        if principal is holder:
            raise _Revoked
        raise Http404("No such case.")
    return case, principal


def _revoked(request):
    request.session.pop(SESSION_KEY, None)
    messages.error(
        request,
        _(
            "Your access code no longer works: the ethics staff revoked it or issued a new one. "
            "Sign in with the new code, or ask the ethics staff for one."
        ),
    )
    return redirect("cases:complainant_sign_in")


def _render_page(request, case, principal, status=200, **forms):
    offered = access.offered(principal, case)
    context = {
        **selectors.complainant_page(case),
        "offered": offered,
        "signed_in_with_code": isinstance(principal, access.CodeHolder),
        "message_form": forms.get("message_form") or MessageForm(prefix="msg"),
        "evidence_form": forms.get("evidence_form") or ComplainantEvidenceForm(prefix="ev"),
        "appeal_form": forms.get("appeal_form")
        or TransitionForm(initial={"expected_state": case.state}, auto_id="id_c_appeal_%s"),
    }
    return render(request, "cases/case_complainant.html", context, status=status)


def page(request, number):
    try:
        case, principal = _complainant_case(request, number)
    except _Revoked:
        return _revoked(request)
    return _render_page(request, case, principal)


def _complainant_post(request, number, *, form_key, form, call, done):
    try:
        case, principal = _complainant_case(request, number)
    except _Revoked:
        return _revoked(request)
    if form.is_valid():
        try:
            call(case, principal, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, done)
            return redirect("cases:complainant_page", case.number)
    fresh = selectors.complainant_case(number=case.number)
    return _render_page(request, fresh, principal, status=400, **{form_key: form})


@require_POST
def message(request, number):
    return _complainant_post(
        request,
        number,
        form_key="message_form",
        form=MessageForm(request.POST, prefix="msg"),
        call=lambda case, by, d: services.complainant_message_send(
            case=case, by=by, body=d["body"]
        ),
        done=_("Your message is sent to the ethics staff."),
    )


@require_POST
def evidence(request, number):
    return _complainant_post(
        request,
        number,
        form_key="evidence_form",
        form=ComplainantEvidenceForm(request.POST, request.FILES, prefix="ev"),
        call=lambda case, by, d: services.complainant_evidence_submit(
            case=case, by=by, file=d["file"], title=d["title"], description=d["description"]
        ),
        done=_(
            "Your evidence is sent. The ethics staff will decide whether to add it to the case."
        ),
    )


@require_POST
def appeal(request, number):
    form = TransitionForm(
        request.POST, auto_id="id_c_appeal_%s", reason_label=_("Grounds of appeal")
    )
    return _complainant_post(
        request,
        number,
        form_key="appeal_form",
        form=form,
        call=lambda case, by, d: services.case_transition(
            case=case,
            name="file_complainant_appeal",
            by=by,
            reason=d["reason"],
            expected_state=d["expected_state"],
        ),
        done=_(
            "Your appeal is filed. The appeals panel will consider it; you will be told "
            "its decision by letter."
        ),
    )


def letter(request, number, letter_id):
    try:
        case, principal = _complainant_case(request, number)
    except _Revoked:
        return _revoked(request)
    found = next((x for x in case.letters.all() if x.pk == letter_id), None)
    if found is None or not access.complainant_may_download(principal, found):
        raise Http404("No such letter.")
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.download_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- The staff side (on the staff case page) ------------------------------------


@login_required
@require_POST
def staff_message(request, number):
    return _case_form(
        request,
        number,
        form_key="c_message_form",
        make_form=lambda case: MessageForm(request.POST, prefix="cmsg"),
        call=lambda case, d: services.staff_message_send(
            case=case, by=request.user, body=d["body"]
        ),
        done=_("Your message is on the complainant's page; they are told by email."),
        then=lambda case: f"{case.get_absolute_url()}#complainant-h",
    )


@login_required
@require_POST
def submission_accept(request, number):
    return _case_form(
        request,
        number,
        form_key="c_accept_form",
        make_form=lambda case: AcceptSubmissionForm(request.POST, prefix="cacc"),
        call=lambda case, d: services.complainant_evidence_accept(
            case=case,
            by=request.user,
            submission_id=d["submission"],
            terms=services.Acceptance(
                disclosed_to_respondent=d["disclosed_to_respondent"], producer=d["producer"]
            ),
        ),
        done=_("The complainant's evidence is added to the case."),
        then=lambda case: f"{case.get_absolute_url()}#complainant-h",
    )


@login_required
@require_POST
def submission_decline(request, number):
    return _case_form(
        request,
        number,
        form_key="c_decline_form",
        make_form=lambda case: DeclineSubmissionForm(request.POST, prefix="cdec"),
        call=lambda case, d: services.complainant_evidence_decline(
            case=case, by=request.user, submission_id=d["submission"], reason=d["reason"]
        ),
        done=_("The complainant's evidence is not accepted; their page says why."),
        then=lambda case: f"{case.get_absolute_url()}#complainant-h",
    )


@login_required
@require_POST
def code_revoke(request, number):
    return _case_form(
        request,
        number,
        form_key="c_revoke_form",
        make_form=lambda case: CodeReasonForm(request.POST, prefix="crev"),
        call=lambda case, d: services.access_code_revoke(
            case=case, by=request.user, reason=d["reason"]
        ),
        done=_("The access code is revoked: it no longer opens the complainant's page."),
        then=lambda case: f"{case.get_absolute_url()}#complainant-h",
    )


@login_required
@require_POST
def code_reissue(request, number):
    """A new code, shown here once (to give the complainant by telephone or post) and
    emailed to the complainant if they have an address; the old code stops working."""
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    form = CodeReasonForm(request.POST, prefix="cnew")
    if form.is_valid():
        try:
            code = services.access_code_reissue(
                case=case, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return access_code_shown(request, case, code)
    return _render_case(request, case, status=400, c_reissue_form=form)


@login_required
def submission_download(request, number, submission_id):
    """Staff read what the complainant sent before deciding on it."""
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    found = next((s for s in case.complainant_submissions.all() if s.pk == submission_id), None)
    if found is None:
        raise Http404("No such submission.")
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_filename,
        content_type=found.content_type,
    )
    # A saved web page is HTML: never let a browser run it on our origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def appeal_ballot_close(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    # As for the respondent's appeal: the password again after 15 minutes.
    confirm = accounts.reauthenticate(
        request, "close the appeals panel's ballot", case.get_absolute_url()
    )
    if confirm is not None:
        return confirm
    try:
        services.complainant_appeal_ballot_close(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _(
                "The appeals panel's ballot is closed. Record the decision on the complainant's "
                "appeal next."
            ),
        )
    return redirect(case)
