"""association.widgets.QuickSelect writes what Django's Select writes (its templates),
without a template per option."""

import re

import pytest
from django import forms

from association.widgets import QuickSelect
from cases.forms import CaseFilterForm

pytestmark = pytest.mark.django_db


def tags(html: str) -> str:
    """The HTML without the layout whitespace Django's templates put between tags."""
    return re.sub(r">\s+<", "><", html.strip())


CHOICES = [
    ("", "Any"),
    ("a", "Plain"),
    ("b<", 'Needs <escaping> & "quotes"'),
    ("Group", [(1, "One"), (2, "Two")]),
]


@pytest.mark.parametrize("value", [None, "", "a", "b<", 2, "absent"])
def test_same_html_as_django_select(value):
    attrs = {"id": "id_x", "class": "wide", "data-x": 'a"b', "disabled": True, "hidden": False}
    django = forms.Select(attrs=attrs, choices=CHOICES).render("x", value)
    quick = QuickSelect.replacing(forms.Select(attrs=attrs, choices=CHOICES)).render("x", value)
    assert tags(quick) == tags(django)
    assert "&lt;escaping&gt;" in quick and "<escaping>" not in quick


def test_filter_form_renders_as_before(staff):
    data = {"state": "under_review", "q": "x"}
    quick = CaseFilterForm(data).as_p()
    form = CaseFilterForm(data)
    for name in ("state", "principle", "officer"):
        field = form.fields[name]
        assert type(field.widget) is QuickSelect
        plain = forms.Select(attrs=field.widget.attrs, choices=field.choices)
        plain.is_required = field.widget.is_required
        field.widget = plain
    assert tags(quick) == tags(form.as_p())
    assert 'value="under_review" selected' in quick
