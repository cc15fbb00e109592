"""Case pages. Each view parses the request, calls one selector or service, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from association.exports import csv_response
from cases import (
    access,
    confirmations,
    forms_consent,
    forms_hearing,
    rendering,
    reports,
    selectors,
    services,
    workflow,
)
from cases import dashboard as dashboard_page
from cases.forms import (
    AllegationFormSet,
    AmendmentForm,
    CaseFilterForm,
    CaseLinkForm,
    ComplaintAllegationFormSet,
    ComplaintEvidenceFormSet,
    ComplaintForm,
    ConflictForm,
    EvidenceForm,
    EvidenceFormSet,
    ExtendBallotForm,
    FindingForm,
    LetterCorrectionForm,
    OfficerForm,
    PartyConflictForm,
    ReasonForm,
    ReopenWindowForm,
    ResponseForm,
    ReviewReportForm,
    TransitionForm,
    VoteForm,
    error_summary,
    refused_file_names,
    vote_compliance_initial,
    with_another_row,
)
from cases.forms_complainant import staff_panel_forms
from cases.forms_compliance import compliance_context
from cases.forms_publication import panel_forms
from cases.models import (
    BALLOT_KIND_IN,
    Allegation,
    BallotKind,
    Evidence,
    EvidenceSource,
    Letter,
    LetterKind,
    Procedure,
)
from members import accounts
from members.models import Organization
from members.roles import roles_of

CASE_PAGE_SIZE = 50


def _require_staff(request, case=None) -> None:
    """Ethics staff; given a case, staff whose relation to it is staff's (not a party,
    not recused) and who hold the staff permission on it."""
    access.require_staff(request.user, case)


# ---------------------------------------------------------------------------
# Staff: dashboard, list, intake
# ---------------------------------------------------------------------------


@login_required
def dashboard(request):
    _require_staff(request)
    return render(
        request, "cases/dashboard.html", dashboard_page.staff_dashboard(user=request.user)
    )


def _filtered_cases(request):
    form = CaseFilterForm(request.GET or None)
    # An invalid filter is dropped on its own; the others still apply.
    filters = {}
    if form.is_bound:
        form.is_valid()  # cleaned_data then holds every filter that is valid
        filters = form.cleaned_data
    cases = selectors.case_list(
        user=request.user,
        query=filters.get("q", ""),
        state=filters.get("state", ""),
        principle=filters.get("principle"),
        officer=filters.get("officer"),
        respondent=filters.get("respondent"),
    )
    return form, filters, cases


@login_required
def case_list_export(request):
    """The case list as filtered, as CSV: what this user may see of it, for ethics
    staff, the board and the panel (a representative exports nothing)."""
    if not roles_of(request.user).sees_register:
        raise PermissionDenied(_("Only the association's staff, board and panel export cases."))
    _form, _filters, cases = _filtered_cases(request)
    return csv_response(
        "cases.csv",
        ["number", "respondent", "stage", "summary", "case officer", "received on", "entered"],
        (
            [
                c.number,
                c.respondent.name,
                c.state_label,
                c.summary,
                c.case_officer.get_full_name() or c.case_officer.username,
                c.received_on,
                timezone.localtime(c.filed_at).date(),
            ]
            for c in cases.iterator(chunk_size=2000)
        ),
    )


@login_required
def case_list(request):
    roles = roles_of(request.user)
    if not roles.ethics_staff:
        if roles.representative and not (roles.board or roles.appeals_panel):
            return redirect("cases:portal_cases")
    form, filters, cases = _filtered_cases(request)
    page = selectors.case_list_page(
        cases,
        size=CASE_PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        go=request.GET.get("go", ""),
    )
    query_string = request.GET.copy()
    for key in ("after", "before", "go"):
        query_string.pop(key, None)
    without_respondent = query_string.copy()
    without_respondent.pop("respondent", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query_string.urlencode(),
            "go": request.GET.get("go", ""),
            # The filters stay on when jumping.
            "jump_keep": [(k, item) for k, values in query_string.lists() for item in values],
            "respondent": filters.get("respondent"),
            "without_respondent": without_respondent.urlencode(),
        },
    )


def _complaint_forms(request, data=None):
    if data is None and request.method == "POST":
        data = request.POST
    files = request.FILES if request.method == "POST" else None
    initial = {"case_officer": request.user.pk}
    if "respondent" in request.GET:
        initial["respondent"] = request.GET["respondent"]
    return (
        ComplaintForm(data, initial=initial),
        ComplaintAllegationFormSet(data, prefix="allegations"),
        ComplaintEvidenceFormSet(data, files, prefix="evidence"),
    )


def _filled(formset) -> list:
    return [f for f in formset if f.has_changed() and f.cleaned_data]


@login_required
def complaint_new(request):
    _require_staff(request)
    adding = request.POST.get("add_row") if request.method == "POST" else None
    if adding in ("allegations", "evidence"):
        # Without JavaScript: the same form, everything typed kept, one more row; no
        # validation yet (the complaint is not being filed).
        form, allegations, evidence = _complaint_forms(
            request, with_another_row(request.POST, adding)
        )
        return render(
            request,
            "cases/complaint_form.html",
            {
                "form": form,
                "allegations": allegations,
                "evidence": evidence,
                "show_errors": False,
                "added": adding,
            },
        )
    form, allegations, evidence = _complaint_forms(request)
    if (
        request.method == "POST"
        and form.is_valid()
        and allegations.is_valid()
        and evidence.is_valid()
    ):
        filled = _filled(allegations)
        if not filled:
            form.add_error(None, _("A complaint needs at least one allegation."))
        else:
            try:
                case = services.complaint_file(
                    by=request.user,
                    respondent=form.cleaned_data["respondent"],
                    complainant=form.complainant_input(),
                    summary=form.cleaned_data["summary"],
                    conduct_known_on=form.cleaned_data["conduct_known_on"],
                    case_officer=form.cleaned_data["case_officer"],
                    allegations=[f.to_input() for f in filled],
                    evidence=[f.to_input() for f in _filled(evidence)],
                    late_acceptance_reason=form.cleaned_data["late_acceptance_reason"],
                    received_on=form.cleaned_data["received_on"],
                    received_via=form.cleaned_data["received_via"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                # A refused file is named in the refusal: it is not asked for again.
                refused = refused_file_names(exc.messages)
                for f in evidence:
                    f.refused_files = refused
            else:
                messages.success(
                    request, _("Complaint filed as case %(number)s.") % {"number": case.number}
                )
                code = getattr(case, "new_access_code", None)
                return access_code_shown(request, case, code) if code else redirect(case)
    posted = request.method == "POST"
    return render(
        request,
        "cases/complaint_form.html",
        {
            "form": form,
            "allegations": allegations,
            "evidence": evidence,
            "show_errors": posted,
            "error_summary": error_summary(
                form, (allegations, _("Allegation")), (evidence, _("Evidence"))
            )
            if posted
            else [],
        },
        status=400 if posted else 200,
    )


def access_code_shown(request, case, code: str):
    """The page that shows the complainant's new access code to staff, once (to give by
    telephone or post): the code is in no row, no session and no log."""
    response = render(
        request,
        "cases/access_code_issued.html",
        {
            "case": case,
            "code": code,
            "emailed_to": case.complainant.email,
            "sign_in_url": request.build_absolute_uri(reverse("cases:complainant_sign_in")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def complaint_amend(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    data = request.POST if request.method == "POST" else None
    form = AmendmentForm(data)
    allegations = AllegationFormSet(data, prefix="allegations")
    evidence = EvidenceFormSet(data, request.FILES if data else None, prefix="evidence")
    if data is not None and form.is_valid() and allegations.is_valid() and evidence.is_valid():
        try:
            services.complaint_amend(
                case=case,
                by=request.user,
                reason=form.cleaned_data["reason"],
                allegations=[f.to_input() for f in _filled(allegations)],
                evidence=[f.to_input() for f in _filled(evidence)],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Amendment recorded."))
            return redirect(case)
    return render(
        request,
        "cases/amend_form.html",
        {"case": case, "form": form, "allegations": allegations, "evidence": evidence},
        status=400 if data is not None else 200,
    )


# ---------------------------------------------------------------------------
# The case page
# ---------------------------------------------------------------------------


@login_required
def case_detail(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    return _render_case(request, case)


def _render_case(request, case, status=200, **forms):
    """Staff, the board and panel, and the respondent each see the case their way,
    by their relation to this case (access.relation_to: a party's representative sees
    the party's view whatever else they are). What each page offers (forms, buttons)
    comes from the table: access.offered."""
    offered = access.offered(request.user, case)
    relation = access.relation_to(request.user, case)
    if relation == access.STAFF_VIEW:
        context = _staff_context(request, case, forms)
        template = "cases/case_staff.html"
    elif relation == access.DECIDER_VIEW:
        context = _board_context(request, case, forms)
        template = "cases/case_board.html"
    elif relation != access.RESPONDENT_VIEW:
        raise Http404("No such case.")
    else:
        context = {
            **selectors.respondent_page(case),
            "response_form": forms.get("response_form") or ResponseForm(),
            "appeal_form": forms.get("step_file_appeal")
            or TransitionForm(initial={"expected_state": case.state}),
        }
        template = "cases/case_respondent.html"
    if relation in (access.STAFF_VIEW, access.DECIDER_VIEW):
        # Earlier decisions on the same principles, for whoever writes or votes.
        context["precedents"] = reports.precedents_for(case)
    if relation in (access.STAFF_VIEW, access.RESPONDENT_VIEW):
        context.update(compliance_context(case, forms, offered))
    # Issue 10's panel (the comment on the review, the hearing), where the procedure has it.
    context.update(forms_hearing.page_context(case, relation, forms))
    # Resolution by consent, interim suspension, consolidation: their panels' part.
    context.update(forms_consent.panel_context(request.user, case, relation, forms))
    # The workflow, drawn from the table, with this case's state and the steps open to
    # this user; the respondent sees the plainer public labels.
    context["diagram"] = selectors.workflow_diagram(
        procedure=case.procedure,
        current=case.state,
        possible=[
            name for name, offer in offered.items() if offer.ready and name in workflow.STEPS
        ],
        public=relation == access.RESPONDENT_VIEW,
    )
    return render(request, template, {**context, "offered": offered}, status=status)


def _original_sanction(case) -> str:
    first = [x for x in case.sanctions.all() if x.replaces_id is None]
    return first[0].kind if first else ""


def _board_context(request, case, forms) -> dict:
    page = selectors.decider_page(case, request.user)
    mine, vote = page["my_ballot"], page["my_vote"]
    kind = mine["ballot"].kind if mine else ""
    appeal = kind == "appeal"
    initial = (
        {
            "choice": vote.choice,
            "sanction": vote.sanction,
            "suspension_months": vote.suspension_months,
            "reason": vote.reason,
            "dissent": vote.dissent,
            **vote_compliance_initial(vote.compliance),
        }
        if vote
        else {}
    )
    return {
        **page,
        "vote_form": forms.get("vote_form")
        or VoteForm(
            initial=initial, appeal=appeal, lesser_than=_original_sanction(case), kind=kind
        ),
        "conflict_form": forms.get("conflict_form") or ConflictForm(prefix="conflict"),
        "today": timezone.localdate(),
    }


def _staff_context(request, case, forms) -> dict:
    actions = access.steps_offered(request.user, case)
    transition_forms = {
        # Each step's form gets its own element ids; the field names stay the same.
        a.step.name: forms.get(f"step_{a.step.name}")
        or TransitionForm(initial={"expected_state": case.state}, auto_id=f"id_{a.step.name}_%s")
        for a in actions
    }
    finding_forms = []
    for allegation in case.allegations.all():
        bound = forms.get(f"finding_{allegation.pk}")
        finding = getattr(allegation, "finding", None)
        initial = (
            {"conclusion": finding.conclusion, "reasoning": finding.reasoning} if finding else {}
        )
        finding_forms.append(
            (allegation, bound or FindingForm(initial=initial, prefix=f"a{allegation.pk}"))
        )
    # A refused step the case has moved past: shown read-only, so the reason typed is kept.
    unavailable_steps = [
        (workflow.STEPS[key.removeprefix("step_")], form)
        for key, form in forms.items()
        if key.startswith("step_") and key.removeprefix("step_") not in transition_forms
    ]
    return {
        "case": case,
        "stepper": workflow.stepper(case),
        "checklist": workflow.checklist(case),
        "forward": workflow.STEPS.get(workflow.FORWARD.get(case.state, ""), None),
        "actions": [(a, transition_forms[a.step.name]) for a in actions],
        "unavailable_steps": unavailable_steps,
        "finding_forms": finding_forms,
        "report_form": forms.get("report_form")
        or ReviewReportForm(
            initial={
                "text": case.review_report,
                "rests_on_single_source": case.review_rests_on_single_source,
                "aggravating": case.review_aggravating,
                "mitigating": case.review_mitigating,
            }
        ),
        "evidence_form": forms.get("evidence_form")
        or EvidenceForm(initial={"source": EvidenceSource.STAFF}, prefix="fact"),
        "window_form": forms.get("window_form") or ReopenWindowForm(),
        "late_form": forms.get("late_form") or ReasonForm(prefix="late"),
        "link_form": forms.get("link_form") or CaseLinkForm(prefix="link"),
        "links": selectors.links_of(case),
        "officer_form": forms.get("officer_form")
        or OfficerForm(initial={"officer": case.case_officer_id}),
        "pending_amendments": [
            a for a in case.amendments.all() if a.needs_notice and a.noticed_at is None
        ],
        "events": case.events.all(),
        "ballots": selectors.ballots_of(case),
        "letter_kinds": LetterKind.choices,
        "correction_form": forms.get("correction_form"),
        "superseded_letter_ids": {x.supersedes_id for x in case.letters.all() if x.supersedes_id},
        "failed_letter_ids": {x.pk for x in case.letters.all() if workflow.delivery_failed(x)},
        "sanctions": list(case.sanctions.all()),
        "extend_form": forms.get("extend_form") or ExtendBallotForm(prefix="extend"),
        "party_conflict_form": forms.get("party_conflict_form")
        or PartyConflictForm(prefix="party"),
        "filing_deadline": workflow.filing_deadline(case),
        "procedure_rules": case.procedure.describe_rules(),
        "today": timezone.localdate(),
        # The complainant's side (docs/decisions/0021): thread, evidence, access code.
        "complainant_panel": selectors.complainant_staff_panel(case),
        **staff_panel_forms(forms),
        **panel_forms(forms),
        "retention": selectors.retention_status(case),
    }


def _refused(request, case, form_key, form, exc, status=400):
    """The case page as it is now, with the refused form: its error and what was typed."""
    form.add_error(None, exc)
    fresh = selectors.case_for_page(number=case.number, user=request.user)
    return _render_case(request, fresh, status=status, **{form_key: form})


# The most serious steps ask for the password again when the user signed in (or last
# confirmed it) more than PROBITY_REAUTH_MINUTES ago (members.accounts).
REAUTH_STEPS = frozenset({"refer_to_board", "close_ballot", "decide_appeal", "refer_after_hearing"})


def _confirm_identity(request, case, name: str):
    """None when `name` needs no re-authentication here, or the user has just given it;
    otherwise the page asking for the password, which re-posts the form as typed. Only
    asked of someone the table lets take the step: anyone else is refused as before."""
    if name not in REAUTH_STEPS and name != "close_appeal_ballot":
        return None
    if not workflow.who_may(request.user, case, name):
        return None
    label = workflow.entry(name).label.lower()
    return accounts.reauthenticate(request, label, case.get_absolute_url())


def _confirmation(request, case, name: str, action_url: str):
    """For an irreversible step or action (the table's `irreversible`) not yet
    confirmed: the page that says what it will send to whom, posting the same form
    again with `confirmed`. None once confirmed, or when the user could not take it
    now (then the service refuses it as usual, with its reason)."""
    item = workflow.entry(name)
    if not item.irreversible or request.POST.get("confirmed") == "yes":
        return None
    offer = access.offered(request.user, case, [name]).get(name)
    if offer is None or not offer.ready:
        return None
    return render(
        request,
        "cases/confirm_step.html",
        {
            "case": case,
            "item": item,
            "summary": confirmations.summary_of(case, name),
            "reason": request.POST.get("reason", ""),
            "expected_state": request.POST.get("expected_state", case.state),
            "action_url": action_url,
        },
    )


@login_required
@require_POST
def case_step(request, number, name):
    # The step redirects when it succeeds: the page's rows are read only if it is refused.
    case = selectors.case_for_page(number=number, user=request.user, page_rows=False)
    if name not in workflow.STEPS:
        raise Http404("No such step.")
    page = _confirmation(request, case, name, request.path)
    if page is not None:
        return page
    confirm = _confirm_identity(request, case, name)
    if confirm is not None:
        return confirm
    form = TransitionForm(
        request.POST, auto_id=f"id_{name}_%s", reason_label=workflow.STEPS[name].reason_label
    )
    if not form.is_valid():
        return _refused(request, case, f"step_{name}", form, _("The form was incomplete."))
    try:
        services.case_transition(
            case=case,
            name=name,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_state=form.cleaned_data["expected_state"],
        )
    except services.CaseMovedOn as exc:
        # Someone changed the case first: show it as it is now, keeping what was typed.
        now = selectors.case_for_page(number=number, user=request.user)
        form = form.for_state(now.state)
        form.add_error(None, exc)
        return _render_case(request, now, status=409, **{f"step_{name}": form})
    except ValidationError as exc:
        return _refused(request, case, f"step_{name}", form, exc)
    case.refresh_from_db()
    messages.success(
        request,
        _("Done: %(step)s. The case is now %(state)s.")
        % {"step": workflow.STEPS[name].label.lower(), "state": case.state_label.lower()},
    )
    return redirect(case)


@login_required
@require_POST
def evidence_add(request, number):
    return _case_form(
        request,
        number,
        form_key="evidence_form",
        make_form=lambda case: EvidenceForm(request.POST, request.FILES, prefix="fact"),
        call=lambda case, d: services.evidence_add(
            case=case, by=request.user, evidence=EvidenceForm.input_from(d)
        ),
        done=_("Evidence added."),
    )


@login_required
@require_POST
def evidence_disclosure(request, number, evidence_id):
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    evidence = get_object_or_404(Evidence, pk=evidence_id, case=case)
    services.evidence_set_disclosure(
        evidence=evidence, by=request.user, disclosed=request.POST.get("disclosed") == "1"
    )
    messages.success(request, _("Disclosure of “%(title)s” updated.") % {"title": evidence.title})
    return redirect(case)


@login_required
def evidence_download(request, number, evidence_id):
    evidence = selectors.evidence_for_download(
        number=number, evidence_id=evidence_id, user=request.user
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_filename,
        content_type=evidence.content_type,
    )
    # Captured pages are HTML: never let a browser run them on our origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def response_submit(request, number):
    return _case_form(
        request,
        number,
        form_key="response_form",
        staff_only=False,
        make_form=lambda case: ResponseForm(request.POST, request.FILES),
        call=lambda case, d: services.response_submit(
            case=case, by=request.user, text=d["text"], attachments=d["attachments"]
        ),
        done=_("Your response was received. The ethics staff will consider it."),
    )


@login_required
@require_POST
def finding_record(request, number, allegation_id):
    def allegation(case):
        return get_object_or_404(Allegation, pk=allegation_id, case=case)

    return _case_form(
        request,
        number,
        form_key=f"finding_{allegation_id}",
        make_form=lambda case: FindingForm(request.POST, prefix=f"a{allegation(case).pk}"),
        call=lambda case, d: services.finding_record(
            allegation=allegation(case),
            by=request.user,
            conclusion=d["conclusion"],
            reasoning=d["reasoning"],
        ),
        done=_("Finding recorded."),
        then=lambda case: f"{case.get_absolute_url()}#allegation-{allegation_id}",
    )


def _case_form(request, number, *, form_key, make_form, call, done, staff_only=True, then=None):
    """A form on the case page: validate, call the service, and either redirect with a
    success message or re-render the case page with the form and its errors (400)."""
    case = selectors.case_for_page(number=number, user=request.user)
    if staff_only:
        _require_staff(request, case)
    form = make_form(case)
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except ValidationError as exc:
            return _refused(request, case, form_key, form, exc)
        except PermissionDenied as exc:
            # Access can change while a form is open (a dismissal ends the respondent's
            # right to respond); the page is still theirs to see, with what they typed.
            why = str(exc) or _("You may not do this on this case.")
            return _refused(request, case, form_key, form, why, status=403)
        messages.success(request, done)
        return redirect(then(case) if then else case)
    return _render_case(request, case, status=400, **{form_key: form})


def _staff_post(request, number, form_class, form_key, call, done, **form_kwargs):
    """A staff form whose only input is the POSTed fields."""
    return _case_form(
        request,
        number,
        form_key=form_key,
        call=call,
        done=done,
        make_form=lambda case: form_class(request.POST, **form_kwargs),
    )


@login_required
@require_POST
def review_report_save(request, number):
    return _staff_post(
        request,
        number,
        ReviewReportForm,
        "report_form",
        lambda case, d: services.review_report_save(
            case=case,
            by=request.user,
            text=d["text"],
            rests_on_single_source=d["rests_on_single_source"],
            aggravating=d["aggravating"],
            mitigating=d["mitigating"],
        ),
        _("Review report saved."),
    )


@login_required
@require_POST
def response_window_reopen(request, number):
    return _staff_post(
        request,
        number,
        ReopenWindowForm,
        "window_form",
        lambda case, d: services.response_window_reopen(
            case=case, by=request.user, reason=d["reason"], until=d["until"]
        ),
        _("Response window reopened."),
    )


@login_required
@require_POST
def late_filing_accept(request, number):
    return _staff_post(
        request,
        number,
        ReasonForm,
        "late_form",
        lambda case, d: services.late_filing_accept(case=case, by=request.user, reason=d["reason"]),
        _("Late filing accepted with your reason."),
        prefix="late",
    )


@login_required
@require_POST
def case_officer_assign(request, number):
    return _staff_post(
        request,
        number,
        OfficerForm,
        "officer_form",
        lambda case, d: services.case_officer_assign(
            case=case, by=request.user, officer=d["officer"]
        ),
        _("Case officer assigned."),
    )


@login_required
@require_POST
def case_link(request, number):
    return _staff_post(
        request,
        number,
        CaseLinkForm,
        "link_form",
        lambda case, d: services.case_link(
            case=case,
            other_number=d["other_number"],
            kind=d["kind"],
            reason=d["reason"],
            by=request.user,
        ),
        _("Cases linked; the link is in both cases' records."),
        prefix="link",
    )


@login_required
@require_POST
def amended_notice_issue(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    try:
        services.amended_notice_issue(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Amended notice issued; the response window runs again."))
    return redirect(case)


# ---------------------------------------------------------------------------
# Ballots: the board's and the appeals panel's pages, and staff's ballot actions
# ---------------------------------------------------------------------------


@login_required
def workflow_page(request):
    """The case workflow for staff, the board and the panel: drawn from the table."""
    if not roles_of(request.user).sees_register:
        raise PermissionDenied(_("The workflow page is for ethics staff, the board and the panel."))
    procedure = Procedure.in_force()
    return render(
        request,
        "cases/workflow.html",
        {"diagram": selectors.workflow_diagram(procedure=procedure), "procedure": procedure},
    )


@login_required
def my_ballots(request):
    roles = roles_of(request.user)
    if not (roles.board or roles.appeals_panel):
        raise PermissionDenied(_("“My ballots” is for board and appeals-panel members."))
    all_open = request.GET.get("open") == "all"
    context = selectors.my_ballots(
        user=request.user,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        all_open=all_open,
    )
    # The closed ballots' page links keep every open ballot shown if asked.
    return render(
        request, "cases/my_ballots.html", context | {"query_string": "open=all" if all_open else ""}
    )


@login_required
@require_POST
def vote_cast(request, number):
    return _case_form(
        request,
        number,
        form_key="vote_form",
        staff_only=False,
        make_form=lambda case: VoteForm(
            request.POST,
            lesser_than=_original_sanction(case),
            kind=BALLOT_KIND_IN.get(case.state, BallotKind.BOARD),
        ),
        call=lambda case, d: services.vote_cast(
            case=case,
            voter=request.user,
            choice=d["choice"],
            sanction=d.get("sanction", ""),
            suspension_months=d.get("suspension_months"),
            reason=d["reason"],
            dissent=d["dissent"],
            compliance=d["compliance"],
        ),
        done=_("Your vote is recorded. You may change it until the ballot closes."),
    )


@login_required
@require_POST
def conflict_declare(request, number):
    return _case_form(
        request,
        number,
        form_key="conflict_form",
        staff_only=False,
        make_form=lambda case: ConflictForm(request.POST, prefix="conflict"),
        call=lambda case, d: services.conflict_declare(
            case=case, member=request.user, reason=d["reason"], by=request.user
        ),
        done=_("Your conflict of interest is recorded; you no longer have access to the case."),
        then=lambda case: "cases:my_ballots",
    )


@login_required
@require_POST
def conflict_record(request, number):
    return _staff_post(
        request,
        number,
        PartyConflictForm,
        "party_conflict_form",
        lambda case, d: services.conflict_declare(
            case=case, member=d["member"], reason=d["reason"], by=request.user
        ),
        _("Conflict recorded; the member no longer has access and does not count."),
        prefix="party",
    )


@login_required
@require_POST
def ballot_extend(request, number):
    return _staff_post(
        request,
        number,
        ExtendBallotForm,
        "extend_form",
        lambda case, d: services.ballot_extend(
            case=case, by=request.user, until=d["until"], reason=d["reason"]
        ),
        _("Ballot extended."),
        prefix="extend",
    )


@login_required
@require_POST
def appeal_ballot_close(request, number):
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    page = _confirmation(request, case, "close_appeal_ballot", request.path)
    if page is not None:
        return page
    confirm = _confirm_identity(request, case, "close_appeal_ballot")
    if confirm is not None:
        return confirm
    try:
        services.appeal_ballot_close(case=case, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The appeals panel's ballot is closed. Record the appeal decision next.")
        )
    return redirect(case)


# ---------------------------------------------------------------------------
# The representative's "Our cases"
# ---------------------------------------------------------------------------


def _representatives_organization(request) -> Organization:
    roles = roles_of(request.user)
    if not roles.representative:
        raise Http404(_("You are not a representative of a member organization."))
    return Organization.objects.get(pk=roles.organization_id)


@login_required
def portal_cases(request):
    organization = _representatives_organization(request)
    page = selectors.portal_cases_page(
        organization=organization,
        user=request.user,
        size=CASE_PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    return render(
        request,
        "cases/portal_cases.html",
        {"organization": organization, "page": page, "rows": selectors.portal_rows(page)},
    )


@login_required
def portal_sanctions(request):
    """Every sanction on the representative's organization's record, newest first, a page
    at a time (the membership page shows the newest few)."""
    organization = _representatives_organization(request)
    page = selectors.portal_list_page(
        selectors.portal_sanctions_all(organization),
        order_by="decided_at",
        size=CASE_PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    return render(
        request, "cases/portal_sanctions.html", {"organization": organization, "page": page}
    )


@login_required
def portal_letters(request):
    """Every letter to the organization that the representative may open, newest first."""
    organization = _representatives_organization(request)
    page = selectors.portal_list_page(
        selectors.portal_letters_all(organization=organization, user=request.user),
        order_by="issued_at",
        size=CASE_PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    return render(
        request, "cases/portal_letters.html", {"organization": organization, "page": page}
    )


# ---------------------------------------------------------------------------
# Letters
# ---------------------------------------------------------------------------


@login_required
def letter_download(request, number, letter_id):
    letter = selectors.letter_for_download(number=number, letter_id=letter_id, user=request.user)
    response = FileResponse(
        letter.file.open("rb"),
        as_attachment=True,
        filename=letter.download_name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def dossier_download(request, number):
    """The case's whole file as one zip, streamed; the export is recorded first."""
    case = selectors.case_for_page(number=number, user=request.user)
    filename, stream = services.dossier_export(case=case, by=request.user)
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def letter_preview(request, number, kind):
    """Staff check a letter before the step that issues it; it is marked as a draft."""
    case = selectors.case_for_page(number=number, user=request.user)
    access.authorize(request.user, case, "preview_letter")
    if kind not in LetterKind.values:
        raise Http404("No such letter.")
    response = HttpResponse(rendering.preview_html(case, kind))
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_POST
def letter_redeliver(request, number, letter_id):
    case = selectors.case_for_page(number=number, user=request.user)
    _require_staff(request, case)
    letter = get_object_or_404(Letter, pk=letter_id, case=case)
    try:
        attempts = services.letter_redeliver(letter=letter, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{case.get_absolute_url()}#letters-h")
    failed = [a for a in attempts if not a.succeeded]
    if not attempts:
        messages.info(request, _("Every recipient has already received this letter."))
    elif failed:
        messages.error(
            request,
            _("Delivery failed again for %(recipients)s: %(error)s")
            % {"recipients": ", ".join(a.recipient for a in failed), "error": failed[0].error},
        )
    else:
        messages.success(
            request,
            _("Letter delivered to %(recipients)s.")
            % {"recipients": ", ".join(a.recipient for a in attempts)},
        )
    return redirect(f"{case.get_absolute_url()}#letters-h")


@login_required
@require_POST
def letter_correct(request, number, letter_id):
    def letter(case):
        return get_object_or_404(Letter, pk=letter_id, case=case)

    return _case_form(
        request,
        number,
        form_key="correction_form",
        make_form=lambda case: LetterCorrectionForm(request.POST, letter_id=letter(case).pk),
        call=lambda case, d: services.letter_correct(
            letter=letter(case), by=request.user, reason=d["reason"]
        ),
        done=_("A corrected version was issued; the earlier one remains on record."),
        then=lambda case: f"{case.get_absolute_url()}#letters-h",
    )
