from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from members.models import MembershipClass, MembershipStatus
from members.status import MEMBERSHIP_TRANSITIONS


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *MembershipStatus.choices]
    )
    membership_class = forms.ChoiceField(label="Class", required=False)
    in_default = forms.BooleanField(
        label="Only those in default (a fine, education or condition overdue)", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_class"].choices = [("", "Any class")] + list(
            MembershipClass.objects.values_list("slug", "name")
        )


class StatusChangeForm(forms.Form):
    transition = forms.ChoiceField(label="Change", choices=list(MEMBERSHIP_TRANSITIONS.items()))
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(
        label="Until (suspension end, or readmission-bar date for a termination)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None:
            from django_fsm import can_proceed

            # Offer only the changes the current status allows.
            self.fields["transition"].choices = [
                (name, label)
                for name, label in MEMBERSHIP_TRANSITIONS.items()
                if can_proceed(getattr(organization, name), check_conditions=False)
            ]


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label="Paid on", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )


class RepresentativeAddForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(
        label="Email", help_text="The link to choose a password is sent here.", max_length=254
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    is_primary = forms.BooleanField(
        label="Primary contact (replaces the current primary contact)", required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rep-%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class RepresentativeRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why is this person no longer a representative?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CorrespondenceLanguageForm(forms.Form):
    """The language the association writes to the organization in (its letters and
    their emails); blank: the association's own."""

    language = forms.ChoiceField(label=gettext_lazy("Correspondence language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", gettext_lazy("The association's language")),
            *settings.LANGUAGES,
        ]
