"""The case list's rows and filter form, written in Python (cases.templatetags.case_list,
association.widgets.QuickInput), give the HTML the template engine gave: the same
links, labels, dates and escaping, in English and in French."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation

from association.widgets import QuickInput
from cases.forms import CaseFilterForm, StaffChoiceField, staff_users
from cases.models import Case, Complainant, Principle, Procedure
from cases.templatetags.case_list import case_list_rows
from cases.workflow import CaseState
from tests.factories.cases import PrincipleFactory, adopt_procedure
from tests.factories.dates import days, today
from tests.factories.language import said
from tests.factories.members import OrganizationFactory
from tests.factories.people import UserFactory, board_user, staff_user

pytestmark = pytest.mark.django_db

# The rows as the list's template wrote them before.
ENGINE_ROWS = (
    "{% for case in cases %}"
    '<tr><td class="nowrap"><a href="{{ case.get_absolute_url }}">{{ case.number }}</a></td>'
    "<td>{{ case.respondent.name }}</td><td>{{ case.state_label }}</td>"
    "<td>{{ case.summary }}</td>"
    "<td>{{ case.case_officer.get_full_name|default:case.case_officer.username }}</td>"
    '<td class="nowrap">{{ case.filed_at|date:"SHORT_DATE_FORMAT" }}</td></tr>'
    "{% endfor %}"
)


def tags(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html).strip())


@pytest.fixture
def cases(db):
    named = staff_user("rows.named", first_name="Zoë", last_name="O'Brien & <Co>")
    bare = staff_user("rows.bare<u>", first_name="", last_name="")
    org = OrganizationFactory(name='Acme <Robotics> & "Sons"', slug="acme-robotics")
    procedure = Procedure.objects.first() or adopt_procedure()
    # 23:30 UTC on 31 March is 1 April in London: the date is the local one.
    late = timezone.make_aware(datetime.datetime(2026, 3, 31, 23, 30), datetime.UTC)
    made = []
    for i, (officer, state) in enumerate(
        [(named, CaseState.FILED), (bare, CaseState.BOARD_VOTE), (named, CaseState.CLOSED)]
    ):
        made.append(
            Case.objects.create(
                number=f"2026-{i + 1:04d}",
                respondent=org,
                complainant=Complainant.objects.create(kind="person", name=f"C{i}"),
                procedure=procedure,
                case_officer=officer,
                filed_by=officer,
                filed_at=late - datetime.timedelta(days=40 * i),
                summary=f"<b>Summary</b> {i} & more",
                conduct_known_on=today() - days(30),
                state=state,
            )
        )
    return list(Case.objects.select_related("respondent", "case_officer").order_by("pk"))


@pytest.mark.parametrize("language", ["en-gb", "fr"])
def test_rows_as_the_template_wrote_them(cases, language):
    with translation.override(language):
        engine = engines["django"].from_string(ENGINE_ROWS).render({"cases": cases})
        quick = case_list_rows(cases)
    assert tags(quick) == tags(engine)
    assert "&lt;b&gt;Summary" in quick and "<b>" not in quick
    assert f'href="{reverse("cases:case_detail", args=["2026-0002"])}"' in quick
    if language == "en-gb":
        assert '<td class="nowrap">1 Apr 2026</td>' in quick  # London's day, not UTC's


def test_list_page_shows_the_rows(client, cases):
    client.force_login(staff_user("rows.viewer"))
    html = client.get(reverse("cases:case_list")).content.decode()
    assert html.count('<tr><td class="nowrap">') == 3
    assert "Acme &lt;Robotics&gt; &amp; &quot;Sons&quot;" in html


def test_no_rows_says_so(client, cases):
    client.force_login(staff_user("rows.viewer"))
    html = client.get(reverse("cases:case_list"), {"q": "no such organization"}).content.decode()
    assert said("No case matches these filters.") in html


@pytest.mark.parametrize("value", [None, "", "a", 'x"<y>&', 42])
def test_quick_input_as_django_writes_it(value):
    attrs = {"id": "id_x", "maxlength": "200", "data-x": 'a"b', "required": True, "hidden": False}
    for widget in (forms.TextInput(attrs=attrs), forms.HiddenInput(attrs=attrs)):
        assert QuickInput.replacing(widget).render("x", value) == widget.render("x", value)


def test_filter_form_fields_as_before(db):
    """Each field of the list's filter form, errors included, as Django's widgets wrote it."""
    data = {"q": "x" * 300, "state": "bogus", "respondent": "acme"}
    quick = CaseFilterForm(data)
    plain = CaseFilterForm(data)
    for name in ("q", "respondent"):
        assert type(quick.fields[name].widget) is QuickInput
        widget = quick.fields[name].widget
        plain.fields[name].widget = (
            forms.HiddenInput if widget.input_type == "hidden" else forms.TextInput
        )(attrs=widget.attrs)
    quick.is_valid(), plain.is_valid()
    for name in ("q", "respondent"):
        assert str(quick[name]) == str(plain[name])
    assert 'aria-invalid="true"' in str(quick["q"])


def test_filter_choices_read_in_one_query_are_what_the_querysets_give(
    db, django_assert_num_queries
):
    """The principles and officers the filter offers (one UNION query) are the options
    Django's fields write from their querysets: by number, by last name, the active
    staff only, a name or else the username; a chosen one stays selected."""
    for number, title in (("7", "Fair pricing"), ("12", 'Safe <products> & "claims"'), ("1", "A")):
        PrincipleFactory(number=number, title=title)
    chosen = staff_user(first_name="Zoé", last_name="Adam")
    staff_user(first_name="", last_name="")  # shown by username
    staff_user(first_name="Bea", last_name="Zeller")
    staff_user(is_active=False, last_name="Gone")
    board_user(last_name="Board")
    UserFactory(last_name="Nobody")
    principle = Principle.objects.get(number="12")
    data = {"principle": str(principle.pk), "officer": str(chosen.pk)}
    with django_assert_num_queries(1):
        form = CaseFilterForm(data)
    plain = {
        "principle": forms.ModelChoiceField(
            queryset=Principle.objects.order_by("number"),
            empty_label=form.fields["principle"].empty_label,
        ),
        "officer": StaffChoiceField(
            queryset=staff_users(), empty_label=form.fields["officer"].empty_label
        ),
    }
    for name, field in plain.items():
        expected = [(str(value), str(label)) for value, label in field.choices]
        assert [(str(value), str(label)) for value, label in form.fields[name].choices] == expected
        assert f'<option value="{data[name]}" selected>' in str(form[name])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["principle"] == principle
    assert form.cleaned_data["officer"] == chosen
