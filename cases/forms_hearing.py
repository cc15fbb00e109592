"""Issue 10's forms (the comment on the review, the hearing) and what the case pages
show of them: `page_context` gives each page its panel's data and forms, bound ones
(a refused submission, with what was typed) kept. The services decide."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import selectors, workflow
from cases.access import DECIDER_VIEW, RESPONDENT_VIEW, STAFF_VIEW
from cases.forms import DATE, KeepsInput
from cases.models import HearingParty, ParticipantRole
from cases.services import ParticipantInput

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
PARTICIPANT_ROWS = 4


def _time_zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


class ReviewCommentForm(KeepsInput, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your comment on the findings and the review report"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
    )


class HearingRequestForm(KeepsInput, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, label: str = gettext_lazy("Reason"), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label


class HearingForm(KeepsInput, forms.Form):
    """When and where: the date, the time in a named time zone, a place and/or a video
    link, and the date by which the parties name who comes."""

    day = forms.DateField(label=gettext_lazy("Date of the hearing"), widget=DATE)
    time = forms.TimeField(label=gettext_lazy("Time"), widget=TIME)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=_time_zones)
    place = forms.CharField(
        label=gettext_lazy("Place"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    video_link = forms.URLField(
        label=gettext_lazy("Video link"), required=False, max_length=500, assume_scheme="https"
    )
    participants_due_on = forms.DateField(
        label=gettext_lazy("Attendees, counsel and witnesses named by"), widget=DATE
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("time_zone", settings.TIME_ZONE)
        super().__init__(*args, **kwargs)


class PostponeForm(HearingForm):
    reason = forms.CharField(
        label=gettext_lazy("Why the hearing is postponed (sent to the parties)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["reason"]


class ParticipantsForm(KeepsInput, forms.Form):
    """Up to PARTICIPANT_ROWS people at once: a role, a name, and a few words on each.
    Staff also say for which party (`with_party`)."""

    def __init__(self, *args, with_party: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_party:
            self.fields["party"] = forms.ChoiceField(
                label=gettext_lazy("For"), choices=HearingParty.choices
            )
        for i in range(PARTICIPANT_ROWS):
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("Person %(n)s: role") % {"n": i + 1}, choices=ParticipantRole.choices
            )
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Person %(n)s: name") % {"n": i + 1}, required=False, max_length=200
            )
            self.fields[f"detail_{i}"] = forms.CharField(
                label=_("Person %(n)s: position, firm, or what they speak to") % {"n": i + 1},
                required=False,
                max_length=300,
            )

    def rows(self):
        return [
            (self[f"role_{i}"], self[f"name_{i}"], self[f"detail_{i}"])
            for i in range(PARTICIPANT_ROWS)
        ]

    @staticmethod
    def participants_of(d: dict) -> list[ParticipantInput]:
        """The rows with a name, from the cleaned data."""
        return [
            ParticipantInput(role=d[f"role_{i}"], name=d[f"name_{i}"], detail=d[f"detail_{i}"])
            for i in range(PARTICIPANT_ROWS)
            if d.get(f"name_{i}", "").strip()
        ]


class HearingRecordForm(KeepsInput, forms.Form):
    attended = forms.MultipleChoiceField(
        label=gettext_lazy("Who attended"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    others = forms.CharField(
        label=gettext_lazy("Others who attended (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.FileField(label=gettext_lazy("The minutes or the recording"))
    notes = forms.CharField(
        label=gettext_lazy("Notes on the record"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    disclosed = forms.BooleanField(
        label=gettext_lazy("Disclose the record to the respondent"), required=False, initial=True
    )

    def __init__(self, *args, names: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(n, n) for n in names]

    @staticmethod
    def attendees_of(d: dict) -> list[str]:
        """Those ticked and those typed, from the cleaned data."""
        return [*d["attended"], *(line.strip() for line in d["others"].splitlines())]


# ---------------------------------------------------------------------------
# What each page shows
# ---------------------------------------------------------------------------


def page_context(case, relation: str, bound: dict) -> dict:
    """The panel of issue 10 on this user's page of the case: `bound` holds a refused
    form under its key. Nothing at all for a procedure with both paths off."""
    paths = workflow.open_paths(case.procedure)
    if not paths & {"hearing", "review_comment"}:
        return {}
    data = selectors.hearing_page(case, relation)
    out = {"hearing_panel": data, "disclose_form": bound.get("disclose_form")}
    if relation == RESPONDENT_VIEW:
        out["comment_form"] = bound.get("comment_form") or ReviewCommentForm(prefix="comment")
        out["hearing_request_form"] = bound.get("hearing_request_form") or HearingRequestForm(
            prefix="hreq", label=workflow.ACTIONS["request_hearing"].reason_label
        )
        out["participants_form"] = bound.get("participants_form") or ParticipantsForm(
            prefix="people"
        )
    elif relation == STAFF_VIEW:
        hearing = data["hearing"]
        out["complainant_request_form"] = bound.get(
            "complainant_request_form"
        ) or HearingRequestForm(
            prefix="creq", label=workflow.ACTIONS["record_hearing_request"].reason_label
        )
        out["hearing_form"] = bound.get("hearing_form") or HearingForm(
            prefix="hearing", initial={"day": workflow.earliest_hearing_day(case)}
        )
        out["postpone_form"] = bound.get("postpone_form") or PostponeForm(
            prefix="postpone", initial={"day": workflow.earliest_hearing_day(case)}
        )
        out["staff_participants_form"] = bound.get("staff_participants_form") or ParticipantsForm(
            prefix="staffpeople", with_party=True
        )
        out["hearing_record_form"] = bound.get("hearing_record_form") or HearingRecordForm(
            prefix="record", names=data["attendance_names"] if hearing else []
        )
    elif relation != DECIDER_VIEW:
        return {}
    return out
