"""Issue 10's forms on the case page: the comment on the review and the hearing. Each
view parses its form and calls one service (cases.services.hearings); a refusal
re-renders the case page with the form as typed (cases.views._case_form)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors, services, workflow
from cases.forms_hearing import (
    HearingForm,
    HearingRecordForm,
    HearingRequestForm,
    ParticipantsForm,
    PostponeForm,
    ReviewCommentForm,
)
from cases.models import HearingParty
from cases.views import _case_form


def _attendance_names(case) -> list[str]:
    return selectors.hearing_page(case, "staff")["attendance_names"]


@login_required
@require_POST
def review_disclose(request, number):
    return _case_form(
        request,
        number,
        form_key="disclose_form",
        make_form=lambda case: forms.Form(request.POST),  # a button: nothing to type
        call=lambda case, d: services.review_disclose(case=case, by=request.user),
        done=_("The findings and the review report are disclosed to the respondent for comment."),
    )


@login_required
@require_POST
def review_comment(request, number):
    return _case_form(
        request,
        number,
        form_key="comment_form",
        staff_only=False,
        make_form=lambda case: ReviewCommentForm(request.POST, prefix="comment"),
        call=lambda case, d: services.review_comment_submit(
            case=case, by=request.user, text=d["text"]
        ),
        done=_("Your comment was received. It goes to the board with the case file."),
    )


@login_required
@require_POST
def hearing_request(request, number):
    return _case_form(
        request,
        number,
        form_key="hearing_request_form",
        staff_only=False,
        make_form=lambda case: HearingRequestForm(
            request.POST,
            prefix="hreq",
            label=workflow.ACTIONS["request_hearing"].reason_label,
        ),
        call=lambda case, d: services.hearing_request(
            case=case, by=request.user, party=HearingParty.RESPONDENT, reason=d["reason"]
        ),
        done=_("Your request for a hearing was received."),
    )


@login_required
@require_POST
def hearing_request_record(request, number):
    return _case_form(
        request,
        number,
        form_key="complainant_request_form",
        make_form=lambda case: HearingRequestForm(
            request.POST,
            prefix="creq",
            label=workflow.ACTIONS["record_hearing_request"].reason_label,
        ),
        call=lambda case, d: services.hearing_request(
            case=case, by=request.user, party=HearingParty.COMPLAINANT, reason=d["reason"]
        ),
        done=_("The complainant's request for a hearing is recorded."),
    )


@login_required
@require_POST
def hearing_schedule(request, number):
    return _case_form(
        request,
        number,
        form_key="hearing_form",
        make_form=lambda case: HearingForm(request.POST, prefix="hearing"),
        call=lambda case, d: services.hearing_schedule(
            case=case, by=request.user, hearing=_form_input(d)
        ),
        done=_("The hearing is set; the notice of hearing went to both parties."),
    )


@login_required
@require_POST
def hearing_postpone(request, number):
    return _case_form(
        request,
        number,
        form_key="postpone_form",
        make_form=lambda case: PostponeForm(request.POST, prefix="postpone"),
        call=lambda case, d: services.hearing_postpone(
            case=case, by=request.user, reason=d["reason"], hearing=_form_input(d)
        ),
        done=_("The hearing is postponed; the new notice went to both parties."),
    )


def _form_input(d) -> services.HearingInput:
    return services.HearingInput(
        day=d["day"],
        time=d["time"],
        time_zone=d["time_zone"],
        place=d["place"],
        video_link=d["video_link"],
        participants_due_on=d["participants_due_on"],
    )


@login_required
@require_POST
def hearing_participants(request, number):
    return _case_form(
        request,
        number,
        form_key="participants_form",
        staff_only=False,
        make_form=lambda case: ParticipantsForm(request.POST, prefix="people"),
        call=lambda case, d: services.hearing_participants_name(
            case=case, by=request.user, participants=ParticipantsForm.participants_of(d)
        ),
        done=_("Thank you: the names are recorded for the hearing."),
    )


@login_required
@require_POST
def hearing_participants_record(request, number):
    return _case_form(
        request,
        number,
        form_key="staff_participants_form",
        make_form=lambda case: ParticipantsForm(
            request.POST, prefix="staffpeople", with_party=True
        ),
        call=lambda case, d: services.hearing_participants_record(
            case=case,
            by=request.user,
            party=d["party"],
            participants=ParticipantsForm.participants_of(d),
        ),
        done=_("The names are recorded for the hearing."),
    )


@login_required
@require_POST
def hearing_record(request, number):
    return _case_form(
        request,
        number,
        form_key="hearing_record_form",
        make_form=lambda case: HearingRecordForm(
            request.POST, request.FILES, prefix="record", names=_attendance_names(case)
        ),
        call=lambda case, d: services.hearing_record(
            case=case,
            by=request.user,
            attended=HearingRecordForm.attendees_of(d),
            minutes=d["minutes"],
            notes=d["notes"],
            disclosed=d["disclosed"],
        ),
        done=_("The hearing's record is kept."),
    )
