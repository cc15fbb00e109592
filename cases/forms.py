"""Forms for the case pages. They parse and validate input; the services decide."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import F, QuerySet, Value
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from association.prepared import PreparedRows
from association.widgets import QuickInput, QuickSelect
from cases.models import (
    BALLOT_CHOICES,
    SANCTION_SEVERITY,
    BallotKind,
    ComplainantKind,
    EvidenceKind,
    EvidenceSource,
    FindingConclusion,
    LinkKind,
    Principle,
    ReceivedVia,
    SanctionKind,
    VoteChoice,
)
from cases.services import AllegationInput, ComplainantInput, EvidenceInput
from cases.services.ballots import (
    MAX_COMPLIANCE_DAYS,
    MAX_CONDITIONS_MONTHS,
    MAX_SUSPENSION_MONTHS,
)
from cases.workflow import CaseState
from members.models import Organization
from members.roles import APPEALS_PANEL, BOARD, ETHICS_STAFF

DATE = forms.DateInput(attrs={"type": "date"})


class KeepsInput:
    """A form the case page can show read-only after a refusal, when the page no longer
    offers it (the window closed, the case moved on), so that nothing typed is lost."""

    def kept_input(self) -> list[tuple[str, str]]:
        """(label, what was submitted) for each visible field that was filled in; choices
        by their label. Files are not here: see `files_to_attach_again`."""
        cleaned = getattr(self, "cleaned_data", {})
        kept = []
        for bound in self.visible_fields():
            field, value = bound.field, bound.data
            if isinstance(field, forms.FileField) or value in (None, "", [], False):
                continue
            if isinstance(field, forms.BooleanField):
                text = _("Yes")
            elif isinstance(field, forms.ModelChoiceField):
                chosen = cleaned.get(bound.name)
                text = field.label_from_instance(chosen) if chosen is not None else str(value)
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(field.choices).get(value, value))
            else:
                text = str(value)
            kept.append((str(bound.label), text))
        return kept

    def files_to_attach_again(self) -> list[str]:
        """Browsers cannot send a file again by themselves: the names of the files that
        were chosen, so the page can say which to attach again. A file that was itself
        refused (its name is in an error, here or in `refused_files`) is not asked for
        again: the error says why it cannot be used."""
        getlist = getattr(self.files, "getlist", None)
        if getlist is None:
            return []
        refused = set(getattr(self, "refused_files", ())) | refused_file_names(
            [str(e) for errors in (self.errors.values() if self.is_bound else []) for e in errors]
        )
        return [
            f.name
            for bound in self.visible_fields()
            if isinstance(bound.field, forms.FileField)
            for f in getlist(bound.html_name)
            if f and f.name not in refused
        ]


def refused_file_names(messages) -> set[str]:
    """The file names an upload refusal quotes (cases.uploads: “tool.exe” is of a type...)."""
    # “name” in English, « name » in French.
    return {
        name
        for message in messages
        for name in re.findall(r"(?:“|«\s?)([^”»]+?)(?:\s?»|”)", str(message))
    }


def error_summary(form, *formsets) -> list[tuple[str, str, str]]:
    """(element id, what, message) for every error of a refused form and its formsets
    (given as (formset, legend) pairs), in page order: the summary at the top of the page
    links each to its field."""
    out = []

    def add(f, prefix: str, top: str) -> None:
        for error in f.non_field_errors():
            out.append((top, prefix or _("The form"), error))
        for name, errors in f.errors.items():
            if name == NON_FIELD_ERRORS or name not in f.fields:
                continue
            bound = f[name]
            what = f"{prefix}: {bound.label}" if prefix else str(bound.label)
            out.extend((bound.id_for_label, what, error) for error in errors)

    add(form, "", "complaint-form")
    for formset, legend in formsets:
        for error in formset.non_form_errors():
            out.append((f"{formset.prefix}-rows", legend, error))
        for i, f in enumerate(formset, 1):
            add(f, f"{legend} {i}", f"{formset.prefix}-rows")
    return out


def staff_users():
    return User.objects.filter(groups__name=ETHICS_STAFF, is_active=True).order_by("last_name")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def _principle_and_officer_rows() -> QuerySet:
    columns = ("kind", "pk", "a", "b", "c")
    principles = Principle.objects.annotate(
        kind=Value(0), a=F("number"), b=F("title"), c=Value("")
    ).values_list(*columns)
    officers = (
        staff_users()
        .order_by()
        .annotate(kind=Value(1), a=F("first_name"), b=F("last_name"), c=F("username"))
        .values_list(*columns)
    )
    return principles.order_by().union(officers, all=True)


# Compiled once: building and compiling the UNION cost ten times what running it does.
_PRINCIPLES_AND_OFFICERS = PreparedRows(Principle, _principle_and_officer_rows)


def _principles_and_officers() -> tuple[list[Principle], list[User]]:
    """The principles (by number) and the active staff (by last name) the case list's
    filter offers, read in one query (a UNION of the two): every load of the list asks
    for both, and each query is a round trip to the database (issue 15)."""
    found: tuple[list, list] = ([], [])
    for kind, pk, a, b, c in _PRINCIPLES_AND_OFFICERS():
        if kind == 0:
            found[0].append(Principle(pk=pk, number=a, title=b))
        else:
            found[1].append(User(pk=pk, first_name=a, last_name=b, username=c))
    found[0].sort(key=lambda p: (p.number, p.pk))
    found[1].sort(key=lambda u: (u.last_name, u.pk))
    return found


class ComplaintForm(forms.Form):
    respondent = forms.CharField(
        label=gettext_lazy("Respondent"),
        max_length=200,
        help_text=gettext_lazy(
            "The member organization complained about: type part of its name and "
            "choose it from the register's suggestions (or its exact name or register slug)."
        ),
        widget=forms.TextInput(attrs={"list": "respondent-options", "autocomplete": "off"}),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=300,
        help_text=gettext_lazy("One line: what the complaint is about."),
    )
    conduct_known_on = forms.DateField(
        label=gettext_lazy("Conduct could be known on"),
        widget=DATE,
        help_text=gettext_lazy(
            "When the complainant could first have known of the conduct; the filing "
            "deadline runs from this date."
        ),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=DATE,
        required=False,
        initial=timezone.localdate,
        help_text=gettext_lazy(
            "When the association received the complaint (today, or earlier for a "
            "complaint received on paper or by email and entered now). Deadlines count from it."
        ),
    )
    received_via = forms.ChoiceField(
        label=gettext_lazy("Received by way of"),
        choices=ReceivedVia.choices,
        initial=ReceivedVia.FORM,
        required=False,
    )
    case_officer = StaffChoiceField(
        label=gettext_lazy("Case officer"), queryset=User.objects.none()
    )
    late_acceptance_reason = forms.CharField(
        label=gettext_lazy("Reason to accept late (only if filed after the deadline)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    complainant_kind = forms.ChoiceField(
        label=gettext_lazy("Complainant is"), choices=ComplainantKind.choices
    )
    complainant_name = forms.CharField(label=gettext_lazy("Complainant's name"), max_length=200)
    complainant_organization_name = forms.CharField(
        label=gettext_lazy("Complainant's organization (outside the association)"),
        max_length=200,
        required=False,
    )
    complainant_member = forms.CharField(
        label=gettext_lazy(
            "Complainant's member organization (name or slug, if a member's representative)"
        ),
        max_length=200,
        required=False,
    )
    complainant_email = forms.EmailField(label=gettext_lazy("Complainant's email"), required=False)
    complainant_phone = forms.CharField(
        label=gettext_lazy("Complainant's phone"), max_length=40, required=False
    )
    complainant_address = forms.CharField(
        label=gettext_lazy("Complainant's postal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    complainant_consents = forms.BooleanField(
        label=gettext_lazy("The complainant consents to the respondent learning who they are"),
        required=False,
    )
    # Letters and their emails are written in it; left empty: the language of the
    # page the complaint was filed from (docs/decisions/0027).
    complainant_language = forms.ChoiceField(
        label=gettext_lazy("Complainant's language for letters"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_officer"].queryset = staff_users()
        self.fields["complainant_language"].choices = [("", ""), *settings.LANGUAGES]
        self.fields["complainant_language"].initial = self._filing_language()

    @staticmethod
    def _filing_language() -> str:
        """The language of the request filing the complaint, where letters offer it."""
        current = translation.get_language() or ""
        codes = [code for code, _name in settings.LANGUAGES]
        return next((c for c in codes if c == current or c.split("-")[0] == current), "")

    def clean_complainant_language(self):
        return self.cleaned_data["complainant_language"] or self._filing_language()

    @staticmethod
    def _organization(value: str, field_label: str) -> Organization:
        value = value.strip()
        matches = list(Organization.objects.filter(slug=value)) or list(
            Organization.objects.filter(name__iexact=value)[:2]
        )
        if not matches:
            raise forms.ValidationError(
                _("No organization in the register is called “%(name)s”."),
                params={"name": value},
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several organizations are called “%(name)s”: use the register slug."),
                params={"name": value},
            )
        return matches[0]

    def clean_received_on(self):
        # Left empty: received today, as it is entered.
        return self.cleaned_data["received_on"] or timezone.localdate()

    def clean_received_via(self):
        return self.cleaned_data["received_via"] or ReceivedVia.FORM

    def clean_respondent(self):
        return self._organization(self.cleaned_data["respondent"], "Respondent")

    def clean_complainant_member(self):
        value = self.cleaned_data["complainant_member"]
        return self._organization(value, "Complainant's organization") if value.strip() else None

    def clean(self):
        data = super().clean()
        kind = data.get("complainant_kind")
        if kind == ComplainantKind.MEMBER_REPRESENTATIVE and not data.get("complainant_member"):
            self.add_error(
                "complainant_member", _("Name the member organization the complainant represents.")
            )
        if kind == ComplainantKind.ORGANIZATION and not data.get("complainant_organization_name"):
            self.add_error(
                "complainant_organization_name", _("Name the organization that complains.")
            )
        known = data.get("conduct_known_on")
        if known and known > timezone.localdate():
            self.add_error("conduct_known_on", _("This date cannot be in the future."))
        return data

    def complainant_input(self) -> ComplainantInput:
        d = self.cleaned_data
        return ComplainantInput(
            kind=d["complainant_kind"],
            name=d["complainant_name"],
            organization_name=d["complainant_organization_name"],
            member_organization=d["complainant_member"],
            email=d["complainant_email"],
            phone=d["complainant_phone"],
            postal_address=d["complainant_address"],
            consents_to_disclosure=d["complainant_consents"],
            language=d["complainant_language"],
        )


class PrincipleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(number)s. %(title)s (in effect from %(day)s)") % {
            "number": obj.number,
            "title": obj.title,
            "day": formats.date_format(obj.effective_on, "SHORT_DATE_FORMAT"),
        }


class AllegationForm(forms.Form):
    principle = PrincipleChoiceField(
        label=gettext_lazy("Principle"),
        queryset=Principle.objects.select_related("code").order_by("number"),
    )
    conduct = forms.CharField(
        label=gettext_lazy("Conduct alleged"), widget=forms.Textarea(attrs={"rows": 3})
    )
    conduct_from = forms.DateField(label=gettext_lazy("Conduct from"), widget=DATE)
    conduct_to = forms.DateField(label=gettext_lazy("Conduct to"), widget=DATE)

    def clean(self):
        data = super().clean()
        if (
            data.get("conduct_from")
            and data.get("conduct_to")
            and data["conduct_to"] < data["conduct_from"]
        ):
            self.add_error("conduct_to", _("The conduct period ends before it starts."))
        return data

    def to_input(self) -> AllegationInput:
        return AllegationInput(
            **{
                k: self.cleaned_data[k]
                for k in ("principle", "conduct", "conduct_from", "conduct_to")
            }
        )


class EvidenceForm(KeepsInput, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, image, text, saved web page or email message."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=EvidenceKind.choices, initial=EvidenceKind.FILE
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Supplied by"),
        choices=EvidenceSource.choices,
        initial=EvidenceSource.COMPLAINANT,
    )
    producer = forms.CharField(
        label=gettext_lazy("Produced by (the outlet, registry or person it comes from)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Two items from the same outlet count as one source. Leave blank if the "
            "supplier made it."
        ),
    )
    url = forms.URLField(
        label=gettext_lazy("Captured from (URL, for a web page)"),
        required=False,
        max_length=2000,
        assume_scheme="https",
    )
    captured_at = forms.DateTimeField(
        label=gettext_lazy("Captured at (for a web page)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    disclosed_to_respondent = forms.BooleanField(
        label=gettext_lazy("Disclose to the respondent"), required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, fixed_source: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_source:
            self.fields["source"].choices = [
                c for c in EvidenceSource.choices if c[0] == fixed_source
            ]
            self.fields["source"].initial = fixed_source

    def clean(self):
        data = super().clean()
        if data.get("kind") == EvidenceKind.WEB_CAPTURE:
            if not data.get("url"):
                self.add_error(
                    "url", _("A captured web page needs the address it was captured from.")
                )
            if not data.get("captured_at"):
                self.add_error("captured_at", _("Say when the page was captured."))
        return data

    def to_input(self) -> EvidenceInput:
        return self.input_from(self.cleaned_data)

    @staticmethod
    def input_from(d: dict) -> EvidenceInput:
        return EvidenceInput(
            file=d["file"],
            title=d["title"],
            source=d["source"],
            disclosed_to_respondent=d["disclosed_to_respondent"],
            kind=d["kind"],
            url=d["url"],
            captured_at=d["captured_at"],
            description=d["description"],
            producer=d.get("producer", ""),
        )


# Blank extra rows are skipped by Django's formsets; a row with anything typed is validated.
AllegationFormSet = forms.formset_factory(AllegationForm, extra=2, max_num=20)
EvidenceFormSet = forms.formset_factory(EvidenceForm, extra=2, max_num=20)
# The new-complaint form starts with one row each; rows are added as needed (by its
# script, or by the "add another" button without JavaScript).
ComplaintAllegationFormSet = forms.formset_factory(AllegationForm, extra=1, max_num=20)
ComplaintEvidenceFormSet = forms.formset_factory(EvidenceForm, extra=1, max_num=20)


def with_another_row(data, prefix: str, max_num: int = 20):
    """The posted data with one more (blank) row in the formset `prefix`."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, max_num))
    return data


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class TransitionForm(KeepsInput, forms.Form):
    """One workflow step. `expected_state` is the state the user saw: if the case has
    moved on meanwhile, the service refuses and says so."""

    expected_state = forms.ChoiceField(choices=CaseState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, reason_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if reason_label:  # the step's own words: "Grounds of appeal"
            self.fields["reason"].label = reason_label

    def for_state(self, state: str) -> TransitionForm:
        """This submission as if made from `state`. After the case has moved on, the page
        is shown as it is now, with what was typed: submitting it again is a decision
        taken on that page."""
        data = self.data.copy()
        data["expected_state"] = state
        return TransitionForm(data, auto_id=self.auto_id, reason_label=self.fields["reason"].label)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ResponseForm(KeepsInput, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your response"), widget=forms.Textarea(attrs={"rows": 10})
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attachments"),
        required=False,
        help_text=gettext_lazy(
            "PDF, image, text or email files. Choose several at once if you need to."
        ),
    )


class FindingForm(KeepsInput, forms.Form):
    conclusion = forms.ChoiceField(label=gettext_lazy("Finding"), choices=FindingConclusion.choices)
    reasoning = forms.CharField(
        label=gettext_lazy("Reasons"), widget=forms.Textarea(attrs={"rows": 3})
    )


class FactorsField(forms.CharField):
    """Factors typed one per line; cleaned to a list of non-empty lines."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ReviewReportForm(KeepsInput, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Review report"), widget=forms.Textarea(attrs={"rows": 8})
    )
    rests_on_single_source = forms.BooleanField(
        label=gettext_lazy("The case rests on one party's report alone"), required=False
    )
    aggravating = FactorsField(
        label=gettext_lazy("Aggravating factors (one per line)"),
        required=False,
        help_text=gettext_lazy(
            "For example: the conduct continued after a warning; customers were harmed."
        ),
    )
    mitigating = FactorsField(
        label=gettext_lazy("Mitigating factors (one per line)"),
        required=False,
        help_text=gettext_lazy(
            "For example: the member corrected the advert at once; no earlier record."
        ),
    )


class CaseLinkForm(KeepsInput, forms.Form):
    other_number = forms.CharField(label=gettext_lazy("Case number to link"), max_length=12)
    kind = forms.ChoiceField(label=gettext_lazy("How they are related"), choices=LinkKind.choices)
    reason = forms.CharField(
        label=gettext_lazy("Why the cases are linked"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenWindowForm(KeepsInput, forms.Form):
    until = forms.DateField(label=gettext_lazy("New response deadline"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(KeepsInput, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class LetterCorrectionForm(KeepsInput, forms.Form):
    """What a corrected version of one letter corrects; the case page has one per letter."""

    reason = forms.CharField(
        label=gettext_lazy("What is corrected"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": gettext_lazy("Say what is corrected: a correction needs a reason.")
        },
    )

    def __init__(self, *args, letter_id: int, **kwargs):
        super().__init__(*args, prefix=f"correct{letter_id}", **kwargs)
        self.letter_id = letter_id


class OfficerForm(forms.Form):
    officer = StaffChoiceField(label=gettext_lazy("Case officer"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = staff_users()


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Number or respondent"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        required=False,
        choices=[("", gettext_lazy("Any stage")), *CaseState.choices],
    )
    principle = forms.ModelChoiceField(
        label=gettext_lazy("Principle"),
        required=False,
        queryset=Principle.objects.order_by("number"),
        empty_label=gettext_lazy("Any principle"),
    )
    officer = StaffChoiceField(
        label=gettext_lazy("Case officer"),
        required=False,
        queryset=User.objects.none(),
        empty_label=gettext_lazy("Any officer"),
    )
    # Set by the "all cases" link on an organization's page (a register of thousands is
    # too long for a drop-down); the list names the organization and offers to clear it.
    respondent = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = staff_users()
        # The choices shown, read in one query; a chosen one is still checked against its
        # field's queryset.
        principles, officers = _principles_and_officers()
        for name, rows in (("principle", principles), ("officer", officers)):
            field = self.fields[name]
            field.choices = [("", field.empty_label)] + [
                (row.pk, field.label_from_instance(row)) for row in rows
            ]
        # Rendered in Python: a template per <option> was a fifth of the list's time,
        # and each input's template (and its attributes') a few percent more.
        for name in ("state", "principle", "officer"):
            self.fields[name].widget = QuickSelect.replacing(self.fields[name].widget)
        for name in ("q", "respondent"):
            self.fields[name].widget = QuickInput.replacing(self.fields[name].widget)

    def clean_received_on(self):
        # Left empty: received today, as it is entered.
        return self.cleaned_data["received_on"] or timezone.localdate()

    def clean_received_via(self):
        return self.cleaned_data["received_via"] or ReceivedVia.FORM

    def clean_respondent(self):
        slug = self.cleaned_data.get("respondent")
        if not slug:
            return None
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise forms.ValidationError(
                _("No organization in the register has the address %(slug)s."),
                params={"slug": slug},
            )
        return organization


class VoteForm(KeepsInput, forms.Form):
    choice = forms.ChoiceField(label=gettext_lazy("Your vote"), widget=forms.RadioSelect)
    sanction = forms.ChoiceField(label=gettext_lazy("Sanction you support"), required=False)
    suspension_months = forms.IntegerField(
        label=gettext_lazy("Suspension length (months, for a suspension)"),
        required=False,
        min_value=1,
        max_value=MAX_SUSPENSION_MONTHS,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    dissent = forms.CharField(
        label=gettext_lazy(
            "Dissent (optional: shown in the decision if your vote is in the minority)"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args, appeal: bool = False, lesser_than: str = "", kind: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        labels = dict(VoteChoice.choices)
        kind = kind or (BallotKind.APPEAL if appeal else BallotKind.BOARD)
        self.fields["choice"].choices = [(c, labels[c]) for c in BALLOT_CHOICES[kind]]
        if kind == BallotKind.COMPLAINANT_APPEAL:
            # The complainant's appeal decides where the case goes, not a sanction.
            del self.fields["sanction"], self.fields["suspension_months"]
            for compliance_kind, group in COMPLIANCE_FIELDS.items():
                for name in (compliance_kind, *group):
                    del self.fields[name]
            return
        if appeal:
            kinds = SANCTION_SEVERITY[: SANCTION_SEVERITY.index(lesser_than)] if lesser_than else []
            self.fields["sanction"].label = _("Lesser sanction (to modify)")
        else:
            kinds = SANCTION_SEVERITY
        labels = dict(SanctionKind.choices)
        self.fields["sanction"].choices = [("", "—")] + [(k, labels[k]) for k in kinds]
        if appeal:
            # The appeals panel upholds, lessens or overturns; it sets no new terms.
            for kind, group in COMPLIANCE_FIELDS.items():
                for name in (kind, *group):
                    del self.fields[name]
        else:
            self.fields["fine_amount"].label = _("Amount (%(currency)s)") % {
                "currency": settings.PROBITY_CURRENCY
            }

    # The compliance sanctions a voter may support besides the sanction: a checkbox,
    # then the terms it takes (shown for the one chosen: probity.css, no script).
    fine = forms.BooleanField(label=gettext_lazy("Also a fine"), required=False)
    fine_amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        required=False,
        min_value=0.01,
        max_digits=12,
        decimal_places=2,
    )
    fine_due_days = forms.IntegerField(
        label=gettext_lazy("Days to pay"),
        required=False,
        min_value=1,
        max_value=MAX_COMPLIANCE_DAYS,
    )
    education = forms.BooleanField(label=gettext_lazy("Also required education"), required=False)
    education_what = forms.CharField(
        label=gettext_lazy("What education (course, training)"), required=False, max_length=500
    )
    education_due_days = forms.IntegerField(
        label=gettext_lazy("Days to complete it"),
        required=False,
        min_value=1,
        max_value=MAX_COMPLIANCE_DAYS,
    )
    conditions = forms.BooleanField(
        label=gettext_lazy("Also conditions (probation)"), required=False
    )
    conditions_terms = forms.CharField(
        label=gettext_lazy("The conditions"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    conditions_months = forms.IntegerField(
        label=gettext_lazy("For how many months"),
        required=False,
        min_value=1,
        max_value=MAX_CONDITIONS_MONTHS,
    )
    conditions_checked_by = forms.CharField(
        label=gettext_lazy("Who checks them"), required=False, max_length=200
    )

    def clean(self):
        data = super().clean()
        compliance = {}
        if data.get("choice") == VoteChoice.VIOLATION:
            for kind, fields in COMPLIANCE_FIELDS.items():
                if kind not in self.fields or not data.get(kind):
                    continue
                for name, (_term, required) in fields.items():
                    if required and data.get(name) in (None, ""):
                        self.add_error(name, NEEDED_WITH[kind])
                compliance[kind] = {
                    term: str(data[name]) if isinstance(data.get(name), Decimal) else data.get(name)
                    for name, (term, _required) in fields.items()
                    if data.get(name) not in (None, "")
                }
        data["compliance"] = compliance
        return data

    def main_fields(self):
        return [self[n] for n in ("choice", "sanction", "suspension_months") if n in self.fields]

    def closing_fields(self):
        return [self[n] for n in ("reason", "dissent")]

    def compliance_groups(self):
        return [
            (self[kind], [self[name] for name in fields])
            for kind, fields in COMPLIANCE_FIELDS.items()
            if kind in self.fields
        ]


# What a compliance sanction's term missing says (its own sentence, for translation).
NEEDED_WITH = {
    "fine": gettext_lazy("Needed with a fine."),
    "education": gettext_lazy("Needed with required education."),
    "conditions": gettext_lazy("Needed with conditions (probation)."),
}

# Each compliance sanction's checkbox: {field: (term in the vote, required)}.
COMPLIANCE_FIELDS = {
    "fine": {"fine_amount": ("amount", True), "fine_due_days": ("due_days", False)},
    "education": {
        "education_what": ("what", True),
        "education_due_days": ("due_days", False),
    },
    "conditions": {
        "conditions_terms": ("terms", True),
        "conditions_months": ("months", True),
        "conditions_checked_by": ("checked_by", False),
    },
}


class ConflictForm(KeepsInput, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Your conflict of interest"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PartyConflictForm(KeepsInput, forms.Form):
    member = StaffChoiceField(
        label=gettext_lazy("Board or panel member"), queryset=User.objects.none()
    )
    reason = forms.CharField(
        label=gettext_lazy("Conflict raised by a party"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            User.objects.filter(groups__name__in=[BOARD, APPEALS_PANEL], is_active=True)
            .distinct()
            .order_by("last_name")
        )


class ExtendBallotForm(KeepsInput, forms.Form):
    until = forms.DateField(label=gettext_lazy("New closing date"), widget=DATE)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def vote_compliance_initial(compliance: dict) -> dict:
    """A recorded vote's compliance sanctions as the vote form's initial values."""
    initial = {}
    for kind, fields in COMPLIANCE_FIELDS.items():
        if kind in (compliance or {}):
            initial[kind] = True
            for name, (term, _required) in fields.items():
                if term in compliance[kind]:
                    initial[name] = compliance[kind][term]
    return initial
