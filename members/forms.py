from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import MembershipClass, MembershipStatus
from members.status import MEMBERSHIP_TRANSITIONS


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *MembershipStatus.choices],
    )
    membership_class = forms.ChoiceField(label=gettext_lazy("Class"), required=False)
    in_default = forms.BooleanField(
        label=gettext_lazy("Only those in default (a fine, education or condition overdue)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership_class"].choices = [("", _("Any class"))] + list(
            MembershipClass.objects.values_list("slug", "name")
        )


class StatusChangeForm(forms.Form):
    transition = forms.ChoiceField(
        label=gettext_lazy("Change"), choices=list(MEMBERSHIP_TRANSITIONS.items())
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(
        label=gettext_lazy("Until (suspension end, or readmission-bar date for a termination)"),
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
        label=gettext_lazy("Paid on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RepresentativeAddForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        help_text=gettext_lazy("The link to choose a password is sent here."),
        max_length=254,
    )
    job_title = forms.CharField(label=gettext_lazy("Job title"), max_length=120, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    is_primary = forms.BooleanField(
        label=gettext_lazy("Primary contact (replaces the current primary contact)"), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "rep-%s")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class RepresentativeRemoveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this person no longer a representative?"),
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
