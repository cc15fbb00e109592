"""The forms of the publication and legal-hold panel on the staff case page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from cases.forms import KeepsInput


class PublicationReasonForm(KeepsInput, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


# The panel's forms by their key in the page context, with their prefixes.
PANEL_FORMS = {"withhold_form": "withhold", "hold_form": "hold", "release_form": "release"}


def panel_forms(bound: dict) -> dict:
    """The panel's forms for the staff case page: the one refused (bound, with what
    was typed) or an empty one each."""
    return {
        key: bound.get(key) or PublicationReasonForm(prefix=prefix)
        for key, prefix in PANEL_FORMS.items()
    }
