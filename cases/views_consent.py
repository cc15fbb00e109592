"""Pages for resolution by consent, interim suspension and consolidation
(docs/decisions/0020). Each view parses the form, calls one service, and redirects or
shows the case page again with the form as typed and the reason (cases.views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import access, selectors, services, views
from cases.forms_consent import (
    ConsentAcceptForm,
    ConsentOfferForm,
    ConsentRefuseForm,
    ConsolidateForm,
    InterimReasonForm,
    InterimVoteForm,
)


def _post(request, number, *, form_key, form, call, done):
    """Like cases.views._case_form, for forms the table decides on: `call` authorizes."""
    return views._case_form(
        request,
        number,
        form_key=form_key,
        staff_only=False,
        make_form=lambda case: form,
        call=call,
        done=done,
    )


@login_required
@require_POST
def consent_offer(request, number):
    return _post(
        request,
        number,
        form_key="consent_form",
        form=ConsentOfferForm(request.POST),
        call=lambda case, d: services.consent_offer(
            case=case,
            by=request.user,
            sanction=d["sanction"],
            suspension_months=d["suspension_months"],
            terms=d["terms"],
            reply_by=d["reply_by"],
        ),
        done=_("The consent offer is made; the offer letter goes to the respondent."),
    )


@login_required
def consent_accept(request, number):
    """The confirmation page: the offer in full, and one box to tick. Accepting is the
    workflow step `accept_consent`."""
    case = selectors.case_for_page(number=number, user=request.user)
    offered = access.offered(request.user, case, ["accept_consent"])
    if "accept_consent" not in offered:
        raise PermissionDenied(_("There is no consent offer for you to accept on this case."))
    # The offer in full only while it may be accepted; else the table's reasons.
    offer = None
    if offered["accept_consent"].ready:
        offer = next(o for o in case.consent_offers.all() if o.status == "open")
    form = ConsentAcceptForm(request.POST or None, initial={"expected_state": case.state})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.case_transition(
                    case=case,
                    name="accept_consent",
                    by=request.user,
                    expected_state=form.cleaned_data["expected_state"],
                )
            except services.TransitionRefused as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(
                    request, _("You accepted the offer: the sanction is imposed and the case ends.")
                )
                return redirect(case)
        else:
            status = 400
    return render(
        request,
        "cases/consent_accept.html",
        {"case": case, "offer": offer, "form": form, "unmet": offered["accept_consent"].unmet},
        status=status,
    )


@login_required
@require_POST
def consent_refuse(request, number):
    return _post(
        request,
        number,
        form_key="refuse_form",
        form=ConsentRefuseForm(request.POST),
        call=lambda case, d: services.consent_refuse(case=case, by=request.user, said=d["said"]),
        done=_("You refused the offer; the case goes on."),
    )


@login_required
@require_POST
def consent_lapse(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    try:
        services.consent_lapse(case=case, by=request.user)
    except services.TransitionRefused as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The unanswered offer is closed; the case goes on."))
    return redirect(case)


@login_required
@require_POST
def interim_propose(request, number):
    return _post(
        request,
        number,
        form_key="interim_form",
        form=InterimReasonForm(
            request.POST,
            label=_("Why the membership should be suspended while the case runs"),
            prefix="interim-propose",
        ),
        call=lambda case, d: services.interim_propose(
            case=case, by=request.user, reasons=d["reason"]
        ),
        done=_("The interim suspension is before the board: its ballot is open."),
    )


@login_required
@require_POST
def interim_lift(request, number):
    return _post(
        request,
        number,
        form_key="lift_form",
        form=InterimReasonForm(
            request.POST,
            label=_("Grounds for lifting the interim suspension"),
            prefix="interim-lift",
        ),
        call=lambda case, d: services.interim_lifting_request(
            case=case, by=request.user, grounds=d["reason"]
        ),
        done=_("Your request is before the board."),
    )


@login_required
@require_POST
def interim_vote(request, number):
    return _post(
        request,
        number,
        form_key="interim_vote_form",
        form=InterimVoteForm(request.POST),
        call=lambda case, d: services.interim_vote_cast(
            case=case, voter=request.user, choice=d["choice"], reason=d["reason"]
        ),
        done=_("Your vote is recorded. You may change it until the ballot closes."),
    )


@login_required
@require_POST
def interim_close(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    try:
        interim = services.interim_ballot_close(case=case, by=request.user)
    except services.TransitionRefused as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The interim ballot is closed: %(status)s.")
            % {"status": interim.get_status_display().lower()},
        )
    return redirect(case)


@login_required
@require_POST
def consolidate(request, number):
    return _post(
        request,
        number,
        form_key="consolidate_form",
        form=ConsolidateForm(request.POST),
        call=lambda case, d: services.case_consolidate(
            case=case, other_number=d["other_number"], reason=d["reason"], by=request.user
        ),
        done=_("The cases are consolidated: a vote on either counts in both."),
    )
