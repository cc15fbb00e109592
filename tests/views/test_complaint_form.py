"""The new-complaint form (issue 14): the respondent chosen with suggestions from the
register (a server-side search, JSON for the form's script and a plain page without
JavaScript), rows of allegations and evidence added as needed, required fields marked,
an error summary linking to each field, and no request to re-attach a refused file."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case
from tests.factories.cases import adopt_procedure, ensure_principle
from tests.factories.language import said
from tests.factories.members import OrganizationFactory
from tests.factories.pages import squeezed, text_of
from tests.factories.scenes import cast
from tests.views.test_forms import SUMMARY, complaint_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def c(db):
    adopt_procedure()
    ensure_principle()
    return cast(board=0)


NEW = "cases:complaint_new"


def test_required_fields_are_marked_and_optional_ones_are_not(client, c):
    client.force_login(c.staff)
    html = client.get(reverse(NEW)).content.decode()
    label = re.search(r'<label for="id_respondent">(.*?)</label>', html, re.S).group(1)
    assert said("(required)") in label
    label = re.search(r'<label for="id_complainant_phone">(.*?)</label>', html, re.S).group(1)
    assert said("(required)") not in label


def test_the_form_starts_with_one_row_of_each_and_a_template_for_more(client, c):
    client.force_login(c.staff)
    html = client.get(reverse(NEW)).content.decode()
    assert 'name="allegations-TOTAL_FORMS" value="1"' in html
    assert 'name="evidence-TOTAL_FORMS" value="1"' in html
    assert "allegations-__prefix__-conduct" in html  # the script's <template>
    assert 'src="/static/probity/complaint-form.js"' in html
    assert "<script>" not in html  # nothing inline (the CSP)


def test_adding_a_row_without_javascript_keeps_what_was_typed_and_files_nothing(client, c):
    client.force_login(c.staff)
    data = complaint_data(c, add_row="allegations", summary="Typed <b>before</b> adding")
    data["allegations-TOTAL_FORMS"] = "1"
    response = client.post(reverse(NEW), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="allegations-TOTAL_FORMS" value="2"' in html
    assert 'name="allegations-1-conduct"' in html
    assert "Typed &lt;b&gt;before&lt;/b&gt; adding" in html
    assert "errorlist" not in html  # nothing was validated
    assert squeezed(
        said(
            "Files are not kept when a form is refused: attach %(names)s again.",
            names="invoice.pdf",
        )
    ) in text_of(response)
    assert Case.objects.count() == 0


def test_a_removed_row_leaves_a_gap_that_is_skipped(client, c):
    """The script removes a row from the page without renumbering the others."""
    client.force_login(c.staff)
    data = complaint_data(c)
    data["allegations-TOTAL_FORMS"] = "3"
    for field in ("principle", "conduct", "conduct_from", "conduct_to"):
        data[f"allegations-2-{field}"] = data[f"allegations-0-{field}"]
        del data[f"allegations-0-{field}"]
        data.pop(f"allegations-1-{field}", None)
    response = client.post(reverse(NEW), data)
    # Filed: the page that answers shows the complainant's access code once.
    assert response.status_code == 200
    assert response.context["code"]
    assert Case.objects.get().allegations.count() == 1


def test_the_error_summary_links_to_each_field(client, c):
    client.force_login(c.staff)
    data = complaint_data(c, summary="", respondent="Nonexistent Widgets Ltd")
    data["allegations-0-conduct"] = ""
    response = client.post(reverse(NEW), data)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'href="#id_summary"' in summary
    assert 'href="#id_respondent"' in summary
    assert said(
        "No organization in the register is called “%(name)s”.", name="Nonexistent Widgets Ltd"
    ) in summary
    assert 'href="#id_allegations-0-conduct"' in summary
    assert f"{said('Allegation')} 1: {said('Conduct alleged')}" in summary
    # Each link's target exists on the page.
    for target in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{target}"' in html


def test_a_refused_file_is_not_asked_for_again(client, c):
    client.force_login(c.staff)
    data = complaint_data(
        c, evidence_file=SimpleUploadedFile("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00binary")
    )
    response = client.post(reverse(NEW), data)
    assert response.status_code == 400
    text = text_of(response)
    refused = said(
        "“%(name)s” is of a type that is not accepted: %(type)s. Accepted types: %(accepted)s.",
        name="tool.exe",
        type="",
        accepted="",
    )
    assert squeezed(refused.split(":")[0]) in text  # up to the type, which is the code's
    assert squeezed(
        said("Files are not kept when a form is refused: attach %(names)s again.", names="tool.exe")
    ) not in text
    assert SUMMARY in response.content.decode()
    assert Case.objects.count() == 0


# ---------------------------------------------------------------------------
# The respondent's suggestions
# ---------------------------------------------------------------------------


def test_the_search_suggests_organizations_as_json(client, c):
    OrganizationFactory(name="Harrowgate Conveyors", slug="harrowgate-conveyors")
    OrganizationFactory(name="Harrow & Sons <Drives>", slug="harrow-sons")
    client.force_login(c.staff)
    response = client.get(reverse("cases:respondent_search"), {"q": "harrow", "format": "json"})
    assert response.status_code == 200
    names = [r["name"] for r in response.json()["results"]]
    assert names == ["Harrow & Sons <Drives>", "Harrowgate Conveyors"]
    assert response["Content-Type"] == "application/json"


def test_one_letter_suggests_nothing(client, c):
    client.force_login(c.staff)
    response = client.get(reverse("cases:respondent_search"), {"q": "a", "format": "json"})
    assert response.json() == {"results": []}


def test_without_javascript_the_search_page_links_to_the_form_filled_in(client, c):
    OrganizationFactory(name="Harrow & Sons <Drives>", slug="harrow-sons")
    client.force_login(c.staff)
    response = client.get(reverse("cases:respondent_search"), {"q": "harrow"})
    html = response.content.decode()
    assert "Harrow &amp; Sons &lt;Drives&gt;" in html
    link = reverse(NEW) + "?respondent=harrow-sons"
    assert f'href="{link}"' in html
    form = client.get(link).content.decode()
    assert 'value="harrow-sons"' in form


@pytest.mark.parametrize("who", ["rep", "board"])
def test_the_search_is_for_staff_only(client, c, who):
    from tests.factories.people import board_user

    user = c.rep if who == "rep" else board_user("search.board")
    client.force_login(user)
    response = client.get(reverse("cases:respondent_search"), {"q": "acme", "format": "json"})
    assert response.status_code == 403
