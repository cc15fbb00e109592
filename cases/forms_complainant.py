"""Forms of the complainant's page and of its staff side (docs/decisions/0021)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cases.forms import KeepsInput
from cases.services.complainants import MAX_MESSAGE_CHARACTERS


class ComplainantSignInForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Case reference"),
        max_length=12,
        help_text=gettext_lazy("As in the acknowledgement of your complaint, e.g. 2026-0042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Access code"),
        max_length=64,
        help_text=gettext_lazy(
            "The code sent to you with the acknowledgement (letters, digits and dashes)."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class MessageForm(KeepsInput, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=MAX_MESSAGE_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ComplainantEvidenceForm(KeepsInput, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("PDF, image, text, saved web page or email message."),
    )
    title = forms.CharField(label=gettext_lazy("What it is"), max_length=200, required=False)
    description = forms.CharField(
        label=gettext_lazy("What it shows (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptSubmissionForm(KeepsInput, forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    producer = forms.CharField(
        label=gettext_lazy("Produced by (the outlet, registry or person it comes from)"),
        max_length=200,
        required=False,
    )
    disclosed_to_respondent = forms.BooleanField(
        label=gettext_lazy("Disclose to the respondent"), required=False
    )


class DeclineSubmissionForm(KeepsInput, forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why it is not accepted (the complainant is told)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CodeReasonForm(KeepsInput, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def staff_panel_forms(forms: dict) -> dict:
    """The staff side's forms for the case page: a refused one as it was typed."""
    return {
        "c_message_form": forms.get("c_message_form") or MessageForm(prefix="cmsg"),
        "c_accept_form": forms.get("c_accept_form"),
        "c_decline_form": forms.get("c_decline_form"),
        "c_revoke_form": forms.get("c_revoke_form") or CodeReasonForm(prefix="crev"),
        "c_reissue_form": forms.get("c_reissue_form") or CodeReasonForm(prefix="cnew"),
    }
